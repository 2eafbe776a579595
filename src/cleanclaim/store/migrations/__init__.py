"""Named schema migrations for the history database, applied once each, in name order.

A migration is a module ``mNNNN_<name>.py`` in this package with ``def upgrade(conn)``
(conn: a SQLAlchemy Connection inside the migration's own transaction). Number ranges:
m0001..m0099 claims/history (STORE), m0100..m0199 remits (REMIT), m0200+ everyone else.
Each applied name is recorded in table ``schema_migrations`` (name, applied_at). A
migration is frozen once committed: change the schema with a new module, never by
editing an old one.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import datetime, timezone

import sqlalchemy as sa

NAME = re.compile(r"^m\d{4}_[a-z0-9_]+$")

_meta = sa.MetaData()
SCHEMA_MIGRATIONS = sa.Table(
    "schema_migrations",
    _meta,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


def available() -> list[str]:
    """Every migration module name in this package, in the order they apply."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if NAME.match(m.name)]
    return sorted(names)


def applied(conn) -> set[str]:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return set()
    return {row.name for row in conn.execute(sa.select(SCHEMA_MIGRATIONS.c.name))}


def upgrade(engine) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    On PostgreSQL a transaction-scoped advisory lock keeps two processes from migrating
    the same database at once.
    """
    done: list[str] = []
    with engine.begin() as conn:
        _lock(conn)
        _meta.create_all(conn)
    for name in available():
        with engine.begin() as conn:
            _lock(conn)
            if name in applied(conn):
                continue
            module = importlib.import_module(f"{__name__}.{name}")
            module.upgrade(conn)
            conn.execute(SCHEMA_MIGRATIONS.insert().values(name=name, applied_at=datetime.now(timezone.utc)))
            done.append(name)
    return done


def pending(engine) -> list[str]:
    with engine.connect() as conn:
        have = applied(conn)
    return [name for name in available() if name not in have]


def _lock(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('cleanclaim.schema_migrations'))"))
