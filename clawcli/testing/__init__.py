"""A local x402 gateway that behaves like BlockRun's, for tests and benchmarks (loopback only).

``GatewayEmulator`` is a real HTTP server (aiohttp, its own event loop in a background thread) on
127.0.0.1 and a random port. It answers ``POST /v1/chat/completions`` (JSON, or SSE flushed chunk by
chunk when ``stream: true``) and ``GET /v1/models`` (the packaged catalog); paid models first get a
402 with x402 requirements (v2 ``payment-required`` header by default, v1 JSON body with
``x402_version=1``); the paid retry is verified independently of ``clawcli.core.x402`` (EIP-712
signer recovery with eth-account, payee, amount, validity window, nonce replay, asset/network,
optionally the balance) and answered with a ``PAYMENT-RESPONSE`` (v1: ``X-PAYMENT-RESPONSE``)
settlement header. The free model (``nvidia/gpt-oss-120b``) answers without payment. It also serves
JSON-RPC balances for Base (``gw.rpc_url``) and Solana (``gw.solana_rpc_url``).

Usage::

    from clawcli.testing import GatewayEmulator

    with GatewayEmulator(payee="0x209693Bc6afc0C5328bA36FaF03C514EF312287C") as gw:
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_BASE_RPC_URL": gw.rpc_url,
               "CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url}
        gw.set_balance("0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb", 2.5)   # USDC
        gw.inject("xai/grok-4-1-fast-reasoning", "429", times=1, retry_after=1)
        gw.inject("*", "slow_stream", times=None, chunk_delay=0.05)           # every model, forever
        ...  # run the client against gw.url (it POSTs {gw.url}/v1/chat/completions)
        [r for r in gw.requests if r.paid]   # RequestRecord: path, model, stream, status, paid,
        gw.paid_total()                      # amount_usd, payer, nonce, fault, body, headers, ...

Constructor options (all keyword): ``payee``, ``x402_version`` (2 or 1), ``require_payment``
(False = a free, instant upstream for benchmarks), ``price_usd`` (fixed price for every paid model;
otherwise catalog price x (input tokens + max_tokens) x ``price_margin`` 1.2, at least
``min_price_usd`` $0.001), ``network`` (``eip155:8453`` Base, or ``eip155:84532``),
``max_timeout_seconds``, ``enforce_balance`` (reject a payer whose balance is below the amount,
"insufficient_funds"), ``stream_chunks`` (content pieces per stream, default 4), ``chunk_delay``
(seconds between SSE events), ``reply`` (a string or ``f(model, body) -> str``; default
``"Hello from <model>. You said: <last user message>"``), ``tool_calls`` (answer a request that has
tools with a call to its first tool), ``solana_default_balance``, ``catalog``, ``host``, ``port``.

Faults (``FAULT_KINDS`` lists them with their params): ``gw.inject(model, kind, times=1, **params)``
— ``times=None`` is permanent, ``model="*"`` matches every model, faults fire in injection order,
``before_payment=True`` makes a fault answer the unpaid request instead of the 402. Provider errors
(429, 529, 500, 502, 503, 503_overloaded, 401, 403, 402_billing, minimax_520, zai_1311, zai_1113,
400_context, 413, 400, status) are answered after the payment verified and are *not* settled;
degraded 200s (empty, whitespace, single_char, token_loop, line_loop, error_200, content,
tool_call, stream_error, sse_comments, no_role: chunks/message without a role, truncate: a stream
that ends cleanly before finish_reason and [DONE]), ``slow``, ``slow_stream`` and ``disconnect`` are settled;
``drop`` closes the connection unanswered; ``payment_rejected``, ``settlement_failed`` and
``insufficient_funds`` reject a valid payment with the gateway's 402 bodies. ``gw.clear_faults()``
removes them; ``gw.inject_rpc("error"|"http_500"|"slow")`` breaks the balance RPC.

Test helpers: ``gw.requests`` (``RequestRecord``s), ``gw.chat_requests()``, ``gw.paid_requests()``,
``gw.paid_total()``, ``gw.quote_micros(body)`` / ``gw.quote_usd(body)`` (the price a body will be
asked), ``gw.set_price(model|"*", usd)``, ``gw.set_balance(address, usdc)`` / ``gw.balance(address)``,
``gw.wait_for_requests(n)``, ``gw.clear_requests()``, ``gw.reset()``, ``gw.rpc_calls``.

Solana (x402 SVM ``exact``): ``GatewayEmulator(network="solana")`` (or the CAIP-2 id
``solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp``; devnet ``solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1``) quotes
USDC-mint requirements with ``extra.feePayer`` (the emulator's own facilitator key, ``gw.svm.fee_payer``;
``gw.svm.memo = "..."`` adds ``extra.memo``) and a Solana ``payee`` (default ``DEFAULT_SOLANA_PAYEE``). The
paid retry must carry a partially signed v0 transaction; ``gw.svm`` checks the instruction layout, fee
payer, mint, decimals, the payee's ATA, the exact amount, the memo, the payer's ed25519 signature and that
the blockhash came from ``gw.solana_rpc_url`` (``getLatestBlockhash``) less than 90 s ago
(``gw.svm.expire_blockhashes()`` makes them stale); settling co-signs, and the settlement's ``transaction``
is that fee-payer signature. The Solana RPC also answers ``getAccountInfo`` (the USDC mint: SPL Token,
6 decimals) and ``getTokenAccountsByOwner`` (the owner's real USDC ATA). ``set_balance`` with a base58
owner funds it; ``enforce_balance`` applies.

A dishonest gateway (``GatewayEmulator(dishonest=MODE)``, ``DISHONEST_MODES``: ``collect_500``, ``requote``,
``overclaim``, ``switch_payee``; ``dishonest_factor`` 100, ``dishonest_payee``) tries to take more than the client
agreed to pay. Whatever the mode, every payment that verifies is held: ``gw.held_authorisations()`` and
``gw.could_collect_usd()`` (the sum of them all: what the gateway could execute before they expire) are the
yardstick for spend caps. See ``clawcli/testing/_dishonest.py``.

By hand: ``python -m clawcli.testing --port 8999`` prints the URL and payee and serves until Ctrl-C.
"""

from clawcli.testing._dishonest import DISHONEST_MODES, HeldAuthorisation
from clawcli.testing._faults import FAULT_KINDS, Fault
from clawcli.testing._gateway import GatewayEmulator, RequestRecord
from clawcli.testing._payment import (
    BASE_NETWORK,
    BASE_SEPOLIA_NETWORK,
    DEFAULT_PAYEE,
    TRANSFER_WITH_AUTHORIZATION_TYPES,
    USDC_BASE,
    USDC_BASE_SEPOLIA,
    USDC_SOLANA_MINT,
    b64json,
    unb64json,
)
from clawcli.testing._svm import DEFAULT_SOLANA_PAYEE, SOLANA_NETWORK

__all__ = [
    "BASE_NETWORK",
    "BASE_SEPOLIA_NETWORK",
    "DEFAULT_PAYEE",
    "DEFAULT_SOLANA_PAYEE",
    "DISHONEST_MODES",
    "FAULT_KINDS",
    "Fault",
    "GatewayEmulator",
    "HeldAuthorisation",
    "RequestRecord",
    "SOLANA_NETWORK",
    "TRANSFER_WITH_AUTHORIZATION_TYPES",
    "USDC_BASE",
    "USDC_BASE_SEPOLIA",
    "USDC_SOLANA_MINT",
    "b64json",
    "unb64json",
]
