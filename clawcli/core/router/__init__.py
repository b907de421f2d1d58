"""The router: a chat request in, a :class:`Decision` out. Pure, no I/O, microseconds.

    decision = route({"messages": [{"role": "user", "content": "Prove that sqrt(2) is irrational"}]})
    decision.tier, decision.model, decision.chain, decision.to_dict()

The classifier (``classifier.classify``) scores the last user turn; this module extracts the
request's features, picks the profile table, applies overrides (tools, images, huge context,
structured output), builds the fallback chain and prices it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from clawcli.core.catalog import PROFILE_NAMES, Catalog, _strip_prefix, default_catalog
from clawcli.core.errors import ConfigError, RouterError, UnknownModelError
from clawcli.core.messages import IMAGE_PART_TYPES
from clawcli.core.memo import BoundedMemo, TextMemo, by_text
from clawcli.core.messages import estimate_tokens as _estimate_tokens
from clawcli.core.messages import remembered_estimate as _remembered_estimate
from clawcli.core.router import select
from clawcli.core.router.ask import Ask, content_text, find_ask
from clawcli.core.router.classifier import classify
from clawcli.core.router.types import TIER_RANK, TIERS, Classification, Decision, Dimension, RequestFeatures

__all__ = [
    "TIERS",
    "Ask",
    "Classification",
    "Decision",
    "Dimension",
    "RequestFeatures",
    "classify",
    "extract_features",
    "find_ask",
    "route",
]

DEFAULT_MAX_TOKENS = 4096
FORCE_COMPLEX_TOKENS = 100_000
EXPLICIT_TIER = "EXPLICIT"
_STRUCTURED = re.compile(r"\b(json|schema|structured output|yaml)\b", re.IGNORECASE)
# A system prompt this short is an instruction about the answer ("Answer in JSON ..."); a longer
# one is an agent's manual (OpenClaw's is ~47 KB) that mentions JSON somewhere whatever is asked.
STRUCTURED_SYSTEM_MAX = 2000


def estimate_tokens(text: str) -> int:
    """Whole tokens of ``text`` by the code base's one estimate (``clawcli.core.messages``), rounded up."""
    return math.ceil(_remembered_estimate(text))


# An agent resends the same texts on every request (OpenClaw: a ~47 KB system prompt, ~15 KB of
# tool schemas, and every earlier turn): message texts use the code base's remembered estimate
# (messages.remembered_estimate), and compact JSON (tool schemas, an assistant's tool calls) is
# remembered the same way, as bytes: by length and both ends, a hit confirmed by comparing the
# whole (a memcmp; a dict keyed by the bytes would hash all of them every time). Pure memoisation:
# same JSON, same number. Bounded: 1024 entries and 2M bytes (bigger JSON is counted each time).
_JSON = TextMemo(1024, 2_000_000)


def _count(data: bytes) -> int:
    return math.ceil(_estimate_tokens(data.decode("utf-8")))


def _json_tokens(obj: Any) -> int:
    """Tokens of ``obj`` as compact JSON (tool schemas, tool calls)."""
    import orjson

    try:
        data = orjson.dumps(obj)
    except TypeError:  # not JSON-serialisable as orjson sees it (e.g. a huge int): the slow path
        data = json.dumps(obj, separators=(",", ":"), default=str).encode()
    return by_text(_JSON, data, _count)


