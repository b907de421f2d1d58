"""GatewayEmulator: the server (aiohttp on its own event loop in a background thread) and its state."""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from clawcli.testing._dishonest import Dishonest, HeldAuthorisation, HeldBook
from clawcli.testing._faults import Fault, FaultBook
from clawcli.testing._payment import (
    BASE_NETWORK,
    DEFAULT_PAYEE,
    NETWORKS,
    PaymentError,
    Requirement,
    Verified,
    b64json,
    usd_to_micros,
    verify_payment,
)
from clawcli.testing._svm import (
    DEFAULT_SOLANA_PAYEE,
    SVM_NETWORKS,
    SvmFacilitator,
    SvmRequirement,
    SvmVerified,
)

Reply = Callable[[str, dict], str]


@dataclass
class RequestRecord:
    """One request the gateway received (``gw.requests``). Fields are filled in as it is answered."""

    id: int
    method: str
    path: str
    headers: dict[str, str]
    body: Any = None  # parsed JSON (None when the body is not JSON)
    model: str | None = None
    stream: bool = False
    status: int = 0  # 0 until the status line is decided
    quoted_usd: float = 0.0  # the price the gateway asked for this request
    payment_attached: bool = False  # the request carried PAYMENT-SIGNATURE / X-PAYMENT
    payment_error: str | None = None  # x402 reason when the payment was rejected
    paid: bool = False  # a payment was verified *and settled*
    amount_usd: float = 0.0  # settled amount (0 unless paid)
    payer: str | None = None
    nonce: str | None = None
    transaction: str | None = None
    fault: str | None = None  # the injected fault kind that answered it
    content: str | None = None  # the assistant content of a 200 answer (streamed or not)
    completed: bool = False  # the whole response body went out
    client_disconnected: bool = False
    time: float = field(default_factory=time.time)


