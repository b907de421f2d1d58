"""One turn of a conversation, shared by `claw ask` and `claw chat`: build the request (history,
system prompt, attachments), route it with the conversation's tier floor, and store the answer.

A conversation is a routing session: its id is the ``sessionId`` of every usage record of its
turns (so ``maxCostPerRun`` spans it), and a later turn never routes below the highest tier an
earlier turn reached, and keeps the model that answered last when it can serve the request
(the same rules as `claw serve`'s sessions, ``clawcli.proxy.sessions``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.errors import UnknownModelError, UsageError


@dataclass
class Context:
    """What every turn of one process shares: settings, catalog, the log store and the payer."""

    paths: Any
    settings: Any
    catalog: Any
    store: Any = None  # LogStore, or None when nothing may be read or written
    log_enabled: bool = True
    _payer: Any = None
    _chain: str = "base"
    _wallet_checked: bool = False

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def payer_for(self, decision: Any) -> tuple[Any, str]:
        """The payer (None when every model of the chain is free) and the payment chain."""
        if self._payer is not None or not any(
                not ((m := self.catalog.get(mid)) and m.is_free) for mid in decision.chain):
            return self._payer, self._chain
        import typer

        from clawcli.core.wallet import banner_lines, ensure_wallet

        ensured = ensure_wallet(self.paths)
        if ensured.created:
            typer.echo("\n".join(banner_lines(ensured.wallet, self.settings)) + "\n", err=True)
        for w in ensured.wallet.warnings:
            typer.echo(f"warning: {w}", err=True)
        try:
            from clawcli.core.x402.wallet_payer import payer_from_settings
        except ImportError:  # pragma: no cover - before the payer constructor moved
            from clawcli.core.x402.payer import Payer

            payer_from_settings = Payer.from_settings
        self._payer = payer_from_settings(ensured.wallet, self.settings, self.paths)
        self._chain = ensured.wallet.chain
        return self._payer, self._chain

    def engine(self, decision: Any) -> Any:
        """A new engine for this process (`claw chat` keeps one for the whole session)."""
        from clawcli.core.upstream import Engine

        payer, chain = self.payer_for(decision)
        if payer is not None:
            warm_signing()
        return Engine(self.settings, self.paths, catalog=self.catalog, payer=payer, chain=chain)


def warm_signing() -> None:
    """Import the signing code in a background thread while the first, unpaid request is on the
    wire (the 402 comes back before it is needed)."""
    import threading

    import httpx_sse  # noqa: F401 - imported here, before the thread below starts importing

    from clawcli.core.wallet.evm_sign import warm

    threading.Thread(target=warm, daemon=True).start()


def skip_httpx_cli() -> None:
    """Trim what importing httpx drags in that `claw ask` never runs (~0.1-0.4 s of start-up):

    - httpx imports its own command-line tool (click, rich.syntax, pygments) with the package; an
      empty ``httpx._main`` makes its ``from ._main import main`` fail, and httpx handles that
      ImportError itself (it defines a stub);
    - httpcore imports trio, when it is installed, to support running under trio's event loop;
      this process runs asyncio, so ``import trio`` is made to fail and httpcore uses anyio only.

    Only when httpx is not loaded yet, and only in the `claw ask` / `claw chat` process."""
    import sys
    import types

    if "httpx" in sys.modules:
        return
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type] - None: "import trio" raises ImportError


def open_context(*, compress: str | None = None, no_log: bool = False, need_store: bool = False) -> Context:
    from clawcli.cli._app import load_cli_settings

    skip_httpx_cli()
    from clawcli.core.catalog import Catalog
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    settings = load_cli_settings(paths, {"compress": compress})
    catalog = Catalog.load(paths.catalog_cache)
    log_enabled = not no_log and bool(getattr(settings, "log_prompts", True))
    store = None
    if log_enabled or need_store:
        from clawcli.core.logstore import LogStore

        store = LogStore.open(paths)
    return Context(paths=paths, settings=settings, catalog=catalog, store=store, log_enabled=log_enabled)


@dataclass
class Turn:
    ctx: Context
    request: dict[str, Any]
    decision: Any
    session_id: str | None
    compression: Any
    conversation_id: str
    conversation: Any  # logstore.Conversation, None for a new one
    prompt: str  # what is stored as the user's turn (attachments' text inlined)
    system: str | None
    model: str | None
    profile: str | None
    source: str = "ask"
    attachments: list[str] = field(default_factory=list)

    def engine(self) -> Any:
        return self.ctx.engine(self.decision)

    async def stream(self, engine: Any, max_cost: float | None, out: Any) -> Any:
        """Stream the answer into ``out`` (an AnswerWriter), notices to stderr; the EngineResult."""
        from clawcli.cli._app import notice

        result = None
        async for ev in engine.stream(self.request, source=self.source, session_id=self.session_id,
                                      decision=self.decision, max_cost=max_cost, compression=self.compression):
            if ev.type == "notice":
                out.pause()  # the live area off the screen before writing the notice
                notice(ev.data)
            elif ev.type == "chunk":
                for ch in ev.data.get("choices") or ():
                    piece = (ch.get("delta") or {}).get("content")
                    if piece:
                        out.write(piece)
            elif ev.type == "done":
                result = ev.data
        out.close()
        return result

    def store(self, result: Any) -> None:
        """Keep the prompt and the answer (never payment headers or keys) and raise the
        conversation's tier floor to what this turn was routed at."""
        from clawcli.core.logstore import Conversation, Entry
        from clawcli.core.router.types import TIER_RANK

        ctx = self.ctx
        stored = ctx.log_enabled and ctx.store is not None
        if self.conversation is None:
            profile, model = None if self.model else self.profile or result.profile, self.model
            if stored:
                self.conversation = ctx.store.new_conversation(title=self.prompt, profile=profile, model=model,
                                                               cid=self.conversation_id)
            else:  # `claw chat --no-log`: the conversation lives in memory only
                self.conversation = Conversation(id=self.conversation_id, created="", updated="",
                                                 profile=profile, model=model)
        floor = self.conversation.tier
        tier = result.tier if result.tier in TIER_RANK else None
        if tier and (floor is None or TIER_RANK[tier] > TIER_RANK.get(floor, -1)):
            floor = tier
        self.conversation.tier = floor
        self.conversation.last_model = result.model
        if not stored:
            return
        usage = result.usage or {}
        ctx.store.add(Entry(
            prompt=self.prompt, response=result.content, conversation_id=self.conversation_id, source=self.source,
            system=self.system, model=result.model, requested_model=self.model, profile=result.profile,
            tier=result.tier, cost=result.cost, baseline_cost=result.baseline_cost, savings=result.savings,
            latency_ms=result.latency_ms, input_tokens=usage.get("prompt_tokens"),
            output_tokens=usage.get("completion_tokens"), request_id=result.request_id,
            attachments=list(self.attachments)), conversation_tier=floor)


