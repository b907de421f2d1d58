"""x402 as an ``httpx.Auth``: send, on 402 pay once and resend, never loop.

    client = httpx.Client(auth=X402Auth(payer))
    resp = client.post(url, json=body)        # paid transparently, at most once
    auth.last_settlement                       # the decoded PAYMENT-RESPONSE, if any

A second 402 (the gateway rejected the signed payment) raises PaymentError with the
gateway's reason. Only 402 bodies are read here, so a streamed paid response stays a stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx

from clawcli.core.errors import PaymentError
from clawcli.core.x402.payer import Payer, SignedPayment
from clawcli.core.x402.protocol import (
    PAYMENT_SIGNATURE,
    X_PAYMENT,
    Settlement,
    decode_settlement,
    parse_payment_required,
    rejection_reason,
)


class X402Auth(httpx.Auth):
    requires_request_body = True  # the body is sent twice

    def __init__(self, payer: Payer, *, model: str | None = None) -> None:
        self.payer = payer
        self.model = model
        self.last_payment: SignedPayment | None = None
        self.last_settlement: Settlement | None = None

    def _model_of(self, request: httpx.Request) -> str | None:
        if self.model:
            return self.model
        try:
            body = json.loads(request.content or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        return body.get("model") if isinstance(body, dict) and isinstance(body.get("model"), str) else None

    def _pay(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        if PAYMENT_SIGNATURE in request.headers or X_PAYMENT in request.headers:
            # the caller paid already: answering again would pay twice
            raise PaymentError(
                "payment rejected by the gateway: " + rejection_reason(response.headers, response.content)
            )
        required = parse_payment_required(response)
        signed = self.payer.sign(required, model=self._model_of(request))
        self.last_payment = signed
        for k, v in signed.headers.items():
            request.headers[k] = v
        return request

    def _after(self, signed: SignedPayment, response: httpx.Response, body: bytes | None) -> None:
        if response.status_code == 402:
            reason = rejection_reason(response.headers, body)
            try:
                s = decode_settlement(response.headers)
            except PaymentError:
                s = None
            text = (body or b"").decode("utf-8", "replace").lower()
            attempted = (s is not None and not s.success) or "settle" in text
            self.payer.rejected(signed, reason, settlement_attempted=attempted)
            raise PaymentError(
                f"payment rejected by the gateway: {reason}",
                "nothing was settled; no second payment was attempted",
            )
        if 200 <= response.status_code < 300:
            self.last_settlement = self.payer.settled(signed, response.headers)
        else:
            # an error after a signed payment: settled only if the gateway says so
            try:
                s = decode_settlement(response.headers)
            except PaymentError:
                s = None
            if s is not None and s.success:
                self.last_settlement = self.payer.settled(signed, response.headers)
            else:
                self.payer.rejected(signed, f"HTTP {response.status_code}")

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        response = yield request
        if response.status_code != 402:
            return
        response.read()
        paid = self._pay(request, response)
        signed = self.last_payment
        assert signed is not None
        response = yield paid
        body = response.read() if response.status_code == 402 else None
        self._after(signed, response, body)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        response = yield request
        if response.status_code != 402:
            return
        await response.aread()
        paid = self._pay(request, response)
        signed = self.last_payment
        assert signed is not None
        response = yield paid
        body = await response.aread() if response.status_code == 402 else None
        self._after(signed, response, body)
