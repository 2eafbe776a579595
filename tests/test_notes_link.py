"""notes/link.py: a note finds its claim by claim id, file name, or patient and date."""

from __future__ import annotations

import base64
import json
from datetime import date

from cleanclaim.formats.dict_reader import claim_from_dict
from cleanclaim.notes.link import NoteIndex, load_index

NOTE = "S: low back pain 5/10\n"


def claim(claim_id="C1", patient="PK1", day="2026-03-05"):
    c = claim_from_dict({"claim_id": claim_id, "diagnoses": ["M54.50"],
                         "lines": [{"code": "97124", "units": 2, "date": day}]})
    c.patient_key = patient
    return c


def test_claim_id_front_matter_then_file_name_then_patient_and_date(tmp_path):
    (tmp_path / "a.md").write_text("---\nclaim_id: C1\n---\n" + NOTE)
    (tmp_path / "C2.md").write_text(NOTE)
    (tmp_path / "c.md").write_text("---\npatient: PK3\ndate: 2026-03-05\n---\n" + NOTE)
    index = load_index([tmp_path])
    assert index.for_claim(claim("C1")).source.endswith("a.md")
    assert index.for_claim(claim("C2")).source.endswith("C2.md")
    assert index.for_claim(claim("C9", patient="PK3")).source.endswith("c.md")
    assert index.for_claim(claim("C9", patient="PK3", day="2026-03-06")) is None
    assert index.for_claim(claim("C9", patient="PK4")) is None


def test_a_file_named_for_one_claim_but_claiming_another_is_not_linked_by_name(tmp_path):
    (tmp_path / "C1.md").write_text("---\nclaim_id: C7\n---\n" + NOTE)
    index = load_index([tmp_path])
    assert index.for_claim(claim("C1")) is None
    assert index.for_claim(claim("C7")) is not None


def test_fhir_document_reference_links_by_related_claim(tmp_path):
    resource = {"resourceType": "DocumentReference", "status": "current",
                "content": [{"attachment": {"contentType": "text/markdown",
                                            "data": base64.b64encode(NOTE.encode()).decode()}}],
                "context": {"related": [{"reference": "Claim/C5"}]}}
    (tmp_path / "n.json").write_text(json.dumps(resource))
    assert load_index([tmp_path]).for_claim(claim("C5")) is not None


def test_unreadable_note_files_are_errors_not_a_crash(tmp_path):
    (tmp_path / "bad.md").write_text("---\nclaim_id: [x\n---\n" + NOTE)
    (tmp_path / "C1.md").write_text(NOTE)
    index = load_index([tmp_path])
    assert len(index.notes) == 1
    assert len(index.errors) == 1 and "bad.md line 2" in index.errors[0]


def test_index_from_notes_keeps_the_first_of_two_for_a_claim():
    from cleanclaim.notes import parse_note

    first = parse_note(NOTE, source="one", meta={"claim_id": "C1", "date": date(2026, 3, 5)})
    second = parse_note(NOTE, source="two", meta={"claim_id": "C1"})
    assert NoteIndex.from_notes([first, second]).for_claim(claim("C1")).source == "one"
