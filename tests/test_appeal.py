"""`cleanclaim appeal`: the packet renders (pdftoppm), holds the claim's facts (pdftotext),
uses the bucket's template or the user's, and keeps patient identifiers out of stdout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main

from test_denials_report import build_demo_store

# PMH13A (ACME, CO-50 on 97124, diagnoses O26.893 + M54.50 + Z3A.30): a medical-necessity denial
# that `check` does not predict, so the argument is not contradicted (PM1004, Z33.1 alone, is
# refused: tests/test_appeal_rules.py).
NOTE = """---
claim_id: PMH13A
date: 2026-08-31
---
Subjective: Patient at 30 weeks gestation reports low back and pelvic girdle pain, 6/10, worse with walking.

Assessment: Pregnancy-related low back pain with soft-tissue restriction limiting standing tolerance.

Treatment: Massage 97124, 30 minutes, side-lying: effleurage and petrissage to the lumbar paraspinals.

Plan: 2x/week for 4 weeks.
"""
needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                                   reason="poppler-utils (pdftoppm, pdftotext) not installed")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return build_demo_store(tmp_path_factory.mktemp("appeal"))


@pytest.fixture(scope="module")
def notes_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("notes")
    (d / "PMH13A.md").write_text(NOTE)
    return d


def _appeal(demo_db, out, *args):
    result = CliRunner().invoke(main, ["appeal", *args, "--db", demo_db, "--out", str(out), "--date", "2026-12-02"])
    assert result.exit_code == 0, result.output
    return result


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_medical_necessity_packet_renders_and_holds_the_facts(demo_db, notes_dir, tmp_path):
    result = _appeal(demo_db, tmp_path, "PMH13A", "--notes", str(notes_dir), "--include-ids")
    pdf = tmp_path / "appeal-PMH13A-60054.pdf"
    md = tmp_path / "appeal-PMH13A-60054.md"
    assert pdf.is_file() and md.is_file()
    assert "SYNA1" not in result.output  # the member ID stays in the packet
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pages)
    text = " ".join(_text(pdf).split())
    for fact in ("ACME HEALTH PLAN", "PMH13A", "2026-08-31", "97124", "$80.00", "CO-50", "N130",
                 "medical necessity", "Member ID: SYNA1", "Patient name:", "1862(a)(1)(A)", "29 CFR 2560.503-1",
                 "within 180 days of the remittance dated 2026-09-18 (by 2027-03-17)",
                 "30 weeks gestation", "Claim summary", "References", "Name, credentials (fill in)"):
        assert fact in text, fact
    assert "Biller notes" not in text  # the comment block stays out of the PDF
    assert "Appeal deadline: 2027-03-17" in md.read_text()  # ... and tells the biller the deadline


@needs_poppler
def test_medicare_coding_denial_uses_its_template_and_redetermination_rights(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH03M", "--force")  # check finds NC002: refused without --force
    text = " ".join(_text(tmp_path / "appeal-PMH03M-13202.pdf").split())
    # Medicare's first level is a redetermination by the MAC (42 CFR 405.940), not a reconsideration (QIC).
    assert "Request for redetermination: coding, claim PMH03M" in text
    assert "CO-236" in text and "M80" in text
    assert "42 CFR 405.942(a)" in text  # Medicare redetermination: 120 days (missed on 2026-12-02: said)
    md = (tmp_path / "appeal-PMH03M-13202.md").read_text()
    assert "NCCI PTP 97150/97110 on 2026-06-23: modifier indicator 1" in md  # the row, for the biller


def test_latest_denial_is_appealed_and_paid_claims_are_refused(demo_db, tmp_path):
    result = CliRunner().invoke(main, ["appeal", "PM1001", "--db", demo_db, "--out", str(tmp_path)])
    assert result.exit_code != 0 and "no denial to appeal" in result.output
    result = CliRunner().invoke(main, ["appeal", "NOPE", "--db", demo_db, "--out", str(tmp_path)])
    assert result.exit_code != 0 and "no 835 answer" in result.output


def test_user_template_overrides_and_unknown_placeholder_is_named(demo_db, tmp_path):
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "authorization.md").write_text("# Our own letter for $claim_id to $payer_name\n\n$signature\n")
    _appeal(demo_db, tmp_path / "out", "PMH19D", "--templates", str(mine))
    md = (tmp_path / "out" / "appeal-PMH19D-77001.md").read_text()
    assert "# Our own letter for PMH19D to SUNRISE MEDICAID PLAN" in md
    assert "42 CFR part 438" in md  # the references still follow
    (mine / "authorization.md").write_text("Dear $reviewer_name\n")
    result = CliRunner().invoke(main, ["appeal", "PMH19D", "--db", demo_db, "--out", str(tmp_path),
                                       "--templates", str(mine)])
    assert result.exit_code != 0
    assert "authorization.md: unknown placeholder $reviewer_name" in result.output


@needs_poppler
def test_edited_markdown_renders_again(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH14M", "--force")  # check finds HX005 (late): refused without --force
    md = tmp_path / "appeal-PMH14M-13202.md"
    md.write_text(md.read_text().replace("Name: ______________________ (fill in)", "Dana Rivera, PT, DPT"))
    result = CliRunner().invoke(main, ["appeal", "--render", str(md)])
    assert result.exit_code == 0, result.output
    text = _text(md.with_suffix(".pdf"))
    assert "Dana Rivera, PT, DPT" in text
    assert "timely filing" in text and "42 CFR 424.44" in text


def test_every_shipped_template_fills(demo_db):
    """Each bucket template fills with a real case's variables (no unknown placeholder)."""
    from string import Template

    from cleanclaim.remits.appeal import find_case
    from cleanclaim.remits.appeal_letter import template_text, variables
    from cleanclaim.remits.buckets import BUCKETS
    from cleanclaim.store import open_history

    with open_history(demo_db) as history:
        case = find_case(history, "PMH08D")
    values = variables(case)
    for bucket in list(BUCKETS) + ["default"]:
        text, _ = template_text(bucket)
        Template(text).substitute(values)


