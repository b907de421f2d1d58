"""`claw wallet`: addresses, balances, funding, backup and restore, spend limits."""

from __future__ import annotations

import sys
from typing import Any

import typer

wallet_app = typer.Typer(
    name="wallet",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_show_locals=False,
    help=(
        "Your USDC wallet: addresses, balances, funding, backup and restore, spend limits.\n\n"
        "Examples:\n\n"
        "  claw wallet                      # both addresses, balances, key file\n\n"
        "  claw wallet fund                 # where and how to send USDC (with a QR code)\n\n"
        "  claw wallet export --show-secret # print the mnemonic and key for a backup\n\n"
        "  claw wallet limits --daily 5     # refuse to sign more than $5 per 24 h"
    ),
)

JSON_OPT = typer.Option(False, "--json", "-j", help="Print machine-readable JSON.")


def _ctx() -> tuple[Any, Any]:
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    return paths, load_settings(paths)


def _out(obj: Any) -> None:
    from clawcli.cli._app import print_json

    print_json(obj)


def _num(d: Any) -> float | None:
    return None if d is None else float(d)


def _money(d: Any, checked: bool = True) -> str:
    if not checked:
        return ""
    return "balance unknown" if d is None else f"${d:,.2f} USDC"


def _warn(lines: Any) -> None:
    from clawcli.cli._app import notice

    for line in lines:
        notice(f"warning: {line}")


@wallet_app.callback()
def status(
    ctx: typer.Context,
    json_out: bool = JSON_OPT,
    no_balance: bool = typer.Option(False, "--no-balance", help="Skip the balance lookups (no network)."),
) -> None:
    """Show both addresses, the active chain, USDC balances and the key file."""
    if ctx.invoked_subcommand is not None:
        return
    from clawcli.core.wallet import (
        BalanceCache,
        fetch_balances,
        read_chain,
        resolve_wallet,
    )

    paths, settings = _ctx()
    wallet = resolve_wallet(paths)
    if wallet is None:
        if json_out:
            _out({"exists": False, "evm": {"address": None, "balance": None},
                  "solana": {"address": None, "balance": None}, "chain": read_chain(paths),
                  "keyFile": str(paths.wallet_key_file)})
        else:
            typer.echo("No wallet yet. Create one with `claw wallet create` "
                       "(or restore one with `claw wallet import --mnemonic -`).")
        return
    balances = None
    if not no_balance:
        balances = fetch_balances(
            wallet.evm_address, wallet.solana_address,
            base_rpc_url=settings.base_rpc_url, solana_rpc_url=settings.solana_rpc_url,
            testnet=settings.testnet, cache=BalanceCache(paths.cache_dir / "balances.json"),
        )
    offline = None
    if balances is not None and balances.errors:
        offline = "balance unknown (offline?) — " + "; ".join(
            f"{'base' if k == 'evm' else k}: {v}" for k, v in balances.errors.items())
    if json_out:
        d = wallet.to_dict()
        d["exists"] = True
        d["evm"]["balance"] = _num(balances.evm) if balances else None
        d["solana"]["balance"] = _num(balances.solana) if balances else None
        d["balanceError"] = offline
        _out(d)
        return
    label = "Solana" if wallet.chain == "solana" else "Base"
    typer.echo(f"Wallet (payments on {label}{' Sepolia' if settings.testnet and label == 'Base' else ''})")
    checked = balances is not None
    typer.echo(f"  Base (EVM)  {wallet.evm_address}   {_money(balances and balances.evm, checked)}".rstrip())
    if wallet.solana_address:
        typer.echo(f"  Solana      {wallet.solana_address}   {_money(balances and balances.solana, checked)}".rstrip())
    else:
        typer.echo("  Solana      (no mnemonic: no Solana address)")
    if wallet.source == "file":
        typer.echo(f"  Key file    {wallet.key_file}")
    else:
        typer.echo(f"  Key from    {wallet.source[4:]} (environment; not stored on disk)")
    if wallet.has_mnemonic:
        typer.echo(f"  Mnemonic    {wallet.mnemonic_file}")
    if offline:
        from clawcli.cli._app import notice

        notice(offline)
    _warn(wallet.warnings)
    typer.echo("Fund it: `claw wallet fund`   Back it up: `claw wallet export --show-secret`")


