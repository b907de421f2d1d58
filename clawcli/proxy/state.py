"""The proxy's state object: everything a request handler needs, passed explicitly.

One :class:`ProxyState` per server. The engine (and its keep-alive HTTP client) is created
inside the running event loop at startup (``start``) and closed at shutdown (``close``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clawcli import __version__
from clawcli.core.catalog import Catalog
from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.ticker import Ticker
from clawcli.proxy.dedup import InFlight
from clawcli.proxy.sessions import SessionStore

MAX_BODY_BYTES = 10 * 1024 * 1024
HEARTBEAT_SECONDS = 2.0


def default_engine_factory(state: "ProxyState") -> Any:
    """The real engine, paying with the user's wallet (created on first need, like `claw ask`),
    with the aiohttp gateway client on the proxy's hot path (DESIGN.md §9)."""
    from clawcli.core.upstream.engine import Engine
    from clawcli.core.usage import UsageLog
    from clawcli.core.wallet import banner_lines, ensure_wallet
    from clawcli.core.x402.wallet_payer import payer_from_settings

    ensured = ensure_wallet(state.paths, state.env)
    wallet = ensured.wallet
    if ensured.created:
        import sys

        print("\n".join(banner_lines(wallet, state.settings)), file=sys.stderr)
    state.wallet_address = wallet.evm_address
    state.solana_address = wallet.solana_address
    state.chain = wallet.chain or state.chain
    payer = payer_from_settings(wallet, state.settings, state.paths)
    shared: dict[str, Any] = {}
    if state.settings.state_url:  # several `claw serve` on one wallet: cooldowns, budgets, pins on Redis
        from clawcli.proxy.shared_state import share_state

        shared = share_state(state, wallet.evm_address)
    return Engine(state.settings, state.paths, catalog=state.catalog, payer=payer,
                  usage_log=UsageLog(state.paths.logs_dir, buffered=True),  # written off the request path
                  client_factory=gateway_client_factory(state.env.get("CLAWCLI_PROXY_TRANSPORT")), chain=state.chain,
                  ticker=state.ticker, **shared)


def gateway_client_factory(kind: str | None = None) -> Callable[[str], Any]:
    """The engine's gateway client on the proxy path: aiohttp directly (``kind``, env
    ``CLAWCLI_PROXY_TRANSPORT``, for benchmarking: ``aiohttp`` default, or ``httpx``)."""
    from clawcli.proxy.transport import make_gateway_client

    return lambda url: make_gateway_client(url, kind)


@dataclass
class ProxyState:
    settings: Settings
    paths: Paths
    catalog: Catalog
    token: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    engine_factory: Callable[["ProxyState"], Any] = default_engine_factory
    engine: Any = None
    sessions: SessionStore = field(default_factory=SessionStore)
    inflight: InFlight = field(default_factory=InFlight)
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    max_body_bytes: int = MAX_BODY_BYTES
    version: str = __version__
    started_at: float = field(default_factory=time.time)
    wallet_address: str | None = None
    solana_address: str | None = None  # /health's "solana" (ClawRouter's field): the payer on Solana
    chain: str = "base"
    requests_total: int = 0
    requests_active: int = 0
    exclude: frozenset[str] = frozenset()
    journal: Any = None  # clawcli.core.journal.SessionJournal; None = session memory off
    shared: Any = None  # clawcli.core.state.shared.SharedState with --state redis://...; None = local
    log_level: str = "info"  # claw serve --log-level (clawcli.proxy.observe.LOG_LEVELS)
    observer: Any = None  # clawcli.proxy.observe.Observer: the per-request line and /metrics
    ticker: Ticker = field(default_factory=Ticker)  # coarse deadlines of the requests (and their engine)

    def __post_init__(self) -> None:
        if self.observer is None:
            from clawcli.proxy.observe import Observer

            self.observer = Observer(self.log_level)
        resolved = []
        for e in self.settings.exclude:
            try:
                resolved.append(self.catalog.resolve(e))
            except Exception:  # an unknown exclude entry is the router's error to report
                resolved.append(e)
        self.exclude = frozenset(resolved)

    def prepare(self) -> None:
        """Wallet and engine, before serving: a wallet problem is one clear error, not a failed
        startup inside uvicorn. (The engine's HTTP session binds to the loop on first use.)"""
        self._load_wallet_info()
        if self.engine is None:
            self.engine = self.engine_factory(self)
            self._seed_session_spend()
        self.observer.attach(self.engine)  # every usage record -> the request line and /metrics

    def _seed_session_spend(self) -> None:
        """A restart must not reset --max-cost-per-run: every session starts at what the usage
        log says it paid (today and yesterday), exactly as `claw ask` does."""
        budgets = getattr(self.engine, "budgets", None)
        if self.settings.max_cost_per_run is None or budgets is None:
            return
        from clawcli.core.usage import session_spend

        for sid, usd in session_spend(self.paths.logs_dir).items():
            budgets.seed(sid, usd)

    async def start(self) -> None:
        if self.engine is None:
            self.prepare()
        if self.shared is not None:
            await self.shared.start()

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()
        engine, self.engine = self.engine, None
        closer = getattr(engine, "aclose", None) or getattr(engine, "close", None)
        if closer is not None:
            res = closer()
            if hasattr(res, "__await__"):
                await res

    def _load_wallet_info(self) -> None:
        """Address and chain for /health and /wallet (the engine factory creates a wallet when none exists)."""
        try:
            from clawcli.core.wallet import resolve_wallet

            w = resolve_wallet(self.paths, self.env)
        except Exception:
            w = None
        if w is None:
            self.wallet_address = self.solana_address = None
        else:
            self.wallet_address = w.evm_address
            self.solana_address = w.solana_address
            self.chain = w.chain or self.chain
