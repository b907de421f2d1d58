"""`claw bench`: routing speed, proxy overhead, per-model gateway speed, compression."""

from __future__ import annotations

from pathlib import Path

import typer

bench_app = typer.Typer(
    name="bench",
    no_args_is_help=True,
    help=(
        "Benchmarks that report numbers: routing speed, proxy overhead, per-model speed.\n\n"
        "Examples:\n\n"
        "  claw bench route -n 50000              # µs per routing decision, no network\n\n"
        "  claw bench proxy --duration 10         # overhead of `claw serve`, loopback\n\n"
        "  claw bench models --models gemini-2.5-flash,kimi-k2.5   # paid: asks first\n\n"
        "  claw bench compress                    # tokens saved by compression"
    ),
)

ROUTE_TARGETS = {"shortP50Us": 30.0, "longP50Us": 1000.0}


def _progress():  # -> rich.progress.Progress on stderr, so --json output stays clean
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from clawcli.cli._app import console

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console(stderr=True), transient=True)


@bench_app.command("route")
def route_cmd(
    file: Path = typer.Option(None, "--file", "-f", help="JSONL of requests ({\"prompt\"} or {\"messages\"}) instead of the built-in corpus."),
    number: int = typer.Option(20_000, "--number", "-n", min=1, help="Decisions to time."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Routing speed: p50/p99 µs per decision and decisions per second (no network).

    Cycles through a built-in mixed corpus (short and 10k-character prompts, nine languages,
    code, maths, design, tools, multi-turn) or your own JSONL file; every timed request is
    unique so no cache can flatter the figure.

    Example: claw bench route -n 50000 --file prompts.jsonl --json
    """
    from clawcli.bench.route import builtin_corpus, load_corpus, run_route_bench

    requests = load_corpus(file) if file else builtin_corpus()
    with _progress() as prog:
        task = prog.add_task("routing", total=number)
        result = run_route_bench(requests, number, progress=lambda k: prog.advance(task, k),
                                 source=str(file) if file else "builtin")
    result["targets"] = ROUTE_TARGETS
    if as_json:
        from clawcli.cli._app import print_json

        print_json(result)
        return
    from rich.table import Table

    from clawcli.cli._app import console

    con = console()
    con.print(f"[bold]{result['decisions']:,} routing decisions[/bold] over {result['distinctRequests']} requests "
              f"({result['corpus']}), every one unique")
    con.print(f"p50 [bold]{result['p50Us']:.1f} µs[/bold]   p99 {result['p99Us']:.1f} µs   mean {result['meanUs']:.1f} µs"
              f"   [bold]{result['decisionsPerSec']:,.0f}[/bold] decisions/s")
    t = Table(show_edge=False, pad_edge=False)
    for col in ("size", "decisions", "p50 µs", "p99 µs", "target p50"):
        t.add_column(col, justify="left" if col == "size" else "right")
    for size, row in result["bySize"].items():
        target = {"short": f"≤ {ROUTE_TARGETS['shortP50Us']:.0f}", "long": f"≤ {ROUTE_TARGETS['longP50Us']:.0f}"}.get(size, "")
        t.add_row(size, f"{row['decisions']:,}", f"{row['p50Us']:.1f}", f"{row['p99Us']:.1f}", target)
    con.print(t)
    con.print("[dim]short < 500 chars, medium < 5,000, long ≥ 5,000; tiers: "
              + ", ".join(f"{k} {v:,}" for k, v in result["tiers"].items()) + "[/dim]")


@bench_app.command("proxy")
def proxy_cmd(
    duration: float = typer.Option(5.0, "--duration", "-d", min=0.5, help="Seconds of load per phase."),
    warmup: float = typer.Option(1.0, "--warmup", min=0.0, help="Warm-up seconds before measuring."),
    concurrency: int = typer.Option(16, "--concurrency", "-c", min=1, help="Connections for the throughput phase."),
    tool: str = typer.Option("auto", "--tool", help="Load generator: auto (wrk if installed), wrk or aiohttp."),
    model: str = typer.Option("auto", "--model", "-m", help="Request model id (auto = classify every request)."),
    rounds: int = typer.Option(3, "--rounds", min=1, help="Interleaved rounds (medians are reported)."),
    stream: bool = typer.Option(True, "--stream/--no-stream", help="Also measure stream: true requests."),
    paid: bool = typer.Option(False, "--paid", help="Also time paid requests through the gateway emulator, "
                              "with pre-authorisation on and off."),
    rtt_ms: float = typer.Option(50.0, "--rtt-ms", min=0.0, help="--paid: latency added to every gateway round trip."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Proxy overhead: `claw serve` beside the ceiling (a Starlette + uvicorn + aiohttp
    pass-through), the bare pass-through (the same without Starlette) and the upstream called
    directly, all in the same interleaved rounds.

    Starts a free local upstream, the ceiling and `claw serve` in throwaway homes (your wallet and
    usage log are not touched), then measures added p50/p99 latency at c=1 (and for stream: true),
    throughput at c=N as a ratio to the ceiling, CPU per request, RSS, and how much CPU other work
    on the machine took during the run (a busy machine is noted). --paid --rtt-ms 50 adds paid
    requests through a gateway 50 ms away.

    Example: claw bench proxy --duration 10 --concurrency 32 --paid --json
    """
    from clawcli.core.errors import UsageError
    from clawcli.bench.proxy import run_proxy_bench

    if tool not in ("auto", "wrk", "aiohttp"):
        raise UsageError(f"unknown load tool {tool!r}", "use auto, wrk or aiohttp")
    from clawcli.cli._app import console

    err = console(stderr=True)
    with err.status("starting the proxy benchmark") as status:
        result = run_proxy_bench(duration=duration, warmup=warmup, concurrency=concurrency, tool=tool, model=model,
                                 rounds=rounds, stream=stream, progress=lambda msg: status.update(str(msg)))
        if paid:
            from clawcli.bench.proxy_paid import run_paid_bench

            result["paid"] = run_paid_bench(rtt_ms=rtt_ms, progress=lambda msg: status.update(str(msg)))
    if as_json:
        from clawcli.cli._app import print_json

        print_json(result)
        return
    _print_proxy(result)


def _print_proxy(r: dict) -> None:
    from rich.table import Table

    from clawcli.cli._app import console

    con = console()
    targets = r.get("targets", {})
    c1, cn, st = r.get("c1", {}), r.get("cN", {}), r.get("stream") or {}
    con.print(f"[bold]Proxy overhead[/bold] ({r.get('tool')}, {r.get('cpus')} CPUs, {r.get('duration')} s per phase, "
              f"model {r.get('model')})")
    t = Table(show_edge=False, pad_edge=False)
    for col in ("phase", "endpoint", "p50 ms", "p99 ms", "req/s", "errors"):
        t.add_column(col, justify="left" if col in ("phase", "endpoint") else "right")
    for label, block in (("c=1", c1), ("stream", st), (f"c={cn.get('concurrency', '?')}", cn)):
        for who in ("direct", "ceiling", "bare", "proxy"):
            row = block.get(who)
            if row:
                t.add_row(label, who, _f(row.get("p50Ms"), 2), _f(row.get("p99Ms"), 2), _f(row.get("rps"), 0),
                          str(row.get("errors", "")))
    con.print(t)
    con.print(f"added p50 [bold]{_f(c1.get('addedP50Ms'), 2)} ms[/bold] (target ≤ {targets.get('addedP50Ms', '-')}; "
              f"ceiling {_f(c1.get('ceilingAddedP50Ms'), 2)} ms), added p99 {_f(c1.get('addedP99Ms'), 2)} ms")
    if st:
        con.print(f"stream added p50 [bold]{_f(st.get('addedP50Ms'), 2)} ms[/bold] "
                  f"(target ≤ {targets.get('streamAddedP50Ms', '-')}; ceiling {_f(st.get('ceilingAddedP50Ms'), 2)} ms)")
    if cn.get("ratio") is not None:
        con.print(f"throughput [bold]{_f(cn['ratio'], 2)}[/bold] of the ceiling (target ≥ {targets.get('rpsRatio', '-')}); "
                  f"CPU per request: proxy {_f(r.get('serverCpuUsPerRequest'), 0)} µs, "
                  f"ceiling {_f(r.get('ceilingCpuUsPerRequest'), 0)} µs"
                  + (f", bare {_f(r.get('bareCpuUsPerRequest'), 0)} µs ({_f(cn.get('bareRatio'), 2)} of its "
                     "throughput)" if r.get("bareCpuUsPerRequest") is not None else ""))
    con.print(f"RSS {_f(r.get('rssMb'), 0)} MB, peak {_f(r.get('peakRssMb'), 0)} MB (≤ {targets.get('rssMb', '-')})")
    load = r.get("loadAverage")
    if load:
        other = r.get("otherCpus")
        con.print(f"load average {load.get('start')} → {load.get('end')}"
                  + (f"; other work on the machine {other:.2f} CPUs" if other is not None else "")
                  + (" [yellow](the machine was busy: absolute figures are noisy, compare the ratios)[/yellow]"
                     if r.get("busy") else ""))
    if r.get("paid"):
        from clawcli.bench.proxy_paid import format_paid

        con.print(format_paid(r["paid"]).strip())


def _f(x, nd: int) -> str:
    if x is None:
        return "-"
    try:
        return f"{float(x):,.{nd}f}"
    except (TypeError, ValueError):
        return str(x)


@bench_app.command("models")
def models_cmd(
    models: str = typer.Option(None, "--models", "-m", help="Comma-separated model ids or aliases ('all' = the catalog). "
                               "Default: the first model of each `auto` tier."),
    prompts: int = typer.Option(3, "--prompts", "-p", min=1, max=3, help="How many of the three coding prompts."),
    repeat: int = typer.Option(2, "--repeat", "-r", min=1, help="Requests per model per prompt."),
    max_tokens: int = typer.Option(256, "--max-tokens", min=1, help="max_tokens of every request."),
    stream: bool = typer.Option(True, "--stream/--no-stream", help="Stream (measures time to first token); "
                                "--no-stream repeats the published run exactly."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before spending."),
    confirm_above: float = typer.Option(0.10, "--confirm-above", min=0.0, help="Ask first when the estimate is above this (USD)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (rows comparable to benchmark-merged.json)."),
) -> None:
    """Per-model latency, time to first token and tokens/s through the gateway. Paid per request.

    The published method: three Python coding prompts (IPv4 validation, LCS, LRU cache), two
    requests per model per prompt, 256 max tokens, temperature 0.7, each request pinned to its
    model (no fallback). Shows the estimated cost first and asks above --confirm-above.

    Example: claw bench models --models gemini-2.5-flash,deepseek-chat --repeat 1 --yes --json
    """
    import asyncio

    import click

    from clawcli.bench.models import plan_models_bench, run_models_bench
    from clawcli.core.catalog import Catalog
    from clawcli.core.config import load_settings
    from clawcli.core.errors import ClawError, WalletError
    from clawcli.core.paths import Paths

    from clawcli.core.errors import UsageError

    if models is not None and not models.replace(",", "").strip():
        # an empty `--models "$M"` used to mean "the default set" and spend money on it
        raise UsageError("--models is empty", "name models (--models gemini-2.5-flash,kimi-k2.5) or drop the flag")
    paths = Paths.from_env()
    settings = load_settings(paths)
    catalog = Catalog.load(paths.catalog_cache)
    plan = plan_models_bench(catalog, models.split(",") if models else None, prompts=prompts, repeat=repeat,
                             max_tokens=max_tokens, stream=stream)
    est = plan.estimated_cost
    typer.echo(f"{len(plan.models)} models × {len(plan.prompts)} prompts × {plan.repeat} = {plan.requests} paid requests "
               f"({plan.max_tokens} max tokens): estimated cost up to ${est:.4f}", err=True)
    if est > confirm_above and not yes:
        try:
            click.confirm(f"Spend up to ${est:.4f} on this benchmark?", abort=True, err=True)
        except click.exceptions.Abort:
            raise ClawError("benchmark cancelled: nothing was spent",
                            f"pass --yes to skip the question, or --confirm-above {est:.2f}") from None

    payer, chain = None, "base"
    if any(not catalog.get(m).is_free for m in plan.models):
        from clawcli.core.wallet import resolve_wallet
        from clawcli.core.x402.wallet_payer import payer_from_settings

        wallet = resolve_wallet(paths)
        if wallet is None:
            raise WalletError("no wallet yet: the benchmark pays for every request",
                              "run `claw wallet create` and fund it (`claw wallet fund`), or benchmark the free model")
        payer = payer_from_settings(wallet, settings, paths)
        chain = wallet.chain or "base"

    async def go() -> dict:
        from clawcli.core.upstream import Engine

        engine = Engine(settings, paths, catalog=catalog, payer=payer, chain=chain)
        try:
            with _progress() as prog:
                task = prog.add_task("benchmarking", total=plan.requests)

                def step(model: str, sample: dict) -> None:
                    prog.update(task, advance=1, description=model)

                return await run_models_bench(engine, plan, progress=step)
        finally:
            await engine.aclose()

    result = asyncio.run(go())
    if as_json:
        from clawcli.cli._app import print_json

        print_json(result)
    else:
        _print_models(result)
    if result["results"] and not any(row["ok"] for row in result["results"]):
        # a table of zeros with exit 0 looks like a measurement; it is an outage
        raise ClawError("every benchmark request failed: nothing was measured",
                        "check the gateway (CLAWCLI_GATEWAY_URL), your network and the wallet balance")


def _print_models(r: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from clawcli.cli._app import console

    con = console()
    t = Table(title=f"{r['requests']} requests through {r.get('gateway')}", title_justify="left",
              show_edge=False, pad_edge=False)
    t.add_column("model", no_wrap=True)
    for col in ("ok", "latency", "TTFT", "tok/s", "cost"):
        t.add_column(col, justify="right")
    for row in r["results"]:
        ok = f"{row['ok']}/{row['requests']}"
        t.add_row(escape(row["model"]), ok if not row["errors"] else f"[red]{ok}[/red]",
                  f"{row['latencyMs']:,.0f} ms" if row["latencyMs"] is not None else "-",
                  f"{row['ttftMs']:,.0f} ms" if row["ttftMs"] is not None else "-",
                  _f(row["tps"], 1), f"${row['cost']:.4f}")
    con.print(t)
    con.print(f"paid [bold]${r['cost']:.4f}[/bold] (estimated up to ${r['estimatedCost']:.4f}); "
              f"median of {r['method']['requestsPerPromptPerModel']} × {len(r['method']['prompts'])} requests, "
              f"{r['method']['maxTokens']} max tokens, temperature {r['method']['temperature']}")
    for row in r["results"]:
        if row["errors"]:
            con.print(f"[red]{escape(row['model'])}[/red]: {row['errors']} failed ("
                      + ", ".join(f"{k} {v}" for k, v in row["errorClasses"].items()) + ")")


@bench_app.command("compress")
def compress_cmd(
    file: Path = typer.Option(None, "--file", "-f", help="JSONL of chat requests, optionally .gz (default: the corpus shipped with clawcli)."),
    mode: str = typer.Option("safe", "--mode", "-m", help="safe (layers 1-3) or aggressive (all seven)."),
    repeat: int = typer.Option(3, "--repeat", "-r", min=1, max=20, help="Timed runs per request (best is kept)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Token savings of request compression: before/after, per layer, time per KB, checks.

    Every request is compressed as `claw ask`/`claw serve` would (safe applies above 8 KB of
    messages) and then verified: safe results must be semantically identical (JSON equal, code
    fences and indentation unchanged, last user message byte-identical); aggressive results
    must keep the never-touch list and explain every code in their legend.

    Example: claw bench compress --mode aggressive --json
    """
    from clawcli.bench.compress import default_corpus, load_requests, run_compress_bench
    from clawcli.core.errors import UsageError

    if mode not in ("safe", "aggressive"):
        raise UsageError(f"unknown mode {mode!r}", "use --mode safe or --mode aggressive")
    path = file or default_corpus()
    result = run_compress_bench(load_requests(path), mode, source=str(path), repeat=repeat)
    if json_out:
        from clawcli.cli._app import print_json

        print_json(result)
    else:
        _render_compress(result)
    if result["checks"]["failed"]:
        raise typer.Exit(1)


def _render_compress(r: dict) -> None:
    from rich.table import Table

    from clawcli.cli._app import console

    con = console()
    con.print(f"[bold]{r['requests']} requests[/bold] ({r['corpus']}), mode [bold]{r['mode']}[/bold]: "
              f"{r['compressed']} compressed, {r['skipped']} below the threshold")
    con.print(f"tokens {r['tokensBefore']:,} → {r['tokensAfter']:,}  "
              f"[bold]−{r['reduction'] * 100:.1f}%[/bold]   chars {r['charsBefore']:,} → {r['charsAfter']:,} "
              f"(−{r['charsReduction'] * 100:.1f}%)   target ≥ {r['target'] * 100:.0f}%: "
              + ("[green]met[/green]" if r["targetMet"] else "[red]not met[/red]"))
    t = Table(show_edge=False, pad_edge=False)
    for col in ("#", "layer", "tokens saved", "share", "chars saved", "messages"):
        t.add_column(col, justify="left" if col == "layer" else "right")
    for row in r["layers"]:
        t.add_row(str(row["number"]), row["layer"], f"{row['tokensSaved']:,}", f"{row['share'] * 100:.1f}%",
                  f"{row['charsSaved']:,}", str(row["messages"]))
    con.print(t)
    tm = r["time"]
    con.print(f"time {tm['usPerKb']:.1f} µs/KB overall, p50 {tm['p50UsPerKb']:.1f}, max {tm['maxUsPerKb']:.1f} "
              f"(router budget ~{tm['classifierBudgetUsPerKb']:.0f} µs/KB); total {tm['totalMs']:.1f} ms")
    ps = r["prefixStable"]
    if ps["pairs"]:
        con.print(f"prompt-cache friendly: {ps['stable']} of {ps['pairs']} consecutive calls keep the compressed "
                  "history they share byte-identical")
    ck = r["checks"]
    if ck["failed"]:
        con.print(f"[red]{ck['failed']} of {ck['requests']} requests failed the {ck['kind']} check[/red]")
        for p in ck["problems"]:
            con.print(f"  {p}")
    else:
        con.print(f"{ck['kind']} check: all {ck['requests']} requests pass")
