"""Minutes of a visit note: per timed code, total timed, total and session minutes.

Minutes belong to the code, technique or service written nearest before them in their
line or sentence ("97140 MFR 15 min", "TherEx 15'", "Manual therapy (12 min)"); a table
with a minutes column gives each row's code its figure; "Total timed minutes: 38" and
clock ranges ("10:00-10:25") count too (CMS 100-02 ch.15 §220.3.E: timed code minutes and
total treatment time). Functional limits ("stand 15 min"), home programs, goals and the
patient's history are not treatment minutes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon as lx
from .text import Note, Span

if TYPE_CHECKING:
    from .elements import Elements, Minutes


def find_minutes(note: Note, el: Elements) -> list[Minutes]:
    """Every minutes figure of ``note`` (``el`` holds its codes, techniques, limits)."""
    return _minutes(note, el)


def _code_for_position(note: Note, el: Elements, offset: int, sentence: Span) -> str | None:
    """The code a minutes figure belongs to: a CPT code or technique in the same line or
    sentence, nearest before it (else nearest after)."""
    line_start = note.text.rfind("\n", 0, offset) + 1
    line_end = note.text.find("\n", offset)
    line_end = len(note.text) if line_end < 0 else line_end
    lo, hi = min(sentence.start, line_start), max(sentence.end, line_end)
    candidates = [(s.start, s.label) for s in el.codes_mentioned if lo <= s.start < hi]
    if not candidates:
        candidates = [(t.span.start, t.code) for t in el.techniques if lo <= t.span.start < hi]
        window = note.text[lo:hi]
        for code, pattern in lx.SERVICE_WORDS.items():
            for m in pattern.finditer(window):
                at = lo + m.start()
                if any(t.span.start <= at < t.span.end for t in el.techniques):
                    continue
                # with techniques about, a service name counts where it opens an item
                # ("Treatment: manual therapy 15 min; therapeutic exercise 20 min"), not inside
                # one ("TherEx with manual resistance")
                if candidates and not re.search(r"(?:^|[;:,.\u2022*]|\s-)\s*$", window[:m.start()]):
                    continue
                candidates.append((at, code))
    if not candidates:
        return None
    before = [c for c in candidates if c[0] <= offset]
    if before:
        nearest = max(b[0] for b in before)
        return sorted(str(c[1]) for c in before if c[0] == nearest)[0]
    return min(candidates, key=lambda c: c[0])[1]


def _minutes(note: Note, el: Elements) -> list[Minutes]:
    from .elements import Minutes, _in_goal

    text = note.text
    out = []
    functional = el.functional_limitations
    marks = [(m, False) for m in lx.MINUTES.finditer(text)] + [(m, True) for m in lx.MINUTES_PRIME.finditer(text)]
    marks += [(m, False) for m in lx.MINUTES_LABEL.finditer(text)
              if not any(o.start() <= m.start("n") < o.end() for o, _ in marks)]
    for m, prime in marks:
        span = Span(m.start(), m.end(), m.group())
        if prime and re.search(r"(?:" + lx.ACTIVITY + r"|amb\w*|distance|ft|feet)\W+(?:\w+\W+){0,2}$",
                               text[max(0, span.start - 30):span.start], re.I):
            continue  # "walked 30'": feet
        if any(f.start <= span.start < f.end + 12 for f in functional):
            continue
        sentence = note.sentence_at(span.start)
        lead = text[max(sentence.start, span.start - 45):span.start]
        tail = text[span.end:span.end + 20]
        if re.search(r"(?:" + lx.ACTIVITY + r")\W+(?:\w+\W+){0,4}?(?:more than|less than|longer than|over|"
                     r"under|up to|at most|at a time|max(?:imum)?|only|for|about|approx\.?|~|>|<|>=|<=)\s*$",
                     lead, re.I) or re.match(r"\s*(?:max|maximum|at a time|before|tolerance|or less|or more)",
                                             tail, re.I):
            named = any(span.start - 45 <= t.span.start < span.start for t in el.techniques)
            if not lx.CPT.search(lead) and not named:
                continue  # "stand more than 15 minutes", "sitting 20 min max" (not "TherEx for 15 min")
        ctx = note.context(span)
        if ctx.negated or ctx.historical or ctx.hypothetical or _in_goal(note, span):
            continue
        if "subjective" in note.sections_at(span.start) or "history" in note.sections_at(span.start):
            continue
        sentence_text = text[sentence.start:sentence.end]
        if lx.HOME.search(sentence_text) and not lx.TREATMENT_WORD.search(lead):
            continue
        line_start = text.rfind("\n", 0, span.start) + 1
        near = text[max(line_start, sentence.start, span.start - 40):span.start]
        if lx.TIMED_TOTAL.search(near):
            out.append(Minutes(int(m.group("n")), span, None, "total_timed"))
            continue
        if lx.TOTAL.search(near) or re.match(r"\s*(?:total|in total|overall|combined)\b", tail, re.I):
            out.append(Minutes(int(m.group("n")), span, None, "total"))
            continue
        code = _code_for_position(note, el, span.start, sentence)
        if prime and code and not re.search(r"(?:97\d{3}|G0283|[a-z.)\]])\s*(?:x|\u00d7|-|\u2013|:|=|for|\()?\s*$",
                                            text[line_start:span.start], re.I):
            code = None  # a prime right after a code or service name only
        if code:
            out.append(Minutes(int(m.group("n")), span, code, "code"))
        elif prime:
            continue
        elif re.search(r"session|visit|treatment|tx|appointment", sentence_text, re.I):
            out.append(Minutes(int(m.group("n")), span, None, "session"))
    out += _table_minutes(note, el, out)
    for m in lx.CLOCK_RANGE.finditer(text):  # "97140 10:00-10:25": a time block is minutes too
        minutes = _clock_minutes(m.group())
        span = Span(m.start(), m.end(), m.group())
        if not minutes or any(o.span.start <= span.start < o.span.end + 25 for o in out):
            continue
        code = _code_for_position(note, el, span.start, note.sentence_at(span.start))
        if code:
            out.append(Minutes(minutes, span, code, "code"))
    return out


def _table_minutes(note: Note, el: Elements, found: list[Minutes]) -> list[Minutes]:
    """A table with a minutes column ("| Code | Service | Minutes |" then "| 97110 | TherEx | 15 |"):
    each row's figure in that column is its code's minutes (a 'Total' row the total)."""
    from .elements import Minutes

    text = note.text
    out: list[Minutes] = []
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    for i, line in enumerate(lines):
        if "|" not in line:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        col = next((j for j, c in enumerate(cells)
                    if re.fullmatch(r"(?:timed )?(?:min(?:ute)?s?\.?|time|duration)(?: \(min(?:ute)?s?\))?", c, re.I)),
                   None)
        if col is None or len(cells) < 2:
            continue
        for k in range(i + 1, min(len(lines), i + 30)):
            row = lines[k]
            if "|" not in row:
                break
            if re.fullmatch(r"[\s|:\-+=]+", row):
                continue
            rcells = row.strip().strip("|").split("|")
            if col >= len(rcells):
                continue
            m = re.fullmatch(r"\s*(\d{1,3})\s*(?:min(?:ute)?s?\.?|')?\s*", rcells[col])
            if not m:
                continue
            start = offsets[k] + row.index(rcells[col]) + m.start(1)
            span = Span(start, start + len(m.group(1)), m.group(1))
            if any(f.span.start <= span.start < f.span.end for f in found):
                continue
            if lx.TOTAL.search(row):
                out.append(Minutes(int(m.group(1)), span, None,
                                   "total_timed" if lx.TIMED_TOTAL.search(row) else "total"))
                continue
            code = _code_for_position(note, el, offsets[k], Span(offsets[k], offsets[k] + len(row)))
            if code:
                out.append(Minutes(int(m.group(1)), span, code, "code"))
    return out


def _clock_minutes(text: str) -> int | None:
    times = re.findall(r"(\d{1,2}):(\d{2})\s*([ap])?", text, re.I)
    if len(times) != 2:
        return None
    (h1, m1, p1), (h2, m2, p2) = times
    start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
    if end <= start:
        end += 12 * 60
    minutes = end - start
    return minutes if 0 < minutes <= 240 else None
