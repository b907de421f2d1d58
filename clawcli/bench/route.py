"""Routing speed: how long one ``route(request)`` decision takes, over a mixed corpus or a file.

    requests = builtin_corpus()                  # or load_corpus(Path("prompts.jsonl"))
    result = run_route_bench(requests, n=20_000)
    result["p50Us"], result["p99Us"], result["decisionsPerSec"]

Every timed request is unique per run (a run nonce and a counter are appended to the last
user turn), so a cache anywhere below ``route`` cannot make the figure look better than a
real decision. The corpus mixes short and long prompts, nine languages, code, maths, system
design, multi-turn chats with system prompts, and tool-using agent requests; sizes are
reported separately because the target is per size (DESIGN.md §9: ≤ 30 µs p50 for a short
prompt, ≤ 1 ms at 10 k characters).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from clawcli.core.errors import UsageError

SHORT_PROMPTS = (
    "hi",
    "What is the capital of France?",
    "Translate 'good morning' into Spanish.",
    "Summarise this paragraph in one sentence: the meeting moved to Thursday because the venue flooded.",
    "Write a haiku about autumn rain.",
    "What's 17 * 23?",
    "Write a Python function that checks whether a string is a valid IPv4 address.",
    "Fix the bug: `for i in range(len(xs)): xs.remove(xs[i])` raises IndexError.",
    "Refactor this React component to use hooks instead of a class, keep the props API unchanged.",
    "Prove that the square root of 2 is irrational.",
    "Prove by induction that the sum of the first n odd numbers is n^2.",
    "Let f(x) = x^3 - 3x + 1. Find all real roots to 4 decimal places and justify the method.",
    "Design a rate limiter for a multi-region API gateway handling 2M requests/s; discuss consistency.",
    "Design the database schema and sharding strategy for a global chat app with message search.",
    "Compare optimistic and pessimistic locking for an inventory service, with failure cases.",
    "Explain the difference between TCP and UDP like I'm five.",
    "Return a JSON object with fields name, age and email for a fictional user.",
    "List five tips for better sleep.",
    "Migrate the payment module across these 12 files from callbacks to async/await and update the tests.",
    "请证明：对于任意正整数 n，n^3 - n 能被 6 整除。",
    "用一句话解释什么是区块链。",
    "このコードのバグを直してください: def add(a, b): return a - b",
    "東京でおすすめのラーメン屋を教えて。",
    "Докажи, что существует бесконечно много простых чисел.",
    "Привет! Как дела?",
    "Entwirf eine Microservice-Architektur für einen Onlineshop mit Zahlungs- und Lagerdienst.",
    "¿Cuál es la diferencia entre un virus y una bacteria?",
    "Écris une fonction JavaScript qui inverse une liste chaînée, avec des tests.",
    "Explique passo a passo como resolver a equação 2x + 5 = 17.",
    "اشرح نظرية فيثاغورس مع مثال.",
    "이 SQL 쿼리를 최적화해 주세요: SELECT * FROM orders WHERE YEAR(created_at) = 2024",
)

_PARAGRAPH = (
    "The service keeps a write-ahead log on local disk, replicates it to two followers and acknowledges "
    "a write once a quorum has it. Reads go to the leader unless the client accepts bounded staleness. "
)


def _long_prompt(chars: int, ask: str) -> str:
    body = (_PARAGRAPH * (chars // len(_PARAGRAPH) + 1))[:chars]
    return f"{body}\n\n{ask}"


def builtin_corpus() -> list[dict[str, Any]]:
    """The built-in mixed corpus: chat requests (OpenAI shape), short to 10 k characters."""
    reqs: list[dict[str, Any]] = [{"messages": [{"role": "user", "content": p}]} for p in SHORT_PROMPTS]
    reqs.append({"messages": [
        {"role": "system", "content": "You are a careful senior engineer. Answer concisely."},
        {"role": "user", "content": "We use Postgres 15 with logical replication."},
        {"role": "assistant", "content": "Understood. What do you need?"},
        {"role": "user", "content": "How do I add a column to a 2 TB table without downtime?"},
    ]})
    reqs.append({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is in this diagram, and is the architecture sound?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]}]})
    tool = {"type": "function", "function": {"name": "run_shell", "description": "Run a shell command",
                                             "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}}}
    reqs.append({"messages": [{"role": "user", "content": "List the files in the repo, then run the test suite and fix failures."}],
                 "tools": [tool]})
    reqs.append({"messages": [{"role": "user", "content": "What's the weather in Paris?"}], "tools": [tool]})
    for chars, ask in ((1_000, "Summarise the design above."), (2_500, "What are the failure modes of this design?"),
                       (10_000, "Review this design document and propose a migration plan to multi-region.")):
        reqs.append({"messages": [{"role": "user", "content": _long_prompt(chars, ask)}]})
    return reqs


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """Requests from a JSONL file: each line a chat request ({"messages": [...]}), an object with
    ``prompt``/``text``/``content``, or a bare JSON string. Raises UsageError naming a bad line."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    out: list[dict[str, Any]] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise UsageError(f"{path}:{no} is not JSON", 'one request per line: {"prompt": "..."} or {"messages": [...]}') from None
        if isinstance(obj, str):
            obj = {"prompt": obj}
        if isinstance(obj, Mapping) and isinstance(obj.get("messages"), list):
            out.append(dict(obj))
            continue
        prompt = next((obj.get(k) for k in ("prompt", "text", "content", "question") if isinstance(obj, Mapping)
                       and isinstance(obj.get(k), str)), None)
        if prompt is None:
            raise UsageError(f"{path}:{no} has no prompt", 'expected {"prompt": "..."}, {"messages": [...]} or a JSON string')
        out.append({"messages": [{"role": "user", "content": prompt}]})
    if not out:
        raise UsageError(f"{path} holds no requests")
    return out


