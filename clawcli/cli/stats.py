"""`claw stats`: where the money went, from the usage logs (ours and ClawRouter's)."""

from __future__ import annotations

import typer

BY_CHOICES = ("model", "tier", "day", "provider", "source", "session")


def stats(
    since: str = typer.Option(None, "--since", "-s", help="Start: 30m, 24h, 7d, 2w, a date (2026-11-01), an ISO time, or all."),
    until: str = typer.Option(None, "--until", "-u", help="End (exclusive; a bare date includes that day)."),
    days: int = typer.Option(None, "--days", "-d", min=1, help="The last N calendar days (UTC), today included."),
    by: str = typer.Option(None, "--by", "-b", help="Break down by: model, tier, day, provider, source or session."),
    top: int = typer.Option(15, "--top", "-n", min=1, help="Rows per table in the terminal view."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (the same as `GET /stats`)."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the --by breakdown (default: model) as CSV."),
) -> None:
    """Cost, baseline, savings, errors and latency from the usage logs.

    Reads every usage-*.jsonl in the logs directory (shared with ClawRouter) in one streaming
    pass; unreadable lines are skipped and counted. Only settled payments count as cost;
    savings compare answered requests with what the baseline model would have cost.

    Examples:

      claw stats                       # everything, with a daily cost chart

      claw stats --since 7d --by tier

      claw stats --days 30 --json | jq .savings

      claw stats --since 2026-11-01 --until 2026-11-30 --by day --csv > november.csv
    """
    import datetime as dt

    from clawcli.core.errors import UsageError
    from clawcli.core.paths import Paths
    from clawcli.core.usage.aggregate import aggregate_stats
    from clawcli.core.usage.reader import log_files

    if by is not None and by not in BY_CHOICES:
        raise UsageError(f"cannot break down by {by!r}", "use one of: " + ", ".join(BY_CHOICES))
    if as_json and as_csv:
        raise UsageError("--json and --csv cannot be combined", "pick one output format")
    if days is not None and since is not None:
        raise UsageError("--days and --since cannot be combined", "--days 7 means --since <6 days ago, midnight UTC>")
    now = dt.datetime.now(dt.timezone.utc)
    if days is not None:
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        since = (today - dt.timedelta(days=days - 1)).isoformat()
    paths = Paths.from_env()
    from clawcli.core.config import load_settings

    # savings are measured against the configured baseline model (which itself saves nothing)
    result = aggregate_stats(paths, since=since, until=until, by=by, now=now,
                             baseline_model=load_settings(paths).baseline_model)
    has_logs = bool(log_files(paths.logs_dir))
    if as_json:
        from clawcli.cli._app import print_json

        if by:
            result["by"] = by
        print_json(result)
        if not has_logs:
            typer.echo(_no_logs_line(paths.logs_dir), err=True)
        return
    if as_csv:
        _print_csv(result, by or "model")
        if not has_logs:
            typer.echo(_no_logs_line(paths.logs_dir), err=True)
        return
    if not has_logs:
        typer.echo(_no_logs_line(paths.logs_dir))
        return
    _render(result, by=by, top=top)


def _no_logs_line(logs_dir) -> str:
    return (f"No usage logs yet. They will appear in {logs_dir} "
            "(one usage-YYYY-MM-DD.jsonl per day) once you run `claw ask` or `claw serve`.")


def _print_csv(result: dict, by: str) -> None:
    import csv
    import sys

    from clawcli.core.usage.aggregate import ROW_FIELDS, breakdown

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow([by, *ROW_FIELDS])
    for key, row in breakdown(result, by).items():
        w.writerow([key, *("" if row.get(f) is None else row.get(f) for f in ROW_FIELDS)])


# ---------------------------------------------------------------------------- terminal view
_BLOCKS = " ▏▎▍▌▋▊▉█"
_CHART_WIDTH = 40
_CHART_DAYS = 31


def _usd(x: float) -> str:
    return f"${x:,.4f}" if abs(x) < 1000 else f"${x:,.2f}"


def _ms(x) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}ms" if x < 1000 else f"{x / 1000:,.2f}s"


def _bar(value: float, peak: float, width: int = _CHART_WIDTH) -> str:
    if peak <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / peak * width * 8))  # a non-zero day always shows something
    full, rest = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[rest] if rest else "")


