"""`claw ask` in a real pseudo-terminal against the gateway emulator: what ends up in the
terminal's scrollback (emulated with pyte) and whether the cursor is shown again afterwards.

The predecessor's renderer re-printed an answer taller than the window on every chunk (the
heading appeared 9 times in a 24-row pane) and left the cursor hidden after Ctrl-C.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import termios
import time

import pytest

from clawcli.testing import GatewayEmulator

pyte = pytest.importorskip("pyte")
pytestmark = pytest.mark.e2e

CLAW = shutil.which("claw")
ROWS, COLS = 24, 80
KEY = "0x" + "6e" * 32

# an answer much taller than the window: a heading, 14 paragraphs, a list and a code block
TALL = "# Rate limiting heading\n\n" + "".join(
    f"Paragraph {i:02d} explains one more detail of the token bucket algorithm in plain words.\n\n"
    for i in range(14)
) + "- item alpha\n- item beta\n\n```python\ndef take(bucket):\n    return bucket.pop()\n```\n\nThe final line.\n"


def run_in_pty(args: list[str], env: dict[str, str], *, interrupt_after: str | None = None,
               timeout: float = 60, typed: bool = False) -> tuple[bytes, int]:
    """Run ``claw args`` on a ROWSxCOLS pty; optionally send Ctrl-C once ``interrupt_after`` shows."""
    assert CLAW, "the claw console script is not installed (pip install -e .)"
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(CLAW, [CLAW, *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    out = b""
    interrupted = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
        if interrupt_after and not interrupted and interrupt_after.encode() in out:
            if typed:  # Ctrl-C typed on the terminal: its echo ("^C") too, not just the signal
                os.write(fd, b"\x03")
            else:
                os.kill(pid, signal.SIGINT)  # what Ctrl-C delivers to the foreground process
            interrupted = True
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out, os.waitstatus_to_exitcode(status)


def screen_of(out: bytes):
    screen = pyte.HistoryScreen(COLS, ROWS, history=5000)
    stream = pyte.ByteStream(screen)
    stream.feed(out)
    return screen


def all_lines(screen) -> list[str]:
    """Scrollback (everything that scrolled off the top) followed by the visible screen."""
    hist = ["".join(line[x].data for x in range(COLS)).rstrip() for line in screen.history.top]
    return hist + [line.rstrip() for line in screen.display]


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_", "NO_COLOR"))}
    e.update(CLAWCLI_HOME=os.environ["CLAWCLI_HOME"], CLAWCLI_OPENCLAW_HOME=os.environ["CLAWCLI_OPENCLAW_HOME"],
             CLAWCLI_WALLET_KEY=KEY, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
    return e


def test_a_tall_streamed_answer_reaches_the_scrollback_once(env):
    with GatewayEmulator(reply=TALL, stream_chunks=60, chunk_delay=0.02) as gw:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        out, code = run_in_pty(["ask", "--no-log", "Explain rate limiting"], env)
    assert code == 0, out.decode(errors="replace")[-2000:]
    lines = all_lines(screen_of(out))
    text = "\n".join(lines)
    assert sum("Rate limiting heading" in ln for ln in lines) == 1, text
    for i in range(14):
        assert sum(f"Paragraph {i:02d} explains" in ln for ln in lines) == 1, (i, text)
    assert sum("def take(bucket):" in ln for ln in lines) == 1
    assert sum("The final line." in ln for ln in lines) == 1
    assert "#" not in lines[[i for i, ln in enumerate(lines) if "Rate limiting heading" in ln][0]]  # rendered
    assert text.index("Paragraph 13") < text.index("item beta") < text.index("def take") < text.index("The final")
    assert any(ln.startswith("— ") and "cost $" in ln for ln in lines)  # the footer, after the answer
    assert not screen_of(out).cursor.hidden


def test_ctrl_c_mid_stream_restores_the_cursor(env):
    with GatewayEmulator(reply=TALL, stream_chunks=60, chunk_delay=0.25) as gw:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        out, code = run_in_pty(["ask", "--no-log", "Explain rate limiting"], env,
                               interrupt_after="\x1b[?25l")  # once the live area has hidden the cursor
    assert b"\x1b[?25l" in out  # it did hide it while streaming
    assert code == 130
    screen = screen_of(out)
    assert not screen.cursor.hidden
    assert any("cancelled" in ln for ln in all_lines(screen))
    assert "Traceback" not in out.decode(errors="replace")


def test_ctrl_c_typed_mid_block_leaves_the_open_block_on_screen_once(env):
    """Q2: with the terminal echoing ^C (stty echoctl, the default), the live area's clearing
    missed a line and the open block was printed twice."""
    para = "".join(f"Open sentence {i:02d} of one long paragraph. " for i in range(40))
    with GatewayEmulator(reply=para, stream_chunks=40, chunk_delay=0.2) as gw:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        out, code = run_in_pty(["ask", "--no-log", "Explain rate limiting"], env,
                               interrupt_after="Open sentence 03", typed=True)
    assert code == 130, out.decode(errors="replace")[-2000:]
    lines = all_lines(screen_of(out))
    assert sum("Open sentence 00" in ln for ln in lines) == 1, "\n".join(lines)
    assert any("cancelled" in ln for ln in lines)



    import subprocess

    with GatewayEmulator(reply=TALL, stream_chunks=10) as gw:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        res = subprocess.run([CLAW, "ask", "--no-log", "Explain"], env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert res.returncode == 0 and res.stdout == TALL  # the Markdown source, byte for byte


def test_chat_ctrl_c_stops_the_answer_but_not_the_chat(env):
    with GatewayEmulator(reply=TALL, stream_chunks=60, chunk_delay=0.25) as gw:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execve(CLAW, [CLAW, "chat", "--no-log"], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        out = b""
        steps = [(b"> ", b"Explain rate limiting\r"), (b"\x1b[?25l", None), (b"cancelled", b"/exit\r")]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            if steps and steps[0][0] in out:
                _, send = steps.pop(0)
                if send is None:
                    os.kill(pid, signal.SIGINT)  # Ctrl-C while the answer streams
                else:
                    os.write(fd, send)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert not steps, out.decode(errors="replace")[-1500:]
    assert os.waitstatus_to_exitcode(status) == 0  # /exit after the cancelled answer
    screen = screen_of(out)
    assert not screen.cursor.hidden
    text = "\n".join(all_lines(screen))
    assert "cancelled: this answer was not kept" in text and "Traceback" not in text


@pytest.mark.parametrize("text,blocks,rest,fence", [
    ("para one\nstill one\n\npara two", ["para one\nstill one\n\n"], "para two", None),
    ("# Head\n\n", ["# Head\n\n"], "", None),
    # blank lines inside a fenced block do not end it; the closing fence does
    ("```py\na = 1\n\nb = 2\n```\nafter\n\n", ["```py\na = 1\n\nb = 2\n```\n", "after\n\n"], "", None),
    ("~~~\nx\n\n", [], "~~~\nx\n\n", "~~~"),  # still open
    ("text\n```\ncode\n", ["text\n"], "```\ncode\n", "```"),  # a fence right after a paragraph line
    ("````\n```\nnot closed by 3\n````\n", ["````\n```\nnot closed by 3\n````\n"], "", None),
    ("no newline yet", [], "no newline yet", None),
])
def test_markdown_blocks_are_split_where_they_are_complete(text, blocks, rest, fence):
    from clawcli.cli._render import split_blocks

    assert split_blocks(text) == (blocks, rest, fence)
