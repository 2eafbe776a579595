"""`cleanclaim notes` / `check --notes`: file offsets, minimum-necessary output, unlinked notes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# Synthetic: identifiers are made up; the identifier line holds no documentation evidence.
NOTE = """---
claim_id: ZZ9001
patient: FAKE-PT-77
date: 2026-04-20
---
Client: Rhea Tamsin Vale   Born 1990-01-01   Chart 0077123   Tel 555-0100
SUBJECTIVE: c/o right hip pain 6/10; unable to climb stairs without rail.
OBJECTIVE: hip abduction 30 deg (was 22 deg at evaluation).
TREATMENT: 97140 myofascial release R gluteals 18 min. Tolerated well, tone reduced.
PLAN: 1x/week x 5, goals: climb 2 flights without rail. Referred by Dr. Okafor (PCP).
"""


def _write(tmp_path, name="ZZ9001.md", text=NOTE):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_offsets_are_file_offsets(tmp_path):
    path = _write(tmp_path)
    result = CliRunner().invoke(main, ["notes", str(path), "--format", "json", "--no-suggest"])
    report = json.loads(result.stdout)
    file_text = path.read_text(encoding="utf-8")
    assert report["offsets"] == "file" and report["body_start"] == file_text.index("Client:")
    assert report["elements"]
    for item in report["elements"]:
        assert 0 <= item["start"] < item["end"] <= len(file_text)
        assert file_text[item["start"]:item["end"]] == item["text"]
    for name, (start, end) in report["sections"].items():
        assert end <= len(file_text)
    plan = [e for e in report["elements"] if e["element"] == "plan_of_care"]
    assert {e["text"] for e in plan} >= {"1x/week", "x 5"}


def test_text_output_shows_only_evidence_lines_by_default(tmp_path):
    path = _write(tmp_path)
    out = CliRunner().invoke(main, ["notes", str(path), "--no-suggest"]).stdout
    assert "unable to climb stairs" in out and "myofascial release" in out
    for identifier in ("Rhea", "1990-01-01", "0077123", "555-0100", "FAKE-PT-77"):
        assert identifier not in out
    assert "lines shown" in out
    full = CliRunner().invoke(main, ["notes", str(path), "--no-suggest", "--show-text"]).stdout
    assert "Rhea Tamsin Vale" in full and "FAKE-PT-77" not in full  # front matter never printed


def test_check_warns_about_a_note_linked_to_no_claim(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    orphan = _write(folder)
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "prenatal-massage.837"),
                                       "--notes", str(folder), "--select", "DOC", "--as-of", "2026-10-01"])
    assert f"note {orphan} links to no claim: claim_id ZZ9001 is not among the claims checked" in result.stderr


def test_check_is_quiet_when_every_note_links():
    result = CliRunner().invoke(main, [
        "check", str(EXAMPLES / "prenatal-massage.837"), str(EXAMPLES / "prenatal-massage.csv"),
        "--notes", str(EXAMPLES / "notes"), "--select", "DOC", "--as-of", "2026-10-01"])
    assert "links to no claim" not in result.stderr


def test_notes_with_claim_warns_when_the_note_matches_no_claim(tmp_path):
    path = _write(tmp_path)
    result = CliRunner().invoke(main, ["notes", str(path), "--claim", str(EXAMPLES / "prenatal-massage.837"),
                                       "--no-suggest", "--format", "json"])
    assert f"note {path} links to no claim in" in result.stderr
    assert json.loads(result.stdout)["linked_claim"] is None
