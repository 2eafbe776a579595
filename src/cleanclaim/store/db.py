"""Open the history database: SQLite by default, PostgreSQL for a postgresql:// URL."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

DEFAULT_NAME = "history.sqlite"


class HistoryError(RuntimeError):
    """The history database cannot be opened or used; the message says which and why.

    A setup error, like an unreadable input: commands exit with ``exit_code`` (2), never 1
    (which says "a claim has errors")."""

    exit_code = 2


def default_path() -> Path:
    """$XDG_DATA_HOME/cleanclaim/history.sqlite (default ~/.local/share/...)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cleanclaim" / DEFAULT_NAME


def resolve_url(url: str | os.PathLike | None = None) -> str:
    """The database to use: url, else $CLEANCLAIM_DB, else config [history] db, else the default file.

    Returns a SQLAlchemy URL: ``sqlite:///ABS/PATH`` or ``postgresql+psycopg://...``.
    """
    source = url if url not in (None, "") else os.environ.get("CLEANCLAIM_DB") or None
    if source is None:
        config = _config()
        value = config.get("history", "db")
        if value:
            source = value if "://" in str(value) else str(config.resolve_path(value))
    if source is None:
        return f"sqlite:///{default_path()}"
    text = str(source)
    for scheme in ("postgresql://", "postgres://"):
        if text.startswith(scheme):
            return "postgresql+psycopg://" + text[len(scheme):]
    if "://" in text:
        if not text.startswith(("sqlite:", "postgresql+")):
            raise HistoryError(f"{_safe(text)}: unsupported database URL (use a file path, sqlite:/// or postgresql://)")
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _config():
    """The user config; a config that cannot be read is a HistoryError naming the file."""
    from ..config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise HistoryError(str(exc)) from None


def _safe(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "database URL"


def create_engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


@contextmanager
def bound_or_new(history):
    """The connection of the transaction open through History.begin(), else the History's
    reader: one connection kept for the run in autocommit mode (each query its own
    transaction, so no lock or snapshot is held between queries)."""
    if history._conn is not None:
        yield history._conn
        return
    if history._reader is None or history._reader.closed:
        history._reader = history.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield history._reader
    except Exception:
        history._reader.close()
        history._reader = None
        raise
