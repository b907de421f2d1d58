"""Everything that measures and reports numbers, in one place (`claw bench` renders it).

- ``route``: µs per routing decision (no network);
- ``models``: per-model gateway speed through the real engine (paid, asks first);
- ``proxy``: the added latency and throughput of `claw serve` against a fast loopback upstream
  (``python -m clawcli.bench.proxy``);
- ``compress``: tokens saved by the compression layers on a corpus, and how fast.

The CLI command is ``clawcli/cli/bench.py``; standalone scripts that print numbers are in
``benchmarks/``. Nothing under clawcli/core or clawcli/proxy imports this package.
Importing it is cheap: the router, the engine and httpx load on first use.
"""

from clawcli.bench.models import (
    BENCH_PROMPTS,
    ModelsBenchPlan,
    default_models,
    plan_models_bench,
    run_models_bench,
)
from clawcli.bench.route import builtin_corpus, load_corpus, run_route_bench

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
