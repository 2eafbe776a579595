"""examples/notes: `check --notes` reports exactly the seeded documentation findings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

SEEDED = {
    "PM1001": [],
    "PM1002": [],
    "PM1003": [("DOC010", None), ("DOC011", None), ("DOC013", None)],
    "PM1004": [("DOC002", None), ("DOC003", None), ("DOC004", None), ("DOC008", None), ("DOC009", None),
               ("DOC010", None), ("DOC011", None), ("DOC012", None), ("DOC013", None)],
    "PM1005": [("DOC014", 1)],
    "PM1006": [("DOC006", 1)],
    "PM1007": [],
    "PM2001": [],
    "PM2002": [("DOC014", 1)],
    "PM2003": [("DOC001", None)],
}


def test_check_with_notes_reports_the_seeded_documentation_findings():
    result = CliRunner().invoke(main, [
        "check", str(EXAMPLES / "prenatal-massage.837"), str(EXAMPLES / "prenatal-massage.csv"),
        "--notes", str(EXAMPLES / "notes"), "--select", "DOC", "--format", "json", "--as-of", "2026-10-01"])
    report = json.loads(result.stdout)
    got = {c["claim_id"]: sorted((f["code"], f.get("line")) for f in c["findings"]) for c in report["claims"]}
    assert got == {k: sorted(v, key=lambda x: (x[0], x[1] or 0)) for k, v in SEEDED.items()}


def test_minutes_against_units_uses_the_cms_8_minute_rule():
    # PM1005 (Medicare): 97110 20 min + 97140 10 min = 30 timed minutes = 2 units (§20.2 chart
    # 23-37 minutes), one each; the claim bills 97110 x2.
    result = CliRunner().invoke(main, [
        "check", str(EXAMPLES / "prenatal-massage.837"), "--notes", str(EXAMPLES / "notes"),
        "--select", "DOC014", "--format", "json", "--as-of", "2026-10-01"])
    claims = {c["claim_id"]: c for c in json.loads(result.stdout)["claims"]}
    message = claims["PM1005"]["findings"][0]["message"]
    assert "97110 x1, 97140 x1" in message and "97110 x2" in message


def test_without_notes_the_doc_family_is_silent():
    result = CliRunner().invoke(main, [
        "check", str(EXAMPLES / "prenatal-massage.837"), "--select", "DOC", "--format", "json",
        "--as-of", "2026-10-01"])
    assert all(not c["findings"] for c in json.loads(result.stdout)["claims"])


def test_notes_command_prints_suggestions_with_highlighted_evidence():
    result = CliRunner().invoke(main, ["notes", str(EXAMPLES / "notes" / "visit-03.md"), "--format", "json"])
    report = json.loads(result.stdout)
    assert {g["code"] for g in report["gaps"]} >= {"DOC010", "DOC011"}
    note_text = (EXAMPLES / "notes" / "visit-03.md").read_text()
    assert report["elements"], "evidence spans"
    for item in report["elements"]:
        assert item["text"] in note_text
    if report["suggestions"]:  # notes.suggest present in this build
        assert any(s["code"].startswith("O26.8") for s in report["suggestions"])


def test_notes_command_against_the_claim(tmp_path):
    result = CliRunner().invoke(main, ["notes", str(EXAMPLES / "notes" / "PM1006.md"), "--claim",
                                       str(EXAMPLES / "prenatal-massage.837"), "--no-suggest",
                                       "--format", "json"])
    report = json.loads(result.stdout)
    assert report["linked_claim"] == "PM1006"
    assert [f["code"] for f in report["findings"]] == ["DOC006"]
    assert result.exit_code == 1
