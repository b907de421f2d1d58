"""The proxy's aiohttp gateway client (clawcli/proxy/transport.py): the engine over it pays, falls
back and streams exactly as over httpx, and its transport errors mean what the chain walk expects."""

from __future__ import annotations

import socket

import pytest

from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine, StreamInterrupted
from clawcli.core.upstream.gateway_client import GatewayConnectError, GatewayConnectionLost
from clawcli.proxy.transport import AiohttpGatewayClient, make_gateway_client
from clawcli.testing import GatewayEmulator

KEY = "0x" + "5d" * 32
REQ = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
LONG = ("Paris is the capital of France. It lies on the Seine and has been the seat of government for most "
        "of the last thousand years; its museums and boulevards draw millions of visitors every year.")
BODY = b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
JSON = {"content-type": "application/json", "accept": "application/json"}


@pytest.fixture
def gw():
    from eth_account import Account

    with GatewayEmulator(enforce_balance=True, reply=LONG, stream_chunks=6) as g:
        g.set_balance(Account.from_key(KEY).address, 5)
        yield g


def engine_for(gw: GatewayEmulator) -> Engine:
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    paths = Paths.from_env()
    settings = Settings(gateway_url=gw.url)
    payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
    return Engine(settings, paths, payer=payer, client_factory=AiohttpGatewayClient)


async def test_engine_over_aiohttp_pays_falls_back_and_streams(gw):
    from clawcli.core.router import route

    first = route(REQ, profile="auto").chain[0]
    gw.inject(first, "500", times=1)
    async with engine_for(gw) as eng:
        r1 = await eng.complete(REQ, source="serve")
        events = [ev async for ev in eng.stream(REQ, source="serve")]
    assert r1.model != first and r1.content == LONG and r1.cost > 0
    assert [a.error_class for a in r1.attempts] == ["server_error", None]
    chunks = [e.data for e in events if e.type == "chunk"]
    assert len(chunks) >= 6  # relayed in pieces, not as one block
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == LONG
    assert events[-1].data.cost > 0
    assert len(gw.paid_requests()) == 2


async def test_a_cut_stream_is_an_interruption_not_a_hang(gw):
    gw.inject("*", "disconnect", times=None, after_chunks=4)
    eng = engine_for(gw)
    async with eng:
        with pytest.raises(StreamInterrupted) as info:
            async for _ev in eng.stream({**REQ, "model": "openai/gpt-4o-mini"}, source="serve"):
                pass
    assert info.value.error_class == "network"


async def test_a_server_disconnect_is_a_lost_connection(gw):
    """A dropped connection must read as one model's failure (fall back), not "the gateway is down"."""
    gw.inject("*", "drop", times=None, before_payment=True)
    client = AiohttpGatewayClient(gw.url + "/v1/chat/completions")
    try:
        with pytest.raises(GatewayConnectionLost):
            await client.post(BODY, JSON)
    finally:
        await client.aclose()


async def test_a_refused_connection_is_a_connect_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = AiohttpGatewayClient(f"http://127.0.0.1:{port}/v1/chat/completions", connect=2)
    try:
        with pytest.raises(GatewayConnectError):
            await client.post(BODY, JSON)
    finally:
        await client.aclose()


async def test_sse_events_keep_multi_line_data_and_skip_comments(gw):
    """Comments before every event and the data field's optional space are handled per the SSE rules."""
    gw.inject("*", "sse_comments", times=None)
    client = make_gateway_client(gw.url + "/v1/chat/completions")
    try:
        resp = await client.post(b'{"model":"nvidia/gpt-oss-120b","stream":true,'
                                 b'"messages":[{"role":"user","content":"hi"}]}',
                                 {"content-type": "application/json", "accept": "text/event-stream"})
        assert resp.status == 200
        data = [d async for d in resp.events()]
        await resp.close()
    finally:
        await client.aclose()
    assert data[-1] == "[DONE]" and all(not d.startswith(":") for d in data)
    assert all(d.startswith("{") for d in data[:-1]) and len(data) >= 3


def _read_in_pieces(raw: bytes, size: int):
    """A stand-in aiohttp response whose body arrives ``size`` bytes per read."""
    pieces = [raw[i:i + size] for i in range(0, len(raw), size)]

    class Content:
        async def iter_any(self):
            for p in pieces:
                yield p

    class Resp:
        content = Content()

    return Resp()


async def test_sse_parser_joins_data_lines_across_pieces_and_line_ends():
    """Events split anywhere between reads, CRLF / CR / LF line ends, multi-line data, comments."""
    from clawcli.proxy.transport import _sse_data

    raw = (b": keep-alive\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata:line2\n\n"
           b"data: c1\r\ndata: c2\r\n\r\ndata: [DONE]\r\rdata: tail")
    for size in (1, 2, 3, 7, len(raw)):
        got = [d async for d in _sse_data(_read_in_pieces(raw, size))]
        assert got == ['{"a":1}', "line1\nline2", "c1\nc2", "[DONE]", "tail"], (size, got)


async def test_the_gateway_gets_the_same_headers_over_aiohttp(gw):
    """The engine hands the aiohttp client its fixed header sets prepared once (prepare_headers):
    every request, the 402 round trip's paid resend included, still carries exactly these."""
    async with engine_for(gw) as eng:
        await eng.complete({**REQ, "model": "openai/gpt-4o-mini"}, source="serve")
        [_ev async for _ev in eng.stream({**REQ, "model": "openai/gpt-4o-mini"}, source="serve")]
    seen = [(r.stream, r.payment_attached, {k.lower(): v for k, v in r.headers.items()}) for r in gw.requests]
    # (the streamed request is pre-authorised with the quote the first one paid: one round trip)
    assert [(s, p) for s, p, _h in seen] == [(False, False), (False, True), (True, True)]
    for stream, _paid, h in seen:
        assert h["content-type"] == "application/json"
        assert h["accept"] == ("text/event-stream" if stream else "application/json")
        assert h["user-agent"].startswith("clawcli/")
    prepared = AiohttpGatewayClient.prepare_headers(JSON)
    assert dict(prepared) == JSON and prepared is not JSON


async def test_sse_parser_in_pieces_matches_the_whole_stream_parsed_at_once():
    """Whatever the read sizes, the events are those of the whole body split by the SSE rules
    (line ends normalised, blocks at blank lines, data lines joined): the parser's per-read split
    and its inline one-line fast path must not drop, merge or alter an event."""
    import random

    from clawcli.proxy.transport import _sse_data

    def whole(raw: bytes) -> list[str]:
        text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        blocks = text.split(b"\n\n")
        blocks[-1] = blocks[-1].rstrip(b"\n")
        out = []
        for block in blocks:
            lines = [ln[5:] for ln in block.split(b"\n") if ln.startswith(b"data:")]
            if lines:
                out.append(b"\n".join(ln[1:] if ln.startswith(b" ") else ln for ln in lines).decode())
        return out

    parts = [b'data: {"a":1}', b"data:x", b"data: ", b"data:  two", b": comment", b"event: e", b"id: 1",
             b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n", b"data: [DONE]", b"data: caf\xc3\xa9"]
    rng = random.Random(7)
    for _ in range(300):
        raw = b"".join(rng.choice(parts) for _ in range(rng.randint(1, 14)))
        size = rng.choice((1, 2, 3, 5, 8, len(raw)))
        assert [d async for d in _sse_data(_read_in_pieces(raw, size))] == whole(raw), (raw, size)