def extract_features(request: Mapping[str, Any]) -> RequestFeatures:
    """The parts of an OpenAI chat request the router reads. Raises RouterError if unreadable."""
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RouterError("the request has no messages", 'send {"messages": [{"role": "user", "content": "..."}]}')
    system_parts: list[str] = []
    if isinstance(request.get("system"), str):  # Anthropic-style top-level system
        system_parts.append(request["system"])
    has_images = False
    conversation_tokens = 0
    system_tokens = 0
    for m in messages:
        if type(m) is not dict and not isinstance(m, Mapping):  # the type test spares the ABC check
            raise RouterError("every message must be an object with a role and content")
        content = m.get("content")
        role = m.get("role")
        if type(content) is str:
            t = content
        else:
            if isinstance(content, list) and not has_images:
                has_images = any(isinstance(p, Mapping) and p.get("type") in IMAGE_PART_TYPES for p in content)
            t = content_text(content)
        tokens = math.ceil(_remembered_estimate(t))  # estimate_tokens, inlined (every message, every request)
        if role in ("system", "developer"):
            system_parts.append(t)
            system_tokens += tokens
        else:
            conversation_tokens += tokens
        if m.get("tool_calls"):
            conversation_tokens += _json_tokens(m["tool_calls"])
    ask = find_ask(messages)
    tools = request.get("tools")
    tool_count = len(tools) if isinstance(tools, list) else 0
    input_tokens = system_tokens + conversation_tokens + 4 * len(messages)
    if request.get("system") and isinstance(request["system"], str):
        input_tokens += estimate_tokens(request["system"])
    if tool_count:
        input_tokens += _json_tokens(tools)
    max_tokens = request.get("max_tokens")
    if max_tokens is None:
        max_tokens = request.get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS
    try:
        if isinstance(max_tokens, bool) or (isinstance(max_tokens, float) and not max_tokens.is_integer()):
            raise ValueError
        max_tokens = int(max_tokens)
    except (TypeError, ValueError, OverflowError):
        raise RouterError(f"max_tokens must be a positive integer, not {max_tokens!r}") from None
    if max_tokens <= 0:
        raise RouterError(f"max_tokens must be a positive integer, not {max_tokens}")
    model = request.get("model")
    if model is not None and not isinstance(model, str):
        # {"model": 5} used to be routed as "auto" and paid for: a client bug must be a 400
        raise RouterError(f"model must be a string (a model id or a profile), not {model!r}")
    # positional (in field order, see types.py): a call with keywords costs ~0.5 us more per request
    return RequestFeatures(
        ask.text,  # text
        "\n".join(system_parts),  # system
        tool_count > 0,  # has_tools
        tool_count,
        has_images,
        max_tokens,
        input_tokens,
        model if isinstance(model, str) and model.strip() else None,  # model
        ask,
        conversation_tokens,
        (  # structured_output
            _wants_structured(request, system_parts)
            if system_parts or request.get("response_format") is not None
            else False
        ),
    )


def _wants_structured(request: Mapping[str, Any], system_parts: list[str]) -> bool:
    """Does the request ask for structured output: a JSON ``response_format``, or a short
    system prompt about the answer's format (never a long agent manual that mentions JSON)?"""
    rf = request.get("response_format")
    if isinstance(rf, Mapping) and rf.get("type") in ("json_object", "json_schema"):
        return True
    return any(len(s) <= STRUCTURED_SYSTEM_MAX and _STRUCTURED.search(s) for s in system_parts)


_NOTHING: frozenset[str] = frozenset()


# The proxy passes the same exclude list (a frozenset) with every request: its resolution is
# remembered per catalog object (kept alive by the entry), and the same frozenset comes back, so
# the chain memo's key reuses its hash. An unknown id is not remembered: it raises every time.
_EXCLUDES = BoundedMemo(256)  # (id(catalog), exclude) -> (catalog, resolved)


def _resolve_exclude(catalog: Catalog, exclude: Iterable[str]) -> frozenset[str]:
    if not exclude:
        return _NOTHING
    key = (id(catalog), exclude) if type(exclude) is frozenset else None
    if key is not None:
        hit = _EXCLUDES.get(key)
        if hit is not None and hit[0] is catalog:
            return hit[1]
    resolved = _resolve_each(catalog, exclude)
    if key is not None:
        _EXCLUDES.put(key, (catalog, resolved))
    return resolved


def _resolve_each(catalog: Catalog, exclude: Iterable[str]) -> frozenset[str]:
    out = set()
    for e in exclude:
        try:
            out.add(catalog.resolve(e))
        except UnknownModelError as exc:
            # say where the id came from: the user never typed it on this command line
            fix = "fix the `exclude` key in config.toml or CLAWCLI_EXCLUDE"
            raise ConfigError(f"unknown model {e!r} in the exclude list",
                              f"{exc.hint}; {fix}" if exc.suggestions else fix) from None
    return frozenset(out)


def _explicit_reasons(catalog: Catalog, requested: str | None, model: str) -> list[str]:
    reasons = [f"explicit model {requested!r}: classification skipped"]
    n = (requested or "").strip().lower()
    if any(k in catalog.redirects for k in (n, _strip_prefix(n))):
        # a delisted id silently became another vendor's model; say so
        reasons.append(f"{requested} is delisted: redirected to {model}")
    return reasons


# The chain of a (profile table, tier, exclude list, tools, images) is the same for every request
# that fits the context window of each model it could name, i.e. nearly all of them: remembered
# per catalog object (kept alive by the entry, so its id is not reused; catalogs are never changed
# after they are built: a refresh builds a new one). A request too big for one of the models is
# filtered afresh. Bounded: at most 256 entries.
_CHAINS = BoundedMemo(256)  # key -> (catalog, chain, notes, smallest window)


