"""Whether to appeal and by when (trial 5 items 3, 5, 6, 7, 8, 9, 10): deadlines from the
regulations, no letter without appeal rights (MA130), none for lines a later answer paid,
none that argues against the claim's own `check` findings, open takebacks named as such,
Medicare letters ask for a redetermination with the 42 CFR 405.944(b) blanks, and the
recorded claim file is found from any folder."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.remits.appeal_rules import deadline

from test_denials_report import EXAMPLES, build_demo_store

GOOD_NOTE = """---
claim_id: PMH13A
date: 2026-08-31
---
Subjective: Patient at 30 weeks gestation reports low back and pelvic girdle pain, 6/10, worse with walking; cannot
stand longer than 10 minutes to cook. Referred by Dr. Okafor (obstetrician) for therapeutic massage, order on file.

Objective: Palpable hypertonicity of the lumbar paraspinals and gluteus medius bilaterally; standing tolerance
10 minutes (was 5 minutes at evaluation).

Assessment: Pregnancy-related low back pain with soft-tissue restriction limiting standing tolerance; improving.

Treatment: Massage 97124, 30 minutes, side-lying: effleurage and petrissage to the lumbar paraspinals and gluteals.
Patient tolerated well; pain 4/10 after treatment.

Plan: 2x/week for 4 weeks. Goal: standing tolerance 20 minutes to cook a meal.
"""
RELAXATION_NOTE = """---
claim_id: PMH13A
date: 2026-08-31
---
Client is 30 weeks pregnant and came in for a relaxation massage before her trip; wants to relax and de-stress.
30-minute full-body Swedish massage in side-lying with aromatherapy. Client relaxed and left feeling refreshed.
"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return build_demo_store(tmp_path_factory.mktemp("appeal-rules"))


def _run(*args):
    return CliRunner().invoke(main, [*args])


def _appeal(db, out, *args, ok=True):
    result = _run("appeal", *args, "--db", db, "--out", str(out))
    assert (result.exit_code == 0) == ok, result.output
    return result


# ------------------------------------------------------------------ deadlines (item 7)

def test_medicare_deadline_is_120_days_from_receipt_presumed_5_days_after_the_notice():
    # 42 CFR 405.942(a): 120 days from receipt; (a)(1) receipt presumed 5 days after the notice date.
    dl = deadline("medicare", date(2026, 7, 10))
    assert dl.due == date(2026, 11, 12)
    assert not dl.missed(date(2026, 11, 12)) and dl.missed(date(2026, 11, 13))


def test_erisa_deadline_is_180_days_and_medicaid_is_not_computed():
    # 29 CFR 2560.503-1(h)(3)(i): at least 180 days following the adverse benefit determination.
    assert deadline("commercial", date(2026, 9, 18)).due == date(2027, 3, 17)
    assert deadline("medicaid", date(2026, 9, 18)).due is None


def test_medicare_letter_past_the_deadline_says_so_and_never_filed_within(demo_db, tmp_path):
    result = _appeal(demo_db, tmp_path, "PMH03M", "--date", "2026-12-03", "--force")  # remit 2026-07-10: 146 days
    md = (tmp_path / "appeal-PMH03M-13202.md").read_text()
    letter = md.split("-->", 1)[1]
    assert "the 120 days ended on 2026-11-12 (42 CFR 405.942(a))" in letter
    assert "good cause (42 CFR 405.942(b))" in letter
    assert "filed within" not in letter and "ends on" not in letter
    assert "APPEAL DEADLINE MISSED: it was 2026-11-12" in md and "APPEAL DEADLINE MISSED" in result.output
    _appeal(demo_db, tmp_path / "early", "PMH03M", "--date", "2026-10-01", "--force")
    early = (tmp_path / "early" / "appeal-PMH03M-13202.md").read_text()
    assert "the 120-day filing period ends on 2026-11-12" in early and "MISSED" not in early


