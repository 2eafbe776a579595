"""`cleanclaim price FILE...`: the expected payment of claims, line by line."""

from __future__ import annotations

import json
import sys

import click

from .errors import SetupError

PAYERS = ("medicare", "medicaid", "commercial")


def pricing_options(config_path, payer, fee_schedules, deductible_remaining, apm, participating):
    """PricingOptions from the config file and the command line (click errors on bad values)."""
    from ..config import ConfigError, load_config
    from ..pricing import PricingOptionError, PricingOptions

    try:
        config = load_config(config_path)
        return PricingOptions.from_config(config, payer_type=payer, fee_schedules=tuple(fee_schedules or ()),
                                          deductible_remaining=deductible_remaining,
                                          apm_participant=apm, participating=participating)
    except (ConfigError, PricingOptionError) as exc:
        raise click.UsageError(str(exc))


@click.command("price")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--claim", "claim_ids", multiple=True, help="Price only this claim ID (CLM01); repeatable.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--payer", type=click.Choice(PAYERS),
              help="Payer type for every claim; default: from SBR09 (MA/MB medicare, MC medicaid, else commercial).")
@click.option("--fee-schedule", "fee_schedules", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Payer fee schedule CSV for non-Medicare claims (payer,code,modifier,amount,"
                   "effective_from,effective_to); repeatable; adds to [pricing] fee_schedules.")
@click.option("--deductible-remaining", help="Medicare Part B deductible still to meet this year: 'met' "
              "(default), 'full', or an amount.")
@click.option("--apm/--no-apm", default=None, help="Qualifying APM participant (2026 has two conversion "
              "factors); default: [pricing] apm_participant or no.")
@click.option("--participating/--non-participating", default=None, help="Medicare participation (non-par: "
              "95% of the fee schedule); default: [pricing] participating or participating.")
@click.option("--db", help="Claim history (SQLite file or postgresql:// URL; default $CLEANCLAIM_DB or config "
                           "[history] db, else none): MPPR also counts the stored claims of the same day.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Config file (default: CLEANCLAIM_CONFIG, ./cleanclaim.toml, XDG config).")
def command(files, claim_ids, fmt, payer, fee_schedules, deductible_remaining, apm, participating,
            db, config_path) -> None:
    """Price claims alone: per line the code, units, locality, allowed amount, MPPR and expected
    payment, with how each figure was reached (Medicare PFS or a payer fee schedule).

    Every claim of the files is priced, in file order, and --claim only chooses which are
    shown: MPPR counts the run's other claims for the same provider, patient and day (a
    later claim's higher-PE unit too) and the deductible carries from claim to claim.
    The figures assume the claim passes `check`; `check --price` shows what it pays as
    billed ($0.00 on lines its error findings deny, with the figure if corrected).
    Exit status 2 when a file cannot be read.
    """
    from rich.console import Console

    from ..codesets.store import CodeStore
    from ..formats import InputError, expand_paths, iter_claims
    from ..model import Claim
    from ..pricing import FeeScheduleError, price_claims
    from ..pricing.render import render

    options = pricing_options(config_path, payer, fee_schedules, deductible_remaining, apm, participating)
    store = CodeStore.open()
    history = _history(db, config_path)
    wanted = set(claim_ids)
    console = Console(highlight=False, soft_wrap=False)
    results, problems, found, claims = [], [], set(), []
    for path in expand_paths(list(files)):
        try:
            claims.extend(item for item in iter_claims(path) if isinstance(item, Claim))
        except (InputError, OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(str(exc) if str(path) in str(exc) else f"{path}: {exc}")
    # every claim is priced, in file order (MPPR and the deductible see the whole run exactly as
    # without --claim); --claim only chooses which claims are shown
    try:
        for item, price in zip(claims, price_claims(claims, store, config=options, history=history)):
            if wanted and item.claim_id not in wanted:
                continue
            found.add(item.claim_id)
            if fmt == "json":
                results.append({"source": item.source, **price.to_dict()})
            else:
                console.rule(f"claim {item.claim_id}  {item.source}", align="left")
                render(console, price)
    except FeeScheduleError as exc:
        raise click.UsageError(str(exc))
    missing = sorted(wanted - found)
    if fmt == "json":
        click.echo(json.dumps({"claims": results, "errors": problems, "missing_claims": missing}, indent=1))
    else:
        for problem in problems:
            console.print(f"[red]unreadable input:[/] {problem}")
        for claim_id in missing:
            console.print(f"[yellow]claim {claim_id} not found[/]")
    if history is not None:
        history.close()
    sys.exit(2 if problems else (1 if missing else 0))


def _history(db, config_path):
    """The claim history named by --db, $CLEANCLAIM_DB or [history] db; None when none is named."""
    import os

    from ..config import load_config

    url = db or os.environ.get("CLEANCLAIM_DB") or load_config(config_path).get("history", "db")
    if not url:
        return None
    from ..store import HistoryError, open_history

    try:
        return open_history(url)
    except HistoryError as exc:  # exit 2: a setup error, not claim findings
        raise SetupError(str(exc)) from None
