"""`cleanclaim appeal CLAIM_ID`: an appeal packet (PDF + editable Markdown) for a denied claim."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from .errors import SetupError


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "claim"


@click.command("appeal")
@click.argument("claim_id", required=False)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for the packet files.")
@click.option("--db", "db_url", help="History store: a SQLite path or postgresql:// URL "
                                     "(default $CLEANCLAIM_DB, else the user's data dir).")
@click.option("--templates", "templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of your own letter templates (<bucket>.md, default.md); default: config "
                   "[appeal] templates, else the shipped ones.")
@click.option("--payer", help="Payer id or name, when more than one payer answered the claim.")
@click.option("--notes", "notes", type=click.Path(exists=True, path_type=Path),
              help="Visit note file or folder: the note whose claim_id (front matter or file name) is "
                   "CLAIM_ID is quoted in the packet.")
@click.option("--claims", "claim_files", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Claim file(s) holding CLAIM_ID (default: the file `check --record` recorded it from).")
@click.option("--line", "line_numbers", multiple=True, type=int,
              help="Appeal only this denied line (SVC position in the 835; repeatable); default every denied line.")
@click.option("--date", "letter_date", help="Date printed on the letter (YYYY-MM-DD; default today).")
@click.option("--force", is_flag=True,
              help="Write the packet even when the denial should not be appealed (lines already paid by a later "
                   "answer, no appeal rights (MA130, CO-16), `check` findings that contradict the argument); the "
                   "reason goes into the biller notes.")
@click.option("--include-ids", "include_ids", is_flag=True,
              help="Fill the member ID / Medicare number and date of birth from the store (default: blanks to "
                   "fill in by hand; the patient's name is never stored).")
@click.option("--render", "render_md", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Render an edited packet Markdown file to PDF (next to it) and stop; no CLAIM_ID needed.")
def command(claim_id, out_dir, db_url, templates, payer, notes, claim_files, line_numbers, letter_date,
            force, include_ids, render_md) -> None:
    """Write an appeal packet for CLAIM_ID's denial: the letter (payer, claim and lines, the
    denial explained, the argument with citations), a claim summary, the visit note
    excerpts and the references, as a PDF and as editable Markdown.

    Edit the Markdown (signature, anything else), then `cleanclaim appeal --render FILE.md`.
    Refused (exit 1, with the reason) when the denial should not be appealed: a later
    answer already paid the lines, no appeal rights (MA130, CO-16: send a new or corrected
    claim; Medicare Part B corrections go by reopening), `check` finds on the claim what
    the payer denied, or the payer took a payment back. The deadline is computed from the
    remittance date and a missed one is said. With --include-ids the packet holds the
    patient's member ID: keep it with the claim records.
    """
    from ..remits.appeal_pdf import render_pdf

    if render_md:
        pdf = render_pdf(render_md.read_text(encoding="utf-8"), render_md.with_suffix(".pdf"),
                         title=f"Appeal {render_md.stem}")
        click.echo(f"wrote {pdf}")
        return
    if not claim_id:
        raise click.UsageError("CLAIM_ID is required (or --render FILE.md)")
    from ..codesets.store import CodeStore
    from ..config import load_config
    from ..remits.appeal import AppealError, find_case
    from ..remits.appeal_letter import TemplateError, render_markdown
    from ..store import HistoryError, open_history

    try:
        today = date.fromisoformat(letter_date) if letter_date else date.today()
    except ValueError:
        raise click.BadParameter(f"{letter_date!r} is not a date (YYYY-MM-DD)", param_hint="--date")
    config = load_config()
    letterhead = dict(config.section("appeal"))
    if templates is None:
        configured = letterhead.get("templates")
        templates = config.resolve_path(configured) if configured else None
    store = CodeStore.open()
    try:
        history = open_history(db_url)
    except HistoryError as exc:  # exit 2: a setup error, not claim findings
        raise SetupError(str(exc)) from None
    with history:
        try:
            case = find_case(history, claim_id, payer=payer, claim_files=claim_files, notes=notes, store=store,
                             force=force)
        except AppealError as exc:
            raise click.ClickException(str(exc))
    if line_numbers:
        chosen = [ln for ln in case.lines if ln.position in line_numbers]
        if not chosen:
            raise click.BadParameter(f"claim {claim_id} has no denied line {', '.join(map(str, line_numbers))} "
                                     f"(denied: {', '.join(str(ln.position) for ln in case.lines)})",
                                     param_hint="--line")
        case.lines = chosen
    try:
        markdown = render_markdown(case, store=store, templates=templates, today=today, letterhead=letterhead,
                                   include_ids=include_ids)
    except TemplateError as exc:
        raise click.ClickException(str(exc))
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"appeal-{_safe(claim_id)}-{_safe(case.answer.payer_id or case.payer)}"
    source = out_dir / f"{stem}.md"
    source.write_text(markdown, encoding="utf-8")
    pdf = render_pdf(markdown, out_dir / f"{stem}.pdf", title=f"Appeal of claim {claim_id}")
    click.echo(f"wrote {pdf} and {source} ({case.bucket.replace('_', ' ')} denial, "
               f"{len(case.lines)} line{'s' if len(case.lines) != 1 else ''})")
    from ..remits.appeal_letter import deadline_note

    for warning in case.warnings:
        click.echo(f"warning: {warning}", err=True)
    if case.deadline is not None and case.deadline.missed(today):
        click.echo(f"warning: {deadline_note(case, today)}", err=True)
