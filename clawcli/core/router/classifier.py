"""The routing classifier: request text in, tier + continuous score + explanation out.

Method (weighted, explainable dimensions; pure Python, deterministic, microseconds):

1. ``_features.extract`` splits the text into the *ask* and any pasted material (code, a
   document, a log), matches multilingual cue groups (``_lexicon``: what is being asked for — a
   proof, a derivation, a design, a migration, a greeting, a translation ...) and measures the
   shape of the text (length, math notation, numbers at scale, lists, directories, code lines).
   A trivial ask ("what language is this?", "summarise this") is read without the paste.
2. Each signal becomes a :class:`Dimension` with ``contribution = weight * value``; the
   ``score`` is their sum (higher = needs a stronger model). Cue values are hit counts capped per
   group; ordinary-work cues (write, explain, code ...) saturate together at ``MEDIUM_CAP``; the
   kind of task outranks surface words (a "what is" inside a maths problem counts half).
3. The tier comes from the score, but the two hard tiers are *kinds*, not more of the same:
   COMPLEX needs engineering evidence (design, scale, multi-file, migration, performance,
   security, spec), REASONING needs formal/quantitative evidence (proof, derivation, probability,
   calculation, word problems, game theory, algorithm analysis). A short proof is REASONING and a
   one-line system design is COMPLEX although both are short.
4. Ranking priors (dimensions of kind "rank": ``number_words``, ``problem_size``, ``compound``)
   estimate how likely a small model is to get the answer wrong: quantities stated in words (more
   facts to combine), the size of a quantitative problem, several numbered statements judged
   together. They are added to ``score`` (which also orders requests for cost-quality routing,
   RouteLLM's APGR) and shown in ``--explain`` like every other dimension, but the tier is
   decided on the score without them, so they can never move a request to another tier.

The weights and thresholds (``clawcli/data/router.json``, with the lexicon) are set by hand for ``shared/eval/RUBRIC.md`` (no learned layer
ships; the ranking priors are round numbers, each kept only if it raised APGR on more than one
RouteLLM set and behaved on hand-written prompts, ``tests/test_classifier.py``). They are
checked with ``benchmarks/router_eval.py`` on the dev set, on the RouteLLM sets
(APGR of ``score``) and on prompts written for the purpose in ``routing-prompts/`` (a generated set and
hand-written hold-out files, each first run blind).
"""

from __future__ import annotations

import math

from clawcli.core.memo import BoundedMemo, TextMemo, by_size

from ._features import Features, extract
from ._lexicon import CUE_WEIGHTS, GROUP_KIND, SHAPE_WEIGHTS, THRESHOLDS
from .types import Classification, Dimension, RequestFeatures

_ORDER = {g: i for i, g in enumerate(CUE_WEIGHTS)}
_REASONING_GROUPS = frozenset(g for g in CUE_WEIGHTS if GROUP_KIND[g] == "reasoning")
_PROPORTIONAL = frozenset(("translate", "transform"))
_SYSTEM_PARTS = frozenset(("system_noun", "scale", "infra"))
_ENGINEERING = frozenset(
    (
        "design_ask",
        "system_noun",
        "multi_file",
        "migration",
        "perf_debug",
        "security",
        "spec",
        "infra",
        "analyze",
        "code_task",
    )
)
# simple cues that are surface words ("what is", "meaning", "briefly"); the others (translate,
# identify, fix typos, heartbeat, a command or a unit conversion) define the whole ask
_SURFACE_SIMPLE = frozenset(("fact_question", "define", "brevity", "greeting"))
# "what are the pros and cons ..." is a comparison, not a lookup
_MEDIUM_TASKS = frozenset(
    ("write", "explain", "compare", "plan", "transform", "create", "code_task")
)
# cue groups that name a substantial task on their own
_STRONG_TASKS = frozenset(
    (
        "proof",
        "derive",
        "probability",
        "rigor",
        "game_theory",
        "algo_analysis",
        "puzzle",
        "design_ask",
        "migration",
        "perf_debug",
        "security",
        "spec",
        "analyze",
    )
)

