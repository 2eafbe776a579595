"""Code suggestions from a visit note: ICD-10-CM and CPT candidates, each with the words of
the note that justify it (character offsets), a confidence and why.

``from cleanclaim.notes.suggest import suggest_codes``

The deterministic core (source 'rules') uses no network: the ICD-10-CM tabular of the release
in force on the date of service (titles + inclusion terms), a small lexicon of clinical
wording, sections / negation / history from :mod:`cleanclaim.notes.text`, and the
chapter-15 conventions. Optional engines: :mod:`.semantic` (embedding re-ranker) and
:mod:`.llm` (OpenAI-compatible backend, off by default).
"""

from __future__ import annotations

from datetime import date

from ..text import Note, parse_note
from .cpt import cpt_candidates
from .dating import date_of_service
from .icd import icd_candidates
from .model import Suggestion
from .tabular import TabularIndex, dotted

DEFAULT_DOS = None  # None: today


def _as_note(note) -> Note:
    return note if isinstance(note, Note) else parse_note(str(note))


def _stated_dos(note: Note, dos) -> date | None:
    """The date of service passed in, else the note's front matter, else the one its text labels."""
    if isinstance(dos, date):
        return dos
    if isinstance(dos, str) and dos:
        return date.fromisoformat(dos)
    meta = note.meta.get("date") if note.meta else None
    if isinstance(meta, date):
        return meta
    if isinstance(meta, str):
        try:
            return date.fromisoformat(meta)
        except ValueError:
            pass
    return date_of_service(note.text)


def suggest_codes(note, store, *, dos=None, top: int = 5, reranker=None, llm=None,
                  index: TabularIndex | None = None) -> list[Suggestion]:
    """Up to ``top`` ICD-10-CM suggestions (sequenced: chapter-15 first, Z3A last; the Z3A code a
    chapter-15 code requires is kept even past ``top``) followed by
    up to ``top`` CPT suggestions for a note (a Note, or the text of one).

    ``dos`` (date or ISO string; default: the note's front-matter date, else today) picks the
    ICD-10-CM release. ``reranker`` (a :class:`~.semantic.Reranker`) re-orders the ICD
    candidates; ``llm`` (an :class:`~.llm.LlmBackend`) adds its suggestions marked 'llm'.
    ``index`` lets a caller pass a prepared index (evaluation with held-out terms).
    """
    note = _as_note(note)
    stated = _stated_dos(note, dos)
    release = store.icd_release(stated or date.today())
    index = index or TabularIndex.for_release(store, release.release_id)
    candidates = icd_candidates(note, store, release.release_id, index, dos=stated)
    if reranker is not None:
        candidates = reranker.rerank(note, candidates, index)
    icd = []
    for cand in candidates:
        conf = max(0.05, min(0.95, round(0.3 + 0.65 * min(cand.score, 1.0), 2)))
        icd.append(Suggestion(dotted(cand.code), "ICD-10-CM", index.title(cand.code), conf,
                              tuple(tuple(s) for s in cand.spans), cand.why,
                              "semantic" if getattr(cand, "reranked", False) else "rules"))
    if llm is not None:
        known = {s.code for s in icd}
        icd += [s for s in llm.suggest(note, store, release.release_id) if s.code not in known]
    cpt = cpt_candidates(note, store)
    kept = icd[:top]
    if any(s.code.startswith("O") for s in kept):  # Z3A goes with a chapter-15 code, never cut by top
        kept += [s for s in icd[top:] if s.code.startswith("Z3A")]
    return kept + cpt[:top]


__all__ = ["Suggestion", "suggest_codes", "TabularIndex"]
