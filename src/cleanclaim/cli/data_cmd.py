"""`cleanclaim data`: show, build and extend the code-set store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click


@click.group("data")
def command() -> None:
    """Code sets: what is loaded, build the store, import newer CMS/CDC files."""


@command.command("info")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def info(fmt: str) -> None:
    """List loaded tables with release, effective dates, rows, origin and caveats."""
    from ..codesets.store import CodeStore

    store = CodeStore.open()
    tables = store.tables()
    if fmt == "json":
        click.echo(json.dumps({"store": str(store.path), "tables": [
            {"name": t.name, "source": t.source, "release": t.release,
             "effective_from": t.effective_from.isoformat() if t.effective_from else None,
             "effective_to": t.effective_to.isoformat() if t.effective_to else None,
             "rows": t.rows, "sha256": t.sha256, "note": t.note, "origin": t.origin,
             "precedence": t.precedence} for t in tables],
            "pricing_imports": _pricing_imports()}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    grid = Table(title=f"cleanclaim code sets ({store.path})", title_justify="left")
    grid.add_column("name", overflow="fold")
    grid.add_column("release", ratio=1, overflow="fold")  # long release names wrap, never cut
    grid.add_column("effective", no_wrap=True)
    grid.add_column("rows", justify="right", no_wrap=True)
    show_origin = any(t.origin != "bundled" for t in tables)
    if show_origin:
        grid.add_column("origin", no_wrap=True)
    grid.add_column("note", no_wrap=True)
    notes: list[tuple[str, str]] = []
    for t in tables:
        span = f"{t.effective_from or '?'} to\n{t.effective_to or 'open'}"  # two short lines
        marker = ""
        if t.note:
            notes.append((t.name, t.note))
            marker = f"[{len(notes)}]"
        origin = f"{t.origin} (rank {t.precedence})" if t.precedence else t.origin  # NCCI: higher wins
        cells = [t.name, t.release, span, f"{t.rows:,}"] + ([origin] if show_origin else [])
        grid.add_row(*cells, marker)
    console.print(grid)
    for number, (name, note) in enumerate(notes, start=1):
        console.print(f"[bold][{number}][/bold] {name}: {note}", highlight=False)
    pricing = _pricing_imports()
    if pricing:
        extra = Table(title="pricing imports (data import-pfs; used for their calendar year)", title_justify="left")
        for column in ("kind", "year", "release", "rows", "conversion factor"):
            extra.add_column(column, overflow="fold")
        for e in pricing:
            extra.add_row(e["kind"], str(e["year"]), e["release"], f"{e['rows']:,}",
                          str(e.get("conversion_factor") or "-"))
        console.print(extra)
    if any(t.precedence for t in tables):
        console.print("NCCI tables: the newest table (highest rank; bundled is 0) that lists a PTP pair "
                      "decides that pair's history (imports above the bundled table, a later release above "
                      "an earlier one); an "
                      "imported MUE table applies from its effective date, earlier tables before it.",
                      highlight=False)


@command.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the store is up to date.")
def build(force: bool) -> None:
    """Compile the bundled and imported sources into the SQLite store."""
    from ..codesets.build import build_store
    from ..codesets.paths import manifests_hash, store_path
    from ..codesets.store import CodeStore

    path = store_path()
    if not force and path.exists() and CodeStore._stored_hash(path) == manifests_hash():
        click.echo(f"store up to date: {path} (use --force to rebuild)")
        return
    if force:
        from ..codesets.paths import base_store_path

        base_store_path().unlink(missing_ok=True)  # recompile the bundled tables too
    build_store(path)


def _report(info) -> None:
    click.echo(f"imported {info.name}: {info.rows:,} rows, {info.release} "
               f"({info.effective_from or '?'} .. {info.effective_to or 'open'})")
    if getattr(info, "message", ""):
        click.echo(f"  {info.message}")


def _pricing_imports() -> list[dict]:
    """The user's PFS/GPCI/ZIP5 imports by year (pricing keeps them apart from the code-set store)."""
    from ..pricing.yearly import imported

    return sorted(imported(), key=lambda e: (e["kind"], e["year"]))


@command.command("import-ncci")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--release", default=None, help="Release label, e.g. 2025Q1 (default: file name).")
@click.option("--program", type=click.Choice(["medicare", "medicaid"]), default=None,
              help="Whose edits: Medicaid tables apply to Medicaid claims only "
                   "(default: medicaid when the file name starts with MCD, else medicare).")
@click.option("--effective-from", "effective_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day the file is in force (MUE files: default from the CMS file name "
                   "..._Eff_MM-DD-YYYY or a quarter --release such as 2026Q1).")
@click.option("--replace", is_flag=True,
              help="Drop the earlier parts (f1..f4) imported under the same --release first.")
def import_ncci_cmd(file: Path, release: str | None, program: str | None, effective_from,
                    replace: bool) -> None:
    """Import a CMS NCCI PTP (or MUE) file in CMS's own layout (Medicare or Medicaid).

    The parts of a CMS quarter (f1..f4, read from the file name) imported under one --release
    add up; the newest release that lists a PTP pair decides that pair's history.
    """
    from ..codesets.imports import ImportFormatError, import_ncci

    start: date | None = effective_from.date() if effective_from else None
    try:
        _report(import_ncci(file, release, program, start, replace))
    except ImportFormatError as exc:
        raise click.ClickException(str(exc)) from None


@command.command("import-icd10")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--release", default=None, help="Release label, e.g. 2027 (default: year in the file name).")
@click.option("--effective-from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day in force (default: October 1 before the fiscal year).")
@click.option("--partial", is_flag=True, default=False,
              help="Import a file with under half the codes of the previous release (refused otherwise).")
def import_icd10_cmd(file: Path, release: str | None, effective_from, partial: bool) -> None:
    """Import a CDC ICD-10-CM order file (fixed width)."""
    from ..codesets.imports import ImportFormatError, import_icd10

    start: date | None = effective_from.date() if effective_from else None
    try:
        _report(import_icd10(file, release, start, partial=partial))
    except ImportFormatError as exc:
        raise click.ClickException(str(exc)) from None


@command.command("import-pfs")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="Calendar year the file is for (default: from the file's title, name or ZIP5 year/quarter).")
def import_pfs_cmd(files: tuple[Path, ...], year: int | None) -> None:
    """Import CMS Medicare PFS files for a year: the relative value file (PPRRVU), the GPCI
    file or the ZIP5 locality file, in CMS's own layouts (which one is read from the content).

    Pricing uses the tables of the date of service's year (the shipped ones are CY2025).
    """
    from ..pricing.yearly import KIND_NAMES, PfsImportError, import_file

    for file in files:
        try:
            done = import_file(file, year)
        except PfsImportError as exc:
            raise click.ClickException(str(exc)) from None
        factor = f"; CONV FACTOR {done.conversion_factor}" if done.conversion_factor else ""
        click.echo(f"imported {KIND_NAMES[done.kind]} for CY{done.year}: {done.rows:,} rows, {done.release}{factor}")
        for warning in done.warnings:
            click.echo(f"warning: {warning}", err=True)