# dimensions measured from the shape of the text: name -> (weight, kind), in SHAPE_WEIGHTS
# (clawcli/data/router.json). The kind says which hard tier a positive contribution counts
# towards ("shape": none, it only moves the score; "rank": ranking priors, see the docstring).
_W = {name: w for name, (w, _) in SHAPE_WEIGHTS.items()}
_W_LENGTH = _W["length"]
# which hard tier a positive contribution of each dimension counts towards
_KIND = {
    **{g: GROUP_KIND[g] for g in CUE_WEIGHTS},
    **{n: k for n, (_, k) in SHAPE_WEIGHTS.items()},
}
# thresholds (clawcli/data/router.json)
LONG_TRANSLATION = THRESHOLDS["long_translation"]  # chars: beyond this a translation is a paragraph, not a phrase
SIMPLE_MAX = THRESHOLDS["simple_max"]  # score below this -> SIMPLE
MEDIUM_CAP = THRESHOLDS["medium_cap"]  # most that ordinary-work cues add together (see _saturate_medium)
HARD_MIN = THRESHOLDS["hard_min"]  # COMPLEX needs at least this much score (REASONING: 0.5 less, short proofs) ...
KIND_MIN = THRESHOLDS["kind_min"]  # ... and this much evidence of their kind (engineering)
REASONING_MIN = THRESHOLDS["reasoning_min"]  # formal/quantitative evidence needed for REASONING
# ... or COMPLEX with less engineering evidence when the rest of the request (length, constraints,
# ordinary work) says it is a long, detailed one
DETAILED_KIND_MIN = THRESHOLDS["detailed_kind_min"]
DETAILED_REST_MIN = THRESHOLDS["detailed_rest_min"]


def _length_value(units: float) -> float:
    """Short asks are cheap, long asks need more: log-scaled, saturating, in [-0.8, 1.2].

    Continuous on purpose: the score also ranks requests (RouteLLM's APGR), and steps make ties.
    """
    v = 0.45 * _log2(units / 100.0) if units > 1.0 else _LEN_AT_1
    return -0.8 if v < -0.8 else (1.2 if v > 1.2 else v)


_log2 = math.log2
_LEN_AT_1 = 0.45 * math.log2(0.01)
# per cue group, precomputed once: (weight, cap, position in CUE_WEIGHTS, counts as ordinary work)
_CUE = {
    g: (w, cap, _ORDER[g], GROUP_KIND[g] == "medium")
    for g, (w, cap) in CUE_WEIGHTS.items()
}
_ORDER_KEY = _ORDER.__getitem__
_RANK_LOG = tuple(math.log2(1 + i) for i in range(64))  # log2(1 + n) for small counts


def _log1(n: int) -> float:
    return _RANK_LOG[n] if n < 64 else math.log2(1 + n)


