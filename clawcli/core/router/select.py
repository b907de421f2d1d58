"""From a tier to a model: the profile's chain, the capability filters, cost and savings.

Pure functions over the catalog. Filter order (DESIGN.md §4): context window (10 % headroom),
exclude list, tool calling, vision. A capability filter that would empty the chain is skipped
(a model that might fail beats no model); the exclude list always applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from clawcli.core.catalog import Catalog, Model
from clawcli.core.memo import BoundedMemo
from clawcli.core.errors import ModelCapabilityError, RouterError
from clawcli.core.router.types import TIERS

CONTEXT_HEADROOM = 1.10
BASELINE_FALLBACK_PRICES = (5.0, 25.0)  # claude-opus-4.6, $ per 1M in/out


def _dedupe(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def fits_context(model: Model | None, needed_tokens: int) -> bool:
    return model is None or model.context_window >= needed_tokens * CONTEXT_HEADROOM


def build_chain(
    catalog: Catalog,
    table: dict[str, list[str]],
    tier: str,
    *,
    needed_tokens: int,
    exclude: frozenset[str] = frozenset(),
    has_tools: bool = False,
    has_images: bool = False,
    notes: list[str] | None = None,
) -> list[str]:
    """The ordered chain of model ids for ``tier`` of ``table`` after every filter."""
    notes = notes if notes is not None else []
    chain = _dedupe(table.get(tier, ()))
    chain = [m for m in chain if m not in exclude]
    if not chain:
        # every model of the tier is excluded: borrow from the stronger tiers, then the weaker
        rank = TIERS.index(tier)
        order = list(TIERS[rank + 1:]) + list(reversed(TIERS[:rank]))
        chain = _dedupe(m for t in order for m in table.get(t, ()) if m not in exclude)
        if not chain:
            raise RouterError(
                "every model this profile can use is in your exclude list",
                "remove some entries from the exclude list (config key `exclude`)",
            )
        notes.append("tier's models all excluded: borrowed from other tiers")

    def apply(name: str, keep) -> None:
        nonlocal chain
        kept = [m for m in chain if keep(catalog.get(m))]
        if not kept:
            notes.append(f"{name} filter skipped: it would leave no model")
        elif len(kept) < len(chain):
            chain = kept

    apply("context", lambda m: fits_context(m, needed_tokens))
    if has_tools:
        apply("tools", lambda m: m is not None and m.tools)
        if len(chain) > 1:
            apply("tool-compliance", lambda m: m is None or m.id not in catalog.tool_noncompliant)
    if has_images:
        apply("vision", lambda m: m is not None and m.vision)
    chain = chain[: catalog.max_chain]
    free = catalog.free_model
    if (
        not has_tools
        and free not in chain
        and free not in exclude
        and fits_context(catalog.get(free), needed_tokens)
        and (not has_images or (catalog.get(free) is not None and catalog.get(free).vision))
    ):
        chain.append(free)  # last resort: it answers even when the wallet is empty
    return chain


def explicit_chain(
    catalog: Catalog, model_id: str, *, exclude: frozenset[str], has_tools: bool, has_images: bool = False
) -> list[str]:
    """An explicit model's chain: the model, then the free model unless the request has tools.

    Images for an explicit model without vision are refused here, before any payment: the
    provider rejects them after the gateway has been paid (routing filters vision; an explicit
    choice is not second-guessed with another model)."""
    if model_id in exclude:
        raise RouterError(
            f"model {model_id!r} is in your exclude list",
            "pick another model or remove it from the exclude list (config key `exclude`)",
        )
    model = catalog.get(model_id)
    if has_images and model is not None and not model.vision:
        raise ModelCapabilityError(
            f"model {model_id!r} cannot read images",
            "pick a vision-capable model (`claw models` lists them with flag V) or let routing choose one",
        )
    chain = [model_id]
    free = catalog.free_model
    if not has_tools and free != model_id and free not in exclude:
        chain.append(free)
    return chain


def estimate_cost(model: Model | None, input_tokens: int, max_tokens: int) -> float:
    if model is None:
        return 0.0
    if model.max_output:
        # the gateway clamps an over-ceiling max_tokens to the model's maximum and quotes that
        # (OpenClaw sends huge defaults): estimating the unclamped value overstated the cost
        # header and made cost caps refuse calls the gateway would have priced within them
        max_tokens = min(max_tokens, model.max_output)
    return model.cost(input_tokens, max_tokens)


def baseline_cost(catalog: Catalog, baseline_model: str, input_tokens: int, max_tokens: int) -> float:
    m = catalog.get(baseline_model)
    if m is not None:
        return m.cost(input_tokens, max_tokens)
    pin, pout = BASELINE_FALLBACK_PRICES
    return input_tokens / 1e6 * pin + max_tokens / 1e6 * pout


def savings(cost: float, baseline: float) -> float:
    if baseline <= 0:
        return 0.0
    return max(0.0, 1.0 - cost / baseline)


# The baseline model id, resolved once per catalog object and name (every answered request asks;
# ~9k instructions a resolution): the entry keeps the catalog alive, so its id is not reused, and
# a catalog never changes after it is built. An unknown name is not remembered (it falls back anew).
_BASE_IDS = BoundedMemo(64)  # (id(catalog), name) -> (catalog, resolved id)


def realized_savings(catalog: Catalog, baseline_model: str, answered_model: str | None, paid: float,
                     input_tokens: int, output_tokens: int) -> tuple[float, float]:
    """``(baseline_cost, savings)`` of an answered request: THE savings definition of clawcli
    (the `claw ask` footer, ``--json``, the proxy's headers and `claw stats` all show this one).

    The baseline model's list price for the tokens actually used, against what was actually paid
    (every paid attempt). An answer from the baseline model itself saves nothing, whatever it cost.
    """
    if not answered_model:
        return 0.0, 0.0
    key = (id(catalog), baseline_model)
    hit = _BASE_IDS.get(key)
    if hit is not None and hit[0] is catalog:
        base_id = hit[1]
    else:
        try:
            base_id = catalog.resolve(baseline_model)
        except Exception:  # noqa: BLE001 - an unknown baseline falls back to claude-opus-4.6's prices
            base_id = baseline_model
        else:
            _BASE_IDS.put(key, (catalog, base_id))
    if answered_model == base_id:
        return paid, 0.0
    base = catalog.get(base_id)
    if base is not None:
        baseline = base.cost(input_tokens, output_tokens)
    else:
        pin, pout = BASELINE_FALLBACK_PRICES
        baseline = input_tokens / 1e6 * pin + output_tokens / 1e6 * pout
    return baseline, savings(paid, baseline)
