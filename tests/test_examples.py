"""The bundled examples flag exactly what they seed, and nothing on the clean claims."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SEEDED = {
    "PM1001": [],
    "PM1002": [("NC001", 2)],  # 97124 bundled into 97140 (NCCI PTP indicator 0)
    "PM1003": [("DX002", 1)],  # M54.5 is a header on a 2026 date
    "PM1004": [("PG004", None)],  # Z33.1 alone
    "PM1005": [("TH001", 1)],  # Medicare 97110 without GP
    "PM1006": [("CL001", 1)],  # pointer to a diagnosis that is not there
    "PM1007": [],
    "PM2001": [],
    "PM2002": [("TU001", 1)],  # 40 timed minutes = 3 units, 4 billed
    "PM2003": [],  # CMS 100-04 ch.5 §20.2 example 1: 97112 x2, 97110 x1
}


def test_examples_flag_exactly_the_seeded_problems():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    got = {c["claim_id"]: [(f["code"], f["line"]) for f in c["findings"]] for c in report["claims"]}
    assert got == SEEDED
    assert report["summary"] == {**report["summary"], "claims": 10, "clean": 4, "errors": 6, "warnings": 0}


def test_every_finding_has_fix_and_authority():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01"])
    for claim in json.loads(result.output)["claims"]:
        for f in claim["findings"]:
            assert f["fix"] and f["authority"], f


def test_text_report_has_summary_and_clean_rate():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--as-of", "2026-12-01"])
    assert "clean-claim rate 40.0%" in result.output
    assert "NC001" in result.output


def test_select_never_hides_read_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("claim_id,date_of_service,procedure_code,units,dx1\nB1,2026-13-01,97110,1,M54.50\n")
    result = CliRunner().invoke(main, ["check", str(bad), "--select", "NC", "--format", "json"])
    report = json.loads(result.output)
    assert [f["code"] for f in report["claims"][0]["findings"]] == ["CSV001"]
    assert result.exit_code == 1


def test_select_typo_is_an_error():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--select", "ZZ"])
    assert result.exit_code == 2 and "matches no rule" in result.output


def test_a_file_with_no_claim_is_unreadable(tmp_path):
    not_claims = tmp_path / "remit.837"
    not_claims.write_text(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261120*0930*^*00501*000000001*0*T*:~"
        "GS*HP*PAYER*PRACTICE*20261120*0930*1*X*005010X221A1~ST*835*0001*005010X221A1~SE*2*0001~GE*1*1~IEA*1*000000001~"
    )
    result = CliRunner().invoke(main, ["check", str(not_claims), "--format", "json"])
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert "no claim could be read" in report["inputs"][0]["error"]
    assert "835" in report["inputs"][0]["error"]


def test_old_quarterly_tables_are_named_in_the_summary():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01"])
    notices = json.loads(result.output)["summary"]["notices"]
    assert any("NCCI practitioner PTP 2024 Q3" in n and "2024-09-30" in n for n in notices)