def _dims(f: Features) -> list[Dimension]:
    out: list[Dimension] = []
    hits = f.hits
    # shape-derived extra hits for cue groups
    extra: dict[str, int] | None = None
    if f.scale_nums or f.file_counts or f.paths or f.caps_tokens:
        extra = {}
        if f.scale_nums:
            extra["scale"] = f.scale_nums
        if f.file_counts or f.paths > 1:
            extra["multi_file"] = 2 * f.file_counts + max(0, f.paths - 1)
        if f.caps_tokens and f.length < 300:
            extra["heartbeat"] = f.caps_tokens
        if f.paths and "agent_action" in hits:
            # an instruction that names a file ("... in package.json") is an edit
            extra["agent_action"] = 1
    groups = [g for g in hits if g in _CUE]
    if extra:
        groups += [g for g in extra if g not in hits]
    if len(groups) > 1:
        groups.sort(key=_ORDER_KEY)  # a stable, documented order for --explain
    # The kind of task outranks surface words: "what is the remainder when ..." is maths, not a
    # lookup; "how do I ..." inside a migration plan is not a how-to. Simple cues count half then.
    keys = hits.keys()
    numbers = f.numbers
    # a question about a quantity ("calculate ...", "what is the area ...") with numbers to use
    asks = "calculate" in hits or ("fact_question" in hits and "math_topic" in hits)
    calc = asks and (numbers >= 2 or (numbers > 0 and "math_topic" in hits))
    task = calc or not keys.isdisjoint(_STRONG_TASKS)
    medium_task = (
        not keys.isdisjoint(_MEDIUM_TASKS) or len(hits.get("agent_action", ())) >= 2
    )
    medium = 0.0  # what ordinary-work cues add up to (see _saturate_medium) ...
    med: list[int] = []  # ... and where they are in ``out``
    append = out.append
    for group in groups:
        weight, cap, _, is_medium = _CUE[group]
        if weight < 0:
            if task or (medium_task and group in _SURFACE_SIMPLE):
                weight *= 0.5
            if group == "units" and (f.ask_units > 70 or task):
                continue  # units in a longer problem are data, not a conversion request
            if group == "greeting" and f.ask_units > 80:
                weight = -0.3  # pleasantries around a real request
            if group == "translate" and f.length > LONG_TRANSLATION:
                weight = (
                    0.4  # translating a whole paragraph is ordinary work, not a lookup
                )
        matched = hits.get(group, ())
        n = len(matched)
        if extra and group in extra:  # say what the shape contributed, for --explain
            n += extra[group]
            matched = tuple(matched) + _extra_labels(group, f)
        value = float(cap if n > cap else n)
        if is_medium and weight > 0 and value > 0:
            medium += weight * value
            med.append(len(out))
        append(Dimension(group, weight, value, tuple(matched)))
    build = (
        "create" in hits and "system_noun" in hits and len(hits.get("infra", ())) >= 2
    )
    if (
        "design_ask" in hits and (not keys.isdisjoint(_SYSTEM_PARTS) or f.scale_nums)
    ) or build:
        # "design" + a system, a scale or infrastructure: a multi-component design, even in one
        # line; "build/implement" + a system + several infrastructure parts: the same
        parts = tuple(
            m for g in ("system_noun", "scale", "infra") for m in hits.get(g, ())
        )
        append(
            Dimension(
                "system_design",
                _W["system_design"],
                1.0,
                parts or (f"{f.scale_nums} scale numbers",),
            )
        )
    quantitative = not keys.isdisjoint(_REASONING_GROUPS)
    word_problem = (
        (calc or (numbers >= 2 and f.questions))
        and f.ask_units >= 50
        and not f.code_lines
        and keys.isdisjoint(_ENGINEERING)
    )
    if word_problem:
        # a story with several quantities that ends in a question: a word problem
        # grows with the size of the story: more facts to combine, more steps
        value = 0.5 + 0.5 * min(1.0, f.ask_units / 400)
        append(
            Dimension(
                "word_problem",
                _W["word_problem"],
                value,
                (f"{numbers} numbers, {f.questions} questions",),
            )
        )
    # translating or rewriting pasted text is work proportional to the text, not to the ask
    length = _length_value(
        f.ask_units if keys.isdisjoint(_PROPORTIONAL) else f.total_units
    )
    if length < 0 and (task or medium_task):
        # a one-line design or a short proof is short, not easy
        length *= 0.5 if task else 0.7
    append(Dimension("length", _W_LENGTH, length, (f"{f.length} chars",)))
    if f.payload_len:
        append(
            Dimension(
                "payload",
                _W["payload"],
                min(1.0, f.payload_len / 1500),
                (f"{f.payload_len} chars pasted",),
            )
        )
    c = f.list_items + f.enums - 1 if f.enums else f.list_items
    if c > 0:
        append(
            Dimension(
                "constraints",
                _W["constraints"],
                float(min(c, 10)),
                (f"{f.list_items} list items, {f.enums} separators",),
            )
        )
    if numbers:
        label = (f"{numbers} numbers",)
        if quantitative:
            # numbers in a maths/physics/finance question are the data of the calculation
            append(
                Dimension(
                    "quantities", _W["quantities"], float(min(numbers, 10)), label
                )
            )
        elif numbers > 2:
            append(
                Dimension("numbers", _W["numbers"], float(min(numbers - 2, 10)), label)
            )
    code = f.code_lines + 3 * f.fences
    if code:
        value = min(1.0, code / 3)
        medium += _W["code_shape"] * value
        med.append(len(out))
        append(
            Dimension(
                "code_shape", _W["code_shape"], value, (f"{f.code_lines} code lines",)
            )
        )
    if medium > MEDIUM_CAP:
        _saturate_medium(out, med, medium)
    math_syms = f.math_syms
    if code:
        math_syms = max(0, math_syms - 2 * code)  # '=' and '+' in code are not maths
    if math_syms:
        append(
            Dimension(
                "math_notation",
                _W["math_notation"],
                float(min(math_syms, 6)),
                (f"{f.math_syms} math symbols",),
            )
        )
    # ranking priors. A quantity stated in words ("three times as many", "half of the rest") is a
    # fact to combine that the digit counts above miss: one more step for a small model to get
    # wrong; log-scaled, the first few matter most. (Digits alone as a prior helped MT-bench only
    # and hurt GSM8K and MMLU, so they stay tier evidence: "quantities", "numbers".)
    if f.number_words:
        append(
            Dimension(
                "number_words",
                _W["number_words"],
                _log1(f.number_words),
                (f"{f.number_words} number words",),
            )
        )
    if f.ask_units > 200 and (quantitative or word_problem):
        # a longer quantitative problem states more facts to combine (the length dimension
        # saturates; a long writing brief is not harder, so this counts only for maths-like asks)
        append(
            Dimension(
                "problem_size",
                _W["problem_size"],
                _log2(f.ask_units / 200),
                (f"{f.length} chars of a quantitative problem",),
            )
        )
    if f.compound >= 2:
        append(
            Dimension(
                "compound",
                _W["compound"],
                min(1.0, f.compound / 2),
                (f"{f.compound} numbered statements",),
            )
        )
    return out


