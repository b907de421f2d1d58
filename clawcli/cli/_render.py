"""Writing a streamed answer: plain text through a pipe, Markdown on a terminal.

On a terminal, re-rendering the whole answer on every chunk (``rich.live.Live`` over all of it)
re-printed everything taller than the window into the scrollback on each refresh. Here a block
(a paragraph, a heading, a list, a fenced code block) is printed once, as rendered Markdown, as
soon as it is complete; only the open block is live, and the live area never grows taller than
the window (it shows the block's last lines), so nothing reaches the scrollback twice. The live
area is transient: when its block completes it is replaced by the final rendering.

``close()`` flushes what is left and always restores the terminal (cursor shown), so it belongs
in a ``finally``; it is idempotent.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def split_blocks(text: str, in_fence: str | None = None) -> tuple[list[str], str, str | None]:
    """Split ``text`` into finished Markdown blocks and the open rest.

    A block ends at a blank line outside a fenced code block, or with the closing fence of one.
    Returns (finished blocks, open rest, the fence still open at the end of the finished part).
    Only complete lines are considered; the unfinished last line stays in the rest.
    """
    blocks: list[str] = []
    start = 0
    pos = 0
    fence = in_fence
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            break
        line = text[pos:nl]
        m = _FENCE.match(line)
        if fence is None and m:
            if pos > start and text[start:pos].strip():
                blocks.append(text[start:pos])  # a fence opening right after a paragraph line
                start = pos
            fence = m.group(1)
        elif fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and not line.strip()[len(m.group(1)):].strip():
            fence = None
            blocks.append(text[start:nl + 1])
            start = nl + 1
        elif fence is None and not line.strip():
            if text[start:nl].strip():
                blocks.append(text[start:nl + 1])
            start = nl + 1
        pos = nl + 1
    return blocks, text[start:], fence


class _Tail:
    """A renderable: the last lines of a Markdown block that fit in ``max_lines``."""

    def __init__(self, markdown: Any, max_lines: int) -> None:
        self.markdown = markdown
        self.max_lines = max(1, max_lines)

    def __rich_console__(self, console: Any, options: Any):
        from rich.segment import Segment

        lines = console.render_lines(self.markdown, options, pad=False)
        for line in lines[-self.max_lines:]:
            yield from line
            yield Segment.line()


class AnswerWriter:
    """Writes the answer as it arrives; ``markdown=True`` renders it (on a terminal)."""

    def __init__(self, markdown: bool, stream: Any = None) -> None:
        self.markdown = markdown
        self.stream = stream or sys.stdout
        self.text = ""
        self._pending = ""  # markdown: the open block (not yet printed for good)
        self._fence: str | None = None
        self._live: Any = None
        self._console: Any = None
        self._ended_newline = True
        self._closed = False
        self._saved_tty: tuple[int, list] | None = None  # terminal modes to put back (see _quiet_ctrl_c_echo)

    # --- plain text ----------------------------------------------------------------------------
    def _plain(self, piece: str) -> None:
        self.stream.write(piece)
        self.stream.flush()  # incremental, even through a pipe
        self._ended_newline = piece.endswith("\n")

    # --- markdown ------------------------------------------------------------------------------
    def _con(self) -> Any:
        if self._console is None:
            from clawcli.cli._app import console

            self._console = console()
        return self._console

    def _print_block(self, block: str) -> None:
        from rich.markdown import Markdown

        self._con().print(Markdown(block.strip("\n")))
        self._con().print()

    def _show_open(self) -> None:
        from rich.markdown import Markdown

        con = self._con()
        if not self._pending.strip():
            if self._live is not None:
                self._live.update("", refresh=True)
            return
        tail = _Tail(Markdown(self._pending + ("\n" + self._fence if self._fence else "")),
                     max(1, con.size.height - 2))
        if self._live is None:
            from rich.live import Live

            # transient: the open block is drawn in place and cleared when it is printed for good;
            # crop: even a block taller than the window never pushes live frames into the scrollback
            self._live = Live(tail, console=con, refresh_per_second=8, transient=True,
                              vertical_overflow="crop", auto_refresh=True)
            self._quiet_ctrl_c_echo()
            self._live.start()
        else:
            self._live.update(tail)

    def _stop_live(self) -> None:
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()

    def write(self, piece: str) -> None:
        if self._closed:
            return
        self.text += piece
        if not self.markdown:
            self._plain(piece)
            return
        blocks, rest, fence = split_blocks(self._pending + piece, self._fence)
        if blocks:
            self._stop_live()  # clear the live area, then print the finished blocks once
            for block in blocks:
                self._print_block(block)
        self._pending, self._fence = rest, fence
        self._show_open()

    def pause(self) -> None:
        """Before writing something else (a notice on stderr): take the live area off the screen."""
        self._stop_live()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.markdown:
            try:
                self._stop_live()
                if self._pending.strip():
                    self._print_block(self._pending)
                self._pending = ""
            finally:
                self._restore_terminal()
        elif self.text and not self._ended_newline:
            self._plain("\n")

    def _quiet_ctrl_c_echo(self) -> None:
        """The terminal echoes Ctrl-C ("^C") at the cursor, which sits after the live area's last
        full-width line: the echo wraps, the live area's clearing misses a line and the open block is
        printed twice. No echo while the live area is shown."""
        try:
            import termios

            fd = self.stream.fileno()
            modes = termios.tcgetattr(fd)
            if modes[3] & (termios.ECHO | termios.ECHOCTL):
                self._saved_tty = (fd, [*modes[:6], list(modes[6])])
                modes[3] &= ~(termios.ECHO | termios.ECHOCTL)  # (keys typed meanwhile stay buffered)
                termios.tcsetattr(fd, termios.TCSANOW, modes)
        except Exception:  # noqa: BLE001 - not a terminal (a pipe, a closed or fake stream)
            self._saved_tty = None

    def _restore_terminal(self) -> None:
        if self._saved_tty is not None:
            fd, modes = self._saved_tty
            self._saved_tty = None
            try:
                import termios

                termios.tcsetattr(fd, termios.TCSANOW, modes)
            except Exception:  # noqa: BLE001 - the terminal went away: nothing left to restore
                pass
        if self._console is not None:
            try:
                self._console.show_cursor(True)
            except Exception:  # noqa: BLE001 - the terminal went away: nothing left to restore
                pass
