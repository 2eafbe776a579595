"""Shared fixtures: the real code-set store (built once), a checker factory."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
AS_OF = date(2026, 12, 1)  # a fixed "today": date-dependent tests never rot

os.environ.setdefault("CLEANCLAIM_AS_OF", AS_OF.isoformat())


@pytest.fixture(scope="session")
def store():
    from cleanclaim.codesets.store import CodeStore

    return CodeStore.open()


@pytest.fixture(scope="session")
def make_checker(store):
    from cleanclaim.engine import Checker

    def factory(**options):
        options.setdefault("as_of", AS_OF)
        return Checker(store=store, **options)

    return factory
