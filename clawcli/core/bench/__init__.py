"""Benchmarks that report numbers (`claw bench`): routing speed and per-model gateway speed.

The proxy-overhead benchmark lives with the proxy (``clawcli.proxy.bench``) and the
compression benchmark with the compression layers; `claw bench` exposes all of them.
Importing this package is cheap: the router, the engine and httpx load on first use.
"""

from clawcli.core.bench.models import (
    BENCH_PROMPTS,
    ModelsBenchPlan,
    default_models,
    plan_models_bench,
    run_models_bench,
)
from clawcli.core.bench.route import builtin_corpus, load_corpus, run_route_bench

__all__ = [
    "BENCH_PROMPTS",
    "ModelsBenchPlan",
    "builtin_corpus",
    "default_models",
    "load_corpus",
    "plan_models_bench",
    "run_models_bench",
    "run_route_bench",
]
