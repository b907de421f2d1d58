#!/usr/bin/env python3
"""Record the chat requests real agent clients send, trim them, write tests/fixtures/agent_requests/.

    scripts/capture_agent_requests.py                 # every client that is installed
    scripts/capture_agent_requests.py --only openclaw --keep-raw /tmp/raw

Each client runs offline against a tiny *recording upstream* on 127.0.0.1 (an OpenAI-compatible
``/v1/chat/completions`` that saves every body and answers from a script: first a tool call,
then text), so no network and no key are involved. Clients:

- ``openclaw``: the npm ``openclaw`` CLI (``scripts/node_env.sh`` installs Node 24 and it), set up
  with ``claw inject-openclaw`` in a temporary OpenClaw home, run as
  ``openclaw agent --local --session-id S --message ... --json``: first turn, a turn after a
  tool call, and the second turn of a conversation;
- ``openai_agents``: the OpenAI Agents SDK (``pip install openai-agents``) with a function tool;
- ``langgraph``: a LangGraph ReAct agent on ``langchain-openai`` (``pip install langgraph
  langchain-openai``) with a tool.
These are capture tools only, not clawcli dependencies.

Trimming (so no vendor prose is committed; every structure and marker stays): system/developer
text, the inside of injected blocks and tool descriptions are replaced word by word with neutral
filler of the same length (punctuation, numbers, line breaks and markers kept); host names and
ids in OpenClaw's runtime trailer are normalised. The words the script typed as the ask are kept,
and each fixture records them as ``ask`` so ``benchmarks/router_eval.py --envelopes`` can put a
labelled prompt in their place.

A new OpenClaw release: ``OPENCLAW_SPEC=<version> scripts/node_env.sh`` then this script, then
``python -m pytest tests/test_agent_envelopes.py`` and ``benchmarks/router_eval.py --envelopes``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "agent_requests"

ASK_FIRST = "Say hello to the capture script."
ASK_TOOL = "List the files in the current directory."
ASK_TURN1 = "Remember the number 42 for me."
ASK_TURN2 = "Which number did I ask you to remember?"
ASK_SDK = "Look up the weather in Lisbon."


# ----------------------------------------------------------------------------- upstream
class Recorder:
    """A loopback OpenAI-compatible upstream that records bodies and answers from a script."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []  # {"tool": name, "args": {...}} or {"text": ...}
        self.lock = threading.Lock()
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                body = json.dumps({"object": "list", "data": [{"id": "auto", "object": "model"}]}).encode()
                self._send(200, body, "application/json")

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(n)
                try:
                    req = json.loads(raw)
                except ValueError:
                    self._send(400, b'{"error":{"message":"bad json"}}', "application/json")
                    return
                with rec.lock:
                    rec.bodies.append({"path": self.path, "body": req})
                    reply = rec.replies.pop(0) if rec.replies else {"text": "Done."}
                if "tool" in reply and not req.get("tools"):
                    reply = {"text": "Done."}
                if "tool" in reply:
                    tools = [t.get("function", {}).get("name") for t in req["tools"]]
                    name = reply["tool"] if reply["tool"] in tools else tools[0]
                    msg = {"role": "assistant", "content": None, "tool_calls": [{
                        "id": f"call_{len(rec.bodies)}", "type": "function",
                        "function": {"name": name, "arguments": json.dumps(reply.get("args", {}))}}]}
                    finish = "tool_calls"
                else:
                    msg = {"role": "assistant", "content": reply["text"]}
                    finish = "stop"
                if req.get("stream"):
                    self._stream(msg, finish, req.get("model", "auto"))
                else:
                    out = {"id": "chatcmpl-rec", "object": "chat.completion", "created": int(time.time()),
                           "model": req.get("model", "auto"),
                           "choices": [{"index": 0, "message": msg, "finish_reason": finish}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
                    self._send(200, json.dumps(out).encode(), "application/json")

            def _stream(self, msg: dict, finish: str, model: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                base = {"id": "chatcmpl-rec", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": model}
                delta: dict[str, Any] = {"role": "assistant"}
                if msg.get("tool_calls"):
                    delta["tool_calls"] = [{"index": 0, **msg["tool_calls"][0]}]
                else:
                    delta["content"] = msg["content"]
                chunks = [{**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                          {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
                          {**base, "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5,
                                                            "total_tokens": 15}}]
                for c in chunks:
                    self.wfile.write(b"data: " + json.dumps(c).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, replies: list[dict[str, Any]]) -> None:
        with self.lock:
            self.bodies.clear()
            self.replies = list(replies)

    def chat_bodies(self) -> list[dict[str, Any]]:
        return [b["body"] for b in self.bodies if b["path"].rstrip("/").endswith("chat/completions")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ----------------------------------------------------------------------------- trimming
_FILLER = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
           "et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi").replace(" ", "")
_WORD_RE = re.compile(r"[^\W\d_]+")
_MARKER_RE = re.compile(r"<<<[A-Z_]+>>>|</?[a-z_]+>|<!--[^>\n]*-->")


def filler(text: str) -> str:
    """``text`` with every word replaced by neutral letters of the same length; markers kept."""
    pos = 0

    def word(m: re.Match) -> str:
        nonlocal pos
        n = len(m.group(0))
        out = "".join(_FILLER[(pos + i) % len(_FILLER)] for i in range(n))
        pos += n
        return out.upper() if m.group(0).isupper() and n > 1 else out

    parts = []
    last = 0
    for m in _MARKER_RE.finditer(text):
        parts.append(_WORD_RE.sub(word, text[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_WORD_RE.sub(word, text[last:]))
    return "".join(parts)


_BLOCK_RE = re.compile(r"(<<<BEGIN_[A-Z_]+>>>)(.*?)(<<<END_[A-Z_]+>>>)", re.S)
_TRAILER_RE = re.compile(r"(\n\s*Runtime: agent=)([^\n]*)")
_TS_RE = re.compile(r"\[(?:[A-Z][a-z]{2} )?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})? ?[A-Z]{0,5}\]")


def _trim_user_text(text: str) -> str:
    text = _BLOCK_RE.sub(lambda m: m.group(1) + filler(m.group(2)) + m.group(3), text)
    text = _TRAILER_RE.sub(lambda m: m.group(1) + _normalise_trailer(m.group(2)), text)
    text = _TS_RE.sub("[Sun 2026-12-06 19:27 UTC]", text)
    return text


def _normalise_trailer(fields: str) -> str:
    out = []
    for i, part in enumerate(fields.split(" | ")):
        k, _, v = part.partition("=")
        if i == 0:
            out.append(part)  # agent name (the part after "Runtime: agent=")
        elif k in ("host", "hostname", "repo", "cwd", "workspace", "os", "user"):
            out.append(f"{k}=capture-{k}")
        else:
            out.append(part)
    return " | ".join(out)


def _trim_schema(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: (filler(v) if k == "description" and isinstance(v, str) else _trim_schema(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_trim_schema(x) for x in obj]
    return obj


def trim(body: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    for m in body.get("messages") or []:
        role = m.get("role")
        c = m.get("content")
        if role in ("system", "developer"):
            if isinstance(c, str):
                m["content"] = filler(c)
            elif isinstance(c, list):
                for p in c:
                    if isinstance(p, dict) and isinstance(p.get("text"), str):
                        p["text"] = filler(p["text"])
        elif role == "user":
            if isinstance(c, str):
                m["content"] = _trim_user_text(c)
            elif isinstance(c, list):
                for p in c:
                    if isinstance(p, dict) and isinstance(p.get("text"), str):
                        p["text"] = _trim_user_text(p["text"])
        elif role == "tool" and isinstance(c, str) and len(c) > 200:
            m["content"] = filler(c)  # real tool output (a directory listing of the capture machine)
    if "tools" in body:
        body["tools"] = _trim_schema(body["tools"])
    for k in ("user", "metadata", "prompt_cache_key", "safety_identifier"):
        if k in body:
            body[k] = f"capture-{k}"
    return body


def write(name: str, client: str, version: str, ask: str, body: dict[str, Any], note: str, raw_dir: Path | None) -> None:
    if raw_dir:
        raw_dir.mkdir(parents=True, exist_ok=True)
        (raw_dir / f"{name}.json").write_text(json.dumps(body, indent=1, ensure_ascii=False), "utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"client": client, "version": version, "scenario": note, "ask": ask,
           "body": trim(body)}
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {OUT.relative_to(REPO)}/{name}.json ({len(json.dumps(doc))} bytes)")


# ----------------------------------------------------------------------------- clients
def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if p.returncode != 0:
        sys.stderr.write(f"$ {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}\n")
    return p


def capture_openclaw(rec: Recorder, raw: Path | None) -> None:
    node_path = subprocess.run([str(REPO / "scripts" / "node_env.sh")], capture_output=True, text=True, check=True)
    path = node_path.stdout.strip() + os.pathsep + os.environ.get("PATH", "")
    version = subprocess.run(["openclaw", "--version"], env={**os.environ, "PATH": path}, capture_output=True,
                             text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="claw-capture-") as tmp:
        home = Path(tmp)
        ws = home / "workspace"
        ws.mkdir()
        (ws / "notes.md").write_text("capture workspace\n", "utf-8")
        env = {**os.environ, "PATH": path, "HOME": str(home), "OPENCLAW_HOME": str(home),
               "CLAWCLI_OPENCLAW_HOME": str(home / ".openclaw"), "CLAWCLI_HOME": str(home / ".clawcli"),
               "OPENCLAW_STATE_DIR": str(home / ".openclaw"), "NO_COLOR": "1"}
        env.pop("OPENCLAW_CONFIG_PATH", None)
        p = _run([sys.executable, "-m", "clawcli", "inject-openclaw", "--port", str(rec.port),
                  "--set-default"], env, ws)
        if p.returncode != 0:
            raise SystemExit("claw inject-openclaw failed")
        # the recorder is the upstream: OpenClaw's provider baseUrl points at it directly
        cfg_path = home / ".openclaw" / "openclaw.json"
        cfg = json.loads(cfg_path.read_text("utf-8"))
        cfg.setdefault("agents", {}).setdefault("defaults", {})["workspace"] = str(ws)
        cfg_path.write_text(json.dumps(cfg, indent=2), "utf-8")

        def turn(session: str, message: str, replies: list[dict]) -> list[dict]:
            rec.take(replies)
            _run(["openclaw", "agent", "--local", "--session-id", session, "--message", message, "--json"],
                 env, ws)
            return rec.chat_bodies()

        bodies = turn("capture-first", ASK_FIRST, [{"text": "Hello!"}])
        if not bodies:
            raise SystemExit("openclaw sent no chat request to the recorder")
        write("openclaw_first_turn", "openclaw", version, ASK_FIRST, bodies[0], "first turn of a session", raw)
        bodies = turn("capture-tools", ASK_TOOL, [{"tool": "ls", "args": {"path": "."}}, {"text": "One file."}])
        if len(bodies) < 2:
            raise SystemExit(f"openclaw made {len(bodies)} request(s) for the tool turn (expected 2)")
        write("openclaw_after_tool", "openclaw", version, ASK_TOOL, bodies[1],
              "second request of a turn: after the model's tool call and the tool result (mid-loop)", raw)
        turn("capture-multi", ASK_TURN1, [{"text": "Noted: 42."}])
        bodies = turn("capture-multi", ASK_TURN2, [{"text": "42."}])
        write("openclaw_multi_turn", "openclaw", version, ASK_TURN2, bodies[0],
              "second turn of a conversation (history of the first turn included)", raw)


def capture_openai_agents(rec: Recorder, raw: Path | None) -> None:
    from importlib.metadata import version as dist_version

    import agents  # openai-agents
    from openai import AsyncOpenAI

    agents.set_tracing_disabled(True)
    client = AsyncOpenAI(base_url=rec.url, api_key="capture")

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Return the current weather for a city."""
        return f"Sunny and 21 C in {city}."

    agent = agents.Agent(
        name="Assistant", instructions="You are a helpful assistant. Use tools when they help.",
        model=agents.OpenAIChatCompletionsModel(model="auto", openai_client=client), tools=[get_weather])
    rec.take([{"tool": "get_weather", "args": {"city": "Lisbon"}}, {"text": "Sunny, 21 C."}])
    agents.Runner.run_sync(agent, ASK_SDK)
    bodies = rec.chat_bodies()
    v = dist_version("openai-agents")
    write("openai_agents_first_turn", "openai-agents", v, ASK_SDK, bodies[0], "first request of a run", raw)
    write("openai_agents_after_tool", "openai-agents", v, ASK_SDK, bodies[1],
          "after the function tool ran (mid-loop)", raw)


def capture_langgraph(rec: Recorder, raw: Path | None) -> None:
    from importlib.metadata import version as dist_version

    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI
    from langgraph.prebuilt import create_react_agent

    @tool
    def get_weather(city: str) -> str:
        """Return the current weather for a city."""
        return f"Sunny and 21 C in {city}."

    llm = ChatOpenAI(model="auto", base_url=rec.url, api_key="capture")
    graph = create_react_agent(llm, [get_weather], prompt="You are a helpful assistant.")
    rec.take([{"tool": "get_weather", "args": {"city": "Lisbon"}}, {"text": "Sunny, 21 C."}])
    graph.invoke({"messages": [("user", ASK_SDK)]})
    bodies = rec.chat_bodies()
    v = dist_version("langgraph")
    write("langgraph_first_turn", "langgraph", v, ASK_SDK, bodies[0], "first request of a ReAct run", raw)
    write("langgraph_after_tool", "langgraph", v, ASK_SDK, bodies[1], "after the tool ran (mid-loop)", raw)


CLIENTS = {"openclaw": capture_openclaw, "openai_agents": capture_openai_agents, "langgraph": capture_langgraph}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", choices=sorted(CLIENTS), help="capture only these clients")
    ap.add_argument("--keep-raw", type=Path, help="also write the untrimmed bodies here (never commit them)")
    args = ap.parse_args(argv)
    rec = Recorder()
    failed = []
    try:
        for name in args.only or list(CLIENTS):
            try:
                CLIENTS[name](rec, args.keep_raw)
            except ImportError as exc:
                failed.append(f"{name}: not installed ({exc.name}); see the docstring")
            except (SystemExit, subprocess.SubprocessError, IndexError) as exc:
                failed.append(f"{name}: {exc}")
    finally:
        rec.close()
    for f in failed:
        print("capture failed:", f, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