class GatewayEmulator:
    """A loopback x402 gateway. See the package docstring (``clawcli.testing``) for the tour."""

    def __init__(
        self,
        *,
        payee: str = DEFAULT_PAYEE,
        x402_version: int = 2,
        require_payment: bool = True,
        price_usd: float | None = None,
        price_margin: float = 1.2,
        min_price_usd: float = 0.001,
        network: str = BASE_NETWORK,
        max_timeout_seconds: int = 300,
        enforce_balance: bool = False,
        stream_chunks: int = 4,
        chunk_delay: float = 0.0,
        reply: str | Reply | None = None,
        tool_calls: bool = False,
        default_max_tokens: int = 4096,
        solana_default_balance: float | None = None,
        catalog: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        dishonest: str | None = None,
        dishonest_factor: int = 100,
        dishonest_payee: str | None = None,
    ) -> None:
        if x402_version not in (1, 2):
            raise ValueError("x402_version must be 1 or 2")
        if network == "solana":  # the v1 name of Solana mainnet
            network = next(iter(SVM_NETWORKS))
        if network not in NETWORKS and network not in SVM_NETWORKS:
            raise ValueError(f"network must be one of {sorted(NETWORKS) + sorted(SVM_NETWORKS)}")
        #: the SVM facilitator (fee-payer key, blockhashes); used when ``network`` is a Solana network
        self.svm = SvmFacilitator()
        if network in SVM_NETWORKS:
            from clawcli.testing._svm import is_solana_address

            self.payee = DEFAULT_SOLANA_PAYEE if payee == DEFAULT_PAYEE else payee
            if not is_solana_address(self.payee):
                raise ValueError(f"payee {payee!r} is not a Solana address")
        else:
            from eth_utils import to_checksum_address

            self.payee = to_checksum_address(payee)
        self.x402_version = x402_version
        self.require_payment = require_payment
        self.price_margin = price_margin
        self.min_price_usd = min_price_usd
        self.network = network
        self.max_timeout_seconds = max_timeout_seconds
        self.enforce_balance = enforce_balance
        self.stream_chunks = stream_chunks
        self.chunk_delay = chunk_delay
        self.reply = reply
        self.tool_calls = tool_calls
        self.default_max_tokens = default_max_tokens
        if catalog is None:
            from clawcli.core.catalog import default_catalog

            catalog = default_catalog()
        self.catalog = catalog
        self.faults = FaultBook()
        #: a dishonest gateway (``_dishonest.DISHONEST_MODES``), or None; ``held`` records every
        #: verified payment whatever the mode (what a gateway could execute)
        self.dishonest = Dishonest(dishonest, factor=dishonest_factor, payee=dishonest_payee) if dishonest else None
        self.held = HeldBook()
        self.host, self._want_port = host, port
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._rpc_calls: list[dict[str, Any]] = []
        self._nonces: set[str] = set()
        self._evm_balances: dict[str, int] = {}
        self._sol_balances: dict[str, int] = {}
        self._sol_default = None if solana_default_balance is None else self._micros(solana_default_balance)
        self._prices: dict[str, int] = {}
        if price_usd is not None:
            self._prices["*"] = usd_to_micros(price_usd)
        self._rpc_fault: dict[str, Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port = 0

    # lifecycle -----------------------------------------------------------------------------------
    def start(self) -> "GatewayEmulator":
        if self._thread is not None:
            return self
        # bind here, synchronously, so the port is known before start() returns
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._want_port))
        sock.listen(128)
        self._sock = sock
        self.port = sock.getsockname()[1]
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name=f"x402-gateway:{self.port}",
                                        daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise RuntimeError(f"gateway emulator failed to start: {failure[0]}") from failure[0]
        return self

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        from aiohttp import web

        loop = self._loop
        assert loop is not None and self._sock is not None
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self._app(), access_log=None, handle_signals=False, shutdown_timeout=0.2)
        try:
            loop.run_until_complete(runner.setup())
            site = web.SockSite(runner, self._sock)
            loop.run_until_complete(site.start())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            failure.append(exc)
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    close = stop

    def __enter__(self) -> "GatewayEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "GatewayEmulator":
        return self.start()  # binding and starting the thread take ~2 ms: fine on a running loop

    async def __aexit__(self, *exc: Any) -> None:
        await asyncio.to_thread(self.stop)  # stop() may wait for in-flight answers: keep the loop free

    # addresses -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL: the client appends ``/v1/chat/completions`` (like ``https://blockrun.ai/api``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def chat_url(self) -> str:
        return f"{self.url}/v1/chat/completions"

    @property
    def rpc_url(self) -> str:
        """EVM JSON-RPC (Base): ``eth_chainId``, ``eth_call`` USDC ``balanceOf``."""
        return f"{self.url}/rpc/base"

    @property
    def solana_rpc_url(self) -> str:
        """Solana JSON-RPC: ``getTokenAccountsByOwner`` (jsonParsed) for the USDC mint."""
        return f"{self.url}/rpc/solana"

    @property
    def is_solana(self) -> bool:
        return self.network in SVM_NETWORKS

    @property
    def usdc(self) -> str:
        """USDC of the EVM network (Base when the gateway is configured for Solana)."""
        return NETWORKS.get(self.network, NETWORKS[BASE_NETWORK])[4]

    @property
    def chain_id(self) -> int:
        return NETWORKS.get(self.network, NETWORKS[BASE_NETWORK])[1]

    # faults --------------------------------------------------------------------------------------
    def inject(self, model: str, kind: str, times: int | None = 1, *, before_payment: bool = False,
               **params: Any) -> Fault:
        """Make the next ``times`` requests for ``model`` ("*" = any) fail with ``kind`` (None = forever).

        Kinds and their params: ``clawcli.testing.FAULT_KINDS``. Faults for one model fire in the
        order they were injected.
        """
        return self.faults.add(Fault(model=model, kind=str(kind), times=times, params=params,
                                     before_payment=before_payment))

    def clear_faults(self, model: str | None = None) -> None:
        self.faults.clear(model)

    def inject_rpc(self, kind: str = "error", times: int | None = 1, *, delay: float = 2.0) -> None:
        """Make the balance RPC fail: ``error`` (JSON-RPC error), ``http_500``, or ``slow`` (``delay`` s)."""
        if kind not in ("error", "http_500", "slow"):
            raise ValueError("rpc fault kind must be error, http_500 or slow")
        with self._lock:
            self._rpc_fault = {"kind": kind, "times": times, "delay": delay}

    # pricing -------------------------------------------------------------------------------------
    def set_price(self, model: str, usd: float) -> None:
        """Fixed price per request for ``model`` ("*" = every paid model; 0 makes it free)."""
        with self._lock:
            self._prices[model] = usd_to_micros(usd)

    def quote_micros(self, body: dict[str, Any]) -> int:
        """The amount (micro-USDC) the gateway asks for this request body; 0 = free."""
        model = self.catalog.get(str(body.get("model", "")))
        if model is None:
            return 0
        with self._lock:
            fixed = self._prices.get(model.id)
            if fixed is None and not model.is_free:
                fixed = self._prices.get("*")
        if fixed is not None:
            return fixed
        if model.is_free:
            return 0
        text = json.dumps(body.get("messages") or [], separators=(",", ":"), ensure_ascii=False)
        input_tokens = math.ceil(len(text) / 4)
        asked = [v for v in (body.get("max_tokens"), body.get("max_completion_tokens"))
                 if isinstance(v, int) and not isinstance(v, bool) and v > 0]
        out = max(asked) if asked else min(self.default_max_tokens, model.max_output)
        out = min(out, model.max_output)  # the gateway clamps an over-ceiling max_tokens, it does not reject
        cost = model.cost(input_tokens, out) * self.price_margin
        # round away float noise first: 0.06012 must quote 60120 micro-USDC, not 60121
        return max(usd_to_micros(self.min_price_usd), math.ceil(round(cost * 1_000_000, 6)))

    def quote_usd(self, body: dict[str, Any]) -> float:
        return self.quote_micros(body) / 1_000_000

    # balances ------------------------------------------------------------------------------------
    @staticmethod
    def _micros(usdc: float | int | str | Decimal) -> int:
        return int((Decimal(str(usdc)) * 1_000_000).to_integral_value())

    def set_balance(self, address: str, usdc: float | int | str | Decimal) -> None:
        """USDC balance of an address: ``0x…`` is a Base address, anything else a Solana owner."""
        with self._lock:
            if address.startswith("0x"):
                self._evm_balances[address.lower()] = self._micros(usdc)
            else:
                self._sol_balances[address] = self._micros(usdc)

    set_solana_balance = set_balance

    def balance(self, address: str) -> float:
        """Current USDC balance (settled payments are deducted from it)."""
        with self._lock:
            if address.startswith("0x"):
                return self._evm_balances.get(address.lower(), 0) / 1_000_000
            v = self._sol_balances.get(address, self._sol_default)
            return (v or 0) / 1_000_000

    def _evm_balance_micros(self, address: str) -> int:
        with self._lock:
            return self._evm_balances.get(address.lower(), 0)

    def _sol_balance_micros(self, owner: str) -> int | None:
        with self._lock:
            return self._sol_balances.get(owner, self._sol_default)

    # records -------------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Every gateway API request so far (a snapshot list; records fill in as answers go out)."""
        with self._lock:
            return list(self._records)

    @property
    def last_request(self) -> RequestRecord | None:
        with self._lock:
            return self._records[-1] if self._records else None

    def chat_requests(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def paid_requests(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.paid]

    def paid_total(self) -> float:
        """Settled USD so far (exact sum of micro-USDC, then converted)."""
        return sum(usd_to_micros(r.amount_usd) for r in self.paid_requests()) / 1_000_000

    @property
    def rpc_calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._rpc_calls)

    def held_authorisations(self) -> list[HeldAuthorisation]:
        """Every payment this gateway verified (settled or not): each one it could execute."""
        return self.held.all()

    def could_collect_usd(self, now: float | None = None) -> float:
        """What this gateway could take from the wallets that paid it: the sum of every distinct
        authorisation it verified (``now`` given: only those still valid then, plus the settled)."""
        return self.held.could_collect_micros(now) / 1_000_000

    def clear_requests(self) -> None:
        with self._lock:
            self._records.clear()
            self._rpc_calls.clear()

    def reset(self) -> None:
        """Forget requests, faults, used nonces and balances."""
        self.clear_requests()
        self.clear_faults()
        with self._lock:
            self._nonces.clear()
            self.held.clear()
            self._evm_balances.clear()
            self._sol_balances.clear()
            self._rpc_fault = None

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[RequestRecord]:
        """Block until at least ``n`` requests were recorded (for subprocess-driven tests)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests

    # --- internals used by the handlers -----------------------------------------------------------
    def _new_record(self, request: Any) -> RequestRecord:
        with self._lock:
            rec = RequestRecord(id=len(self._records) + 1, method=request.method, path=request.path,
                                headers={k.lower(): v for k, v in request.headers.items()})
            self._records.append(rec)
        return rec

    def _claim_nonce(self, nonce: str) -> bool:
        with self._lock:
            if nonce in self._nonces:
                return False
            self._nonces.add(nonce)
            return True

    def _release_nonce(self, nonce: str) -> None:
        with self._lock:
            self._nonces.discard(nonce)

    def _settle(self, rec: RequestRecord, v: Verified) -> dict[str, str]:
        settlement = v.settlement()
        self.held.settled(v.nonce)
        if self.dishonest is not None:
            settlement = self.dishonest.settlement(settlement)
        with self._lock:
            key = v.payer.lower()
            if key in self._evm_balances:
                self._evm_balances[key] = max(0, self._evm_balances[key] - v.value_micros)
            if isinstance(v, SvmVerified):
                have = self._sol_balances.get(v.payer, self._sol_default)
                if have is not None:
                    self._sol_balances[v.payer] = max(0, have - v.value_micros)
        rec.paid, rec.amount_usd, rec.transaction = True, v.value_micros / 1_000_000, settlement["transaction"]
        name = "PAYMENT-RESPONSE" if v.x402_version == 2 else "X-PAYMENT-RESPONSE"
        return {name: b64json(settlement)}

    def _take_rpc_fault(self) -> dict[str, Any] | None:
        with self._lock:
            f = self._rpc_fault
            if f is None:
                return None
            if f["times"] is not None:
                f["times"] -= 1
                if f["times"] <= 0:
                    self._rpc_fault = None
            return dict(f)

    def _requirement(self, amount: int, path: str) -> Requirement | SvmRequirement:
        if self.is_solana:
            return SvmRequirement(amount_micros=amount, pay_to=self.payee, resource_url=f"{self.url}{path}",
                                  fee_payer=self.svm.fee_payer, network=self.network,
                                  max_timeout_seconds=self.max_timeout_seconds, memo=self.svm.memo)
        return Requirement(amount_micros=amount, pay_to=self.payee, resource_url=f"{self.url}{path}",
                           network=self.network, max_timeout_seconds=self.max_timeout_seconds)

    def _verify(self, header_value: str, req: Requirement | SvmRequirement) -> Verified | SvmVerified:
        """Verify a payment against the quote (a dishonest gateway also against what it re-quotes);
        every payment that verifies is held (``self.held``)."""
        reqs = self.dishonest.candidates(req, self.is_solana) if self.dishonest is not None else [req]
        honest_error: PaymentError | None = None
        for candidate in reqs:
            try:
                v = self._verify_one(header_value, candidate)
            except PaymentError as exc:
                if candidate is req:
                    honest_error = exc
                continue
            self.held.hold(v, header_value, candidate.pay_to)
            return v
        assert honest_error is not None
        raise honest_error

    def _verify_one(self, header_value: str, req: Requirement | SvmRequirement) -> Verified | SvmVerified:
        if isinstance(req, SvmRequirement):
            return self._verify_svm(header_value, req)
        v = verify_payment(header_value, req, x402_version=self.x402_version)
        if not self._claim_nonce(v.nonce):
            raise PaymentError("invalid_transaction_state", f"nonce {v.nonce} was already used",
                               code="PAYMENT_REPLAY", payer=v.payer, nonce=v.nonce)
        if self.enforce_balance:
            have = self._evm_balance_micros(v.payer)
            if have < v.value_micros:
                self._release_nonce(v.nonce)
                raise PaymentError("insufficient_funds", f"insufficient balance: {have} < {v.value_micros}",
                                   code="INSUFFICIENT_FUNDS", payer=v.payer, nonce=v.nonce)
        return v

    def _verify_svm(self, header_value: str, req: SvmRequirement) -> SvmVerified:
        v = self.svm.verify(header_value, req, x402_version=self.x402_version)
        if not self._claim_nonce(v.nonce):  # the same signed transaction twice: Solana lands it once
            raise PaymentError("invalid_transaction_state", f"transaction {v.nonce} was already submitted",
                               code="PAYMENT_REPLAY", payer=v.payer, nonce=v.nonce)
        if self.enforce_balance:
            have = self._sol_balance_micros(v.payer)
            if have is None or have < v.value_micros:
                self._release_nonce(v.nonce)
                raise PaymentError("insufficient_funds", f"insufficient balance: {have or 0} < {v.value_micros}",
                                   code="INSUFFICIENT_FUNDS", payer=v.payer, nonce=v.nonce)
        return v

    def _app(self) -> Any:
        from clawcli.testing._server import build_app

        return build_app(self)

    def __repr__(self) -> str:
        return f"<GatewayEmulator {self.url} v{self.x402_version} payee={self.payee}>"