def test_erisa_letter_after_180_days_does_not_claim_timeliness(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH13A", "--date", "2027-06-30")  # remit 2026-09-18
    md = (tmp_path / "appeal-PMH13A-60054.md").read_text()
    letter = md.split("-->", 1)[1]
    assert "more than 180 days later" in letter and "within 180 days" not in letter
    assert "APPEAL DEADLINE MISSED: it was 2027-03-17" in md
    _appeal(demo_db, tmp_path / "ok", "PMH13A", "--date", "2026-12-02")
    assert "within 180 days of the remittance dated 2026-09-18 (by 2027-03-17)" in \
        (tmp_path / "ok" / "appeal-PMH13A-60054.md").read_text()


# ------------------------------------------------------------------ Medicare level and blanks (item 8)

def test_medicare_letter_is_a_redetermination_with_the_405_944_blanks(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH03M", "--date", "2026-10-01", "--force")
    letter = (tmp_path / "appeal-PMH03M-13202.md").read_text().split("-->", 1)[1]
    assert "# Request for redetermination: coding, claim PMH03M" in letter
    assert "Attention: Redeterminations (first-level appeal)" in letter
    assert "reconsideration" not in letter.lower().split("# claim summary")[0]  # QIC level never asked
    # 42 CFR 405.944(b)(1), (2) and (5): beneficiary name, Medicare number, name and signature of the party.
    assert "**Beneficiary name:** ____" in letter and "**Medicare number (MBI):** ____" in letter
    assert "Signature of the party or representative\nName: ____" in letter
    assert "SYNH3" not in letter  # identifiers only with --include-ids


def test_commercial_letter_has_patient_blanks_and_ids_only_on_request(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH13A", "--date", "2026-12-02")
    letter = (tmp_path / "appeal-PMH13A-60054.md").read_text()
    assert "**Patient name:** ____" in letter and "**Date of birth:** ____" in letter
    assert "**Member ID:** ____" in letter and "SYNA1" not in letter
    result = _appeal(demo_db, tmp_path / "ids", "PMH13A", "--date", "2026-12-02", "--include-ids")
    assert "**Member ID:** SYNA1" in (tmp_path / "ids" / "appeal-PMH13A-60054.md").read_text()
    assert "SYNA1" not in result.output


# ------------------------------------------------------------------ already paid (item 6)

def test_denial_paid_by_a_later_corrected_claim_is_refused(demo_db, tmp_path):
    # PM1005: CO-4 on 2026-12-04, reversed and paid on the corrected claim on 2026-12-18 (corrections.835).
    result = _appeal(demo_db, tmp_path, "PM1005", ok=False)
    assert "reprocessed since (line 1 97110 paid $39.97 on 2026-12-18)" in result.output
    assert "pay it twice" in result.output and not list(tmp_path.glob("*.md"))
    result = _appeal(demo_db, tmp_path, "PM1005", "--force", "--date", "2026-12-20")
    assert "WARNING: written with --force" in (tmp_path / "appeal-PM1005-13202.md").read_text()


# ------------------------------------------------------------------ contradicted argument (item 9)

def test_medical_necessity_appeal_against_the_claims_own_findings_is_refused(demo_db, tmp_path):
    # PM1004 is billed with Z33.1 alone: PG004 (ICD-10-CM guideline I.C.15.a.1) predicts the CO-50.
    result = _appeal(demo_db, tmp_path, "PM1004", ok=False)
    assert "PG004" in result.output and "correct the claim" in result.output
    _appeal(demo_db, tmp_path, "PM1004", "--force", "--date", "2026-12-02")
    md = (tmp_path / "appeal-PM1004-60054.md").read_text()
    assert "WARNING: written with --force" in md and "PG004" in md
    assert "[policy " not in md  # no internal pack ids
    assert "The plan's" not in md  # cleanclaim's base/assumed pack is never the plan's policy


def test_relaxation_note_refuses_the_necessity_argument(demo_db, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "PMH13A.md").write_text(RELAXATION_NOTE)
    result = _appeal(demo_db, tmp_path, "PMH13A", "--notes", str(notes), ok=False)
    assert "DOC012" in result.output  # relaxation wording (payer massage policies; PIM 100-08 ch.3)
    (notes / "PMH13A.md").write_text(GOOD_NOTE)
    _appeal(demo_db, tmp_path, "PMH13A", "--notes", str(notes), "--date", "2026-12-02")
    letter = (tmp_path / "appeal-PMH13A-60054.md").read_text()
    assert "30 weeks gestation" in letter and "1862(a)(1)(A)" in letter


# ------------------------------------------------------------------ no appeal rights (item 10), takeback (item 3)

ISA = "ISA*00*          *00*          *ZZ*PAYERS         *ZZ*BLOOMPT        *261201*0700*^*00501*{ctrl}*0*T*:"


def _835(ctrl: str, sets: list[tuple[str, str, str, str, list[str]]]) -> str:
    """One interchange; each set: (payer name, payer id, date, amount, CLP loop segments)."""
    out = [ISA.format(ctrl=ctrl), f"GS*HP*PAYERS*BLOOMPT*20261201*0700*{int(ctrl)}*X*005010X221A1"]
    for n, (payer, pid, day, amount, body) in enumerate(sets, 1):
        head = [f"ST*835*{n:04d}", f"BPR*I*{amount}*C*ACH*CCP*01*999999992*DA*123456789*1512345678**01*999988880*DA*98765*{day}",
                f"TRN*1*T{ctrl}{n}{day}*1512345678", f"DTM*405*{day}", f"N1*PR*{payer}*XV*{pid}",
                "N1*PE*BLOOM PRENATAL THERAPY*XX*1234567893", "LX*1", *body]
        out += head + [f"SE*{len(head) + 1}*{n:04d}"]
    out += [f"GE*{len(sets)}*{int(ctrl)}", f"IEA*1*{ctrl}"]
    return "~\n".join(out) + "~\n"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    from cleanclaim.codesets.store import CodeStore
    from cleanclaim.remits.importer import import_file
    from cleanclaim.store import open_history

    d = tmp_path_factory.mktemp("small")
    first = d / "first.835"
    first.write_text(_835("000000501", [
        ("PAYER TWO", "22222", "20261201", "0", ["CLP*M2*4*50*0**CI*P2", "SVC*HC:97140*50*0**1", "DTM*472*20261101",
                                                 "CAS*CO*16*50", "LQ*HE*MA130"]),
        ("ACME HEALTH PLAN", "60054", "20261202", "75.18", [
            "CLP*TB1*1*130*75.18*25*CI*263312001*11*1", "SVC*HC:97140:GP*90*40.49**2", "DTM*472*20260915",
            "CAS*CO*45*24.51", "CAS*PR*3*25", "SVC*HC:97110:GP*40*34.69**1", "DTM*472*20260915", "CAS*CO*45*5.31"]),
    ]))
    takeback = d / "takeback.835"
    takeback.write_text(_835("000000502", [
        ("ACME HEALTH PLAN", "60054", "20261222", "0", [
            "CLP*TB1*22*-130*-75.18*-25*CI*263312001*11*1", "SVC*HC:97140:GP*-90*-40.49**-2", "DTM*472*20260915",
            "CAS*CO*45*-24.51", "CAS*PR*3*-25", "SVC*HC:97110:GP*-40*-34.69**-1", "DTM*472*20260915",
            "CAS*CO*45*-5.31"]),
    ]).replace("BPR*I*0*", "BPR*H*0*"))
    url = str(d / "small.sqlite")
    store = CodeStore.open()
    with open_history(url) as history:
        for f in (first, takeback):
            result = import_file(history, f, store)
            assert result.claims >= 1 and not [p for p in result.problems if p.severity == "error"], result.problems
    return url


def test_ma130_has_no_appeal_rights_and_no_letter(small_db, tmp_path):
    # RARC MA130: "no appeal rights are afforded because the claim is unprocessable. Please submit a new claim".
    result = _appeal(small_db, tmp_path, "M2", ok=False)
    assert "no appeal letter: RARC MA130" in result.output and "submit a new claim" in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_open_takeback_is_reported_with_its_amount_and_not_called_paid(small_db, tmp_path):
    result = _appeal(small_db, tmp_path, "TB1", ok=False)
    assert "every answer paid it" not in result.output
    assert "open recoupment" in result.output and "$75.18 taken back" in result.output
    report = _run("denials", "report", "--db", small_db, "--format", "json")
    assert report.exit_code == 0, report.output
    summary = json.loads(report.output)
    assert summary["totals"]["open_takebacks"] == 1 and summary["totals"]["dollars_taken_back"] == "75.18"
    row = next(d for d in summary["denials"] if d["claim_id"] == "TB1")
    assert row["status"] == "open takeback" and row["dollars_denied"] == "75.18"
    text = _run("denials", "report", "--db", small_db).output
    assert "open takebacks (payment reversed, not paid again)" in text and "$75.18" in text


def test_medicare_correction_advice_is_a_reopening(demo_db, tmp_path):
    # PMH03M (Medicare Part B, NCCI modifier indicator 1): the modifier is added by a reopening (42 CFR
    # 405.980(a)(3), Pub. 100-04 ch.34), not a frequency-7 replacement claim.
    _appeal(demo_db, tmp_path, "PMH03M", "--date", "2026-10-01", "--force")
    notes = (tmp_path / "appeal-PMH03M-13202.md").read_text().split("-->", 1)[0]
    assert "reopening" in notes and "42 CFR 405.980(a)(3)" in notes and "frequency code 7" not in notes
    _appeal(demo_db, tmp_path, "PM1002", "--date", "2026-12-02", "--force")  # commercial: a replacement claim
    assert "send a corrected claim (frequency code 7" in (tmp_path / "appeal-PM1002-60054.md").read_text()


# ------------------------------------------------------------------ any folder (item 5)

def test_recorded_source_is_absolute_and_appeal_works_from_another_folder(tmp_path, monkeypatch):
    from cleanclaim.codesets.store import CodeStore
    from cleanclaim.remits.importer import import_file
    from cleanclaim.store import open_history

    work = tmp_path / "work"
    work.mkdir()
    (work / "claims.837").write_bytes((EXAMPLES / "prenatal-massage.837").read_bytes())
    db = str(tmp_path / "h.sqlite")
    monkeypatch.chdir(work)
    result = _run("check", "claims.837", "--record", "--db", db)
    assert result.exit_code in (0, 1), result.output  # 1: the seeded findings
    with open_history(db) as history:
        with history.engine.connect() as conn:
            import sqlalchemy as sa
            sources = set(conn.execute(sa.text("SELECT DISTINCT source FROM claims")).scalars())
        assert sources == {str(work / "claims.837")}
        import_file(history, EXAMPLES / "remits" / "prenatal-massage.835", CodeStore.open())
    monkeypatch.chdir(tmp_path)
    _appeal(db, tmp_path / "out", "PM1002", "--date", "2026-12-02", "--force")
    letter = (tmp_path / "out" / "appeal-PM1002-60054.md").read_text()
    assert "BLOOM PRENATAL THERAPY" in letter and "[practice name]" not in letter
    assert "| Diagnoses |" in letter  # the claim was read again from its absolute path
    # An older store kept the path as given: from another folder the file is missing and that is said.
    with open_history(db) as history:
        with history.begin() as conn:
            conn.execute(sa.text("UPDATE claims SET source = 'claims.837'"))
    result = _appeal(db, tmp_path / "out2", "PM1002", "--date", "2026-12-02", "--force")
    assert "claims.837) is not found (a relative path" in result.output
    assert "WARNING: the claim file" in (tmp_path / "out2" / "appeal-PM1002-60054.md").read_text()
    report = _run("denials", "report", "--db", db)
    assert "come from file(s) not found now (claims.837)" in report.output
    assert "no `check --record` runs" not in report.output


def test_stored_check_verdict_still_refuses_when_the_claim_file_is_gone(tmp_path, monkeypatch):
    # PM1004 (Z33.1 alone): check --record kept PG004 (m0200); the file is deleted afterwards.
    from cleanclaim.codesets.store import CodeStore
    from cleanclaim.remits.importer import import_file
    from cleanclaim.store import open_history

    (tmp_path / "claims.837").write_bytes((EXAMPLES / "prenatal-massage.837").read_bytes())
    db = str(tmp_path / "h.sqlite")
    monkeypatch.chdir(tmp_path)
    _run("check", "claims.837", "--record", "--db", db)
    with open_history(db) as history:
        import_file(history, EXAMPLES / "remits" / "prenatal-massage.835", CodeStore.open())
    (tmp_path / "claims.837").unlink()
    result = _appeal(db, tmp_path / "out", "PM1004", ok=False)
    assert "PG004: found by `check --record`" in result.output and "correct the claim" in result.output


def test_findings_that_contradict_each_kind_of_appeal():
    """An authorisation appeal cannot claim an auth number the claim never carried (PA001), a
    bundling appeal cannot argue a pair at NCCI indicator 0 (NC001); a weaker note (DOC
    warning) does not stop a medical-necessity appeal."""
    from types import SimpleNamespace as NS

    from cleanclaim.remits.appeal_rules import contradicting_findings

    line = NS(adjustments=[("CO", "197", 45)], carc="197", history_line_number=1, position=1)
    pa = NS(code="PA001", severity="warning", line=1, carc=None)
    nc = NS(code="NC001", severity="error", line=1, carc="CO-97")
    doc = NS(code="DOC008", severity="warning", line=None, carc=None)
    assert contradicting_findings([pa, nc, doc], "authorization", [line]) == [pa]
    assert contradicting_findings([pa, nc, doc], "coding_bundling", [line]) == [nc]
    assert contradicting_findings([pa, doc], "medical_necessity", [line]) == []
