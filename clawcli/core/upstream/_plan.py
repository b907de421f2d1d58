"""Planning one request: the routing decision, the chain actually walked, and the notices.

The chain is the decision's chain with, in order: cooling models moved to the back (routed
requests only: an explicit model stays first), models above ``max_cost`` dropped, the session
cost cap applied (graceful: downgrade to cheaper models with a notice; strict: refuse), and the
free model alone when the wallet was just found empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clawcli.core.catalog import TIERS, Catalog
from clawcli.core.config import Settings
from clawcli.core.router.select import estimate_cost
from clawcli.core.upstream.state import Cooldowns, SessionBudgets
from clawcli.core.upstream.types import CostCapExceeded


@dataclass
class Plan:
    decision: Any
    chain: list[str]
    catalog: Catalog
    input_tokens: int
    max_tokens: int
    free_allowed: bool
    requested: str | None = None
    notices: list[str] = field(default_factory=list)
    baseline_model: str = "anthropic/claude-opus-4.6"  # what savings are measured against
    _estimates: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def estimate(self, model: str) -> float:
        # asked several times per request (payment bound, result, usage record): priced once
        est = self._estimates.get(model)
        if est is None:
            est = self._estimates[model] = estimate_cost(self.catalog.get(model), self.input_tokens, self.max_tokens)
        return est


def _usd(x: float) -> str:
    return f"${x:.4f}" if x < 1 else f"${x:.2f}"


@dataclass(frozen=True)
class PlanningContext:
    """What planning reads from the engine's process-wide state (passed in, never imported)."""

    settings: Settings
    catalog: Catalog
    exclude: frozenset[str]  # catalog ids, aliases resolved
    cooldowns: Cooldowns
    budgets: SessionBudgets
    wallet_empty: bool


def plan_request(ctx: PlanningContext, request: dict[str, Any], decision: Any, session_id: str | None,
                 max_cost: float | None) -> Plan:
    settings = ctx.settings
    catalog = ctx.catalog
    if decision is None:
        from clawcli.core.router import route

        decision = route(
            request,
            profile=None if request.get("model") else settings.profile,
            catalog=catalog,
            exclude=settings.exclude,
            baseline_model=settings.baseline_model,
        )
    has_tools = bool(request.get("tools"))
    free = catalog.free_model
    free_m = catalog.get(free)
    free_allowed = free_m is not None and free not in ctx.exclude and (not has_tools or free_m.tools)
    chain = list(decision.chain) or [decision.model]
    if not getattr(decision, "explicit", False):
        chain = ctx.cooldowns.order(chain)
    # positionally, in Plan's field order (keywords cost ~4k instructions a request), fresh
    # notices and estimates: decision, chain, catalog, input_tokens, max_tokens, free_allowed,
    # requested, notices, baseline_model, _estimates
    plan = Plan(decision, chain, catalog, int(getattr(decision, "input_tokens", 0) or 0),
                int(getattr(decision, "max_tokens", 4096) or 4096), free_allowed, request.get("model"), [],
                settings.baseline_model, {})

    try:
        if max_cost is not None:
            # skip the models estimated above it (the free model at the end of a chain always fits);
            # refuse only when none of the chain does
            fits = [m for m in plan.chain if plan.estimate(m) <= max_cost]
            if not fits:
                first = plan.estimate(decision.model)
                raise CostCapExceeded(
                    f"estimated cost {_usd(first)} for {decision.model} is above --max-cost {_usd(max_cost)}"
                    + (", and so is every fallback" if len(plan.chain) > 1 else ""),
                    spent=0.0, cap=max_cost,
                    hint="raise --max-cost, or pick a cheaper route: --profile eco, or -m MODEL",
                )
            if fits[0] != plan.chain[0]:
                skipped = plan.chain[: plan.chain.index(fits[0])]
                plan.notices.append(
                    f"notice: --max-cost {_usd(max_cost)}: skipped {', '.join(skipped)} (estimated "
                    f"{_usd(plan.estimate(skipped[0]))}); answering with {fits[0]}")
            plan.chain = fits

        cap = settings.max_cost_per_run
        if cap is not None and session_id:
            _apply_session_cap(ctx, plan, session_id, cap, has_tools)
    except CostCapExceeded as exc:
        exc.plan = plan  # type: ignore[attr-defined]  # the engine logs the refused request's tier
        raise

    if ctx.wallet_empty and free_allowed and plan.chain and plan.chain[0] != free:
        plan.notices.append(
            f"notice: the wallet balance is too low for paid models; answering with the free model {free} "
            "(fund the wallet: `claw wallet fund`)")
        plan.chain = [free]
    return plan


def _apply_session_cap(ctx: PlanningContext, plan: Plan, session_id: str, cap: float, has_tools: bool) -> None:
    spent = ctx.budgets.spent(session_id)
    left = cap - spent
    chain = plan.chain
    if chain and plan.estimate(chain[0]) <= left:
        plan.chain = [m for m in chain if plan.estimate(m) <= left]  # no fallback may break the cap
        return
    est = plan.estimate(chain[0]) if chain else 0.0
    if ctx.settings.cap_mode == "strict":
        raise CostCapExceeded(
            f"session cost cap {_usd(cap)} reached: spent {_usd(spent)}, the next call would cost ~{_usd(est)}",
            spent=spent, cap=cap,
            hint="start a new session, raise maxCostPerRun, or set cap_mode = \"graceful\" to downgrade instead",
        )
    catalog = plan.catalog
    cands = [m for m in chain if plan.estimate(m) <= left]
    tier = getattr(plan.decision, "tier", "")
    table = catalog.profiles.get(getattr(plan.decision, "profile", ""), {})
    if tier in TIERS:
        for t in reversed(TIERS[: TIERS.index(tier)]):  # the next cheaper tiers first
            for m in table.get(t, ()):
                mm = catalog.get(m)
                if (m not in cands and mm is not None and m not in ctx.exclude
                        and (not has_tools or mm.tools) and plan.estimate(m) <= left):
                    cands.append(m)
    if plan.free_allowed and catalog.free_model not in cands:
        cands.append(catalog.free_model)
    if not cands:
        raise CostCapExceeded(
            f"session cost cap {_usd(cap)} reached: spent {_usd(spent)} and no model fits the remaining "
            f"{_usd(max(0.0, left))}", spent=spent, cap=cap,
            hint="start a new session or raise maxCostPerRun",
        )
    plan.notices.append(
        f"notice: session cost cap {_usd(cap)} (spent {_usd(spent)}): downgraded from "
        f"{chain[0] if chain else plan.decision.model} to {cands[0]}")
    plan.chain = cands[: catalog.max_chain + 1]
