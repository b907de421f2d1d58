"""Data types shared by the classifier and the selector.

The classifier (``classifier.py``) turns the text of one request into a
:class:`Classification`; the selector (``select.py``) turns that plus the profile tables and
catalog into a :class:`Decision`. Both are pure: no I/O, no clock, no globals that change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIERS = ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
TIER_RANK = {t: i for i, t in enumerate(TIERS)}


@dataclass(slots=True)
class Dimension:
    """One scored signal: ``contribution = weight * value`` (added to the score)."""

    name: str
    weight: float
    value: float
    matched: tuple[str, ...] = ()

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": round(self.weight, 4),
            "value": round(self.value, 4),
            "contribution": round(self.contribution, 4),
            "matched": list(self.matched),
        }


# The router builds Classification, RequestFeatures and Decision positionally on its per-request
# path (classifier.classify, router.extract_features, router.route): keep the field order, or
# update those calls (benchmarks/router_equivalence.py shows any difference).
@dataclass(slots=True)
class Classification:
    """What the classifier says about one request's text."""

    score: float  # continuous; higher = needs a stronger model
    tier: str  # one of TIERS
    confidence: float  # 0..1
    dimensions: tuple[Dimension, ...] = ()
    agentic_score: float = 0.0  # 0..1: how much the ask looks like an agent task
    reasons: tuple[str, ...] = ()  # short human-readable notes (overrides applied, ...)


@dataclass
class RequestFeatures:
    """The parts of a chat request the router reads (extracted once, see ``extract``)."""

    text: str  # the ask: latest real user turn, cleaned and bounded (see ``ask.find_ask``)
    system: str = ""
    has_tools: bool = False
    tool_count: int = 0
    has_images: bool = False
    max_tokens: int = 4096
    input_tokens: int = 0  # estimate over the whole request (system + messages)
    model: str | None = None
    ask: Any = None  # the ``ask.Ask`` behind ``text`` (what was skipped), None when built by hand
    conversation_tokens: int = 0  # estimate over the messages other than system/developer
    structured_output: bool = False  # a JSON response_format or a short format-setting system prompt


@dataclass
class Decision:
    """The routing decision. ``tier`` is one of TIERS, or "EXPLICIT" when the request named a
    model (``explicit`` is then True and no classification ran)."""

    tier: str
    score: float
    confidence: float
    profile: str
    model: str
    chain: list[str]
    dimensions: list[Dimension] = field(default_factory=list)
    agentic_score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    input_tokens: int = 0
    max_tokens: int = 4096
    estimated_cost: float = 0.0
    baseline_cost: float = 0.0
    savings: float = 0.0
    explicit: bool = False  # an explicit model id: classification skipped
    requested_model: str | None = None
    ask: Any = None  # the ``ask.Ask`` the tier was decided on (None: explicit model / built by hand)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "score": round(self.score, 6),
            "confidence": round(self.confidence, 4),
            "profile": self.profile,
            "model": self.model,
            "chain": list(self.chain),
            "explicit": self.explicit,
            "requestedModel": self.requested_model,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "agenticScore": round(self.agentic_score, 4),
            "reasons": list(self.reasons),
            "inputTokens": self.input_tokens,
            "maxTokens": self.max_tokens,
            "estimatedCost": round(self.estimated_cost, 8),
            "baselineCost": round(self.baseline_cost, 8),
            "savings": round(self.savings, 6),
            "ask": self.ask.to_dict() if self.ask is not None else None,
        }