def _extra_labels(group: str, f: Features) -> tuple[str, ...]:
    if group == "scale":
        return f.scale_terms
    if group == "multi_file":
        return ((f"{f.paths} paths",) if f.paths > 1 else ()) + (
            (f"{f.file_counts} file counts",) if f.file_counts else ()
        )
    if group == "heartbeat":
        return ("canned status reply",)
    return ("names a file",)  # agent_action


def _saturate_medium(dims: list[Dimension], idx: list[int], total: float) -> None:
    """Ordinary-work cues (write, explain, code, plan ...) say "MEDIUM"; piling more of them up
    does not make a task harder, so together they add at most MEDIUM_CAP to the score (each
    one's value is scaled down in proportion, so the table still adds up). ``idx``: where the
    positive ordinary-work dimensions are, ``total``: what they add up to."""
    k = MEDIUM_CAP / total
    for i in idx:
        d = dims[i]
        dims[i] = Dimension(d.name, d.weight, d.value * k, d.matched)


_exp = math.exp

# An agent's ask (its latest real user message) stays the same over all the tool-call turns that
# work on it, and its text features cost ~100 instructions a character (a pasted 5 KB log: ~5M a
# request): they are remembered per text (by length and both ends, a hit confirmed by comparing the
# whole text; a short ask is keyed by the text itself, cheaper to hash than to cut into a key).
# ``extract`` is pure and nothing here changes a Features: the dimensions are built afresh from
# it. Bounded: 512 short asks (< 1 KB) and 256 longer ones of at most 1M characters together
# (an ask is at most ~12k, router.ask).
ASK_MEMO_SHORT = 1024
_ASKS = BoundedMemo(512)
_EXTRACTED = TextMemo(256, 1_000_000)


