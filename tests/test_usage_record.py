"""The engine's usage record, built cheaply (issue 16), is the record DESIGN.md §3 describes:
the same fields, order, values and bytes as the keyword constructor ``make_record`` made it,
the same timestamps, the same roundings, request ids of the same shape."""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import random
import re
import struct
import time
from types import SimpleNamespace

import orjson
import pytest

from clawcli.core.catalog import default_catalog
from clawcli.core.compression import compress_request
from clawcli.core.config import Settings
from clawcli.core.messages import whole_tokens
from clawcli.core.router import route
from clawcli.core.upstream._plan import PlanningContext, plan_request
from clawcli.core.upstream._stream import Accumulator
from clawcli.core.upstream.records import _rounded, build_result, usage_record
from clawcli.core.upstream.request_state import OpenAnswer, RequestState
from clawcli.core.upstream.state import Cooldowns, SessionBudgets
from clawcli.core.upstream.types import Attempt
from clawcli.core.usage.log import make_record, new_request_id, utc_timestamp


def reference_record(r, status, error_class, model, result, now):
    """The usage record as the keyword constructor built it before issue 16: the specification."""
    d = r.plan.decision if r.plan else None
    attempts = result.attempts if result else r.attempts
    est = r.plan.estimate(model) if (r.plan and model) else float(getattr(d, "estimated_cost", 0.0) or 0.0)
    usage = result.usage if result else {}
    out_tokens = usage.get("completion_tokens")
    if out_tokens is None and result is not None:
        out_tokens = whole_tokens(result.content)
    base, saved = (result.baseline_cost, result.savings) if result is not None else (0.0, 0.0)
    s = r.settlement
    return make_record(
        requestId=r.request_id, source=r.source, sessionId=r.session_id, profile=getattr(d, "profile", None),
        tier=getattr(d, "tier", None),
        confidence=round(float(getattr(d, "confidence", 0.0) or 0.0), 4) if d is not None else None,
        requestedModel=getattr(d, "requested_model", None) or (r.plan.requested if r.plan else None),
        model=model, status=status, errorClass=error_class, cost=round(r.cost, 8), estimatedCost=round(est, 8),
        baselineCost=round(base, 8), savings=round(saved, 6), latencyMs=int((now - r.t0) * 1000),
        ttftMs=int((r.ttft - r.t0) * 1000) if r.ttft else (result.ttft_ms if result else None),
        inputTokens=usage.get("prompt_tokens") or getattr(d, "input_tokens", None), outputTokens=out_tokens,
        attempts=[a.to_dict() for a in attempts], network=getattr(s, "network", None),
        settlement=getattr(s, "tx", None) or getattr(s, "transaction", None),
        **(r.compression.log_fields() if r.compression is not None else {}),
        **({"gatewayClaimedCost": round(r.gateway_claimed, 8)} if abs(r.gateway_claimed - r.cost) > 1e-9 else {}),
    )


def _state(prompt: str, *, compress: bool = True, usage: dict | None = None, t0: float = 1000.0):
    catalog = default_catalog()
    ctx = PlanningContext(Settings(), catalog, frozenset(), Cooldowns(), SessionBudgets(), False)
    body = {"model": "auto", "messages": [{"role": "user", "content": prompt}]}
    cstats = None
    if compress:
        body, cstats = compress_request(body, "off")
    st = RequestState(request_id=new_request_id(), source="serve", session_id=None, t0=t0, compression=cstats)
    st.plan = plan_request(ctx, body, route(body, catalog=catalog), None, None)
    acc = Accumulator()
    acc.add({"id": "c1", "created": 1765000000, "choices": [{"index": 0, "delta": {"content": "Paris, on the Seine."}}]})
    acc.add({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
             **({"usage": usage} if usage is not None else {})})
    return st, OpenAnswer(attempt=Attempt(model=st.plan.chain[0], status=200, ms=7), acc=acc, held=[])


