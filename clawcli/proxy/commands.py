"""Chat commands answered locally: ``/stats [period]`` and ``/wallet``.

OpenClaw users talk to the proxy through their chat window, so an ask of
``/stats`` (optionally with a period: ``/stats 30d``, ``/stats 24h``, ``/stats today``) or
``/wallet`` is answered here in Markdown, in the normal chat.completion (or SSE) shape — with
no upstream call and no payment. These are not LLM requests, so they are not usage-logged
(they would count as zero-cost requests in `claw stats`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any

from clawcli.core.router.ask import clean_user_text, find_ask
from clawcli.proxy import responses

COMMANDS = ("/stats", "/wallet")


def match(messages: list[Any]) -> tuple[str, str] | None:
    """(command, argument) when the user's latest ask is a local command, else None.

    The ask is found like the router finds it (``find_ask``): OpenClaw wraps the typed words in a
    timestamp and a runtime trailer and sends its internal context as the last user message.
    Mid-loop (the request ends in a tool call or result) nothing is a command: the model is working.
    """
    # The common request ends in the user's own words: find_ask would return them (cleaned, not
    # empty), and no "/" in them means no command. Settled here without building the Ask.
    last = messages[-1] if isinstance(messages, list) and messages else None
    if (type(last) is dict or isinstance(last, Mapping)) and last.get("role") == "user":
        content = last.get("content")
        if type(content) is str and "/" not in content and clean_user_text(content)[0]:
            return None
    ask = find_ask(messages)
    if ask.mid_loop or not ask.text.startswith("/"):
        return None
    head, _, rest = ask.text.partition(" ")
    head = head.lower()
    if head in COMMANDS:
        return head[1:], rest.strip()
    return None


def _period(arg: str) -> str | None:
    a = arg.strip().lower()
    if not a:
        return "7d"
    if a in ("today", "day"):
        return "1d"
    if a in ("week",):
        return "7d"
    if a in ("month",):
        return "30d"
    if a in ("all", "ever"):
        return None
    if a.isdigit():  # ClawRouter's `/stats 7` meant days
        return f"{a}d"
    return a


async def stats_markdown(state: Any, arg: str) -> str:
    from clawcli.core.errors import ClawError
    from clawcli.core.usage.aggregate import aggregate_stats, render_markdown

    try:
        stats = await asyncio.to_thread(aggregate_stats, state.paths, _period(arg))
    except ClawError as exc:
        return f"**/stats**: {exc.message}\n\nTry `/stats`, `/stats 24h`, `/stats 30d` or `/stats all`."
    return render_markdown(stats)


async def wallet_markdown(state: Any) -> str:
    from clawcli.core.wallet import resolve_wallet

    try:
        w = await asyncio.to_thread(resolve_wallet, state.paths, state.env)
    except Exception as exc:  # a broken key file is worth saying, not crashing over
        return f"**Wallet**: {getattr(exc, 'message', exc)}"
    if w is None:
        return ("**Wallet**: none yet.\n\nThe first paid request creates one, or run `claw wallet create`. "
                "Requests use the free model until the wallet holds USDC.")
    lines = ["**Wallet**", "", f"- Chain: {w.chain}", f"- Base (EVM) address: `{w.evm_address}`"]
    if w.solana_address:
        lines.append(f"- Solana address: `{w.solana_address}`")
    bal = await _balances(state, w)
    lines += bal
    lines += ["", "Fund it with **USDC** (not ETH or SOL) on "
              + ("Base" if w.chain == "base" else "Solana") + ". `claw wallet fund` shows a QR code."]
    return "\n".join(lines)


async def _balances(state: Any, w: Any) -> list[str]:
    try:
        from clawcli.core.wallet import BalanceCache, fetch_balances

        s = state.settings
        cache = BalanceCache(state.paths.cache_dir / "balances.json")
        b = await asyncio.wait_for(asyncio.to_thread(
            fetch_balances, w.evm_address, w.solana_address, base_rpc_url=s.base_rpc_url,
            solana_rpc_url=s.solana_rpc_url, testnet=s.testnet, cache=cache, timeout=5.0), 8.0)
    except Exception as exc:
        return [f"- Balance: unavailable ({getattr(exc, 'message', None) or type(exc).__name__})"]
    out = []
    if b.evm is not None:
        out.append(f"- USDC on Base: ${b.evm:.2f}")
    if b.solana is not None:
        out.append(f"- USDC on Solana: ${b.solana:.2f}")
    for chain, err in b.errors.items():
        out.append(f"- Balance ({chain}): unavailable ({err})")
    return out


def completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-local-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


async def answer(state: Any, cmd: tuple[str, str], body: dict[str, Any], stream: bool, send: Any) -> None:
    from clawcli.proxy import sse

    name, arg = cmd
    model = f"clawcli/{name}"
    if stream:  # headers first, like every stream; then the answer
        await sse.start(send, [(b"x-clawrouter-model", model.encode())])
        await sse.body(send, sse.HEARTBEAT)
    text = await (stats_markdown(state, arg) if name == "stats" else wallet_markdown(state))
    comp = completion(text, model)
    if not stream:
        await responses.send_json(send, 200, comp, [(b"x-clawrouter-model", model.encode())])
        return
    base = {"id": comp["id"], "object": "chat.completion.chunk", "created": comp["created"], "model": model}
    first = dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}])
    last = dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
    await sse.body(send, sse.data(first) + sse.data(last) + sse.DONE, more=False)
