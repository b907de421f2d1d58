"""`claw bench`: shape and sanity of route / models / proxy results (never speed).

`bench models` runs end to end against the clawcli.testing gateway emulator over loopback:
real x402 payments signed by a test key, pinned models, the usage log written with
source "bench"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.bench import builtin_corpus, load_corpus, plan_models_bench, run_route_bench
from clawcli.core.catalog import default_catalog
from clawcli.core.errors import UsageError
from clawcli.core.usage import aggregate_stats

runner = CliRunner()
TEST_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
FLASH, FREE = "google/gemini-2.5-flash", "nvidia/gpt-oss-120b"


# ------------------------------------------------------------------------- route
class _D:
    def __init__(self, tier: str) -> None:
        self.tier = tier


def test_route_bench_core_shape_and_unique_requests():
    seen: list[str] = []

    def fake_route(req):
        seen.append(req["messages"][-1]["content"] if isinstance(req["messages"][-1]["content"], str) else "list")
        return _D("SIMPLE" if len(seen) % 2 else "COMPLEX")

    r = run_route_bench(builtin_corpus(), n=1500, warmup=50, route_fn=fake_route)
    assert r["decisions"] == 1500 and r["distinctRequests"] == len(builtin_corpus())
    assert 0 < r["p50Us"] <= r["p90Us"] <= r["p99Us"] <= r["maxUs"]
    assert r["decisionsPerSec"] > 0 and r["meanUs"] > 0
    assert set(r["bySize"]) == {"short", "medium", "long"}
    assert sum(v["decisions"] for v in r["bySize"].values()) == 1500
    assert sum(r["tiers"].values()) == 1500
    strings = [s for s in seen if s != "list"]
    assert len(set(strings)) == len(strings)  # every routed request was unique


def test_load_corpus_forms_and_errors(tmp_path: Path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"prompt": "hi"}\n"just a string"\n\n{"messages": [{"role": "user", "content": "x"}]}\n')
    reqs = load_corpus(f)
    assert [r["messages"][-1]["content"] for r in reqs] == ["hi", "just a string", "x"]
    f.write_text('{"prompt": "ok"}\nnot json\n')
    with pytest.raises(UsageError, match=r"p.jsonl:2"):
        load_corpus(f)
    with pytest.raises(UsageError):
        load_corpus(tmp_path / "missing.jsonl")


def test_bench_route_cli_json(tmp_path: Path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"prompt": "What is 2+2?"}\n{"prompt": "Prove that there are infinitely many primes."}\n')
    r = runner.invoke(app, ["bench", "route", "--file", str(f), "-n", "300", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["decisions"] == 300 and out["distinctRequests"] == 2
    assert out["p50Us"] > 0 and out["p99Us"] >= out["p50Us"] and out["decisionsPerSec"] > 0
    assert sum(out["tiers"].values()) == 300


def test_bench_route_cli_table():
    r = runner.invoke(app, ["bench", "route", "-n", "200"])
    assert r.exit_code == 0, r.output
    assert "200 routing decisions" in r.stdout and "decisions/s" in r.stdout and "short" in r.stdout


def test_bench_route_bad_file_is_usage_error(tmp_path: Path):
    f = tmp_path / "bad.jsonl"
    f.write_text("{nope\n")
    r = runner.invoke(app, ["bench", "route", "--file", str(f)])
    assert r.exit_code == 2 and "bad.jsonl:1" in r.stderr


# ------------------------------------------------------------------------- models
def test_plan_defaults_and_estimate():
    cat = default_catalog()
    plan = plan_models_bench(cat)
    assert plan.models and all(m in cat for m in plan.models)
    assert plan.requests == len(plan.models) * 3 * 2 and plan.max_tokens == 256
    assert plan.estimated_cost > 0
    plan = plan_models_bench(cat, ["gemini-2.5-flash", FREE], prompts=1, repeat=1)
    assert plan.models == [FLASH, FREE]
    assert plan.per_model_cost[FREE] == 0 and plan.per_model_cost[FLASH] > 0
    with pytest.raises(UsageError):
        plan_models_bench(cat, ["auto"])


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch):
    from clawcli.testing import GatewayEmulator

    with GatewayEmulator() as gw:
        monkeypatch.setenv("CLAWCLI_GATEWAY_URL", gw.url)
        monkeypatch.setenv("CLAWCLI_BASE_RPC_URL", gw.rpc_url)
        yield gw


def test_bench_models_end_to_end(gateway, monkeypatch: pytest.MonkeyPatch, openclaw_home: Path):
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", TEST_KEY)
    r = runner.invoke(app, ["bench", "models", "--models", f"gemini-2.5-flash,{FREE}", "--prompts", "2",
                            "--repeat", "1", "--yes", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["requests"] == 4 and out["models"] == 2
    assert out["method"]["maxTokens"] == 256 and out["method"]["temperature"] == 0.7
    assert out["method"]["prompts"] == ["ipv4", "lcs"]
    rows = {row["model"]: row for row in out["results"]}
    assert set(rows) == {FLASH, FREE}
    lat = [row["latencyMs"] for row in out["results"]]
    assert lat == sorted(lat)  # sorted by latency
    for row in rows.values():
        assert row["ok"] == 2 and row["errors"] == 0
        assert row["latencyMs"] > 0 and 0 < row["ttftMs"] <= row["latencyMs"]
        assert row["tps"] > 0 and row["outputTokens"] > 0
        assert row["blockrun_latency_ms"] > 0 and row["blockrun_tps"] == row["tps"]  # benchmark-merged.json columns
    assert rows[FLASH]["cost"] > 0 and rows[FREE]["cost"] == 0
    assert out["cost"] == pytest.approx(gateway.paid_total(), abs=1e-6)
    assert 0 < out["cost"] <= out["estimatedCost"]  # the estimate shown first is an upper bound
    # every request hit its own model (no fallback), with the published parameters
    chats = gateway.chat_requests()
    bodies = [c.body for c in chats if c.body]
    assert {b["model"] for b in bodies} == {FLASH, FREE}
    assert all(b["max_tokens"] == 256 and b["temperature"] == 0.7 for b in bodies)
    assert len({b["messages"][-1]["content"] for b in bodies if b["model"] == FREE}) == 2  # unique prompts
    # paid like any request: in the usage log as source "bench"
    stats = aggregate_stats(openclaw_home / "blockrun" / "logs")
    assert stats["requests"] == 4 and set(stats["bySource"]) == {"bench"}
    assert stats["cost"] == pytest.approx(out["cost"], abs=1e-6)


def test_bench_models_failures_are_counted_not_fallen_back(gateway, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", TEST_KEY)
    gateway.inject(FLASH, "500", times=None)
    r = runner.invoke(app, ["bench", "models", "--models", f"{FLASH},{FREE}", "--prompts", "1", "--yes"])
    assert r.exit_code == 0, r.output
    assert FLASH in r.stdout and "failed" in r.stdout and "server_error" in r.stdout
    r = runner.invoke(app, ["bench", "models", "--models", f"{FLASH},{FREE}", "--prompts", "1", "--yes", "--json"])
    out = json.loads(r.stdout)
    assert [row["model"] for row in out["results"]] == [FREE, FLASH]  # failed models sort last
    flash = out["results"][1]
    assert flash["ok"] == 0 and flash["errors"] == 2 and flash["latencyMs"] is None and flash["cost"] == 0
    free_calls = [c for c in gateway.chat_requests() if c.model == FREE]
    assert len(free_calls) == 4  # only its own requests: the failing model never fell back to it


def test_bench_models_asks_before_spending(gateway, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", TEST_KEY)
    args = ["bench", "models", "--models", FLASH, "--prompts", "1", "--repeat", "1", "--confirm-above", "0"]
    r = runner.invoke(app, args, input="n\n")
    assert r.exit_code == 1
    assert "estimated cost up to $" in r.stderr and "nothing was spent" in r.stderr
    assert gateway.chat_requests() == []
    r = runner.invoke(app, args + ["--json"], input="y\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["results"][0]["ok"] == 1


def test_bench_models_needs_a_wallet_for_paid_models(gateway):
    r = runner.invoke(app, ["bench", "models", "--models", FLASH, "--prompts", "1", "--yes"])
    assert r.exit_code == 1 and "no wallet" in r.stderr
    assert gateway.chat_requests() == []


def test_bench_models_unknown_model():
    r = runner.invoke(app, ["bench", "models", "--models", "gemini-2.5-flsh", "--yes"])
    assert r.exit_code == 1 and "unknown model" in r.stderr and "gemini-2.5-flash" in r.stderr


# ------------------------------------------------------------------------- proxy
def test_bench_proxy_passes_options_and_prints_json(monkeypatch: pytest.MonkeyPatch):
    import clawcli.bench.proxy as pb

    calls = {}

    def fake(**kw):
        calls.update(kw)
        kw["progress"]("measuring")
        return {"tool": "aiohttp", "cpus": 2, "duration": kw["duration"], "model": kw["model"],
                "c1": {"direct": {"p50Ms": 0.3, "p99Ms": 0.9, "rps": 2000, "requests": 10, "errors": 0},
                       "proxy": {"p50Ms": 1.0, "p99Ms": 3.0, "rps": 900, "requests": 10, "errors": 0},
                       "addedP50Ms": 0.7, "addedP99Ms": 2.1},
                "cN": {"concurrency": kw["concurrency"], "direct": {"p50Ms": 1, "p99Ms": 2, "rps": 9000},
                       "ceiling": {"p50Ms": 3, "p99Ms": 6, "rps": 2000},
                       "proxy": {"p50Ms": 5, "p99Ms": 9, "rps": 1500}, "ratio": 0.75},
                "serverCpuUsPerRequest": 700, "ceilingCpuUsPerRequest": 200,
                "loadAverage": {"start": [3.0], "end": [3.5]}, "busy": True,
                "rssMb": 60, "peakRssMb": 70, "targets": pb.TARGETS}

    monkeypatch.setattr(pb, "run_proxy_bench", fake)
    r = runner.invoke(app, ["bench", "proxy", "--duration", "2", "-c", "8", "--tool", "aiohttp", "--json"])
    assert r.exit_code == 0, r.output
    assert calls["duration"] == 2 and calls["concurrency"] == 8 and calls["tool"] == "aiohttp"
    assert json.loads(r.stdout)["c1"]["addedP50Ms"] == 0.7
    r = runner.invoke(app, ["bench", "proxy", "--duration", "1"])
    assert r.exit_code == 0 and "added p50" in r.stdout and "0.70 ms" in r.stdout
    assert "0.75 of the ceiling" in r.stdout and "busy" in r.stdout
    r = runner.invoke(app, ["bench", "proxy", "--tool", "ab"])
    assert r.exit_code == 2


# ------------------------------------------------------------------------- compress
def test_bench_compress_is_registered():
    r = runner.invoke(app, ["bench", "compress", "--help"])
    assert r.exit_code == 0 and "--mode" in r.stdout
    r = runner.invoke(app, ["bench", "compress", "--mode", "lossy"])
    assert r.exit_code == 2


def test_bench_models_no_stream_matches_the_published_run(gateway):
    r = runner.invoke(app, ["bench", "models", "--models", FREE, "--prompts", "1", "--no-stream", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    row = out["results"][0]
    assert out["method"]["stream"] is False and row["ok"] == 2 and row["ttftMs"] is None
    assert row["latencyMs"] > 0 and row["tps"] > 0
    assert all(c.body.get("stream") is False for c in gateway.chat_requests())
