"""`cleanclaim denials report`: denial rates, dollars, root causes and charts from the store."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .errors import SetupError


@click.group("denials")
def command() -> None:
    """Denial analytics over the remits in the history store."""


@command.command("report")
@click.option("--since", help="Only answers (835 / 277CA) dated on or after this day (YYYY-MM-DD).")
@click.option("--db", "db_url", help="History store: a SQLite path or postgresql:// URL "
                                     "(default $CLEANCLAIM_DB, else the user's data dir).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the report to this file (default stdout).")
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each chart as a PNG file into this folder.")
@click.option("--claims", "claim_files", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Claim files (837P/CSV/FHIR) to price for the underpayment check; default: the files "
                   "`check --record` recorded, when they still exist.")
def report(since, db_url, fmt, output, charts_dir, claim_files) -> None:
    """Denial rate by payer, code, bucket and month; top CARCs; dollars denied and recovered;
    first-pass paid rate beside the clean-claim rate from `check`; underpaid lines.

    Text prints rich tables; html writes one self-contained file with PNG charts; json
    writes every figure.
    """
    from ..codesets.store import CodeStore
    from ..remits.analytics import load, tracks
    from ..remits.denial_report import write_html, write_json, write_text
    from ..remits.denial_summary import summarise
    from ..remits.underpayment import claims_from_files, find_underpayments, missing_sources, recorded_sources
    from ..store import HistoryError, open_history

    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise click.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--since")
    try:
        history = open_history(db_url)
    except HistoryError as exc:  # exit 2: a setup error, not claim findings
        raise SetupError(str(exc)) from None
    store = CodeStore.open()
    with history:
        data = load(history, day)
        missing = {} if claim_files else missing_sources(history)
        from ..remits.analytics import recheck_recorded

        data.checks += recheck_recorded(history, store, day, skip={c.claim_id for c in data.checks})
        sources = [str(p) for p in claim_files] or recorded_sources(history)
        claims = claims_from_files(sources) if sources else {}
        from ..remits.denial_index import DenialIndex, claim_facts
        from ..remits.risk import train

        model = train(DenialIndex.from_dataset(data, None, claim_facts(history)))
        under = find_underpayments([t for t in tracks(data.answers) if t.first], claims, store, history=history)

    def describe(kind: str, code: str) -> str | None:
        row = store.adjustment_code(kind, code)
        return row.description if row else None

    summary = summarise(data, describe=describe, since=day, underpayments=under)
    summary["risk_model"] = model.describe() if model else None
    if missing:
        names = ", ".join(sorted(missing)[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        summary["warnings"] = [
            f"{sum(missing.values())} recorded claim(s) come from file(s) not found now ({names})"
            + (": relative paths are read from the current folder (run from the folder `check --record` ran in)"
               if any(not Path(m).is_absolute() for m in missing) else "")
            + "; the underpayment check (and the clean-claim re-check of claims recorded before check outcomes "
              "were kept) leave them out (pass the files with --claims)"]
        if fmt != "text" or output:  # the text report prints it at the top itself
            for warning in summary["warnings"]:
                click.echo(f"warning: {warning}", err=True)
    charts = None
    if charts_dir or fmt == "html":
        from ..remits.denial_charts import render_all

        charts = render_all(summary)
    if charts_dir:
        charts_dir.mkdir(parents=True, exist_ok=True)
        for name, (_, png) in charts.items():
            (charts_dir / f"{name}.png").write_bytes(png)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        if fmt == "json":
            write_json(summary, out)
        elif fmt == "html":
            write_html(summary, out, charts)
        else:
            write_text(summary, out, width=None if out is sys.stdout else 120)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"wrote {output}", err=True)
