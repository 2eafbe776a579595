"""The History object: one database, its migrations, writes and queries."""

from __future__ import annotations

import os
from contextlib import contextmanager
from decimal import Decimal

import sqlalchemy as sa

from . import migrations, queries
from .claims import Recorded, record_claim
from .db import HistoryError, bound_or_new, create_engine, resolve_url
from .schema import COUNTED
from .types import Authorization, ClaimKey, HistoryLine, RosterEntry


class History:
    """Claim history (claims, lines, roster, authorisations, therapy YTD) in SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn = None  # the transaction opened by begin(), read through by the queries
        self._reader = None  # the connection queries use outside a transaction (see bound_or_new)

    @property
    def url(self) -> str:
        """The database URL with any password hidden (safe to print)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self):
        """One transaction (-> Connection). Queries made meanwhile read through it.

        Nested calls share the outer transaction.
        """
        if self._conn is not None:
            yield self._conn
            return
        with self.engine.begin() as conn:
            self._conn = conn
            try:
                yield conn
            finally:
                self._conn = None

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied."""
        return migrations.upgrade(self.engine)

    def pending_migrations(self) -> list[str]:
        return migrations.pending(self.engine)

    def applied_migrations(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(migrations.applied(conn))

    # --- writes -------------------------------------------------------------------------
    def record(self, claim, *, source: str | None = None) -> Recorded:
        """Store one checked claim (in the open transaction, else in its own)."""
        with self.begin() as conn:
            return record_claim(conn, claim, source=source)

    # --- queries (the interface the rule families use) ------------------------------------
    def service_lines(self, patient_key: str, *, payer_key: str | None = None, start=None, end=None,
                      exclude_claim: ClaimKey | None = None, replaces: str | None = None) -> list[HistoryLine]:
        """Lines that still count; ``replaces`` (REF*F8 of a 7/8 claim) drops the claim it names."""
        with bound_or_new(self) as conn:
            return queries.service_lines(conn, patient_key, payer_key=payer_key, start=start, end=end,
                                         exclude_claim=exclude_claim, replaces=replaces)

    def authorizations(self, patient_key: str, payer_key: str, *,
                       exclude_claim: ClaimKey | None = None, replaces: str | None = None) -> list[Authorization]:
        with bound_or_new(self) as conn:
            return queries.find_authorizations(conn, patient_key, payer_key, exclude_claim=exclude_claim,
                                               replaces=replaces)

    def authorization_elsewhere(self, patient_key: str, payer_key: str, number: str) -> bool:
        """Whether the payer's authorisation ``number`` is stored for a different patient."""
        with bound_or_new(self) as conn:
            return queries.authorization_elsewhere(conn, patient_key, payer_key, number)

    def referenced_claim(self, key: ClaimKey, reference: str) -> str | None:
        """Status of the recorded claim REF*F8 ``reference`` names, None if none is recorded."""
        with bound_or_new(self) as conn:
            return queries.referenced_claim(conn, key, reference)

    def superseded(self, key: ClaimKey) -> tuple[str, str | None, str] | None:
        """('void' | 'replaced', source file of the superseding claim, its CLM01) when the recorded
        claim with this identity was voided or replaced, else None."""
        with bound_or_new(self) as conn:
            return queries.superseded(conn, key)

    def identity_conflict(self, key: ClaimKey, claim) -> str | None:
        """"another patient" / "other dates of service" when the recorded claim with this
        identity is not an earlier version of ``claim`` (a reused CLM01), else None."""
        from .claims import _row_for, identity_conflict

        with bound_or_new(self) as conn:
            row = _row_for(conn, key)
            return identity_conflict(conn, row.id, claim) if row is not None else None

    def roster(self, npi: str) -> RosterEntry | None:
        with bound_or_new(self) as conn:
            return queries.find_roster(conn, npi)

    def therapy_ytd(self, patient_key: str, year: int, discipline: str, *, exclude_claim: ClaimKey | None = None,
                    replaces: str | None = None, through=None) -> tuple[Decimal, str] | None:
        """Imported figure + recorded allowed amounts of the year; ``through``: only lines dated
        on or before it count (those after are named in the text, not added)."""
        with bound_or_new(self) as conn:
            return queries.therapy_year_to_date(conn, patient_key, year, discipline, exclude_claim=exclude_claim,
                                                replaces=replaces, through=through)

    def counts(self) -> dict[str, int]:
        """Rows per table (every table in the database; never any identifier)."""
        with bound_or_new(self) as conn:
            names = sa.inspect(conn).get_table_names()
            ordered = [n for n in COUNTED if n in names] + sorted(n for n in names if n not in COUNTED)
            return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                    for name in ordered}

    def claim_status_counts(self) -> dict[str, int]:
        from .schema import claims

        with bound_or_new(self) as conn:
            rows = conn.execute(sa.select(claims.c.status, sa.func.count()).group_by(claims.c.status))
            return {status: n for status, n in rows}

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_history(url: str | os.PathLike | None = None, *, migrate: bool = True) -> History:
    """Open the history database and bring its schema up to date.

    url: None -> $CLEANCLAIM_DB, else config ``[history] db``, else the SQLite file
    $XDG_DATA_HOME/cleanclaim/history.sqlite; a plain path -> that SQLite file;
    ``postgresql://...`` -> PostgreSQL through psycopg 3.
    """
    resolved = resolve_url(url)
    try:
        history = History(create_engine(resolved))
    except (sa.exc.ArgumentError, ImportError, OSError, ValueError) as exc:  # bad URL, no driver, no folder
        raise HistoryError(f"{_safe_url(resolved)}: cannot open the history database: {exc}") from None
    if migrate:
        try:
            history.migrate()
        except sa.exc.DBAPIError as exc:  # unreachable, locked, not a database, no permission
            history.close()
            raise HistoryError(f"{history.url}: cannot open the history database: {exc.orig}") from None
    return history


def _safe_url(url: str) -> str:
    from .db import _safe

    return _safe(url)