def classify(features: RequestFeatures) -> Classification:
    """Score one request. Pure and deterministic; see the module docstring for the method."""
    text = features.text or ""
    f = by_size(text, extract, _ASKS, _EXTRACTED, ASK_MEMO_SHORT)
    dims = _dims(f)
    score = reasoning = complex_ = prior = 0.0
    kinds = _KIND
    for d in dims:
        c = d.weight * d.value
        k = kinds[d.name]
        if k == "rank":
            prior += c  # ranking only: not evidence for a tier
            continue
        score += c
        if c > 0:
            if k == "reasoning":
                reasoning += c
            elif k == "complex":
                complex_ += c

    reasons: list[str] = []
    # an engineering task that mentions a proof ("how would you prove the deadlock?") stays COMPLEX
    # unless the formal part clearly dominates
    lead = 0.0 if complex_ < KIND_MIN else 0.5
    if (
        reasoning >= REASONING_MIN
        and score >= HARD_MIN - 0.5
        and reasoning >= complex_ + lead
    ):
        tier = "REASONING"
        margin = min(
            reasoning - REASONING_MIN,
            score - (HARD_MIN - 0.5),
            reasoning - complex_ + 0.5,
        )
        reasons.append(
            f"formal/quantitative evidence {reasoning:.2f} >= {REASONING_MIN}"
        )
    elif complex_ >= KIND_MIN and score >= HARD_MIN:
        tier = "COMPLEX"
        margin = min(complex_ - KIND_MIN, score - HARD_MIN)
        reasons.append(f"engineering evidence {complex_:.2f} >= {KIND_MIN}")
    elif complex_ >= DETAILED_KIND_MIN and score - complex_ >= DETAILED_REST_MIN:
        # a long, detailed engineering request (our system, its numbers, many constraints) is
        # substantial work even when it names few engineering cue words (RUBRIC: "a detailed
        # technical spec with many constraints", "long-document analysis with several constraints")
        tier = "COMPLEX"
        margin = min(complex_ - DETAILED_KIND_MIN, score - complex_ - DETAILED_REST_MIN)
        reasons.append(f"detailed engineering request: evidence {complex_:.2f}, the rest of the score "
                       f"{score - complex_:.2f} >= {DETAILED_REST_MIN}")
    elif score < SIMPLE_MAX:
        tier = "SIMPLE"
        margin = SIMPLE_MAX - score
    else:
        tier = "MEDIUM"
        margin = min(score - SIMPLE_MAX, REASONING_MIN - reasoning, KIND_MIN - complex_)
    confidence = 0.5 + 0.5 * (
        2 * (1.0 / (1.0 + _exp(-2.5 * (margin if margin > 0.0 else 0.0)))) - 1
    )
    if prior:
        reasons.append(f"ranking priors {prior:+.2f} in the score, not tier evidence")

    hits = f.hits
    agentic = (
        _agentic(features, f)
        if features.has_tools
        or f.file_counts
        or "agent_action" in hits
        or "multi_file" in hits
        else 0.0
    )
    # positional, in field order (types.py): cheaper than keywords on this per-request path
    return Classification(score + prior, tier, confidence, tuple(dims), agentic, tuple(reasons))


def _agentic(features: RequestFeatures, f: Features) -> float:
    """How much the ask looks like work an agent does with tools (edit, run, commit, deploy)."""
    n = len(f.hits.get("agent_action", ()))
    a = 0.2 * min(n, 3) + 0.15 * min(
        len(f.hits.get("multi_file", ())) + f.file_counts, 2
    )
    if features.has_tools:
        a += 0.5 + 0.05 * min(features.tool_count, 4)
    return min(1.0, round(a, 4))
