"""Proxy overhead benchmark: `python benchmarks/proxy_bench.py [--duration 5] [--json]`.

A thin wrapper over :func:`clawcli.bench.proxy.run_proxy_bench` (also used by `claw bench proxy`).
"""

import sys

from clawcli.bench.proxy import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
