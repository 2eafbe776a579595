"""A CLM01 reused across runs (trial 8 N1). The identity is billing NPI + payer + CLM01
(837P TR3 2300 CLM01: 277CA/835 answers are matched by it); only CLM05-3 = 7 or 8 replaces
or voids a claim (CMS 100-04 ch. 1 §120). So a recorded claim with the same identity for
another patient, or with no date of service in common, is another claim: HX008 (warning)
against the history, and `--record` keeps the recorded claim instead of overwriting it.
The same patient with a date in common is a re-check: replaced, no HX008."""

from __future__ import annotations

from datetime import date

import pytest
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import claim_key, open_history

AS_OF = date(2026, 12, 1)
LINES = [("97110", ["GP"], 1)]


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    h.record(make_claim("BA2000", lines=LINES, patient="SYN-A1", dos="2026-07-06"))
    yield h
    h.close()


def _hx008(history, make_checker, claim):
    checker = make_checker(select=["HX008"], as_of=AS_OF)
    checker.ctx.history = history
    return [f for f in checker.check(claim).findings if f.code == "HX008"]


def _stored(history, claim):
    from cleanclaim.store.claims import _row_for
    from cleanclaim.store.schema import claim_lines, claims
    import sqlalchemy as sa

    with history.begin() as conn:
        row = _row_for(conn, claim_key(claim))
        patient = conn.execute(sa.select(claims.c.patient_key).where(claims.c.id == row.id)).scalar_one()
        dates = sorted(conn.execute(sa.select(claim_lines.c.dos).where(claim_lines.c.claim_id == row.id)).scalars())
    return patient, dates


@pytest.mark.parametrize("patient,dos,why", [
    ("SYN-Z9", "2026-07-06", "another patient's claim"),        # another patient, same date
    ("SYN-A1", "2026-10-05", "a claim with other dates of service"),  # same patient, no date in common
])
def test_reused_clm01_is_hx008_and_is_not_recorded_over_the_stored_claim(history, make_checker, patient, dos, why):
    reused = make_claim("BA2000", lines=LINES, patient=patient, dos=dos)
    (found,) = _hx008(history, make_checker, reused)
    assert found.severity == "warning" and why in found.message and "recorded in the claim history" in found.message
    assert "837P TR3 2300 CLM01" in found.authority and "SYN" not in found.message
    done = history.record(reused)
    assert done.outcome == "skipped" and "HX008" in done.reason and "new CLM01" in done.reason
    assert _stored(history, reused) == ("SYN-A1", [date(2026, 7, 6)])  # the 2026-07-06 visit is kept
    assert history.counts()["claims"] == 1


def test_a_recheck_of_the_same_claim_replaces_it_without_hx008(history, make_checker):
    again = make_claim("BA2000", lines=[("97110", ["GP"], 2)], patient="SYN-A1", dos="2026-07-06")
    assert _hx008(history, make_checker, again) == []
    assert history.record(again).outcome == "replaced-version"


def test_a_replacement_with_the_same_clm01_still_replaces(history, make_checker):
    fixed = make_claim("BA2000", lines=LINES, patient="SYN-A1", dos="2026-07-07", frequency="7", original="BA2000")
    assert _hx008(history, make_checker, fixed) == []
    assert history.record(fixed).outcome in ("replaced-version", "replacement")
    assert _stored(history, fixed) == ("SYN-A1", [date(2026, 7, 7)])


def test_check_record_says_on_stderr_that_the_claim_was_not_recorded(tmp_path):
    from click.testing import CliRunner

    from cleanclaim.cli import main

    header = "claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,billing_npi,billing_zip,payer_name,payer_id,payer_type,patient_key\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "BA2000,2026-07-06,97110,GP,1,45,M54.50,1456789019,12203,ACME,60054,CI,SYN-A1\n")
    second.write_text(header + "BA2000,2026-07-06,97110,GP,1,45,M54.50,1456789019,12203,ACME,60054,CI,SYN-Z9\n")
    db = str(tmp_path / "h.sqlite")
    run = lambda path: CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-12-01", "--record", "--db", db,
                                                 "--format", "json"])
    assert "1 new" in run(first).stderr
    result = run(second)
    assert "HX008" in result.stdout and "SYN" not in result.stderr
    assert "recorded 0 claim(s)" in result.stderr and "1 not recorded: CLM01 already recorded for another patient" in result.stderr
