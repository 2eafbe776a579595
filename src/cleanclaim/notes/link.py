"""Link visit notes to claims, and hand them to the DOC rules.

A note belongs to a claim by claim id (front matter ``claim_id:``, a FHIR
DocumentReference ``context.related`` Claim reference, or a file named
``<claim_id>.md``), else by patient and date of service (front matter ``patient:``
matching the claim's patient key, and ``date:`` one of the claim's dates of service).

``check --notes DIR`` calls :func:`attach_notes`, which puts a :class:`NoteIndex` in
``ctx.options["notes"]``; the DOC rules read it there and stay silent without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .reader import NoteError, read_notes
from .text import Note

OPTION = "notes"


@dataclass
class NoteIndex:
    """Notes by claim id, by file name and by (patient, date)."""

    notes: list[Note] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # unreadable note files (file and line)
    by_claim: dict[str, Note] = field(default_factory=dict)
    by_stem: dict[str, Note] = field(default_factory=dict)
    by_patient_day: dict[tuple, Note] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)  # id() of notes a claim of this run linked to
    seen_claims: set[str] = field(default_factory=set)
    seen_days: list[tuple] = field(default_factory=list)  # (first, last) date of service per claim

    @classmethod
    def from_notes(cls, notes: Iterable[Note], errors: list[str] | None = None) -> "NoteIndex":
        index = cls(errors=list(errors or []))
        for note in notes:
            index.add(note)
        return index

    def add(self, note: Note) -> None:
        self.notes.append(note)
        claim_id = note.meta.get("claim_id")
        if claim_id:
            self.by_claim.setdefault(str(claim_id), note)
        stem = note.meta.get("file_stem")
        if stem:
            self.by_stem.setdefault(str(stem), note)
        patient, day = note.meta.get("patient"), note.meta.get("date")
        if patient and day:
            self.by_patient_day.setdefault((str(patient), day), note)

    def for_claim(self, claim) -> Note | None:
        """The note of ``claim`` (a model.Claim), or None."""
        note = self._for_claim(claim)
        if note is not None:
            self.used.add(id(note))
        return note

    def saw(self, result) -> None:
        """Record a checked claim (an engine ClaimResult: claim id and dates of service), so
        notes that link to no claim of the run can be named even when worker processes did
        the linking."""
        self.seen_claims.add(str(result.claim_id))
        if result.first_date:
            self.seen_days.append((result.first_date, result.last_date or result.first_date))

    def unlinked(self) -> list[Note]:
        """Notes no claim of the run links to: not used in this process, and neither their
        claim id (or file name) nor their date matches a claim seen."""
        out = []
        for note in self.notes:
            if id(note) in self.used:
                continue
            claim_id = note.meta.get("claim_id")
            if claim_id and str(claim_id) in self.seen_claims:
                continue
            if not claim_id and str(note.meta.get("file_stem") or "") in self.seen_claims:
                continue
            day = note.meta.get("date")
            if not claim_id and note.meta.get("patient") and day and \
                    any(lo <= day <= hi for lo, hi in self.seen_days):
                continue  # by patient and date: linked in a worker process, as far as we know
            out.append(note)
        return out

    def unlinked_warnings(self) -> list[str]:
        """One line per note that links to no claim of the run, naming its file and why."""
        out = []
        for note in self.unlinked():
            claim_id = note.meta.get("claim_id")
            if claim_id:
                why = f"claim_id {claim_id} is not among the claims checked"
            elif note.meta.get("patient") and note.meta.get("date"):
                why = "no claim checked has its patient and date of service"
            else:
                why = (f"no claim checked has the id {note.meta.get('file_stem')!r} (its file name); "
                       f"give claim_id (or patient and date) in its front matter")
            out.append(f"note {note.source} links to no claim: {why}")
        return out

    def _for_claim(self, claim) -> Note | None:
        note = self.by_claim.get(claim.claim_id)
        if note is not None:
            return note
        note = self.by_stem.get(claim.claim_id)
        if note is not None and not note.meta.get("claim_id"):
            return note
        if claim.patient_key:
            for day in claim.dates_of_service:
                note = self.by_patient_day.get((str(claim.patient_key), day))
                if note is not None:
                    return note
        return None


def load_index(paths: Iterable[str | Path]) -> NoteIndex:
    """Every note under ``paths`` (files or folders); unreadable files are kept as errors."""
    notes: list[Note] = []
    errors: list[str] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise NoteError(f"{path}: no such file or folder")
        files = [path] if path.is_file() else None
        try:
            if files:
                notes.extend(read_notes(path))
            else:
                from .reader import is_note_file

                for child in sorted(p for p in path.rglob("*") if p.is_file()):
                    if not is_note_file(child):
                        continue
                    try:
                        notes.extend(read_notes(child))
                    except NoteError as exc:
                        errors.append(str(exc))
        except NoteError as exc:
            errors.append(str(exc))
    return NoteIndex.from_notes(notes, errors)


def attach_notes(checker, paths: Iterable[str | Path] | None) -> NoteIndex | None:
    """Give the checker's rules the notes under ``paths`` (``check --notes``)."""
    paths = [p for p in (paths or []) if p]
    if not paths:
        return None
    index = load_index(paths)
    checker.ctx.options[OPTION] = index
    return index


def note_for(claim, ctx) -> tuple[Note | None, bool]:
    """(the claim's note, whether notes were given at all) for a rule.

    ``ctx.options["note_text"]`` (a note's text, used for every claim) serves the YAML
    rule cases and API callers checking one claim against one note.
    """
    options = ctx.options or {}
    text = options.get("note_text")
    if text:
        from .text import parse_note

        cache = ctx.memo("notes.note_text") if hasattr(ctx, "memo") else {}
        note = cache.get(text)
        if note is None:
            note = cache[text] = parse_note(text, source="<note_text>")
        return note, True
    index = options.get(OPTION)
    if index is None:
        return None, False
    if isinstance(index, list):  # [{claim_id:, patient:, date:, text:}, ...] (YAML cases, API)
        index = _index_from_dicts(index)
    return index.for_claim(claim), True


def _index_from_dicts(items: list) -> NoteIndex:
    from datetime import date

    from .text import parse_note

    notes = []
    for item in items:
        meta = {k: v for k, v in dict(item).items() if k != "text"}
        if isinstance(meta.get("date"), str):
            meta["date"] = date.fromisoformat(meta["date"])
        notes.append(parse_note(str(item.get("text", "")), source=str(meta.get("claim_id", "")), meta=meta))
    return NoteIndex.from_notes(notes)
