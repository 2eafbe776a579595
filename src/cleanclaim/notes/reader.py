"""Read visit notes: plain text / Markdown (optional YAML front matter) and FHIR R4
``DocumentReference`` (single resource, Bundle or NDJSON).

Front matter keys used for linking a note to its claim: ``claim_id``, ``patient``,
``date`` (date of service, ISO ``YYYY-MM-DD`` or ``MM/DD/YYYY``). A file named
``<claim_id>.md`` / ``.txt`` links by its name when no ``claim_id`` is given.
Every problem is a :class:`NoteError` naming the file and line.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from .text import Note, parse_note

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
FHIR_SUFFIXES = (".json", ".ndjson")
NOTE_SUFFIXES = TEXT_SUFFIXES + FHIR_SUFFIXES
DATE_KEYS = ("date", "dos", "date_of_service")


def is_note_file(path: Path) -> bool:
    """A note file in a folder walk: a note suffix, not hidden, not a README."""
    return path.suffix.lower() in NOTE_SUFFIXES and not path.name.startswith(".") and \
        not path.stem.upper().startswith("README")


class NoteError(ValueError):
    """A note file that cannot be read; the message names the file and line."""


def read_note(path: str | Path) -> Note:
    """The one note in ``path`` (a FHIR file holding several is an error: use read_notes)."""
    notes = list(read_notes(path))
    if len(notes) != 1:
        raise NoteError(f"{path}: holds {len(notes)} notes; expected one (use read_notes)")
    return notes[0]


def read_notes(path: str | Path) -> Iterator[Note]:
    """Every note in a file, or in every note file of a folder (sorted by name)."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if is_note_file(child):
                yield from read_notes(child)
        return
    if not path.exists():
        raise NoteError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise NoteError(f"{path} line {line}: not UTF-8 text ({exc.reason})") from None
    if path.suffix.lower() in FHIR_SUFFIXES or text.lstrip().startswith("{"):
        yield from _fhir_notes(path, text)
    else:
        yield _text_note(path, text)


# --------------------------------------------------------------------------- text / Markdown


def _text_note(path: Path, text: str) -> Note:
    """The note's text keeps FILE coordinates: the front matter (and a byte-order mark) is
    blanked to spaces with its line breaks kept, and CRLF becomes " \n", so every offset
    into ``Note.text`` is the same character offset into the file as read (UTF-8), and
    the patient fields of the front matter are never part of the text."""
    text = text.replace("\r\n", " \n")
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    meta: dict = {}
    line_offset = 0
    body_start = 0
    plain = text.replace(" \n", "\n")
    if plain.lstrip(" ").startswith("---\n") or plain.strip() == "---":
        meta, _, line_offset = _front_matter(path, plain.lstrip(" "))
        lines = text.split("\n")
        body_start = sum(len(ln) + 1 for ln in lines[:line_offset])
        text = re.sub(r"[^\n]", " ", text[:body_start]) + text[body_start:]
    if not text[body_start:].strip():
        raise NoteError(f"{path} line {line_offset + 1}: the note has no text")
    meta.setdefault("file_stem", path.stem)
    note = parse_note(text, source=str(path), meta=meta)
    note.body_start = body_start
    return note


