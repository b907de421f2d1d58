"""The small endpoints: ``GET /v1/models``, ``GET /health``, ``GET /stats`` (Starlette)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from clawcli.core.catalog import PROFILE_NAMES
from clawcli.proxy.responses import dumps, error_body


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(obj if isinstance(obj, bytes) else dumps(obj), status_code=status,
                    media_type="application/json", headers=headers)


def models_payload(catalog: Any, created: int | None = None) -> dict[str, Any]:
    """Profiles (bare and ``clawcli/``-prefixed), catalog models, then aliases; ids unique."""
    created = int(time.time()) if created is None else created
    data: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(id_: str, owned_by: str, **extra: Any) -> None:
        if id_ not in seen:
            seen.add(id_)
            data.append({"id": id_, "object": "model", "created": created, "owned_by": owned_by, **extra})

    for p in PROFILE_NAMES:
        add(p, "clawcli", kind="profile")
    for p in PROFILE_NAMES:
        add(f"clawcli/{p}", "clawcli", kind="profile")
    for m in catalog.models.values():
        add(m.id, m.provider or "clawcli", kind="model", context_window=m.context_window,
            pricing={"input": m.input_price, "output": m.output_price})
    for alias, target in sorted(catalog.aliases.items()):
        if target in catalog.models or target in PROFILE_NAMES:
            add(alias, alias.split("/", 1)[0] if "/" in alias else "clawcli", kind="alias", target=target)
    return {"object": "list", "data": data}


def make_routes(state: Any) -> list[Any]:
    from starlette.routing import Route

    payload = models_payload(state.catalog)
    models_body = dumps(payload)
    by_id = {m["id"].lower(): m for m in payload["data"]}

    async def models(request: Request) -> Response:
        return json_response(models_body)

    async def model(request: Request) -> Response:
        # GET /v1/models/{id}: the OpenAI SDK's models.retrieve(), which some agent frameworks
        # call to validate the configured model before the first chat request
        mid = request.path_params["model_id"]
        found = by_id.get(mid.lower())
        if found is None:
            return json_response(error_body(
                f"unknown model '{mid}' (GET /v1/models lists them)", "invalid_request_error",
                "model_not_found"), 404)
        return json_response(found)

    async def health(request: Request) -> Response:
        out: dict[str, Any] = {
            "status": "ok",
            "version": state.version,
            "wallet": state.wallet_address,
            "chain": state.chain,
            "paymentChain": state.chain,  # the name ClawRouter's /health used
            **({"solana": state.solana_address} if state.solana_address else {}),
            "uptimeS": round(time.time() - state.started_at, 1),
            "inflight": len(state.inflight),
            "activeRequests": state.requests_active,
            "sessions": len(state.sessions),
        }
        if request.query_params.get("full", "").lower() in ("1", "true", "yes"):
            out["balances"] = await _balances(state)
            from clawcli.proxy.shared_state import state_health

            out["state"] = await state_health(state)  # the backend, the wallet's spend, cooldowns
        return json_response(out, headers={"cache-control": "no-cache"})

    async def stats(request: Request) -> Response:
        from clawcli.core.errors import ClawError
        from clawcli.core.usage.aggregate import aggregate_stats

        q = request.query_params
        since: str | None = q.get("since")
        if since is None and q.get("days"):
            since = f"{q['days']}d"
        if since is None:
            since = "7d"
        if since.lower() in ("all", ""):
            since = None
        try:
            data = await asyncio.to_thread(aggregate_stats, state.paths, since, q.get("until"),
                                           by=q.get("by"))
        except ClawError as exc:
            return json_response(error_body(exc.message, "invalid_request_error", exc.code), 400)
        return json_response(data, headers={"cache-control": "no-cache"})

    async def metrics(request: Request) -> Response:
        # Prometheus text format; behind the same token and Host/Origin checks as every endpoint
        state.observer.metrics.active.set(state.requests_active)
        body, ctype = state.observer.metrics.render()
        return Response(body, headers={"content-type": ctype, "cache-control": "no-cache"})

    return [
        Route("/metrics", metrics, methods=["GET"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/models", models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", model, methods=["GET"]),
        Route("/models/{model_id:path}", model, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),
    ]


async def _balances(state: Any) -> dict[str, Any]:
    from clawcli.core.wallet import BalanceCache, fetch_balances, resolve_wallet

    try:
        w = await asyncio.to_thread(resolve_wallet, state.paths, state.env)
        if w is None:
            return {"error": "no wallet"}
        s = state.settings
        b = await asyncio.wait_for(asyncio.to_thread(
            fetch_balances, w.evm_address, w.solana_address, base_rpc_url=s.base_rpc_url,
            solana_rpc_url=s.solana_rpc_url, testnet=s.testnet,
            cache=BalanceCache(state.paths.cache_dir / "balances.json"), timeout=5.0), 8.0)
    except Exception as exc:
        return {"error": getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"}
    out: dict[str, Any] = {}
    if b.evm is not None:
        out["base"] = {"usdc": str(b.evm), "display": f"${b.evm:.2f}", "isLow": b.evm < 1, "isEmpty": b.evm < 0.0001}
    if b.solana is not None:
        out["solana"] = {"usdc": str(b.solana), "display": f"${b.solana:.2f}"}
    if b.errors:
        out["errors"] = b.errors
    return out
