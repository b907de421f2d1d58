"""``compress_request``: run the enabled layers over a chat request and account for every char.

Execution order: dedup, whitespace, json, observation, paths, dictionary, codebook. Observation runs
before the codebooks (its number is 6) so legends only list codes that survive in the final text.
Each layer is a pure function ``(messages, ctx) -> messages`` that returns unchanged messages as the
same objects; the pipeline measures a layer by the messages it replaced. A layer that raises is
skipped (recorded in ``stats.errors``): compression must never break a request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.compression import codebook as _cb
from clawcli.core.compression import observation as _obs
from clawcli.core.compression import safe as _safe
from clawcli.core.compression._text import PROTECTED_ROLES, make_context
from clawcli.core.compression._tokens import estimate_tokens, message_chars, message_size, messages_size
from clawcli.core.errors import UsageError

LAYERS = ("dedup", "whitespace", "json", "paths", "dictionary", "observation", "codebook")
MODES = ("off", "safe", "aggressive")
MODE_LAYERS = {"off": (), "safe": LAYERS[:3], "aggressive": LAYERS}
ORDER = ("dedup", "whitespace", "json", "observation", "paths", "dictionary", "codebook")
SAFE_MIN_CHARS = 8 * 1024  # safe mode applies by default only above this many message chars
LEGEND_HEADER = "[clawcli codebook] Parts of this conversation are abbreviated; read each code as its text:"

_FUNCS = {
    "dedup": _safe.dedup, "whitespace": _safe.whitespace, "json": _safe.json_compact,
    "paths": _cb.paths, "dictionary": _cb.dictionary, "observation": _obs.observation,
    "codebook": _cb.codebook,
}


@dataclass
class LayerStats:
    name: str
    chars_saved: int = 0
    tokens_saved: float | None = None  # measured only with detail=True (it costs a token estimate per change)
    messages: int = 0
    ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.name, "number": LAYERS.index(self.name) + 1, "charsSaved": self.chars_saved,
                "tokensSaved": None if self.tokens_saved is None else round(self.tokens_saved), "messages": self.messages,
                "ms": round(self.ms, 3)}


@dataclass
class CompressionStats:
    mode: str
    applied: bool = False
    reason: str = ""
    chars_before: int = 0
    chars_after: int = 0
    layers: dict[str, LayerStats] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    dedup: dict[int, int] = field(default_factory=dict)  # replaced index -> index it repeats
    dedup_blocks: dict[int, list] = field(default_factory=dict)  # index -> [(src, start, end, n)]
    legend: dict[str, str] = field(default_factory=dict)  # code -> text
    legend_index: int | None = None  # where the legend message was inserted
    errors: list[str] = field(default_factory=list)
    # the token total of the input is estimated only when someone asks (the hot path needs deltas)
    _source: list | None = field(default=None, repr=False)
    _tokens_before: float | None = field(default=None, repr=False)
    # estimated tokens removed (legend included); computed on first use from the changed messages
    _delta: float | None = field(default=None, repr=False)
    _changed: list = field(default_factory=list, repr=False)  # [(original message, final message)]
    _legend_tokens: float = field(default=0.0, repr=False)

    @property
    def tokens_delta(self) -> float:
        if self._delta is None:
            self._delta = sum(message_size(a)[1] - message_size(b)[1] for a, b in self._changed)
            self._delta -= self._legend_tokens
        return self._delta

    @property
    def tokens_before(self) -> float:
        if self._tokens_before is None:
            self._tokens_before = messages_size(self._source or [])[1]
        return self._tokens_before

    @property
    def tokens_after(self) -> float:
        return self.tokens_before - self.tokens_delta

    @property
    def chars_saved(self) -> int:
        return self.chars_before - self.chars_after

    @property
    def tokens_saved(self) -> int:
        return round(self.tokens_delta)

    @property
    def reduction(self) -> float:
        """Fraction of estimated tokens removed (0..1)."""
        return 0.0 if self.tokens_before <= 0 else max(0.0, 1 - self.tokens_after / self.tokens_before)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode, "applied": self.applied, "reason": self.reason,
            "charsBefore": self.chars_before, "charsAfter": self.chars_after,
            "tokensBefore": round(self.tokens_before), "tokensAfter": round(self.tokens_after),
            "charsSaved": self.chars_saved, "tokensSaved": self.tokens_saved,
            "reduction": round(self.reduction, 4), "elapsedMs": round(self.elapsed_ms, 3),
            "layers": [s.to_dict() for s in self.layers.values()],
            "legendEntries": len(self.legend), "errors": list(self.errors),
        }

    def headers(self) -> dict[str, str]:
        """Response headers for ``claw serve`` (ASCII)."""
        return {
            # "safe;skipped": safe was asked for but the request was below its threshold
            "x-clawcli-compress": self.mode if (self.applied or self.mode == "off") else f"{self.mode};skipped",
            "x-clawcli-compressed-chars": str(self.chars_saved),
            "x-clawcli-compressed-tokens": str(self.tokens_saved),
        }

    def log_fields(self) -> dict[str, Any]:
        """Extra usage-log fields (a superset of the schema is allowed)."""
        return {"compressMode": self.mode if self.applied else "off",
                "compressedChars": self.chars_saved, "compressedTokensSaved": self.tokens_saved}


def resolve_layers(mode: str, layers=None) -> tuple[str, ...]:
    """The layer names to run: the mode's set, or an explicit subset (names or numbers 1-7)."""
    if mode not in MODES:
        raise UsageError(f"unknown compress mode {mode!r}", "use off, safe or aggressive")
    if layers is None:
        return MODE_LAYERS[mode]
    names = []
    for item in layers:
        name = LAYERS[item - 1] if isinstance(item, int) and 1 <= item <= len(LAYERS) else item
        if name not in LAYERS:
            raise UsageError(f"unknown compression layer {item!r}", "layers: " + ", ".join(LAYERS))
        names.append(name)
    return tuple(n for n in LAYERS if n in names)


