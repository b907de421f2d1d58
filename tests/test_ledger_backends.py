"""The ledger's rules (/work/coord/ledger.md, issue 13) hold on both backends: the local file and
Redis (``make_ledger`` in conftest.py runs each test on both)."""

from __future__ import annotations

import pytest

from clawcli.core.errors import PaymentError, PolicyRefusal


def test_release_only_before_the_payment_was_handed_over(make_ledger) -> None:
    now = [10_000.0]
    led = make_ledger(clock=lambda: now[0])
    a = led.reserve(100, daily_limit=1_000, valid_before=10_300)
    assert led.reject(a, "PAYMENT_INVALID")
    assert not led.release(a, "too late")  # the gateway holds it: still counted
    assert led.totals().pending_day == 100 and led.totals().rejected_day == 100
    assert led.uncertain(a, "settle failed") and led.settle(a, tx="0xabc")  # proven: now spent
    t = led.totals()
    assert (t.spent_day, t.pending_day, t.count_day) == (100, 0, 1)
    assert not led.settle(a) and not led.reject(a, "late")  # final


def test_an_unproven_authorisation_counts_until_validbefore_even_past_the_window(make_ledger) -> None:
    now = [100_000.0]
    led = make_ledger(clock=lambda: now[0])
    rid = led.reserve(500, hourly_limit=1_000, valid_before=int(now[0]) + 7200)
    led.uncertain(rid, "gateway 500 after settling")
    now[0] += 3600 + 10  # out of the hour window, but the gateway can still execute it
    assert led.totals().pending_hour == 500
    with pytest.raises(PolicyRefusal) as info:
        led.reserve(501, hourly_limit=1_000)
    assert info.value.cap == "hourly" and info.value.used == 500
    now[0] += 7200  # expired: folded, still counted in the day, no longer in the hour
    led.reserve(1, hourly_limit=1_000)
    t = led.totals()
    assert (t.pending_hour, t.pending_day, t.rejected_day) == (1, 501, 500)
    assert not led.settle(rid)  # folded: can no longer be settled


def test_settle_records_at_most_what_was_signed(make_ledger) -> None:
    led = make_ledger()
    a = led.reserve(1_000)
    assert led.settle(a, amount=5_000)  # a gateway claiming more than the signature allows
    b = led.reserve(1_000)
    assert led.settle(b, amount=400)
    assert led.totals().spent_day == 1_400
    by_id = {e["id"]: e for e in led.entries()}
    assert by_id[a]["claimedAmount"] == 5_000 and by_id[a]["amount"] == 1_000
    assert by_id[b]["amount"] == 400


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True])
def test_an_invalid_amount_is_never_reserved(make_ledger, bad) -> None:
    led = make_ledger()
    with pytest.raises(PaymentError):
        led.reserve(bad)
    assert led.totals().pending_day == 0


def test_refusal_reads_the_same_on_both_backends(make_ledger) -> None:
    led = make_ledger()
    led.reserve(40_000, daily_limit=50_000)
    with pytest.raises(PolicyRefusal) as info:
        led.reserve(20_000, daily_limit=50_000, model="openai/gpt-5.4")
    assert info.value.message.startswith("refusing to sign $0.02 for openai/gpt-5.4: the daily limit of $0.05")
    assert (info.value.cap, info.value.used, info.value.limit) == ("daily", 40_000, 50_000)
