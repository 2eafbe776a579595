"""Claim history: recorded claims, roster, authorisations and therapy year-to-date.

SQLite by default (a file under the XDG data dir), PostgreSQL for a ``postgresql://``
URL. ``open_history()`` applies the named migrations in ``store/migrations``.
"""

from __future__ import annotations

from .claims import Recorded, claim_key, payer_key, record_claim
from .db import HistoryError, default_path, resolve_url
from .history import History, open_history
from .types import Authorization, ClaimKey, HistoryLine, RosterEntry

__all__ = [
    "Authorization", "ClaimKey", "History", "HistoryError", "HistoryLine", "Recorded", "RosterEntry",
    "claim_key", "default_path", "open_history", "payer_key", "record_claim", "resolve_url",
]