def resolve_mode(value: str | bytes | None, default: str) -> str:
    """The mode asked for by a flag or an ``x-clawcli-compress`` header (None/empty: ``default``)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    mode = (value or "").strip().lower() or default
    if mode not in MODES:
        raise UsageError(f"unknown compress mode {mode!r}", "use off, safe or aggressive")
    return mode


def legend_message(legends: dict[str, list[tuple[str, str]]]) -> dict | None:
    lines = [f"{code} = {text}" for layer in ("paths", "dictionary", "codebook") for code, text in legends.get(layer, ())]
    if not lines:
        return None
    return {"role": "system", "content": LEGEND_HEADER + "\n" + "\n".join(lines)}


def compress_request(request: dict, mode: str, *, layers=None, min_chars: int | None = None,
                     detail: bool = False) -> tuple[dict, CompressionStats]:
    """Compress an OpenAI chat request. Never mutates ``request``.

    ``mode``: off | safe | aggressive. ``layers``: an explicit subset (names or numbers) instead of
    the mode's layers. ``min_chars``: apply only above this many message chars (default: 8 KB for
    safe, 0 for aggressive). ``detail``: also estimate the tokens each layer saved (the total is
    always estimated, over the changed messages only).
    """
    t0 = time.perf_counter()
    enabled = resolve_layers(mode, layers)
    stats = CompressionStats(mode=mode)
    messages = request.get("messages") if isinstance(request, dict) else None
    if not isinstance(messages, list) or not messages:
        stats.reason = "no messages"
        return request, stats
    stats._source = messages
    chars = [message_chars(m) if isinstance(m, dict) else 0 for m in messages]
    stats.chars_before = stats.chars_after = sum(chars)
    if min_chars is None:
        min_chars = SAFE_MIN_CHARS if mode == "safe" else 0
    if not enabled:
        stats.reason = "off"
        return request, stats
    if stats.chars_before <= min_chars:
        stats.reason = f"below {min_chars} chars"
        return request, stats
    ctx = make_context(messages)
    # safe mode dedups whole messages only: a block reference inside a message (a re-fetched
    # JSON result, say) leaves text that no longer parses, so that belongs to aggressive mode
    ctx.notes["block_dedup"] = mode == "aggressive"
    current = list(messages)
    tokens: dict[int, float] = {}  # estimated tokens of a message's current version (detail only)
    changed: set[int] = set()
    for name in ORDER:
        if name not in enabled:
            continue
        ls = stats.layers[name] = LayerStats(name)
        t1 = time.perf_counter()
        try:
            new = _FUNCS[name](current, ctx)
        except Exception as exc:  # a bug in one layer must not break the request
            stats.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            new = current
            ctx.notes.get("legend", {}).pop(name, None)  # forget whatever it noted half-way
            if name == "dedup":
                for key in ("dedup", "dedup_blocks", "referenced"):
                    ctx.notes.pop(key, None)
        if detail:
            ls.tokens_saved = 0.0
        for i, (old_m, new_m) in enumerate(zip(current, new)):
            if new_m is not old_m:
                c = message_chars(new_m)
                ls.chars_saved += chars[i] - c
                ls.messages += 1
                chars[i] = c
                changed.add(i)
                if detail:
                    if i not in tokens:
                        tokens[i] = message_size(old_m)[1]
                    t = message_size(new_m)[1]
                    ls.tokens_saved += tokens[i] - t
                    tokens[i] = t
        current = new
        ls.ms = (time.perf_counter() - t1) * 1000
    stats._changed = [(messages[i], current[i]) for i in sorted(changed)]
    legend = legend_message(ctx.notes.get("legend", {}))
    if legend is not None:
        stats.legend_index = next((i for i, m in enumerate(current)
                                   if not (isinstance(m, dict) and m.get("role") in PROTECTED_ROLES)), len(current))
        current.insert(stats.legend_index, legend)
        for layer, entries in ctx.notes["legend"].items():
            for code, text in entries:
                stats.legend[code] = text
                line = f"{code} = {text}\n"
                stats.layers[layer].chars_saved -= len(line)
                if detail:
                    stats.layers[layer].tokens_saved -= estimate_tokens(line)
        first = next(layer for layer in ("paths", "dictionary", "codebook") if layer in ctx.notes["legend"])
        stats.layers[first].chars_saved -= len(LEGEND_HEADER)  # the header is paid by the first layer
        legend_tokens = message_size(legend)[1]
        stats._legend_tokens = legend_tokens
        if detail:
            lines_t = sum(estimate_tokens(f"{c} = {t}\n") for c, t in stats.legend.items())
            stats.layers[first].tokens_saved -= legend_tokens - lines_t
        chars.insert(stats.legend_index, message_chars(legend))
    stats.dedup = dict(ctx.notes.get("dedup", {}))
    stats.dedup_blocks = dict(ctx.notes.get("dedup_blocks", {}))
    stats.chars_after = sum(chars)
    stats.applied = True
    stats.elapsed_ms = (time.perf_counter() - t0) * 1000
    new_request = dict(request)
    new_request["messages"] = current
    return new_request, stats