def _days_between(first: str, last: str) -> list[str]:
    import datetime as dt

    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [(a + dt.timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def _group_table(title: str, label: str, rows: dict, top: int, width: int = 100):
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    items = list(rows.items())
    cells = []
    for key, r in items[:top]:
        cells.append([
            key, f"{r['requests']:,}", _usd(r["cost"]), f"{r['share'] * 100:.1f}%",
            f"{r['savings'] * 100:.1f}%" if r["baselineCost"] else "-",
            _ms(r["avgLatencyMs"]), _ms(r["p95LatencyMs"]), f"{r['errors']:,}",
        ])
    if len(items) > top:
        rest = items[top:]
        cells.append([f"… {len(rest)} more", f"{sum(r['requests'] for _, r in rest):,}",
                      _usd(sum(r["cost"] for _, r in rest)), "", "", "", "", ""])
    t = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
              show_edge=False, pad_edge=False)
    # on a narrow terminal the id gets an ellipsis; the numbers never do
    cols = {"requests": 1, "cost": 2, "share": 3, "saved": 4, "avg": 5, "p95": 6, "errors": 7}
    key_width = max([len(label)] + [len(c[0]) for c in cells])
    for drop in (None, "avg", "saved", "share"):  # a narrow terminal loses these first
        if drop:
            del cols[drop]
        widths = {n: max([len(n)] + [len(c[i]) for c in cells]) for n, i in cols.items()}
        room = width - sum(widths.values()) - 3 * len(cols) - 1  # padding + separator per column
        if room >= min(key_width, 28):
            break
    t.add_column(label, overflow="ellipsis", no_wrap=True, max_width=max(12, room))
    for n in cols:
        t.add_column(n, justify="right", no_wrap=True, min_width=widths[n])
    keep = [0, *cols.values()]
    for c in cells:
        if c[7] not in ("0", ""):
            c[7] = f"[red]{c[7]}[/red]"
        # keys come from the log files (model ids, tiers): "[/]" there was read as rich markup
        t.add_row(*(escape(c[i]) if i == 0 else c[i] for i in keep))
    return t


def _render(result: dict, *, by: str | None, top: int) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from clawcli.cli._app import console
    from clawcli.core.usage.aggregate import breakdown

    con = console()
    period = result.get("period") or {}
    span = " ".join(f"{k} {period[k][:16].replace('T', ' ')}" for k in ("since", "until") if period.get(k))
    span = f"{span} UTC" if span else "(all time)"
    files = result.get("files", 0)
    con.print(f"[bold]Usage[/bold] {span}  [dim]({files} log file{'' if files == 1 else 's'} in {escape(str(result.get('logsDir')))})[/dim]")
    n = result["requests"]
    if not n:
        con.print("No requests in this period.")
        _skipped_note(con, result)
        return
    lat = result["latency"]
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(justify="right")
    head.add_column(style="dim")
    head.add_row("Requests", f"{n:,}", f"{result['answered']:,} answered, {result['failed']:,} failed")
    failed_cost = result.get("failedCost", 0.0)
    head.add_row("Paid", _usd(result["cost"]), "settled payments only" + (
        f", {_usd(failed_cost)} of it on failed requests" if failed_cost else ""))
    head.add_row("Baseline", _usd(result["baselineCost"]), "the same answered requests on the baseline model")
    saved = result["savingsUsd"]
    head.add_row("Saved", f"[green]{_usd(saved)}[/green]" if saved >= 0 else f"[red]{_usd(saved)}[/red]",
                 f"{result['savings'] * 100:.1f}%")
    head.add_row("Latency", f"p50 {_ms(lat['p50Ms'])}", f"p95 {_ms(lat['p95Ms'])}, avg {_ms(lat['avgMs'])}")
    con.print(head)
    con.print()
    dims = (by,) if by else ("model", "tier")
    for dim in dims:
        con.print(_group_table(f"By {dim}", dim, breakdown(result, dim), top, con.width))
        con.print()

    errors = result["errors"]
    if errors["events"] or errors["failedRequests"]:
        t = Table(title="Errors by provider", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
        t.add_column("provider")
        t.add_column("errors", justify="right")
        t.add_column("by class")
        for prov, e in list(errors["byProvider"].items())[:top]:
            t.add_row(escape(prov), f"{e['total']:,}", escape(", ".join(f"{c} {k}" for c, k in e["byClass"].items())))
        con.print(t)
        con.print(f"[dim]{errors['failedRequests']:,} requests got no answer"
                  f" ({errors['blocked']:,} blocked by the spend policy)[/dim]")
        con.print()
    fb = result["fallbacks"]
    if fb["requests"]:
        con.print(f"[bold]Fallbacks taken[/bold]: {fb['requests']:,}")
        for r in fb["routes"][:min(top, 5)]:
            con.print(f"  {escape(str(r['from']))} → {escape(str(r['to']))}  [dim]×{r['count']:,}[/dim]")
        con.print()

    days = breakdown(result, "day")
    if days and by != "day":
        all_days = _days_between(min(days), max(days))
        shown = all_days[-_CHART_DAYS:]
        peak = max((days.get(d, {}).get("cost", 0.0) for d in shown), default=0.0)
        note = f" [dim](last {len(shown)} of {len(all_days)} days)[/dim]" if len(shown) < len(all_days) else ""
        con.print(f"[bold]Cost per day[/bold]{note}")
        for d in shown:
            r = days.get(d)
            cost = r["cost"] if r else 0.0
            reqs = r["requests"] if r else 0
            con.print(f"  {d}  [cyan]{_bar(cost, peak):<{_CHART_WIDTH}}[/cyan]  {_usd(cost):>10}  [dim]{reqs:,} req[/dim]",
                      highlight=False)
    _skipped_note(con, result)


def _skipped_note(con, result: dict) -> None:
    if result.get("skippedLines"):
        con.print(f"[yellow]Skipped {result['skippedLines']:,} unreadable log lines.[/yellow]")
    claims = result.get("gatewayClaims")
    if claims:  # cost is what was signed and settled; a gateway claiming otherwise is worth knowing
        con.print(f"[yellow]Warning: in {claims['requests']:,} requests the gateway claimed "
                  f"{_usd(claims['claimedCost'])} where {_usd(claims['recordedCost'])} was signed and settled "
                  "(counted above); see gatewayClaimedCost in the usage log.[/yellow]", highlight=False)
