"""`claw models`: the model catalog."""

from __future__ import annotations

import typer


def _fmt_ctx(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (f"{n / 1_000_000:.2f}M" if n >= 1_000_000 else f"{n // 1000}k")


def models(
    json_out: bool = typer.Option(False, "--json", "-j", help="Print the catalog as a JSON list."),
    refresh: bool = typer.Option(False, "--refresh", "-r", help="Merge the gateway's /v1/models (prices, new models) into the cached catalog."),
    profiles: bool = typer.Option(False, "--profiles", help="Show the profile tables (tier → model chain) instead."),
) -> None:
    """List the models clawcli can route to: ids, aliases, prices, context, capabilities, tiers.

    Examples:

      claw models

      claw models --json | jq '.[] | select(.capabilities.vision) | .id'

      claw models --refresh        # pick up new models and prices from the gateway
    """
    from clawcli.cli._app import console, print_json
    from clawcli.core.catalog import Catalog
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    if refresh:
        from clawcli.core.catalog_refresh import refresh as do_refresh

        settings = load_settings(paths)
        try:
            chain = paths.payment_chain_file.read_text("utf-8").strip() or "base"
        except OSError:
            chain = "base"
        changes = do_refresh(settings.gateway_for(chain), paths.catalog_cache)
        typer.echo(
            f"catalog refreshed: {len(changes['added'])} new, {len(changes['updated'])} repriced "
            f"(cached in {paths.catalog_cache})",
            err=True,
        )
    catalog = Catalog.load(paths.catalog_cache)

    if profiles:
        if json_out:
            print_json(catalog.profiles)
            return
        from rich.markup import escape
        from rich.table import Table

        for name, tiers in catalog.profiles.items():
            t = Table(title=f"profile {name}", title_justify="left")
            t.add_column("tier")
            t.add_column("chain (primary first)")
            for tier, chain in tiers.items():
                t.add_row(escape(tier), escape(" → ".join(chain)))
            console().print(t)
        return

    rows = []
    for m in sorted(catalog.models.values(), key=lambda m: (m.provider, m.input_price, m.id)):
        d = m.to_dict()
        d["tiers"] = catalog.tiers_using(m.id)
        d["free"] = m.is_free
        rows.append(d)
    if json_out:
        print_json(rows)
        return
    from rich.markup import escape
    from rich.table import Table

    con = console()
    # on a narrow terminal the least useful columns go first, so the prices always stay visible
    # (rich squeezed every column to nothing at 60 columns); ids fold onto a second line if needed
    cols = [c for c, min_width in (("id", 0), ("aliases", 110), ("$/M in", 0), ("$/M out", 0),
                                   ("context", 72), ("flags", 0), ("primary in", 130)) if con.width >= min_width]
    from rich import box

    # ids and aliases can come from the gateway (`--refresh`): "[/]" in one was read as rich markup
    t = Table(title=escape(f"{len(rows)} models ({catalog.source})"), title_justify="left",
              box=box.HEAVY_HEAD if con.width >= 80 else box.SIMPLE_HEAD)
    for col in cols:
        t.add_column(col, justify="right" if col in ("$/M in", "$/M out", "context") else "left",
                     no_wrap=col != "id" and col != "primary in" and col != "aliases",
                     overflow="fold" if col == "id" else "ellipsis")
    for d in rows:
        caps = d["capabilities"]
        flags = "".join(c for c, on in (("T", caps["tools"]), ("V", caps["vision"]), ("R", caps["reasoning"]), ("A", caps["agentic"])) if on)
        cells = {
            "id": escape(d["id"]),
            "aliases": escape(", ".join(d["aliases"][:2]) + (f" +{len(d['aliases']) - 2}" if len(d["aliases"]) > 2 else "")),
            "$/M in": "free" if d["free"] else f"{d['inputPrice']:g}",
            "$/M out": "free" if d["free"] else f"{d['outputPrice']:g}",
            "context": _fmt_ctx(d["contextWindow"]), "flags": flags, "primary in": escape(", ".join(d["tiers"])),
        }
        t.add_row(*(cells[c] for c in cols))
    con.print(t)
    con.print("[dim]flags: T tools, V vision, R reasoning, A agentic · profiles: auto, eco, premium, free, agentic[/]")
