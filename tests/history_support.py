"""Test helpers for the history store: a fresh database per test on SQLite and PostgreSQL.

PostgreSQL runs when $CLEANCLAIM_TEST_PG_URL is set (``.ci/run`` starts a throwaway
server and sets it); each test gets its own schema there, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from decimal import Decimal

import pytest

BACKENDS = ["sqlite", "postgresql"]


def history_url(request, tmp_path) -> str:
    """A fresh, empty database URL for request.param ('sqlite' or 'postgresql')."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    base = os.environ.get("CLEANCLAIM_TEST_PG_URL")
    if not base:
        pytest.skip("CLEANCLAIM_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    import sqlalchemy as sa

    from cleanclaim.store.db import resolve_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_url(base))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def make_claim(claim_id="C1", *, lines, patient="P-1", npi="1234567893", payer_id="PAYER1",
               payer_name="Test Payer", indicator="CI", frequency="1", original=None,
               rendering=None, prior_auth=None, dos="2025-03-03"):
    """A synthetic Claim: lines are (code, modifiers, units) or (code, modifiers, units, date)."""
    from cleanclaim.formats.dict_reader import claim_from_dict
    from cleanclaim.model import Payer

    specs = []
    for spec in lines:
        code, mods, units, *rest = spec
        specs.append({"code": code, "modifiers": list(mods), "units": units, "date": rest[0] if rest else dos})
    claim = claim_from_dict({"claim_id": claim_id, "frequency": frequency, "billing_provider": npi,
                             "rendering_provider": rendering, "prior_authorization": prior_auth,
                             "diagnoses": ["M54.50"], "lines": specs})
    claim.payer = Payer(name=payer_name, payer_id=payer_id, claim_filing_indicator=indicator)
    claim.patient_key = patient
    claim.patient_birth_date = date(1990, 1, 1)
    claim.original_reference = original
    return claim


def units(history_lines, code) -> Decimal:
    return sum((ln.units for ln in history_lines if ln.code == code), Decimal(0))