def _change_out(change: Any, json_out: bool, verb: str) -> None:
    w = change.wallet
    if json_out:
        d = w.to_dict()
        d["changed"] = change.created
        d["backups"] = [str(p) for p in change.backups]
        _out(d)
        return
    for b in change.backups:
        typer.echo(f"Backed up the previous file to {b}")
    if not change.created:
        typer.echo(f"Nothing to do: {w.key_file} already holds this wallet.")
    else:
        typer.echo(f"{verb} {w.key_file}")
    typer.echo(f"  Base (EVM)  {w.evm_address}")
    if w.solana_address:
        typer.echo(f"  Solana      {w.solana_address}")
    _warn(w.warnings)


@wallet_app.command("create")
def create(
    force: bool = typer.Option(False, "--force", help="Replace an existing wallet (backed up first)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Create a new wallet: 24 BIP-39 words, EVM and Solana keys derived from them.

    Refuses when a wallet exists. Example: claw wallet create
    """
    from clawcli.core.wallet import banner_lines, create_wallet

    paths, settings = _ctx()
    change = create_wallet(paths, force=force)
    if json_out:
        _change_out(change, True, "Created")
        return
    for b in change.backups:
        typer.echo(f"Backed up the previous file to {b}")
    typer.echo("\n".join(banner_lines(change.wallet, settings)))


def _read_secret(what: str) -> str:
    stream = typer.get_text_stream("stdin")
    if stream.isatty():
        return typer.prompt(f"Paste the {what} (hidden)", hide_input=True, err=True)
    return stream.read()


@wallet_app.command("import")
def import_(
    mnemonic: str = typer.Option(None, "--mnemonic", "-m", help="`-`: read the BIP-39 words from stdin."),
    key: str = typer.Option(None, "--key", "-k", help="`-`: read the 0x EVM private key from stdin."),
    force: bool = typer.Option(False, "--force", help="Replace an existing wallet (backed up first)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Restore a wallet from its mnemonic or its EVM key, read from stdin (never argv).

    Refuses when a wallet exists unless --force (which backs the old files up first; with
    --key, a mnemonic of another wallet is backed up and removed so the Solana address cannot
    belong to a different wallet). On a terminal the secret is prompted for, hidden.

    Example: claw wallet import --mnemonic - < words.txt
    """
    from clawcli.core.errors import UsageError
    from clawcli.core.wallet import import_key, import_mnemonic

    if (mnemonic is None) == (key is None):
        raise UsageError("give exactly one of --mnemonic - or --key -")
    if (mnemonic or key) != "-":
        # a secret on the command line ends up in shell history and `ps`
        raise UsageError(
            "secrets are read from stdin only: pass `-` and pipe the secret in",
            "example: claw wallet import --mnemonic - < words.txt",
        )
    paths, _ = _ctx()
    if mnemonic is not None:
        change = import_mnemonic(paths, _read_secret("mnemonic"), force=force)
    else:
        change = import_key(paths, _read_secret("private key"), force=force)
    _change_out(change, json_out, "Imported the wallet into")


def _is_tty() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@wallet_app.command("export")
def export(
    show_secret: bool = typer.Option(False, "--show-secret", help="Actually print the mnemonic and key."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation on a terminal."),
    json_out: bool = JSON_OPT,
) -> None:
    """Print the wallet's secrets for a backup (only with --show-secret).

    Example: claw wallet export --show-secret > backup.txt && chmod 600 backup.txt
    """
    from clawcli.core.wallet import read_mnemonic, require_wallet

    paths, _ = _ctx()
    wallet = require_wallet(paths)
    if not show_secret:
        if json_out:
            d = wallet.to_dict()
            d["secretsShown"] = False
            _out(d)
        else:
            typer.echo(f"EVM address     {wallet.evm_address}")
            if wallet.solana_address:
                typer.echo(f"Solana address  {wallet.solana_address}")
            typer.echo("Secrets hidden: add --show-secret to print the private key and mnemonic.")
        return
    if _is_tty() and not yes:
        typer.confirm(
            "This prints your private key and mnemonic; anyone who sees them can take the funds. Continue?",
            abort=True, err=True,
        )
    mnemonic = read_mnemonic(paths) if wallet.has_mnemonic else None
    if json_out:
        _out({
            "evm": {"address": wallet.evm_address, "privateKey": wallet.evm_key},
            "solana": {"address": wallet.solana_address},
            "mnemonic": mnemonic,
            "secretsShown": True,
        })
        return
    typer.echo("KEEP THIS SECRET. Anyone with these words or this key controls the funds.")
    typer.echo(f"EVM address      {wallet.evm_address}")
    typer.echo(f"EVM private key  {wallet.evm_key}")
    if mnemonic:
        typer.echo(f"Solana address   {wallet.solana_address}")
        typer.echo(f"Mnemonic         {mnemonic}")
    typer.echo("Restore with: claw wallet import --mnemonic -   (or --key -), the secret on stdin")


@wallet_app.command("recover")
def recover(
    force: bool = typer.Option(False, "--force", help="Replace an existing wallet.key (backed up first)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Re-create wallet.key from the mnemonic file (m/44'/60'/0'/0/0).

    Works when the mnemonic was generated by clawcli or ClawRouter. Example: claw wallet recover
    """
    from clawcli.core.wallet import recover_wallet

    paths, _ = _ctx()
    change = recover_wallet(paths, force=force)
    _change_out(change, json_out, "Recovered the EVM key into")


@wallet_app.command("chain")
def chain(
    name: str = typer.Argument(..., metavar="base|solana", help="The chain to pay on."),
    json_out: bool = JSON_OPT,
) -> None:
    """Choose the payment chain (persisted in payment-chain, shared with ClawRouter).

    Example: claw wallet chain base
    """
    import importlib.util

    from clawcli.core.wallet import set_chain

    paths, _ = _ctx()
    wallet = set_chain(paths, name)
    chosen = wallet.chain if wallet else name.strip().lower()
    if json_out:
        _out({"chain": chosen, "file": str(paths.payment_chain_file)})
    else:
        typer.echo(f"Payment chain: {chosen} (saved in {paths.payment_chain_file})")
    if chosen == "solana" and importlib.util.find_spec("solders") is None:
        from clawcli.cli._app import notice

        notice("note: Solana payments need the optional extra: pip install 'clawcli[solana]'")


@wallet_app.command("fund")
def fund(
    chain_name: str = typer.Option(None, "--chain", "-c", help="base or solana (default: the active chain)."),
    amount: float = typer.Option(None, "--amount", "-a", min=0, help="USDC amount to put in the payment URI."),
    qr: bool = typer.Option(True, "--qr/--no-qr", help="Show the QR code."),
    json_out: bool = JSON_OPT,
) -> None:
    """How to fund the wallet: address, USDC contract, payment URI and a QR code.

    Example: claw wallet fund --amount 5
    """
    from decimal import Decimal

    from clawcli.core.errors import UsageError, WalletError
    from clawcli.core.wallet import require_wallet
    from clawcli.core.wallet.constants import base_network, solana_network

    paths, settings = _ctx()
    wallet = require_wallet(paths)
    chain_name = (chain_name or wallet.chain).strip().lower()
    amt = None if amount is None else Decimal(str(amount))
    if amt is not None and (not amt.is_finite() or 0 < amt < Decimal("0.000001")):
        # inf crashed the URI builder; below 1e-6 USDC the URI would silently ask for 0
        raise UsageError(f"invalid amount {amount!r}", "give a USDC amount like 5 or 0.25 (at least 0.000001)")
    if chain_name == "base":
        net = base_network(settings.testnet)
        address, token = wallet.evm_address, net.usdc
        uri = f"ethereum:{net.usdc}@{net.chain_id}/transfer?address={address}"
        if amt is not None:
            uri += f"&uint256={int(amt * 10**6)}"
        line = f"Send USDC on {net.label} — not ETH — to this address:"
        explorer = net.explorer + address
    elif chain_name == "solana":
        if not wallet.solana_address:
            raise WalletError("this wallet has no Solana address (no mnemonic file)",
                              "fund the Base address instead: claw wallet fund --chain base")
        sol = solana_network(settings.testnet)
        address, token = wallet.solana_address, sol.usdc_mint
        uri = f"solana:{address}?spl-token={sol.usdc_mint}"
        if amt is not None:
            uri += f"&amount={amt.normalize():f}"
        line = f"Send USDC on {sol.label} — not SOL — to this address:"
        explorer = sol.explorer + address
        net = sol
    else:
        raise UsageError(f"unknown chain {chain_name!r}", "use base or solana")
    if json_out:
        _out({"chain": chain_name, "network": net.caip2, "address": address, "token": token,
              "uri": uri, "explorer": explorer, "amount": None if amt is None else float(amt)})
        return
    typer.echo(line)
    typer.echo(f"  {address}")
    typer.echo(f"USDC {'contract' if chain_name == 'base' else 'mint'}: {token}")
    typer.echo(f"Payment URI: {uri}")
    typer.echo(f"Explorer: {explorer}")
    if qr:
        _print_qr(uri)
    typer.echo("USDC arrives in seconds; `claw wallet` shows the balance (cached 30 s once positive).")


def _print_qr(uri: str) -> None:
    """The payment URI as a QR code, only when the terminal is wide enough to show it unwrapped."""
    import shutil
    import sys

    from clawcli.cli._app import _color_ok
    from clawcli.cli._qr import qr_matrix, render_color, render_plain

    matrix = qr_matrix(uri)
    need = len(matrix[0])
    width = shutil.get_terminal_size((80, 24)).columns
    if width < need:
        typer.echo(f"(no QR code: it needs {need} columns, this terminal has {width}; "
                   "widen it, or use the payment URI above)")
        return
    lines = render_color(matrix) if _color_ok(sys.stdout) else render_plain(uri)
    typer.echo("\n".join(lines))


def _check_payee_is_real(address: str) -> None:
    """A well-formed address that still cannot be a gateway's: the all-zero address (EVM, or
    Solana's 32 zero bytes) burns whatever is sent, and a mixed-case EVM address whose EIP-55
    checksum is wrong is a typo (all lower- or upper-case carries no checksum and is accepted)."""
    from clawcli.core.errors import UsageError

    if address.startswith("0x"):
        if int(address, 16) == 0:
            raise UsageError(f"payee {address} is the zero address: nothing sent there reaches anyone",
                             "give the payTo address of the gateway you pay (it is in its 402 payment quote)")
        digits = address[2:]
        if digits != digits.lower() and digits != digits.upper():
            from clawcli.core.wallet.evm_sign import checksum_address

            if checksum_address(address) != address:
                raise UsageError(f"payee {address} fails its EIP-55 checksum (mixed case): probably a typo",
                                 "copy the address again from the gateway (a checksum error means a character changed)")
    elif set(address) == {"1"}:
        raise UsageError(f"payee {address} is Solana's all-zero address (the System Program), not a payee",
                         "give the gateway's payTo address")


@wallet_app.command("limits")
def limits(
    per_request: str = typer.Option(None, "--per-request", "-r", help="Max USD per signature (or `off`)."),
    hourly: str = typer.Option(None, "--hourly", help="Max USD signed per rolling hour (or `off`)."),
    daily: str = typer.Option(None, "--daily", help="Max USD signed per rolling 24 h (or `off`)."),
    quote_tolerance: str = typer.Option(
        None, "--quote-tolerance", help="Refuse quotes above this multiple of the request's estimate (or `off`)."),
    quote_tolerance_usd: str = typer.Option(
        None, "--quote-tolerance-usd", help="...plus this many USD of slack (default 0.01)."),
    payee: list[str] = typer.Option(None, "--payee", help="Allow paying this address (repeatable)."),
    clear_payees: bool = typer.Option(False, "--clear-payees", help="Allow any payee again."),
    json_out: bool = JSON_OPT,
) -> None:
    """Show or set the pre-sign spend policy (written to config.toml, with a backup).

    Example: claw wallet limits --per-request 0.25 --hourly 2 --daily 5

    New configs start with an hourly cap of $10 and a daily cap of $50 (config.toml without them
    gets these defaults); `--daily off` turns a cap off explicitly.
    """
    import os
    import re

    from clawcli.core.config import load_settings, save_config_values
    from clawcli.core.errors import UsageError
    from clawcli.core.x402 import SpendPolicy, format_usd

    paths, settings = _ctx()
    updates: dict[str, Any] = {}
    # "off" is written as the string "off": a removed key would bring the default cap back
    for field_name, raw, off_value in (
        ("max_per_request", per_request, "off"), ("hourly_limit", hourly, "off"), ("daily_limit", daily, "off"),
        ("quote_tolerance", quote_tolerance, "off"), ("quote_tolerance_usd", quote_tolerance_usd, 0.0),
    ):
        if raw is None:
            continue
        if raw.strip().lower() in ("off", "none"):
            updates[field_name] = off_value
            continue
        try:
            value = float(raw.strip().lstrip("$"))
        except ValueError:
            raise UsageError(f"invalid amount {raw!r}", "give USD like 0.50, or `off`") from None
        # inf was saved to config.toml, then crashed the policy; below one USDC atomic unit
        # ($0.000001) a limit rounds to $0 and silently refuses every payment
        if field_name == "quote_tolerance":
            if not 1 <= value < float("inf"):
                raise UsageError(f"invalid quote tolerance {raw!r}", "a multiple of 1 or more (e.g. 3), or `off`")
        elif field_name == "quote_tolerance_usd":
            if not 0 <= value < float("inf"):
                raise UsageError(f"invalid amount {raw!r}", "a USD amount of 0 or more")
        elif not 0.000001 <= value < float("inf"):
            raise UsageError(f"invalid amount {raw!r}", "limits are USD amounts of at least 0.000001, or `off`")
        updates[field_name] = value
    if payee or clear_payees:
        current = [] if clear_payees else list(settings.allowed_payees)
        for p in payee or []:
            # an EVM address, or a base58 Solana address (32-44 characters)
            if not re.fullmatch(r"0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44}", p.strip()):
                raise UsageError(f"invalid payee address {p!r}",
                                 "expected 0x followed by 40 hex characters, or a base58 Solana address")
            _check_payee_is_real(p.strip())
            if p.strip().lower() not in (c.lower() for c in current):
                current.append(p.strip())
        updates["allowed_payees"] = current or None
    if updates:
        backup = save_config_values(paths, updates)
        settings = load_settings(paths)
        if not json_out:
            saved = f" (backup: {backup})" if backup != paths.config_file else ""
            typer.echo(f"Saved to {paths.config_file}{saved}")
        for name in updates:
            var = "CLAWCLI_" + name.upper()
            if os.environ.get(var):
                _warn([f"{var} is set in the environment and overrides config.toml"])
    from clawcli.core.wallet import read_chain

    policy = SpendPolicy.from_settings(settings, chain=read_chain(paths))
    networks = list(policy.networks) + list(policy.solana_networks)
    from clawcli.core.state import wallet_ledger

    ledger, state_backend = wallet_ledger(settings, paths)  # with --state redis: every instance's spend
    totals = ledger.totals()

    def fmt(v: int | None) -> str:
        return "off" if v is None else format_usd(v)

    if json_out:
        _out({
            "maxPerRequest": settings.max_per_request, "hourlyLimit": settings.hourly_limit,
            "dailyLimit": settings.daily_limit, "quoteTolerance": settings.quote_tolerance,
            "quoteToleranceUsd": settings.quote_tolerance_usd, "networks": [n.caip2 for n in networks],
            "assets": ["USDC"], "allowedPayees": list(settings.allowed_payees),
            "spent": totals.to_dict(), "configFile": str(paths.config_file),
            "ledgerFile": str(paths.ledger_file), "state": state_backend,
        })
        return
    typer.echo("Spend policy (checked before every signature):")
    typer.echo(f"  per request  {fmt(policy.max_per_request)}")
    typer.echo(f"  hourly       {fmt(policy.hourly_limit)}")
    typer.echo(f"  daily        {fmt(policy.daily_limit)}")
    tol = ("off" if settings.quote_tolerance is None
           else f"{settings.quote_tolerance:g}x the estimate + ${settings.quote_tolerance_usd or 0:g}")
    typer.echo(f"  quotes       {tol}")
    typer.echo(f"  networks     {', '.join(f'{n.caip2} ({n.label})' for n in networks)}")
    typer.echo("  assets       USDC")
    typer.echo(f"  payees       {', '.join(settings.allowed_payees) if settings.allowed_payees else 'any'}")
    if state_backend["backend"] != "local":
        typer.echo(f"Shared state: {state_backend['url']} (the spend of every claw serve using it)")
    typer.echo(
        f"Settled: {format_usd(totals.spent_hour)} in the last hour, {format_usd(totals.spent_day)} in 24 h"
        f" ({totals.count_day} payments)")
    typer.echo(
        f"Signed, not proven settled (counts against the caps): {format_usd(totals.pending_day)} in 24 h"
        f" ({format_usd(totals.rejected_day)} of it reported failed by the gateway)")
    def used(amount: int, cap: int | None) -> str:
        return format_usd(amount) + (" (no cap)" if cap is None else f" of {format_usd(cap)}")

    typer.echo(f"Used: hourly {used(totals.spent_hour + totals.pending_hour, policy.hourly_limit)},"
               f" daily {used(totals.spent_day + totals.pending_day, policy.daily_limit)}")