def _chain(catalog: Catalog, table_name: str, tier: str, needed_tokens: int, excluded: frozenset[str],
           has_tools: bool, has_images: bool, notes: list[str]) -> list[str]:
    """``select.build_chain`` for the profile ``table_name`` (its notes appended to ``notes``)."""
    key = (id(catalog), table_name, tier, excluded, has_tools, has_images)
    hit = _CHAINS.get(key)
    if hit is not None and hit[0] is catalog and hit[3] >= needed_tokens * select.CONTEXT_HEADROOM:
        notes.extend(hit[2])
        return list(hit[1])
    table = catalog.profiles[table_name]
    added: list[str] = []
    chain = select.build_chain(catalog, table, tier, needed_tokens=needed_tokens, exclude=excluded,
                               has_tools=has_tools, has_images=has_images, notes=added)
    notes.extend(added)
    # every model build_chain may look at: the table's (a fully excluded tier borrows from the
    # others) and the free model; the chain holds for any request that fits the smallest window
    windows = [m.context_window for m in map(catalog.get, (catalog.free_model, *(i for c in table.values() for i in c)))
               if m is not None]
    smallest = min(windows) if windows else math.inf
    if smallest >= needed_tokens * select.CONTEXT_HEADROOM:
        _CHAINS.put(key, (catalog, list(chain), tuple(added), smallest))
    return chain


def route(
    request: Mapping[str, Any],
    *,
    profile: str | None = None,
    catalog: Catalog | None = None,
    exclude: Iterable[str] = (),
    baseline_model: str = "anthropic/claude-opus-4.6",
    features: RequestFeatures | None = None,
) -> Decision:
    """Decide tier, model and fallback chain for one chat request.

    ``profile`` (e.g. from ``--profile``) wins; otherwise a profile named by ``request["model"]``;
    otherwise "auto". Any other ``model`` is an explicit model: classification is skipped.
    """
    catalog = catalog or default_catalog()
    f = features or extract_features(request)
    excluded = _resolve_exclude(catalog, exclude)
    requested = f.model

    chosen_profile: str | None = None
    explicit_model: str | None = None
    if profile is not None:
        chosen_profile = catalog.profile_name(profile)
        if chosen_profile is None:
            raise RouterError(f"unknown profile {profile!r}", "use one of: " + ", ".join(PROFILE_NAMES))
    elif requested is not None:
        chosen_profile = catalog.profile_name(requested)
        if chosen_profile is None:
            explicit_model = catalog.resolve(requested)  # raises UnknownModelError
    chosen_profile = chosen_profile or "auto"

    base_cost = select.baseline_cost(catalog, baseline_model, f.input_tokens, f.max_tokens)
    if explicit_model is not None:
        chain = select.explicit_chain(catalog, explicit_model, exclude=excluded, has_tools=f.has_tools,
                                      has_images=f.has_images)
        cost = select.estimate_cost(catalog.get(explicit_model), f.input_tokens, f.max_tokens)
        return Decision(
            tier=EXPLICIT_TIER, score=0.0, confidence=1.0, profile="explicit", model=chain[0], chain=chain,
            reasons=_explicit_reasons(catalog, requested, explicit_model), input_tokens=f.input_tokens,
            max_tokens=f.max_tokens, estimated_cost=cost, baseline_cost=base_cost,
            savings=select.savings(cost, base_cost), explicit=True, requested_model=requested,
        )

    c = classify(f)
    tier = c.tier
    reasons = list(c.reasons)
    # a long conversation (not a long system prompt or many tools: those say nothing about the ask)
    if f.conversation_tokens > FORCE_COMPLEX_TOKENS and TIER_RANK[tier] < TIER_RANK["COMPLEX"]:
        tier = "COMPLEX"
        reasons.append(f"conversation of ~{f.conversation_tokens:,} tokens: at least COMPLEX")
    if f.structured_output and TIER_RANK[tier] < TIER_RANK["MEDIUM"]:
        tier = "MEDIUM"
        reasons.append("structured output requested: at least MEDIUM")

    table_name = chosen_profile
    if chosen_profile == "auto" and (f.has_tools or c.agentic_score >= 0.5):
        table_name = "agentic"
        reasons.append("tools attached: agentic table" if f.has_tools else "agent-style task: agentic table")
    chain = _chain(catalog, table_name, tier, f.input_tokens + f.max_tokens, excluded, f.has_tools,
                   f.has_images, reasons)
    model = chain[0]
    cost = select.estimate_cost(catalog.get(model), f.input_tokens, f.max_tokens)
    # positional (in field order, see types.py): a call with keywords costs ~0.5 us more per request
    return Decision(
        tier,
        c.score,
        c.confidence,
        table_name,  # profile
        model,
        chain,
        list(c.dimensions),  # dimensions
        c.agentic_score,
        reasons,
        f.input_tokens,
        f.max_tokens,
        cost,  # estimated_cost
        base_cost,  # baseline_cost
        select.savings(cost, base_cost),  # savings
        False,  # explicit
        requested,  # requested_model
        f.ask,  # ask
    )

