"""QA regressions of `claw ask`: the footer's numbers agree with what was settled (and with stats)."""

from __future__ import annotations

from types import SimpleNamespace

from clawcli.cli.ask import _footer


def _result(**kw):
    base = dict(model="google/gemini-3-flash-preview", tier="SIMPLE", cost=0.027045, estimated_cost=0.0123,
                baseline_cost=0.1024, savings=0.88, latency_ms=760, attempts=[1, 2])
    base.update(kw)
    return SimpleNamespace(**base)


def test_footer_savings_come_from_the_settled_cost_not_the_estimate():
    # two paid attempts (a degraded answer, then the fallback): 1 - 0.027045/0.1024 = 74 %, while the
    # router's estimate for the answering model alone said 88 %
    f = _footer(_result())
    assert "cost $0.027045" in f and "saved 74%" in f and "2 attempts" in f


def test_footer_free_answer_saves_everything():
    f = _footer(_result(model="nvidia/gpt-oss-120b", cost=0.0, estimated_cost=0.0, savings=1.0, attempts=[1]))
    assert "cost $0 (free)" in f and "saved 100%" in f and "attempts" not in f
