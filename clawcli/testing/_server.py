"""The aiohttp handlers of the emulator: chat completions (x402, faults, JSON and SSE), models, RPC."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from clawcli.testing import _faults, _replies, _rpc
from clawcli.testing._faults import Fault
from clawcli.testing._payment import PaymentError, Requirement, Verified, b64json, payment_header

if TYPE_CHECKING:
    from clawcli.testing._gateway import GatewayEmulator, RequestRecord


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if isinstance(body, (dict, list)):
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers,
                            content_type="application/json")
    return web.Response(status=status, text=str(body), headers=headers, content_type="text/plain")


def _closed(request: web.Request) -> bool:
    t = request.transport
    return t is None or t.is_closing()


def build_app(gw: "GatewayEmulator") -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    h = _Handlers(gw)
    for prefix in ("", "/api"):  # BlockRun's base URL ends in /api; accept both spellings
        app.router.add_post(f"{prefix}/v1/chat/completions", h.chat)
        app.router.add_get(f"{prefix}/v1/models", h.models)
    app.router.add_get("/health", h.health)
    app.router.add_post("/rpc/base", h.rpc_base)
    app.router.add_post("/rpc/solana", h.rpc_solana)
    return app


class _Handlers:
    def __init__(self, gw: "GatewayEmulator") -> None:
        self.gw = gw
        self.seq = 0

    async def health(self, request: web.Request) -> web.Response:
        return _json(200, {"status": "ok", "payee": self.gw.payee, "x402Version": self.gw.x402_version})

    async def models(self, request: web.Request) -> web.Response:
        rec = self.gw._new_record(request)
        data = []
        for m in self.gw.catalog.models.values():
            d = m.to_dict()
            d.update({"object": "model", "created": 0, "owned_by": m.provider})
            data.append(d)
        rec.status, rec.completed = 200, True
        return _json(200, {"object": "list", "data": data})

    # --- chat completions ---------------------------------------------------------------------------
    async def chat(self, request: web.Request) -> web.StreamResponse:
        gw = self.gw
        rec = gw._new_record(request)
        raw = await request.read()
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return self._finish(rec, 400, {"error": {"message": "Request body must be a JSON object",
                                                     "type": "invalid_request_error"}})
        rec.body = body
        rec.stream = bool(body.get("stream"))
        name = str(body.get("model") or "")
        rec.model = name or None
        model = gw.catalog.get(name)
        if model is None:
            return self._finish(rec, 400, {"error": {"message": f"Unknown model: {name or '(none)'}",
                                                     "type": "invalid_request_error", "code": "model_not_found"}})
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return self._finish(rec, 400, {"error": {"message": "'messages' must be a non-empty array",
                                                     "type": "invalid_request_error"}})

        fault = gw.faults.take(name, "before_payment")
        if fault is not None:
            if fault.kind != "slow":
                return await self._upstream(request, rec, body, model, None, fault)
            rec.fault = fault.kind  # a slow gateway: wait, then carry on (402 challenge or answer)
            await asyncio.sleep(float(fault.params.get("delay", 2.0)))

        amount = gw.quote_micros(body)
        rec.quoted_usd = amount / 1_000_000
        verified: Verified | None = None
        if amount > 0 and gw.require_payment:
            req = gw._requirement(amount, request.path)
            found = payment_header(request.headers)
            if found is None:
                return self._challenge(rec, req)
            rec.payment_attached = True
            try:
                verified = gw._verify(found[1], req)
            except PaymentError as exc:
                rec.payer, rec.nonce = exc.payer, exc.nonce
                return self._reject(rec, req, exc)
            rec.payer, rec.nonce = verified.payer, verified.nonce
            if gw.dishonest is not None:
                cheat = gw.dishonest.after_verify(self, rec, req, gw.held.pay_to(verified.nonce), verified)
                if cheat is not None:
                    return cheat
            pf = gw.faults.take(name, "payment")
            if pf is not None:
                return self._payment_fault(rec, req, verified, pf)
        return await self._upstream(request, rec, body, model, verified, gw.faults.take(name, "upstream"))

    def _finish(self, rec: "RequestRecord", status: int, body: Any, headers: dict[str, str] | None = None,
                fault: str | None = None) -> web.Response:
        rec.status, rec.completed = status, True
        rec.fault = fault or rec.fault
        return _json(status, body, headers)

    def _challenge(self, rec: "RequestRecord", req: Requirement, error: str | None = None,
                   extra_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> web.Response:
        """402 with the requirement: v2 in the ``payment-required`` header, v1 in the JSON body."""
        out = dict(headers or {})
        if self.gw.x402_version == 2:
            pr = req.v2_payment_required(error) if error else req.v2_payment_required()
            encoded = b64json(pr)
            out["payment-required"] = encoded  # BlockRun sends header names lowercase
            out["www-authenticate"] = f'X402 requirements="{encoded}"'
            body: dict[str, Any] = {"error": "Payment Required"}
        else:
            body = req.v1_payment_required(error) if error else req.v1_payment_required()
        if extra_body:
            body.update(extra_body)
        return self._finish(rec, 402, body, out)

    def _reject(self, rec: "RequestRecord", req: Requirement, exc: PaymentError) -> web.Response:
        rec.payment_error = exc.reason
        return self._challenge(rec, req, error=exc.reason, extra_body=exc.body())

    def _payment_fault(self, rec: "RequestRecord", req: Requirement, v: Verified, f: Fault) -> web.Response:
        rec.fault = f.kind
        if f.kind == "settlement_failed":
            # the transfer may have happened: keep the nonce spent, report success=false
            rec.payment_error = "unexpected_settle_error"
            details = f.params.get("details", "Settlement failed: unable to estimate gas")
            body = {"error": "Payment settlement failed", "code": "SETTLEMENT_FAILED", "details": details}
            name = "PAYMENT-RESPONSE" if v.x402_version == 2 else "X-PAYMENT-RESPONSE"
            hdr = {name: b64json(v.settlement(success=False, error_reason="unexpected_settle_error"))}
            return self._finish(rec, 402, body, hdr)
        self.gw._release_nonce(v.nonce)  # verification-stage rejection: nothing moved
        if f.kind == "insufficient_funds":
            have = self.gw._evm_balance_micros(v.payer)
            exc = PaymentError("insufficient_funds", f"insufficient balance: {have} < {v.value_micros}",
                               code="INSUFFICIENT_FUNDS", payer=v.payer)
        else:
            exc = PaymentError(str(f.params.get("reason", "invalid_payload")),
                               str(f.params.get("message", "payment rejected by the facilitator")), payer=v.payer)
        return self._reject(rec, req, exc)

    async def _upstream(self, request: web.Request, rec: "RequestRecord", body: dict[str, Any], model: Any,
                        v: Verified | None, fault: Fault | None) -> web.StreamResponse:
        """What the provider answers, through the gateway: an error, a degraded 200, or a real answer."""
        gw = self.gw
        kind = fault.kind if fault else None
        rec.fault = kind or rec.fault
        if kind in _faults.ERROR_KINDS:
            assert fault is not None
            if v is not None:
                gw._release_nonce(v.nonce)  # not settled: the authorization was never executed
            status, err, hdrs = _faults.error_response(fault, model.id, model.context_window,
                                                       _replies.prompt_tokens(body))
            return self._finish(rec, status, err, hdrs, fault=kind)
        if kind == "drop":
            if v is not None:
                gw._release_nonce(v.nonce)
            rec.status, rec.client_disconnected = 0, True
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=499)
        if kind == "slow":
            assert fault is not None
            await asyncio.sleep(float(fault.params.get("delay", 2.0)))
        if _closed(request):  # the client gave up before we answered: nothing is charged
            if v is not None:
                gw._release_nonce(v.nonce)
            rec.status, rec.client_disconnected = 499, True
            return web.Response(status=499)

        headers = gw._settle(rec, v) if v is not None else {}
        self.seq += 1
        rid = f"chatcmpl-emu{gw.port}-{self.seq}"
        params = fault.params if fault else {}
        tool_call = None
        if kind == "tool_call" or (gw.tool_calls and body.get("tools") and not _answers_tool_results(body)):
            tool_call = _faults.tool_call_for(body, params)
        if kind in _faults.CONTENT_KINDS:
            assert fault is not None
            content = _faults.degraded_content(fault)
        elif tool_call is not None:
            content = ""
        elif callable(gw.reply):
            content = gw.reply(model.id, body)
        elif isinstance(gw.reply, str):
            content = gw.reply
        else:
            content = _replies.default_reply(model.id, body)
        use = _replies.usage(body, content, tool_call)
        rec.status, rec.content = 200, content

        if rec.stream:
            if kind == "error_200":
                events = [_replies.sse(_faults.ERROR_200_BODY), _replies.sse("[DONE]")]
            else:
                events = _replies.stream_events(rid, model.id, content, tool_call, use, gw.stream_chunks,
                                                role=kind != "no_role")
            if kind == "truncate":  # the upstream ends the stream early but cleanly (no error, no [DONE])
                events = events[: 1 + int(params.get("after_chunks", 2))]
            if kind == "stream_error":  # content first, then the provider fails inside the stream
                keep = 1 + int(params.get("after_chunks", 1))
                events = events[:keep] + [_replies.sse(_faults.STREAM_ERROR_BODY), _replies.sse("[DONE]")]
            elif kind == "sse_comments":
                events = [b": keep-alive\n\n" + e for e in events]
            delay = float(params.get("chunk_delay", 0.5)) if kind == "slow_stream" else gw.chunk_delay
            cut = int(params.get("after_chunks", 1)) + 1 if kind == "disconnect" else None
            return await self._stream(request, rec, events, headers, delay, cut)

        payload = (_faults.ERROR_200_BODY if kind in ("error_200", "stream_error")
                   else _replies.completion(rid, model.id, content, tool_call, use))
        if kind == "no_role":
            payload["choices"][0]["message"].pop("role", None)
        data = json.dumps(payload).encode()
        if kind == "sse_comments":
            data = b"\n\n" + data  # OpenRouter-style keep-alive whitespace before a JSON body
        if kind == "truncate":  # a JSON body that ends half-way, the connection closed cleanly
            rec.completed = True
            return web.Response(status=200, body=data[: len(data) // 2], headers=headers,
                                content_type="application/json")
        if kind == "disconnect":
            resp = web.StreamResponse(status=200, headers={**headers, "Content-Type": "application/json"})
            resp.content_length = len(data)
            await resp.prepare(request)
            await resp.write(data[: max(1, len(data) // 2)])
            rec.client_disconnected = True
            if request.transport is not None:
                request.transport.abort()
            return resp
        rec.completed = True
        return web.Response(status=200, body=data, headers=headers, content_type="application/json")

    async def _stream(self, request: web.Request, rec: "RequestRecord", events: list[bytes],
                      headers: dict[str, str], delay: float, cut: int | None) -> web.StreamResponse:
        resp = web.StreamResponse(status=200, headers={
            **headers, "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        await resp.prepare(request)
        try:
            for i, event in enumerate(events):
                if cut is not None and i >= cut:
                    rec.client_disconnected = True
                    if request.transport is not None:
                        request.transport.abort()
                    return resp
                if i and delay:
                    await asyncio.sleep(delay)
                if i == len(events) - 1:
                    rec.completed = True
                await resp.write(event)
            await resp.write_eof()
        except (ConnectionError, RuntimeError):  # the client went away mid-stream
            rec.client_disconnected = True
            rec.completed = False
        return resp

    # --- JSON-RPC -------------------------------------------------------------------------------------
    async def _rpc(self, request: web.Request, one: Any) -> web.Response:
        f = self.gw._take_rpc_fault()
        try:
            payload = await request.json()
        except ValueError:
            return _json(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
        with self.gw._lock:
            self.gw._rpc_calls.append({"path": request.path, "payload": payload})
        if f is not None:
            if f["kind"] == "slow":
                await asyncio.sleep(f["delay"])
            elif f["kind"] == "http_500":
                return _json(500, {"error": "internal error"})
            else:
                rid = payload.get("id") if isinstance(payload, dict) else None
                return _json(200, {"jsonrpc": "2.0", "id": rid,
                                   "error": {"code": -32603, "message": "Internal error: upstream node unavailable"}})
        return _json(200, _rpc.handle(payload, one))

    async def rpc_base(self, request: web.Request) -> web.Response:
        gw = self.gw
        return await self._rpc(request, lambda c: _rpc.evm_call(c, chain_id=gw.chain_id, usdc=gw.usdc,
                                                               balance_of=gw._evm_balance_micros))

    async def rpc_solana(self, request: web.Request) -> web.Response:
        from clawcli.testing._svm import solana_rpc_call

        def one(c: Any) -> dict[str, Any]:  # blockhashes and mint accounts first, then balances
            return solana_rpc_call(c, self.gw) or _rpc.solana_call(c, balance_of=self.gw._sol_balance_micros)

        return await self._rpc(request, one)


def _answers_tool_results(body: dict[str, Any]) -> bool:
    """The conversation already holds a tool result: the model answers in words (``tool_calls=True``
    would otherwise call the tool again forever, and agent loops never end). Not only the last
    message: agents such as OpenClaw append their own context after the tool results."""
    msgs = body.get("messages")
    return isinstance(msgs, list) and any(isinstance(m, dict) and m.get("role") == "tool" for m in msgs)