def find_conversation(ctx: Context, *, continue_last: bool, cid: str | None) -> Any:
    if not (continue_last or cid):
        return None
    if ctx.store is None:
        from clawcli.core.logstore import LogStore

        ctx.store = LogStore.open(ctx.paths)
    if cid:
        return ctx.store.find_conversation(cid)
    conv = ctx.store.last_conversation()
    if conv is None:
        raise UsageError("there is no conversation to continue yet", 'start one: claw ask "..."')
    return conv


def last_model(ctx: Context, conversation: Any) -> str | None:
    if conversation is None:
        return None
    if conversation.last_model:
        return conversation.last_model
    if ctx.store is None:
        return None
    entries = ctx.store.entries(limit=1, cid=conversation.id)
    return entries[-1].model if entries else None


def prepare_turn(*, text: str, model: str | None, profile: str | None, system: str | None,
                 max_tokens: int | None, temperature: float | None, compress: str | None,
                 continue_last: bool = False, cid: str | None = None, attachments: list | None = None,
                 no_log: bool = False, source: str = "ask", ctx: Context | None = None,
                 conversation: Any = None, history: list[dict[str, Any]] | None = None) -> Turn:
    """Everything before the request is sent: context, conversation, request, routing decision."""
    from clawcli.cli._attach import user_content
    from clawcli.core.compression import compress_request
    from clawcli.core.logstore import new_conversation_id

    ctx = ctx or open_context(compress=compress, no_log=no_log, need_store=bool(continue_last or cid))
    if conversation is None:
        conversation = find_conversation(ctx, continue_last=continue_last, cid=cid)
    if conversation is not None and not model and not profile:
        model, profile = conversation.model, conversation.profile  # a conversation keeps its route
    attachments = attachments or []
    content, stored = user_content(text, attachments)

    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    if history is not None:  # `claw chat` keeps its turns in memory (they may not be stored)
        messages += history
    elif conversation is not None:
        messages += ctx.store.messages(conversation.id)
    messages.append({"role": "user", "content": content})
    request: dict[str, Any] = {"messages": messages}
    if max_tokens:
        request["max_tokens"] = max_tokens
    if temperature is not None:
        request["temperature"] = temperature
    if model:
        request["model"] = model
    # before routing and payment: the decision and the cost estimate see what is sent. The system
    # prompt and the last user message are never compressed, so a one-shot question is unchanged.
    request, compression = compress_request(request, ctx.settings.compress)
    decision = route_turn(ctx, request, profile=profile, conversation=conversation)
    conversation_id = conversation.id if conversation is not None else new_conversation_id()
    session_id = os.environ.get("CLAWCLI_SESSION_ID") or conversation_id
    return Turn(ctx=ctx, request=request, decision=decision, session_id=session_id, compression=compression,
                conversation_id=conversation_id, conversation=conversation, prompt=stored, system=system,
                model=model, profile=profile, source=source, attachments=[a.name for a in attachments])


def route_turn(ctx: Context, request: dict[str, Any], *, profile: str | None, conversation: Any) -> Any:
    """Route the request; in a conversation, never below its tier and keeping its model."""
    from clawcli.core.router import extract_features, route
    from clawcli.core.router.types import TIER_RANK

    settings = ctx.settings
    try:
        decision = route(request, profile=None if request.get("model") else (profile or settings.profile),
                         catalog=ctx.catalog, exclude=settings.exclude, baseline_model=settings.baseline_model)
    except UnknownModelError as exc:  # `-m gpt-9` is a mistake on the command line: exit 2
        err = UsageError(exc.message, exc.hint)
        err.code = exc.code
        raise err from None
    if conversation is None or decision.explicit or not conversation.tier:
        return decision
    from clawcli.core.router import _resolve_exclude
    from clawcli.proxy.sessions import _can_serve, pin_model, raise_tier

    features = extract_features(request)
    if TIER_RANK.get(decision.tier, 0) < TIER_RANK.get(conversation.tier, 0):
        decision = raise_tier(decision, conversation.tier, catalog=ctx.catalog, features=features,
                              exclude=_resolve_exclude(ctx.catalog, settings.exclude))
    if TIER_RANK.get(decision.tier, 0) <= TIER_RANK.get(conversation.tier, 0):
        last = last_model(ctx, conversation)
        if last and last != decision.model and last in ctx.catalog.profiles.get(decision.profile, {}).get(
                decision.tier, ()) and _can_serve(ctx.catalog.get(last), features):
            decision = pin_model(decision, last, catalog=ctx.catalog)
    return decision