def _front_matter(path: Path, text: str) -> tuple[dict, int, int]:
    import yaml

    lines = text.split("\n")
    for i, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            body_start = sum(len(ln) + 1 for ln in lines[: i + 1])
            break
    else:
        raise NoteError(f"{path} line 1: front matter opened with '---' is never closed")
    try:
        data = yaml.load(block, Loader=yaml.BaseLoader) if block.strip() else {}  # all strings
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise NoteError(f"{path} line {line}: front matter is not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise NoteError(f"{path} line 2: front matter must be 'key: value' lines")
    meta = {str(k).strip().lower(): v for k, v in data.items()}
    for key, value in list(meta.items()):
        line = _key_line(lines[1:i], key) + 1
        if key in DATE_KEYS:
            meta["date"] = _date(path, line, key, value)
        elif key in ("claim_id", "patient") and value is not None:
            if isinstance(value, (dict, list)):
                raise NoteError(f"{path} line {line}: {key} must be a single value")
            meta[key] = str(value).strip()
    return meta, body_start, i + 1


def _key_line(lines: list[str], key: str) -> int:
    for n, line in enumerate(lines, 1):
        if re.match(rf"\s*{re.escape(key)}\s*:", line, re.IGNORECASE):
            return n
    return 1


def _date(path: Path, line: int, key: str, value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise NoteError(f"{path} line {line}: {key} {text!r} is not a date (use YYYY-MM-DD)")


# --------------------------------------------------------------------------- FHIR DocumentReference


def _fhir_notes(path: Path, text: str) -> Iterator[Note]:
    for line, resource in _json_resources(path, text):
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind == "Bundle":
            for n, entry in enumerate(resource.get("entry") or [], 1):
                inner = (entry or {}).get("resource") if isinstance(entry, dict) else None
                if isinstance(inner, dict) and inner.get("resourceType") == "DocumentReference":
                    yield _document_reference(path, f"line {line} entry {n}", inner)
        elif kind == "DocumentReference":
            yield _document_reference(path, f"line {line}", resource)
        else:
            raise NoteError(f"{path} line {line}: expected a FHIR DocumentReference or Bundle, "
                            f"got resourceType {kind!r}")


def _json_resources(path: Path, text: str) -> Iterator[tuple[int, dict]]:
    stripped = text.strip()
    try:
        yield 1, json.loads(stripped)
        return
    except json.JSONDecodeError as exc:
        if path.suffix.lower() != ".ndjson":
            raise NoteError(f"{path} line {exc.lineno}: not valid JSON: {exc.msg}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise NoteError(f"{path} line {number}: not valid JSON: {exc.msg}") from None


def _document_reference(path: Path, where: str, resource: dict) -> Note:
    from fhir.resources.R4B.documentreference import DocumentReference

    try:
        DocumentReference.model_validate(resource) if hasattr(DocumentReference, "model_validate") \
            else DocumentReference.parse_obj(resource)
    except Exception as exc:  # pydantic ValidationError: say which element
        first = str(exc).splitlines()
        detail = "; ".join(s.strip() for s in first[1:3]) if len(first) > 1 else first[0]
        raise NoteError(f"{path} {where}: not a valid FHIR R4 DocumentReference: {detail}") from None
    text = None
    for n, content in enumerate(resource.get("content") or [], 1):
        attachment = (content or {}).get("attachment") or {}
        ctype = (attachment.get("contentType") or "text/plain").split(";")[0].strip().lower()
        if not ctype.startswith("text/"):
            continue
        if attachment.get("data"):
            try:
                text = base64.b64decode(attachment["data"], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise NoteError(f"{path} {where}: content[{n}].attachment.data is not base64 "
                                f"UTF-8 text") from None
            break
    if text is None:
        div = ((resource.get("text") or {}).get("div")) or ""
        text = re.sub(r"<[^>]+>", "\n", div).strip() or None
    if not text:
        raise NoteError(f"{path} {where}: DocumentReference has no text/* attachment data "
                        f"and no narrative")
    meta: dict = {"file_stem": path.stem, "fhir_id": resource.get("id")}
    context = resource.get("context") or {}
    for related in context.get("related") or []:
        reference = (related or {}).get("reference") or ""
        identifier = ((related or {}).get("identifier") or {}).get("value")
        if reference.startswith("Claim/"):
            meta["claim_id"] = reference.split("/", 1)[1]
        elif identifier and "claim_id" not in meta:
            meta["claim_id"] = str(identifier)
    subject = resource.get("subject") or {}
    patient = (subject.get("identifier") or {}).get("value") or (subject.get("reference") or "").split("/")[-1]
    if patient:
        meta["patient"] = patient
    when = ((context.get("period") or {}).get("start")) or resource.get("date")
    if when:
        meta["date"] = _date(path, 1, "date", str(when)[:10])
    return parse_note(text, source=f"{path}#{resource.get('id') or where}", meta=meta)
