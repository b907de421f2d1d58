"""`claw bench compress`: how many tokens the compression layers save on a corpus, and how fast.

Registered by the `claw bench` group (clawcli/cli/bench.py). Only typer at module level.
"""

from __future__ import annotations

from pathlib import Path

import typer


def compress(
    file: Path = typer.Option(None, "--file", "-f", help="JSONL of chat requests (default: benchmarks/data/compress-corpus.jsonl)."),
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
    from clawcli.core.compression.bench import default_corpus, load_requests, run_compress_bench
    from clawcli.core.errors import UsageError

    if mode not in ("safe", "aggressive"):
        raise UsageError(f"unknown mode {mode!r}", "use --mode safe or --mode aggressive")
    path = file or default_corpus()
    result = run_compress_bench(load_requests(path), mode, source=str(path), repeat=repeat)
    if json_out:
        from clawcli.cli._app import print_json

        print_json(result)
    else:
        _render(result)
    if result["checks"]["failed"]:
        raise typer.Exit(1)


def _render(r: dict) -> None:
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
