"""`cleanclaim units`: how many units the timed minutes of one day allow."""

from __future__ import annotations

import json

import click

from ..rules.minutes import METHODS, distribute, method_for_payer
from ..rules.timed_units import load_timed_codes, render_units

PAYERS = ("medicare", "medicaid", "commercial")


def _parse_service(text: str, table: dict) -> tuple[str, int]:
    code, sep, minutes = text.partition("=")
    code = code.strip().upper()
    if not sep or not code:
        raise click.BadParameter(f"{text!r}: expected CODE=MINUTES, e.g. 97110=33", param_hint="SERVICES")
    try:
        value = int(minutes)
    except ValueError:
        raise click.BadParameter(f"{text!r}: minutes must be a whole number", param_hint="SERVICES")
    if value < 0:
        raise click.BadParameter(f"{text!r}: minutes cannot be negative", param_hint="SERVICES")
    if code not in table:
        raise click.BadParameter(
            f"{code} is not a 15-minute timed code: untimed (service-based) codes such as"
            " 97010, 97014, G0283, 97150, 97161-97168 or E/M visits add no timed minutes"
            " (CMS 100-04 ch.5 §20.2). Leave it out.",
            param_hint="SERVICES",
        )
    return code, value


@click.command("units")
@click.argument("services", nargs=-1, required=True, metavar="CODE=MINUTES...")
@click.option("--payer", type=click.Choice(PAYERS), help="medicare/medicaid: CMS 8-minute rule; commercial: CPT midpoint rule.")
@click.option("--method", type=click.Choice(METHODS), help="Override the unit method.")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
def command(services: tuple[str, ...], payer: str | None, method: str | None, output_format: str) -> None:
    """Units for one day's timed minutes, e.g. `cleanclaim units --payer medicare 97110=33 97140=7`."""
    if not payer and not method:
        raise click.UsageError("give --payer (medicare, medicaid, commercial) or --method")
    table = load_timed_codes()
    parsed = [_parse_service(s, table) for s in services]
    # 97130 counts under 97129 (one service, first unit on 97129)
    timed = [(table[code].pool, minutes) for code, minutes in parsed]
    dist = distribute(method or method_for_payer(payer), timed)
    if output_format == "json":
        click.echo(json.dumps(dist.to_dict()))
        return
    _print_table(dist, table)


def _print_table(dist, table) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=f"{dist.method}: {dist.total_minutes} timed minutes = {dist.total_units} units")
    grid.add_column("code")
    grid.add_column("minutes", justify="right")
    grid.add_column("units", justify="right")
    for line in dist.lines:
        grid.add_row(line.code, str(line.minutes), str(line.units))
    console = Console()
    console.print(grid)
    console.print(f"bill {render_units(dist.units_by_code(), table)}")
    for alt in dist.alternatives:
        console.print(f"or   {render_units(alt, table)}")
    for note in dist.notes:
        console.print(f"  - {note}", highlight=False)
