"""`claw bench proxy` for real, briefly: a loopback upstream, `claw serve` in a subprocess in front of
it, and the aiohttp load generator against both (clawcli/bench/proxy.py). Numbers are not checked
(benchmarks are scripts); that the run measures both sides, and through the proxy, is."""

from __future__ import annotations

from clawcli.bench.proxy import run_proxy_bench


def test_a_short_proxy_bench_measures_the_upstream_and_the_proxy_in_front_of_it(tmp_path) -> None:
    steps: list[str] = []
    report = run_proxy_bench(duration=0.6, warmup=0.1, concurrency=2, tool="aiohttp", rounds=1,
                             progress=steps.append)
    assert report["tool"] == "aiohttp" and report["rounds"] == 1 and steps
    for level in ("c1", "cN"):
        for side in ("direct", "proxy"):
            figures = report[level][side]
            assert figures["requests"] > 0 and figures["errors"] == 0, (level, side, figures)
            assert figures["p50Ms"] > 0 and figures["rps"] > 0
    assert report["cN"]["concurrency"] == 2
    # the proxy really sat in front: its own process used memory and CPU for those requests
    assert report["rssMb"] > 0 and report["serverCpuUsPerRequest"] > 0
