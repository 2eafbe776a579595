"""notes/reader.py: Markdown with front matter, FHIR DocumentReference, clear errors."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest

from cleanclaim.notes import NoteError, read_note, read_notes

NOTE_TEXT = "S: low back pain 5/10\nO: tender L4-L5\nA: lumbago\nP: 2x/week x 4 weeks\n"


def test_markdown_front_matter_and_offsets(tmp_path):
    path = tmp_path / "visit.md"
    path.write_text("---\nclaim_id: PM1001\npatient: P-7\ndate: 2025-03-04\n---\n" + NOTE_TEXT)
    note = read_note(path)
    assert note.meta["claim_id"] == "PM1001"
    assert read_note_text(tmp_path, "---\nclaim_id: 00123\n---\n" + NOTE_TEXT).meta["claim_id"] == "00123"
    assert note.meta["patient"] == "P-7"
    assert note.meta["date"] == date(2025, 3, 4)
    assert note.text[note.body_start:].startswith("S: low back pain")
    # line numbers count the front matter (5 lines)
    assert note.line_of(note.text.index("O:")) == 7
    # offsets are file offsets: the front matter is blanked, never part of the text
    file_text = path.read_text(encoding="utf-8")
    assert len(note.text) == len(file_text) and "P-7" not in note.text
    at = note.text.index("tender")
    assert file_text[at:at + 6] == "tender"


def test_crlf_and_front_matter_keep_file_offsets(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(b"---\r\nclaim_id: X1\r\npatient: Q-2\r\n---\r\nS: neck pain 3/10\r\nO: tender C5\r\n")
    note = read_note(path)
    file_text = path.read_bytes().decode("utf-8")
    at = note.text.index("tender C5")
    assert file_text[at:at + 9] == "tender C5"
    assert note.meta["claim_id"] == "X1" and note.line_of(at) == 6


def read_note_text(tmp_path, text):
    path = tmp_path / "other.md"
    path.write_text(text)
    return read_note(path)


def test_file_name_is_the_claim_id_when_no_front_matter(tmp_path):
    path = tmp_path / "PM1002.md"
    path.write_text(NOTE_TEXT)
    note = read_note(path)
    assert note.meta["file_stem"] == "PM1002" and "claim_id" not in note.meta


@pytest.mark.parametrize("content,expected", [
    ("---\nclaim_id: PM1\n" + NOTE_TEXT, "line 1: front matter opened with '---' is never closed"),
    ("---\nclaim_id: [PM1\n---\n" + NOTE_TEXT, "line 2: front matter is not valid YAML"),
    ("---\ndate: 2025-13-45\n---\n" + NOTE_TEXT, "line 2: date '2025-13-45' is not a date"),
    ("---\nclaim_id: PM1\n---\n\n", "line 4: the note has no text"),
    ("---\n- a\n- b\n---\n" + NOTE_TEXT, "line 2: front matter must be 'key: value' lines"),
])
def test_malformed_notes_name_file_and_line(tmp_path, content, expected):
    path = tmp_path / "bad.md"
    path.write_text(content)
    with pytest.raises(NoteError) as err:
        read_note(path)
    assert str(err.value).startswith(f"{path} ")
    assert expected in str(err.value)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"S: ok\nO: caf\xe9\n")
    with pytest.raises(NoteError, match=r"bad.txt line 2: not UTF-8"):
        read_note(path)


def document_reference(text: str, **extra) -> dict:
    resource = {
        "resourceType": "DocumentReference",
        "id": "note-1",
        "status": "current",
        "subject": {"reference": "Patient/P-9"},
        "content": [{"attachment": {"contentType": "text/plain",
                                    "data": base64.b64encode(text.encode()).decode()}}],
        "context": {"related": [{"reference": "Claim/PM1003"}],
                    "period": {"start": "2025-03-05"}},
    }
    resource.update(extra)
    return resource


def test_fhir_document_reference_base64(tmp_path):
    path = tmp_path / "note.json"
    path.write_text(json.dumps(document_reference(NOTE_TEXT)))
    note = read_note(path)
    assert note.text == NOTE_TEXT
    assert note.meta["claim_id"] == "PM1003"
    assert note.meta["patient"] == "P-9"
    assert note.meta["date"] == date(2025, 3, 5)
    assert "plan" in note.sections


def test_fhir_bundle_and_folder(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": document_reference(NOTE_TEXT)},
                        {"resource": document_reference("S: neck pain\n", id="note-2")}]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    (tmp_path / "PM1.md").write_text(NOTE_TEXT)
    notes = list(read_notes(tmp_path))
    assert len(notes) == 3


def test_fhir_invalid_resource_is_named(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document_reference(NOTE_TEXT, subject="Patient/P-9")))
    with pytest.raises(NoteError, match=r"bad.json line 1: not a valid FHIR R4 DocumentReference"):
        read_note(path)


def test_fhir_bad_json_names_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "resourceType": "DocumentReference",\n oops\n}')
    with pytest.raises(NoteError, match=r"bad.json line 3: not valid JSON"):
        read_note(path)
