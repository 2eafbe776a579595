"""`cleanclaim history ...`: the claim history database (imports, counts, migrations)."""

from __future__ import annotations

import click

DB_HELP = ("History database: a SQLite file or postgresql:// URL (default: $CLEANCLAIM_DB, "
           "config [history] db, else SQLite under the XDG data dir).")


def _open(db):
    from ..store import HistoryError, open_history

    try:
        return open_history(db)
    except HistoryError as exc:
        raise history_unavailable(exc)


def history_unavailable(exc) -> click.ClickException:
    """A database that cannot be opened is a setup error: exit 2 (README exit codes), not 1."""
    error = click.ClickException(str(exc))
    error.exit_code = getattr(exc, "exit_code", 2)
    return error


def _import(kind: str, db, path, run, dry_run: bool = False, read=None) -> None:
    from ..store.imports import ImportProblem

    if dry_run:
        try:
            rows = read(path)
        except ImportProblem as exc:
            raise click.ClickException(f"not valid:\n{exc}")
        click.echo(f"{path}: {len(rows)} {kind} valid (--dry-run: nothing imported)")
        return
    history = _open(db)
    try:
        result = run(history, path)
    except ImportProblem as exc:
        raise click.ClickException(f"nothing imported:\n{exc}")
    finally:
        history.close()
    click.echo(f"{path}: {result.rows} {kind} imported ({result.replaced} replaced an earlier import) "
               f"into {history.url}")


@click.group("history")
def command() -> None:
    """Claim history: imports (roster, authorisations, therapy YTD), counts, migrations.

    Column formats: docs/history.md.
    """


db_option = click.option("--db", help=DB_HELP)
dry_run_option = click.option("--dry-run", is_flag=True, help="Only check the file; import nothing.")


@command.command("import-roster")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@dry_run_option
def import_roster(file, db, dry_run) -> None:
    """Import the provider roster CSV (npi, name, taxonomy, credential, in_network)."""
    from pathlib import Path

    from ..store.imports import import_roster as run
    from ..store.imports import read_roster

    def code_store():
        try:
            from ..codesets.store import CodeStore

            return CodeStore.open()
        except Exception:  # no code-set store: the taxonomy pattern is still checked
            return None

    _import("provider(s)", db, file, lambda history, path: run(history, path, code_store()), dry_run,
            lambda path: read_roster(Path(path), code_store()))


@command.command("import-auths")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@dry_run_option
def import_auths(file, db, dry_run) -> None:
    """Import prior authorisations CSV (payer, patient_key, number, codes, start, end, units...)."""
    from pathlib import Path

    from ..store.imports import import_authorizations, read_authorizations

    _import("authorisation(s)", db, file, import_authorizations, dry_run, lambda p: read_authorizations(Path(p)))


@command.command("import-ytd")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@dry_run_option
def import_ytd(file, db, dry_run) -> None:
    """Import therapy year-to-date allowed amounts CSV (patient_key, year, discipline, amount, as_of, source)."""
    from pathlib import Path

    from ..store.imports import import_therapy_ytd, read_therapy_ytd

    _import("year-to-date figure(s)", db, file, import_therapy_ytd, dry_run, lambda p: read_therapy_ytd(Path(p)))


@command.command("show")
@db_option
def show(db) -> None:
    """Rows per table and claims by status (counts only, never identifiers)."""
    history = _open(db)
    try:
        click.echo(f"database: {history.url}")
        click.echo(f"migrations applied: {len(history.applied_migrations())}")
        for table, n in history.counts().items():
            click.echo(f"  {table:<28} {n:>10,}")
        statuses = history.claim_status_counts()
        if statuses:
            click.echo("claims by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    finally:
        history.close()


@command.command("migrate")
@db_option
def migrate(db) -> None:
    """Apply pending schema migrations and list what was applied."""
    from ..store import HistoryError, open_history

    try:
        history = open_history(db, migrate=False)
        applied = history.migrate()
    except HistoryError as exc:
        raise history_unavailable(exc)
    except Exception as exc:  # the database could not be reached or a migration failed
        error = click.ClickException(f"migration failed: {exc}")
        error.exit_code = 2
        raise error
    click.echo(f"database: {history.url}")
    click.echo("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    history.close()
