"""`cleanclaim units`: how many units the timed minutes of one day allow."""

from __future__ import annotations

import json

import click

from ..rules.minutes import METHODS, distribute, method_for_payer
from ..rules.timed_units import addon_code, load_timed_codes, render_units, split_pairs

PAYERS = ("medicare", "medicaid", "commercial")


UNTIMED_NOTE = ("not a 15-minute timed code: untimed (service-based) codes such as 97010, 97014,"
                " G0283, 97150, 97161-97168 or E/M visits add no timed minutes (CMS 100-04 ch.5 §20.2)")


def _parse_service(text: str) -> tuple[str, int]:
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
    return code, value


def _billed_lines(dist, given: dict[str, int], table: dict) -> list[dict]:
    """One row per code to bill: a pooled initial/add-on pair (97129/97130) keeps its
    first unit on the initial code and puts the rest on the add-on."""
    rows = []
    for line in dist.lines:
        addon = addon_code(line.code, table)
        if addon is None:
            rows.append({"code": line.code, "minutes": line.minutes, "units": line.units})
            continue
        split = split_pairs({line.code: line.units}, table)
        rows.append({"code": line.code, "minutes": given.get(line.code, 0), "units": split[line.code]})
        rows.append({"code": addon, "minutes": given.get(addon, 0), "units": split[addon]})
    return rows


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
    parsed = [_parse_service(s) for s in services]
    untimed = [(code, minutes) for code, minutes in parsed if code not in table]
    given: dict[str, int] = {}
    for code, minutes in parsed:
        if code in table:
            given[code] = given.get(code, 0) + minutes
    # 97130 counts under 97129 (one service, first unit on 97129)
    timed = [(table[code].pool, minutes) for code, minutes in parsed if code in table]
    dist = distribute(method or method_for_payer(payer), timed)
    rows = _billed_lines(dist, given, table)
    untimed_rows = [{"code": code, "minutes": minutes, "note": UNTIMED_NOTE} for code, minutes in untimed]
    if output_format == "json":
        doc = dist.to_dict()
        doc["lines"] = rows
        doc["alternatives"] = [split_pairs(alt, table) for alt in dist.alternatives]
        doc["untimed"] = untimed_rows
        click.echo(json.dumps(doc))
        return
    _print_table(dist, rows, untimed_rows, table)


def _print_table(dist, rows, untimed_rows, table) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=f"{dist.method}: {dist.total_minutes} timed minutes = {dist.total_units} units")
    grid.add_column("code")
    grid.add_column("minutes", justify="right")
    grid.add_column("units", justify="right")
    for row in rows:
        grid.add_row(row["code"], str(row["minutes"]), str(row["units"]))
    for row in untimed_rows:
        grid.add_row(row["code"], str(row["minutes"]), "untimed")
    console = Console()
    console.print(grid)
    console.print(f"bill {render_units(dist.units_by_code(), table)}")
    for alt in dist.alternatives:
        console.print(f"or   {render_units(alt, table)}")
    for note in dist.notes:
        console.print(f"  - {note}", highlight=False)
    for row in rows:
        addon = addon_code(row["code"], table)
        if addon:
            console.print(f"  - {row['code']} is the initial 15 minutes, reported once per day;"
                          f" further units go on {addon}", highlight=False)
    for row in untimed_rows:
        console.print(f"  - {row['code']}: {row['note']}; its minutes are not counted", highlight=False)
