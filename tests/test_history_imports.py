"""history import-roster / import-auths / import-ytd / show / migrate, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.cli import main
from cleanclaim.store import open_history


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    return history_url(request, tmp_path)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_roster_import_and_lookup(db, tmp_path):
    path = write(tmp_path, "roster.csv", "NPI,Name,Taxonomy,Credential,In_Network\n"
                 "1234567893,Pat Therapist,225100000X,pt,PAYER1; Acme Health Inc\n\n"
                 "1245319599,Lee Massage,225700000X,LMT,\n")
    result = run("history", "import-roster", path, "--db", db)
    assert result.exit_code == 0 and "2 provider(s) imported" in result.output
    with open_history(db) as history:
        entry = history.roster("1234567893")
        assert (entry.credential, entry.taxonomy) == ("PT", "225100000X")
        assert entry.in_network == ("PAYER1", "ACME HEALTH INC") and entry.is_in_network("PAYER1")
        assert history.roster("1245319599").in_network == ()
        assert history.roster("1111111112") is None
    # Re-import replaces by NPI.
    path2 = write(tmp_path, "roster2.csv", "npi,credential\n1234567893,PTA\n")
    assert "1 replaced" in run("history", "import-roster", path2, "--db", db).output
    with open_history(db) as history:
        assert history.roster("1234567893").credential == "PTA"


def test_bad_rows_name_file_and_row_and_import_nothing(db, tmp_path):
    path = write(tmp_path, "bad.csv", "npi,taxonomy\n1234567893,225100000X\n1234567890,225100000X\n"
                 "1245319599,999999999X\n")
    result = run("history", "import-roster", path, "--db", db)
    assert result.exit_code == 1
    # 1234567890 fails the NPI Luhn check (CMS NPI standard); 999999999X is no NUCC code.
    assert f"{path}:3: NPI '1234567890'" in result.output
    assert f"{path}:4: taxonomy '999999999X'" in result.output
    with open_history(db) as history:
        assert history.counts()["provider_roster"] == 0


def test_missing_column_is_named(db, tmp_path):
    path = write(tmp_path, "a.csv", "payer,number,start,end\nP,1,2025-01-01,2025-02-01\n")
    result = run("history", "import-auths", path, "--db", db)
    assert result.exit_code == 1 and f"{path}:1: missing column(s) patient_key" in result.output


def test_authorizations_count_units_billed_on_recorded_claims(db, tmp_path):
    path = write(tmp_path, "auths.csv", "payer,patient_key,number,codes,start,end,units_authorized,units_used\n"
                 "PAYER1,P-1,AUTH1,97140;97110,2025-01-01,2025-06-30,12,2\n"
                 "PAYER1,P-1,AUTH0,,2024-01-01,2024-12-31,,0\n")
    assert run("history", "import-auths", path, "--db", db).exit_code == 0
    with open_history(db) as history:
        history.record(make_claim("A1", lines=[("97140", ["GP"], 2), ("97530", ["GP"], 1)], prior_auth="AUTH1"))
        history.record(make_claim("A2", lines=[("97110", ["GP"], 3)], prior_auth="AUTH1", dos="2025-07-02"))
        auths = {a.number: a for a in history.authorizations("P-1", "PAYER1")}
        assert auths["AUTH1"].codes == ("97140", "97110")
        # 97530 is not on the authorisation and 2025-07-02 is after its end date.
        assert auths["AUTH1"].units_billed == 2 and auths["AUTH1"].units_remaining == 10
        assert auths["AUTH1"].covers("97110", date(2025, 6, 30)) and not auths["AUTH1"].covers("97530", date(2025, 3, 3))
        assert auths["AUTH0"].units_authorized is None and auths["AUTH0"].units_remaining is None
        assert history.authorizations("P-1", "OTHER") == []


def test_bad_auth_rows(db, tmp_path):
    path = write(tmp_path, "auths.csv", "payer,patient_key,number,codes,start,end,units_authorized\n"
                 "PAYER1,P-1,A,9714,2025-02-01,2025-01-01,x\n")
    out = run("history", "import-auths", path, "--db", db).output
    assert f"{path}:2: end 2025-01-01 is before start 2025-02-01" in out
    assert "units_authorized 'x' is not a whole number" in out and "9714" in out
    assert "P-1" not in out  # patient keys are never echoed


def test_therapy_ytd_imported_plus_recorded_allowed(db, tmp_path):
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from cleanclaim.store.schema import claim_lines, claims

    path = write(tmp_path, "ytd.csv", "patient_key,year,discipline,amount,as_of,source\n"
                 "P-1,2025,PT,\"1,200.50\",2025-03-01,HETS 271 eligibility response\n")
    assert run("history", "import-ytd", path, "--db", db).exit_code == 0
    with open_history(db) as history:
        history.record(make_claim("M1", lines=[("97110", ["GP"], 2, "2025-02-20"), ("97110", ["GP"], 2, "2025-03-10"),
                                               ("97535", ["GO"], 1, "2025-03-10")], indicator="MB"))
        history.record(make_claim("M2", lines=[("97112", ["GN"], 1, "2025-03-11")], indicator="MB"))
        history.record(make_claim("C1", lines=[("97110", ["GP"], 1, "2025-03-12")], indicator="CI", payer_id="X"))
        with history.begin() as conn:
            conn.execute(sa.update(claim_lines).values(allowed_cents=Decimal("30.25")))
            # M1 was sent (recorded) on 2025-02-21, before the figure's date
            conn.execute(sa.update(claims).where(claims.c.claim_number == "M1")
                         .values(recorded_at=datetime(2025, 2, 21, tzinfo=timezone.utc)))
        amount, source = history.therapy_ytd("P-1", 2025, "PT")
        # 1200.50 imported + the two Medicare PT/SLP lines after 2025-03-01 (the 02-20 line, sent
        # before the figure's date, is inside the imported figure; OT and commercial lines do not count).
        assert amount == Decimal("1261.00")
        assert "HETS 271" in source and "2 recorded line(s)" in source
        # a claim dated before the figure but sent after it cannot be in it: it is added
        history.record(make_claim("M3", lines=[("97110", ["GP"], 1, "2025-02-25")], indicator="MB"))
        with history.begin() as conn:
            conn.execute(sa.update(claim_lines).where(claim_lines.c.allowed_cents.is_(None))
                         .values(allowed_cents=Decimal("30.25")))
        assert history.therapy_ytd("P-1", 2025, "PT")[0] == Decimal("1291.25")
        assert history.therapy_ytd("P-1", 2025, "OT")[0] == Decimal("30.25")
        assert history.therapy_ytd("P-1", 2024, "OT") is None


def test_show_prints_counts_never_identifiers(db, tmp_path):
    with open_history(db) as history:
        history.record(make_claim("SECRETCLM", lines=[("97140", ["GP"], 1)], patient="SECRET-PATIENT"))
    out = run("history", "show", "--db", db).output
    assert "claims" in out and "active 1" in out
    assert "SECRET" not in out


def test_migrate_is_idempotent(db):
    assert "applied:" in run("history", "migrate", "--db", db).output
    assert "nothing (up to date)" in run("history", "migrate", "--db", db).output


def test_over_long_keys_are_row_errors(db, tmp_path):
    path = write(tmp_path, "auths.csv", "payer,patient_key,number,start,end\n"
                 f"PAYER1,P-1,{'9' * 51},2025-01-01,2025-02-01\n")
    out = run("history", "import-auths", path, "--db", db).output
    assert f"{path}:2: number is longer than 50 characters" in out


def test_a_key_twice_in_one_file_is_a_row_error(db, tmp_path):
    path = write(tmp_path, "ytd.csv", "patient_key,year,discipline,amount,as_of,source\n"
                 "P-1,2025,PT,100.00,2025-03-01,HETS\nP-1,2025,SLP,50.00,2025-03-02,HETS\n")
    out = run("history", "import-ytd", path, "--db", db).output
    # PT and SLP share the Medicare threshold: one PT/SLP figure per patient and year.
    assert f"{path}:3: this patient's 2025 PT/SLP figure is also on row 2" in out


def test_dry_run_checks_and_writes_nothing(db, tmp_path):
    good = write(tmp_path, "r.csv", "npi,credential\n1234567893,PT\n")
    bad = write(tmp_path, "b.csv", "npi\n1234567890\n")
    assert "1 provider(s) valid" in run("history", "import-roster", good, "--dry-run", "--db", db).output
    result = run("history", "import-roster", bad, "--dry-run", "--db", db)
    assert result.exit_code == 1 and f"{bad}:2: NPI" in result.output
    with open_history(db) as history:
        assert history.counts()["provider_roster"] == 0


def test_auth_codes_must_be_cpt_or_hcpcs_and_used_within_authorised(db, tmp_path):
    # CPT: 5 digits, or 4 digits + F/T/U/M (category II/III, PLA, MAAA); HCPCS level II: A-V + 4 digits.
    path = write(tmp_path, "auths.csv", "payer,patient_key,number,codes,start,end,units_authorized,units_used\n"
                 "60054,P-1,AUTH-7,9714O ZZZZZ 0001U G0283 1036F,2026-01-01,2026-03-01,4,9\n")
    out = run("history", "import-auths", path, "--db", db).output
    assert f"{path}:2: code(s) 9714O, ZZZZZ are not CPT/HCPCS codes" in out
    assert "0001U" not in out and "G0283" not in out and "1036F" not in out
    assert f"{path}:2: units_used 9 is more than units_authorized 4" in out


def test_ytd_as_of_before_its_year_is_refused(db, tmp_path):
    path = write(tmp_path, "ytd.csv", "patient_key,year,discipline,amount,as_of,source\n"
                 "P-1,2026,OT,\"$1,200.00\",2025-06-01,HETS 271\n")
    out = run("history", "import-ytd", path, "--db", db).output
    assert f"{path}:2: as_of 2025-06-01 is before the year 2026 it gives a figure for" in out


def test_an_authorisation_of_another_patient_is_a_finding(db, tmp_path, make_checker):
    path = write(tmp_path, "auths.csv", "payer,patient_key,number,codes,start,end,units_authorized,units_used\n"
                 "PAYER1,P-1,AUTH-1,97140,2026-01-01,2026-03-31,4,0\n")
    assert run("history", "import-auths", path, "--db", db).exit_code == 0
    with open_history(db) as history:
        checker = make_checker(select=["PA002"])
        checker.ctx.history = history
        other = make_claim("Q2", lines=[("97140", ["GP"], 2)], patient="P-2", prior_auth="AUTH-1", dos="2026-02-02")
        [f] = checker.check(other).findings
        assert "REF*G1 AUTH-1 is stored for another patient" in f.message and "P-1" not in f.message
        lower = make_claim("Q4", lines=[("97140", ["GP"], 5)], prior_auth="auth-1", dos="2026-02-03")
        [f] = checker.check(lower).findings  # REF*G1 matched regardless of case: 5 units > 4 authorised
        assert "Authorisation AUTH-1 authorises 4 unit(s)" in f.message