def _unique(req: Mapping[str, Any], tag: str) -> dict[str, Any]:
    """A copy of ``req`` whose last user turn ends with ``tag`` (defeats any cache below route)."""
    msgs = [dict(m) if isinstance(m, Mapping) else m for m in req.get("messages", [])]
    for m in reversed(msgs):
        if isinstance(m, dict) and m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, str):
                m["content"] = f"{c} [{tag}]"
            elif isinstance(c, list):
                m["content"] = [*c, {"type": "text", "text": f"[{tag}]"}]
            break
    return {**req, "messages": msgs}


def _size(req: Mapping[str, Any]) -> str:
    from clawcli.core.messages import message_text

    chars = sum(len(message_text(m)) for m in req.get("messages", []))
    return "short" if chars < 500 else "medium" if chars < 5_000 else "long"


def _pct(sorted_ns: list[int], p: float) -> float:
    """Nearest-rank percentile in microseconds."""
    if not sorted_ns:
        return 0.0
    k = max(0, min(len(sorted_ns) - 1, int(round(p / 100 * len(sorted_ns) + 0.5)) - 1))
    return sorted_ns[k] / 1000.0


def run_route_bench(requests: Iterable[Mapping[str, Any]], n: int = 20_000, *, warmup: int = 200,
                    route_fn: Callable[..., Any] | None = None,
                    progress: Callable[[int], None] | None = None, source: str = "builtin") -> dict[str, Any]:
    """Time ``n`` routing decisions cycling through ``requests``; returns the `--json` object.

    ``progress(k)`` is called every 1,000 decisions with the number done since the last call.
    """
    if route_fn is None:
        from clawcli.core.router import route as route_fn
    base = list(requests)
    if not base:
        raise UsageError("no requests to route")
    if n < 1:
        raise UsageError("-n must be at least 1")
    run = os.urandom(4).hex()
    # build the unique requests before timing, so only the decision itself is measured
    batch = [_unique(base[i % len(base)], f"{run}-{i}") for i in range(n)]
    sizes = [_size(base[i % len(base)]) for i in range(len(base))]
    for i in range(min(warmup, n)):
        route_fn(_unique(base[i % len(base)], f"{run}-w{i}"))
    times = [0] * n
    tiers: dict[str, int] = {}
    clock = time.perf_counter_ns
    t_start = clock()
    for i, req in enumerate(batch):
        t0 = clock()
        d = route_fn(req)
        times[i] = clock() - t0
        tiers[d.tier] = tiers.get(d.tier, 0) + 1
        if progress is not None and (i + 1) % 1000 == 0:
            progress(1000)
    wall = (clock() - t_start) / 1e9
    if progress is not None and n % 1000:
        progress(n % 1000)
    by_size: dict[str, list[int]] = {}
    for i, t in enumerate(times):
        by_size.setdefault(sizes[i % len(base)], []).append(t)
    s = sorted(times)
    return {
        "decisions": n,
        "corpus": source,
        "distinctRequests": len(base),
        "p50Us": round(_pct(s, 50), 2),
        "p90Us": round(_pct(s, 90), 2),
        "p99Us": round(_pct(s, 99), 2),
        "meanUs": round(statistics.fmean(times) / 1000, 2),
        "maxUs": round(s[-1] / 1000, 2),
        "decisionsPerSec": round(n / sum(times) * 1e9, 1) if sum(times) else 0.0,
        "wallSeconds": round(wall, 4),
        "bySize": {k: {"decisions": len(v), "p50Us": round(_pct(sorted(v), 50), 2),
                       "p99Us": round(_pct(sorted(v), 99), 2)}
                   for k, v in sorted(by_size.items(), key=lambda kv: ("short", "medium", "long").index(kv[0]))},
        "tiers": dict(sorted(tiers.items())),
        "unique": True,
    }