def _cases():
    """(state, status, error_class, model, result, now) of answered, paid, failed and refused requests."""
    out = []
    st, opened = _state("what is the capital of France?", usage={"prompt_tokens": 12, "completion_tokens": 24})
    st.ttft = 1000.0031
    out.append((st, "ok", None, opened.attempt.model, build_result(st, opened, True, 1000.0042), 1000.0047))
    # paid, a failed paid attempt first, a gateway claiming more than settled, a session, no usage
    st, opened = _state("Write a long proof that there are infinitely many primes, step by step.", usage=None)
    st.session_id = "sess-7"
    st.attempts.append(Attempt(model="openai/gpt-5.2", status=500, error_class="server_error", ms=31, paid=True,
                               reason="upstream 500"))
    st.cost, st.gateway_claimed = 0.00123456789, 0.0013
    st.settlement = SimpleNamespace(tx="0x" + "ab" * 32, network="eip155:8453", amount_usd=0.00123456789)
    opened.attempt.paid = True
    out.append((st, "ok", None, opened.attempt.model, build_result(st, opened, False, 1001.5), 1001.5))
    # failed: no result, every attempt failed, a settlement that names its `transaction`
    st, _ = _state("translate this into German please", compress=False)
    st.attempts += [Attempt(model="a/x", status=429, error_class="rate_limited", ms=3),
                    Attempt(model="b/y", status=None, error_class="timeout", ms=60000)]
    st.cost = st.gateway_claimed = 0.5
    st.settlement = SimpleNamespace(transaction="5xSolanaSig", network="solana")
    out.append((st, "error", "timeout", None, None, 1061.0))
    # refused while planning (no plan, no decision), and a cancelled answer with its model
    st = RequestState(request_id=new_request_id(), source="ask", session_id="s", t0=5.0)
    out.append((st, "blocked", "cost_cap", None, None, 5.25))
    st, opened = _state("explain quicksort", usage={"prompt_tokens": 0, "completion_tokens": 0})
    st.attempts.append(opened.attempt)
    out.append((st, "error", "cancelled", opened.attempt.model, None, 1000.9))
    return out


@pytest.mark.parametrize("case", range(5))
def test_usage_record_is_the_reference_record_byte_for_byte(case, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1765012345.6789)  # both stamp the same instant
    args = _cases()[case]
    got, want = usage_record(*args), reference_record(*args)
    assert list(got.items()) == list(want.items())  # same fields, same order, same values
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
    assert orjson.dumps(got) == orjson.dumps(want)
    assert json.dumps(got) == json.dumps(want)


def test_rounded_is_round_for_every_float():
    rng = random.Random(16)

    def same(x: float, digits: int) -> None:
        a, b = _rounded(x, 10.0 ** digits, digits), round(x, digits)
        assert type(a) is type(b), (x, digits)
        assert struct.pack("d", a) == struct.pack("d", b) or (math.isnan(a) and math.isnan(b)), (x, digits, a, b)

    for digits in (4, 6, 8):
        scale = 10.0 ** digits
        for _ in range(20000):
            x = rng.random() * 10 ** rng.uniform(-12, 5)
            same(x, digits)
            same(-x, digits)
            tie = (rng.randrange(10 ** 7) + 0.5) / scale  # halfway cases and their neighbours
            for y in (tie, math.nextafter(tie, 0), math.nextafter(tie, 1)):
                same(y, digits)
        for x in (0.0, -0.0, 1e-9, 0.5 / scale, 2.5 / scale, 9999.999999995, 1e12, 1e300, 5e-324,
                  math.inf, -math.inf, math.nan):
            same(x, digits)
    assert _rounded(1, 1e8, 8) == 1 and type(_rounded(1, 1e8, 8)) is int  # not a float: round()'s own


def test_utc_timestamp_is_strftime_with_milliseconds():
    def reference(t: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"

    rng = random.Random(3)
    for t in [0.0, 0.0005, 1.9999999999, 1765000000.9995, 1765000000.0, -0.5, -1.0001, -86400.25,
              4102444800.123] + [rng.uniform(0, 4e9) for _ in range(20000)]:
        assert utc_timestamp(t) == reference(t), t
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", utc_timestamp())


def _ids(conn) -> None:
    conn.send([new_request_id() for _ in range(200)])


def test_request_ids_are_16_hex_digits_unique_also_across_forked_processes():
    ids = [new_request_id() for _ in range(20000)]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    parent, child = mp.get_context("fork").Pipe()
    p = mp.get_context("fork").Process(target=_ids, args=(child,))
    p.start()
    theirs = parent.recv()
    p.join(30)
    ours = [new_request_id() for _ in range(200)]
    assert not set(theirs) & set(ours)  # a forked server's ids are not its parent's
