"""Objective progress: measures compared with an earlier visit (CMS 100-02 ch.15 §220.3.D:
progress reports compare objective measures with the evaluation or an earlier report).

Found in a sentence (or, in a dictated run-on, a clause) holding a measure and a
comparison ("flexion 45 deg (was 35 deg at eval)", "ODI 24% (previously 40%)", "improved
from 30 to 45 deg since IE"), or in a table with a current and an earlier-visit column.
Not the patient's report, not a within-session change, not a goal or a planned re-test,
not a pain score alone.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Note, Span


def find_progress(note: Note) -> list[Span]:
    """Spans (sentences or table headers) holding objective progress."""
    return _progress(note)


def _progress(note: Note) -> list[Span]:
    """Objective measures compared with an earlier visit, in one sentence (not the
    patient's report, not a within-session change, not a goal), or in a table whose
    columns hold today's figures and an earlier visit's."""
    text = note.text
    out = []
    for sentence in note.sentences:
        where = note.sections_at(sentence.start)
        if where & {"goals", "history"} or ("subjective" in where and "objective" not in where):
            continue  # a combined "S/O:" section holds measures too
        for clause in _clauses(text, sentence):
            if _compares(note, clause):
                out.append(Span(sentence.start, sentence.end, "progress"))
                break
    return out + _table_progress(note)


LONG_SENTENCE = 250  # dictation run on with commas: judge each clause on its own


def _clauses(text: str, sentence: Span) -> list[Span]:
    """A sentence's clauses: split at semicolons, and at commas too in a long run-on."""
    cut = r"[,;]\s+" if sentence.end - sentence.start > LONG_SENTENCE else r";\s+"
    out, start = [], sentence.start
    for m in re.finditer(cut, text[sentence.start:sentence.end]):
        cut = sentence.start + m.start()
        if cut > start:
            out.append(Span(start, cut))
        start = sentence.start + m.end()
    out.append(Span(start, sentence.end))
    return out


def _compares(note: Note, unit: Span) -> bool:
    body = note.text[unit.start:unit.end]
    paren = next((m for m in lx.PAREN_EARLIER.finditer(body)
                  if not re.match(r"\d+(?:\.\d+)?\s*/\s*10\b", m.group())), None)  # not a pain score
    # a pain score is the patient's report: progress needs another measure or sign
    measures = [m for m in lx.MEASURE.finditer(body)
                if not re.fullmatch(r"\d+(?:\.\d+)?\s*/\s*10", m.group().strip())]
    signs = [m for m in lx.OBJECTIVE_SIGN.finditer(body) if m.group().lower() not in ("score",)]
    if not (measures or signs or paren):
        return False
    comparisons = [c for c in lx.COMPARISON.finditer(body)
                   if (c.group().lower() not in ("was", "were") or re.search(r"\(\s*$", body[:c.start()]))
                   and not _not_a_comparison(body, c)]
    if paren:
        comparisons.insert(0, paren)
    if not comparisons:
        return False
    if lx.WITHIN_SESSION.search(body) and not lx.EARLIER_VISIT.search(body):
        return False
    if lx.REPORTED.search(body):
        return False
    if FUTURE_MEASURE.search(body):
        return False  # "re-assess ROM next visit against the evaluation": a plan, not a measure taken
    first = comparisons[0]
    span = Span(unit.start + first.start(), unit.start + first.end(), "comparison")
    ctx = note.context(span)
    lead = re.sub(r"(?:progress(?:ing)?|improv\w+|moving) (?:toward|towards|to|on) (?:\w+ )?goals?", " ",
                  body[:first.start()], flags=re.I)  # "Progress toward goals: ROM 120 vs 100 at IE"
    return not (ctx.negated or (ctx.hypothetical and not lx.EARLIER_VISIT.search(body)) or lx.GOAL.search(lead))


def _not_a_comparison(body: str, c: re.Match) -> bool:
    """"Step-down from 6 in" / "step-up from": an exercise's name, not "down from 7";
    "partial revolutions -> full": an exercise progressed within the visit, not a figure
    compared with an earlier one (an arrow counts between figures: "ROM 95 -> 110")."""
    word = c.group().lower()
    if word in ("down from", "up from") and re.search(r"[\w][-\u2010\u2011]$", body[:c.start()]):
        return True
    if word in ("->", "\u2192"):
        before = re.search(r"\d\S{0,3}\s*$", body[max(0, c.start() - 12):c.start()])
        after = re.match(r"\s*\S{0,3}\d", body[c.end():c.end() + 12])
        return not (before and after)
    return False


FUTURE_MEASURE = re.compile(r"(?<![\w])(?:will (?:re-?)?(?:assess|measure|test|check|compare)\w*|"
                            r"(?:re-?assess|re-?evaluat|re-?measur|re-?test)\w*\s+(?:\w+\s+){0,3}?(?:next|at|in|on)\b|"
                            r"plan to (?:re-?)?(?:assess|measure))", re.I)

CURRENT_COLUMN = re.compile(r"(?:today|now|current(?:ly)?|this (?:visit|session)|re-?eval\w*|re-?assess\w*|latest|"
                            r"progress|discharge|d/?c|dos|date|visit \d+|week \d+|session \d+|\d{1,2}/\d{1,2})\b", re.I)
_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|[ ]{2,}")


def _table_progress(note: Note) -> list[Span]:
    """A table (Markdown pipes or aligned columns) with a column for an earlier visit
    ("| Measure | Today | Eval 06/15 |", "Today   Eval (01/26)") and rows of figures in it."""
    text = note.text
    out = []
    lines = text.split("\n")
    pos = 0
    offsets = []
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    for i, line in enumerate(lines):
        cells = [c for c in _CELL_SPLIT.split(line.strip().strip("|")) if c]
        if len(cells) < 2 or note.sections_at(offsets[i]) & {"goals", "subjective", "history"}:
            continue
        earlier = [j for j, c in enumerate(cells)
                   if lx.EARLIER_VISIT.match(c) and len(re.sub(r"[\W\d_]", "", c)) <= 16]
        if not earlier or re.search(r"\w:\s", line):
            continue  # "DOS: 05/06   Visit 4" is a header of fields, not a table's columns
        if not any(CURRENT_COLUMN.match(c) for j, c in enumerate(cells) if j not in earlier):
            continue
        rows = 0
        for row in lines[i + 1:i + 15]:
            if not row.strip():
                break
            if re.fullmatch(r"[\s|:\-+=]+", row):
                continue
            if len(re.findall(r"\d+(?:\.\d+)?", row)) >= 2 and len(_CELL_SPLIT.split(row.strip().strip("|"))) >= 3:
                rows += 1
        if rows:
            out.append(Span(offsets[i], offsets[i] + len(line), "progress table"))
    return out


# Dictated notes set out in paragraphs: a paragraph's opening words say which SOAP part it is
# ("On exam, she is tender ...", "Overall, she is improving ...", "We will continue ...").
