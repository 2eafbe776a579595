"""`cleanclaim check FILE...`: scrub claims and report findings."""

from __future__ import annotations

import os
import sys
from datetime import date

import click

from ..report import FORMATS


def _split(values: tuple[str, ...]) -> list[str]:
    return [v for value in values for v in value.replace(",", " ").split()]


def resolve_as_of(value: str | None) -> date:
    """--as-of, else $CLEANCLAIM_AS_OF, else today (keeps date-dependent tests from rotting)."""
    source = "--as-of"
    if not value and os.environ.get("CLEANCLAIM_AS_OF"):
        value, source = os.environ["CLEANCLAIM_AS_OF"], "CLEANCLAIM_AS_OF"
    try:
        return date.fromisoformat(value) if value else date.today()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=source) from None


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--payer", type=click.Choice(["medicare", "medicaid", "commercial"]),
              help="Payer type for every claim; default: from SBR09 (MB/MA medicare, MC medicaid, else commercial).")
@click.option("--select", multiple=True, help="Rule codes or prefixes to run (e.g. NC,MU001); default ALL.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to skip.")
@click.option("--as-of", "as_of", help="Today's date for date checks (YYYY-MM-DD); env CLEANCLAIM_AS_OF.")
@click.option("--output", "-o", type=click.File("w", lazy=False), default="-", help="Write the report here (default stdout).")
@click.option("--hide-clean", is_flag=True, help="Text format: don't list clean claims.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress line on stderr (default: when stderr is a terminal and the "
                   "report is not printed to it).")
@click.option("--record", is_flag=True,
              help="Store the checked claims in the claim history (one transaction per input file).")
@click.option("--db", help="Claim history database: a SQLite file or postgresql:// URL (default: "
                           "$CLEANCLAIM_DB, config [history] db, else SQLite under the XDG data dir). "
                           "With a history the HX rules check across claims.")
@click.option("--price/--no-price", "price", default=None,
              help="Show the expected payment per line and per claim (Medicare PFS or a [pricing] fee "
                   "schedule); default: config [pricing] check, else off.")
@click.option("--fee-schedule", "fee_schedules", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Payer fee schedule CSV (as for `price`), for --price and the dollar caps (VC003) of "
                   "non-Medicare claims; repeatable; adds to [pricing] fee_schedules.")
@click.option("--policies", "policies", multiple=True, type=click.Path(path_type=str),
              help="A folder of payer policy packs (YAML) to use besides the built-in ones and the config's "
                   "[policies] dirs; repeatable (see `cleanclaim policy`).")
@click.option("--notes", "notes", multiple=True, type=click.Path(path_type=str),
              help="Visit notes (folder or files: Markdown/text, FHIR DocumentReference) linked to claims "
                   "by claim id or patient + date of service; runs the DOC documentation rules; repeatable.")
@click.option("--jobs", "-j", default="auto", show_default=True, metavar="N|auto",
              help="Worker processes for a run of one file (output order is the input order); auto: "
                   "one per core for a file of 16 MB and more, else 1.")
