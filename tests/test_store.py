"""History store: migrations, claim identity, replacement/void, queries (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from history_support import BACKENDS, history_url, make_claim, units

from cleanclaim.store import ClaimKey, open_history, payer_key
from cleanclaim.store import migrations


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


def test_migrations_apply_once_in_name_order(history):
    names = migrations.available()
    assert names[:2] == ["m0001_claims", "m0002_reference_imports"]
    assert history.applied_migrations() == sorted(names)
    assert history.migrate() == []  # a second run applies nothing
    assert history.pending_migrations() == []
    counts = history.counts()
    assert counts["claims"] == 0 and counts["schema_migrations"] == len(names)


def test_rechecking_the_same_claim_replaces_it(history):
    claim = make_claim(lines=[("97140", ["GP"], 2), ("97110", ["GP"], 1)])
    assert history.record(claim).outcome == "recorded"
    assert history.record(claim).outcome == "replaced-version"
    lines = history.service_lines("P-1")
    assert len(lines) == 2 and units(lines, "97140") == Decimal(2)
    assert lines[0].claim == ClaimKey("1234567893", "PAYER1", "C1")
    assert history.counts()["claims"] == 1


def test_same_clm01_from_another_provider_or_payer_is_another_claim(history):
    history.record(make_claim(lines=[("97140", ["GP"], 1)]))
    history.record(make_claim(lines=[("97140", ["GP"], 1)], npi="1245319599"))
    history.record(make_claim(lines=[("97140", ["GP"], 1)], payer_id=None, payer_name="Acme  Health, Inc."))
    assert history.counts()["claims"] == 3
    keys = {ln.claim.payer_key for ln in history.service_lines("P-1")}
    assert keys == {"PAYER1", "ACME HEALTH INC"}


def test_replacement_supersedes_the_claim_ref_f8_names(history):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 3)]))
    done = history.record(make_claim("A2", lines=[("97140", ["GP"], 2)], frequency="7", original="A1"))
    assert done.outcome == "replacement" and done.superseded == 1
    lines = history.service_lines("P-1")
    assert [ln.claim.claim_number for ln in lines] == ["A2"] and units(lines, "97140") == 2
    # Re-sending the original after it was replaced does not bring it back.
    history.record(make_claim("A1", lines=[("97140", ["GP"], 3)]))
    assert [ln.claim.claim_number for ln in history.service_lines("P-1")] == ["A2"]
    assert history.claim_status_counts() == {"active": 1, "replaced": 1}


def test_void_stops_the_original_counting(history):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 3)]))
    done = history.record(make_claim("V1", lines=[("97140", ["GP"], 3)], frequency="8", original="A1"))
    assert done.outcome == "void" and done.superseded == 1
    assert history.service_lines("P-1") == []
    assert history.claim_status_counts() == {"void": 2}


def test_void_with_the_same_clm01_voids_in_place(history):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 3)]))
    history.record(make_claim("A1", lines=[("97140", ["GP"], 3)], frequency="8", original="ICN123"))
    assert history.service_lines("P-1") == []
    assert history.counts()["claims"] == 1


def test_replacement_found_by_payer_claim_number(history):
    from cleanclaim.store.schema import claims

    history.record(make_claim("A1", lines=[("97110", ["GP"], 4)]))
    with history.begin() as conn:
        conn.execute(sa.update(claims).values(payer_claim_number="2225001234567"))
    history.record(make_claim("A1R", lines=[("97110", ["GP"], 3)], frequency="7", original="2225001234567"))
    assert units(history.service_lines("P-1"), "97110") == 3


def test_service_lines_filters(history):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 1, "2025-01-10"), ("97110", ["GP"], 1, "2025-02-10")]))
    history.record(make_claim("B1", lines=[("97140", ["GP"], 1, "2025-02-10")], payer_id="OTHER"))
    history.record(make_claim("C1", lines=[("97140", ["GP"], 1, "2025-02-10")], patient="P-2"))
    assert len(history.service_lines("P-1")) == 3
    assert len(history.service_lines("P-1", payer_key="PAYER1")) == 2
    assert [ln.dos for ln in history.service_lines("P-1", start=date(2025, 2, 1), end=date(2025, 2, 28))] == \
        [date(2025, 2, 10)] * 2
    mine = ClaimKey("1234567893", "PAYER1", "A1")
    assert {ln.claim.claim_number for ln in history.service_lines("P-1", exclude_claim=mine)} == {"B1"}
    assert history.service_lines("") == []


def test_payer_key_normalises_names():
    assert payer_key(payer_id=" 12345 ", name="X") == "12345"
    assert payer_key(name="Blue Cross / Blue Shield of N.Y.") == "BLUE CROSS BLUE SHIELD OF N Y"
    assert payer_key() is None


def test_money_and_units_round_trip(history):
    claim = make_claim(lines=[("97140", ["GP", "59"], "1.5")])
    claim.lines[0].charge = Decimal("123.45")
    history.record(claim)
    (line,) = history.service_lines("P-1")
    assert line.units == Decimal("1.5") and line.charge == Decimal("123.45")
    assert line.modifiers == ("GP", "59")


def test_default_location_and_env(monkeypatch, tmp_path):
    from cleanclaim.store import resolve_url

    monkeypatch.delenv("CLEANCLAIM_DB", raising=False)
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'xdg' / 'cleanclaim' / 'history.sqlite'}"
    monkeypatch.setenv("CLEANCLAIM_DB", "postgresql://u:secret@db.example/cc")
    assert resolve_url() == "postgresql+psycopg://u:secret@db.example/cc"
    (tmp_path / "c.toml").write_text('[history]\ndb = "hist/h.sqlite"\n')
    monkeypatch.delenv("CLEANCLAIM_DB")
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "c.toml"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'hist' / 'h.sqlite'}"
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"


def test_values_too_long_for_a_key_are_not_recorded_and_references_are_cut(history):
    done = history.record(make_claim("X" * 39, lines=[("97110", ["GP"], 1)]))
    assert done.outcome == "skipped" and "CLM01" in done.reason
    done = history.record(make_claim("C1", lines=[("97110", ["GP"], 1)], patient="P" * 81))
    assert done.outcome == "skipped" and "patient key" in done.reason
    claim = make_claim("C2", lines=[("97110", ["GP"], 1)], prior_auth="A" * 60)
    claim.lines[0].control_number = "L" * 70
    assert history.record(claim).outcome == "recorded"  # PostgreSQL would refuse an over-long value
    (line,) = history.service_lines("P-1")
    assert line.prior_authorization == "A" * 50 and line.control_number == "L" * 50
    assert history.counts()["claims"] == 1


def test_schema_module_matches_what_the_migrations_create(history):
    """store/schema.py (what the code reads and writes) and the migrations never drift apart."""
    from cleanclaim.store.schema import metadata

    inspector = sa.inspect(history.engine)
    for table in metadata.sorted_tables:
        created = {c["name"] for c in inspector.get_columns(table.name)}
        assert created == {c.name for c in table.columns}, table.name
