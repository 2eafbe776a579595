"""Claim history: recorded claims, roster, authorisations and therapy year-to-date.

SQLite by default (a file under the XDG data dir), PostgreSQL for a ``postgresql://``
URL. ``open_history()`` applies the named migrations in ``store/migrations``.
"""

from __future__ import annotations

from .keys import claim_key, payer_key
from .types import Authorization, ClaimKey, HistoryLine, RosterEntry

# The database layer (SQLAlchemy) loads on first use, so a plain `cleanclaim check`
# never pays for it (issue 2: a one-claim check in under 0.5 s beyond start-up).
_LAZY = {"Recorded": "claims", "record_claim": "claims", "HistoryError": "db", "default_path": "db",
         "resolve_url": "db", "History": "history", "open_history": "history"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)

__all__ = [
    "Authorization", "ClaimKey", "History", "HistoryError", "HistoryLine", "Recorded", "RosterEntry",
    "claim_key", "default_path", "open_history", "payer_key", "record_claim", "resolve_url",
]