@needs_poppler
def test_config_letterhead_fills_addresses_and_signer(demo_db, tmp_path, monkeypatch):
    config = tmp_path / "cleanclaim.toml"
    config.write_text('[appeal]\npractice_address = "12 River St\\nAlbany NY 12207"\npractice_phone = "518-555-0100"\n'
                      'signer = "Dana Rivera, PT, DPT"\n\n[appeal.payer_addresses]\n'
                      '60054 = "ACME Health Plan Appeals\\nPO Box 5550\\nAnytown NY 12207"\n')
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(config))
    _appeal(demo_db, tmp_path, "PM1002", "--force")  # check finds NC001 (indicator 0): refused without --force
    text = _text(tmp_path / "appeal-PM1002-60054.pdf")
    for fact in ("12 River St", "Telephone 518-555-0100", "PO Box 5550", "Dana Rivera, PT, DPT", "CO-97", "M15"):
        assert fact in text, fact
    assert "appeal mailing address" not in (tmp_path / "appeal-PM1002-60054.md").read_text()


def test_front_end_rejection_is_not_appealed(demo_db, tmp_path):
    result = CliRunner().invoke(main, ["appeal", "PM1006", "--db", demo_db, "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "rejected at the front end (277CA A7:21" in result.output and "send it again" in result.output


def test_line_option_limits_the_letter_to_that_line(demo_db, tmp_path):
    _appeal(demo_db, tmp_path, "PMH03M", "--line", "2", "--force")
    md = (tmp_path / "appeal-PMH03M-13202.md").read_text()
    assert "| 2 | 2026-06-23 | 97140 |" in md and "| 1 | 2026-06-23 | 97110 | GP | 2 | $80.00 | $0.00" not in md
    assert "**Amount denied:** $45.00" in md  # 97140 x1 only
    result = CliRunner().invoke(main, ["appeal", "PMH03M", "--line", "3", "--force", "--db", demo_db,
                                       "--out", str(tmp_path)])
    assert result.exit_code != 0 and "denied: 1, 2" in result.output


@pytest.mark.parametrize("claim_id, code", [
    ("PM1002", "NC001"),  # 97124 bundled into 97140, NCCI PTP indicator 0: no modifier helps
    ("PMH03M", "NC002"),  # indicator 1 pair sent without an NCCI-associated modifier
    ("PMH14M", "HX005"),  # filed after Medicare's 1-year limit (42 CFR 424.44)
])
def test_no_letter_argues_against_what_check_finds(demo_db, tmp_path, claim_id, code):
    result = CliRunner().invoke(main, ["appeal", claim_id, "--db", demo_db, "--out", str(tmp_path),
                                       "--date", "2026-12-02"])
    assert result.exit_code != 0 and code in result.output and "--force" in result.output
    assert not list(tmp_path.glob("appeal-*.pdf"))


def test_visit_cap_denial_is_not_appealed_when_the_history_shows_the_cap_spent(demo_db, tmp_path):
    # PP3103 is the 31st ACME PT visit of 2026 (commercial-default cap 30): check with the
    # claim history finds VC001, so no letter claims the visit was within the benefit.
    result = CliRunner().invoke(main, ["appeal", "PP3103", "--db", demo_db, "--out", str(tmp_path),
                                       "--date", "2026-12-02"])
    assert result.exit_code != 0 and "VC001" in result.output
