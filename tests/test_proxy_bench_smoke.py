"""`claw bench proxy` end to end, briefly: the three targets answer, the figures are filled in, and the
paid pass counts round trips with pre-authorisation on and off (counts, never speed)."""

from __future__ import annotations

import os


def test_proxy_bench_runs_direct_ceiling_and_proxy_side_by_side():
    from clawcli.bench.proxy import format_report, run_proxy_bench

    steps: list[str] = []
    r = run_proxy_bench(duration=0.6, warmup=0.2, rounds=1, concurrency=2, tool="aiohttp", progress=steps.append)
    assert steps and r["cN"]["concurrency"] == 2
    for phase in ("c1", "cN", "stream"):
        for who in ("direct", "ceiling", "bare", "proxy"):
            assert r[phase][who]["requests"] > 0 and r[phase][who]["errors"] == 0, (phase, who, r[phase][who])
    for phase in ("c1", "cN"):
        for who in ("direct", "proxy"):
            assert r[phase][who]["p50Ms"] > 0 and r[phase][who]["rps"] > 0, (phase, who, r[phase][who])
    assert r["cN"]["ratio"] > 0 and r["serverCpuUsPerRequest"] > 0 and r["ceilingCpuUsPerRequest"] > 0
    assert r["cN"]["bareRatio"] > 0 and r["bareCpuUsPerRequest"] > 0
    assert r["rssMb"] and len(r["loadAverage"]["end"]) == 3
    # the CPU other processes took during the run (the benchmark's own servers and wrk left out)
    assert isinstance(r["otherCpus"], float) and r["otherCpus"] < (os.cpu_count() or 1)
    assert r["busy"] == (r["otherCpus"] > 0.25) and "other work on the machine" in format_report(r)
    assert "of the ceiling" in format_report(r) and "of the bare pass-through" in format_report(r)


def test_paid_bench_counts_one_round_trip_with_preauth_and_two_without():
    from clawcli.bench.proxy_paid import run_paid_bench

    p = run_paid_bench(rtt_ms=0, requests=3)
    assert p["preauth"]["roundTripsFirst"] == 2 and p["preauth"]["roundTripsMedian"] == 1
    assert p["noPreauth"]["roundTripsMedian"] == 2
    assert p["preauth"]["errors"] == p["noPreauth"]["errors"] == 0 and p["preauth"]["paidUsd"] > 0