def command(files, fmt, payer, select, ignore, as_of, output, hide_clean, progress, record, db, price,
            jobs, policies=(), notes=(), fee_schedules=()) -> None:
    """Check claim files (X12 837P, CSV, FHIR R4 Claim JSON) and report findings.

    Exit status: 2 when an input cannot be read at all; else 1 when any claim has an
    error finding; else 0.
    """
    from ..engine import Checker, ClaimResult, Summary, iter_check, table_notices
    from ..formats import expand_paths
    from ..report import get_writer

    today = resolve_as_of(as_of)
    try:
        checker = Checker(as_of=today, payer_type=payer, select=_split(select), ignore=_split(ignore))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--select/--ignore")
    from ..policies import PackLoadError, load_packs

    try:
        checker.ctx.options["policies"] = load_packs(list(policies))
    except PackLoadError as exc:  # a setup error: exit 2, like an unreadable input (not 1: claim errors)
        error = click.ClickException(f"invalid policy pack(s):\n{exc}")
        error.exit_code = 2
        raise error
    if notes:  # the note reader loads only when notes are given
        from ..notes.link import NoteError, attach_notes

        try:
            note_index = attach_notes(checker, list(notes))
        except NoteError as exc:
            raise click.BadParameter(str(exc), param_hint="--notes")
        for problem in (note_index.errors if note_index else []):
            click.echo(f"warning: note not read: {problem}", err=True)
    recorder = None
    if record or db or os.environ.get("CLEANCLAIM_DB") or _config().get("history", "db"):
        from ..store.recording import HistoryError, attach_history  # SQLAlchemy: only when asked

        try:
            recorder = attach_history(checker, db, record)
        except HistoryError as exc:  # a setup error: exit 2, like a bad pack (not 1: claim errors)
            error = click.ClickException(str(exc))
            error.exit_code = 2
            raise error
    from collections import OrderedDict

    checker.ctx.options["run_identities"] = OrderedDict()  # HX001/HX008: CLM01 reused in the run
    if not record:  # with --record each claim is stored as it is checked: the store has them
        from ..store.run_ledger import RunLedger

        checker.ctx.options["run_ledger"] = RunLedger()
    from ..pricing.check_hook import enable_pricing

    checker.ctx.options["fee_schedules"] = tuple(fee_schedules)  # VC003 prices with them too
    enable_pricing(checker, price, payer, fee_schedules=tuple(fee_schedules))
    options = {"show_clean": not hide_clean} if fmt == "text" else {}
    writer = get_writer(fmt, output, **options)
    summary = Summary()
    summary.inputs = len(expand_paths(list(files)))
    if progress is None:
        progress = sys.stderr.isatty() and not (fmt == "text" and output.isatty())
    with _Progress(progress) as bar:
        for result in iter_check(list(files), checker, jobs=_jobs(jobs)):
            if isinstance(result, ClaimResult):
                if notes and note_index is not None:
                    note_index.saw(result)
                summary.add(result)
                writer.claim(result)
                bar.advance(result.source)
            else:
                summary.add_input(result)
                writer.input(result)
    if notes and note_index is not None:  # a note linked to no claim would be silently unused
        for warning in note_index.unlinked_warnings():
            click.echo(f"warning: {warning}", err=True)
    summary.notices = table_notices(checker.ctx.store, summary)
    from ..formats import skipped_files

    summary.notices += [f"skipped {path}: {why}" for path, why in skipped_files(list(files))]
    writer.close(summary)
    output.flush()
    if recorder is not None:
        click.echo(recorder.summary(), err=True)
    sys.exit(summary.exit_code)


def _config():
    from ..config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _jobs(value: str) -> int | None:
    """--jobs: a whole number >= 1, or auto (None: the engine decides by file size)."""
    if value.strip().lower() == "auto":
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise click.BadParameter(f"{value!r}: give a whole number of processes (1 or more) or auto",
                                 param_hint="--jobs")
    return int(value)


class _Progress:
    """A claims-checked counter with rate on stderr (rich), or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0

    def __enter__(self):
        import time

        self.started = time.monotonic()
        self.plain = False
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            if not Console(stderr=True).is_terminal:  # forced on, but no terminal: plain lines
                self.plain = True
                return self

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                     TextColumn("[bold]{task.completed:,}[/] claims"),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.progress.__enter__()
            self.task = self.progress.add_task("checking", total=None)
        return self

    def advance(self, source: str) -> None:
        self.count += 1
        if self.plain:
            if self.count % 10_000 == 0:
                click.echo(f"checked {self.count:,} claims ({source})", err=True)
        elif self.enabled and self.count % 500 == 1:
            self.progress.update(self.task, completed=self.count, description=f"checking {source}")

    def __exit__(self, *exc) -> None:
        import time

        if self.plain:
            seconds = time.monotonic() - self.started
            click.echo(f"checked {self.count:,} claims in {seconds:.1f} s", err=True)
        elif self.enabled:
            self.progress.__exit__(*exc)
