"""CPT candidates from a note: the techniques documented (notes/data/techniques.yaml, the
CPT descriptors' techniques per code) and codes written out, with their minutes.

Minutes belong to the technique or code they are written with: a "N min" goes to the last
service mention before it on the same line (else the first one after it on that line), never
to the next template line; a "total ... N min" line is a total, not a service.
Units for timed codes (data/timed_codes.tsv) come from units written next to the code, else
from the day's timed minutes by CMS Claims Processing Manual 100-04 ch.5 §20.2 (all timed
minutes added, the chart gives the total units, each code first takes its full 15-minute
units and the units left go to the largest remainders: rules/minutes.py). A timed code
documented with 0 minutes, or left with 0 units by that distribution, is not suggested
(its minutes still count in the total).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from ...rules.minutes import CMS_AUTHORITY, CPT_AUTHORITY, cms_8_minute, cpt_midpoint
from .model import Suggestion

_I = re.IGNORECASE
CODE_WRITTEN = re.compile(r"(?<![\w/.-])(9[0-9]\d{3}|G0\d{3})(?![\w/.-]|\.\d)")
MINUTES = re.compile(r"(\d{1,3})\s*(?:-\s*)?(?:min(?:ute)?s?)\b|(?<![\d.])(\d{1,2})['\u2032](?!['\u2032\d])", _I)
# "15'" is minutes only written right after a service or "total" (a distance "walked 150'" is not)
APOSTROPHE_LEAD = re.compile(r"(?:[A-Za-z]{2,}\.?|\d{5}|total(?: timed)?)[ \t]*:?[ \t]*$", _I)
# a full stop before a capital, or a new list item / template line / field ("..... 15 min" is a leader)
ITEM_BREAK = re.compile(r"[.!?;]\s+(?=[A-Z])|\n\s*(?:-(?!-)|[*\u2022]|\[|\d{5}\b|\(?\d\)|[A-Z][\w /&()-]{0,30}:)")
UNITS_AFTER_MINUTES = re.compile(r"\s*(?:\(|,|;|-{1,2}|=)?\s*(\d)\s*units?\b", _I)
TOTAL_AFTER = re.compile(r"[ \t]*(?:total|in total|combined|in all)\b", _I)
NOT_SERVICE = re.compile(r"\bgoals?\b|\bcannot\b|\bcan't\b|\bunable\b|\bable to\b|(?:[<>]|more than|less than|longer than|"
                         r"up to|at least|\bto|\bfrom \d+)\s*$", _I)  # "progressed bike from 6 to 8 min" is a dose
TOTAL_BEFORE = re.compile(r"\btotal\b[^\n]{0,30}$", _I)
UNITS = re.compile(r"(\d)\s*(?:units?|u)\b|=\s*(\d)\s*u|(?<=\d{5}) ?(?:x|times|\u00d7) ?(\d)\b", _I)
# the note says the payer counts units code by code (CPT midpoint rule) instead of CMS's pooled
# 8-minute rule: "bill per-code timed units per plan contract", "timed codes billed per code"
PER_CODE = re.compile(r"\bper[- ]code\b|\bcode[- ]by[- ]code\b|\beach (?:timed )?code (?:separately|individually|on its own)"
                      r"|\b(?:cpt|ama) (?:midpoint|time) rule|\bmidpoint rule\b|\bsubstantial portion (?:method|rule)", _I)
NOT_BILLED = re.compile(r"not billed|not charged|no charge|not performed|deferred|--\s*not", _I)
HOME = re.compile(r"\bhome\b|\bHEP\b|handout|at home|\beducat", _I)
GENERIC = {  # the service named without a technique word: weaker evidence
    "97124": r"massage(?: therapy)?",
    "97140": r"manual therapy",
    "97530": r"therapeutic activities|functional training",
    "97110": r"therapeutic exercise|ther ?ex",
}


@dataclass
class _Found:
    code: str
    spans: list = field(default_factory=list)
    written: bool = False
    techniques: list = field(default_factory=list)
    minutes: int | None = None
    units: int | None = None
    first: int = 10**9


@functools.lru_cache(maxsize=1)
def technique_patterns() -> dict[str, tuple[str, list[tuple[str, re.Pattern]]]]:
    """code -> (service name, [(technique, regex)]) from notes/data/techniques.yaml."""
    raw = yaml.safe_load(resources.files("cleanclaim.notes").joinpath("data/techniques.yaml").read_text("utf-8"))
    out = {}
    for code, entry in raw["codes"].items():
        pats = [(name, re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", _I)) for name, rx in entry["techniques"].items()]
        out[str(code)] = (entry.get("name", ""), pats)
    return out


@functools.lru_cache(maxsize=1)
def _timed() -> frozenset:
    from ...rules.timed_units import load_timed_codes

    return frozenset(load_timed_codes())


def _sentence(note, offset: int):
    s = note.sentence_at(offset)
    return (s.start, s.end) if s.end > s.start else (offset, min(len(note.text), offset + 80))


def _near_number(regex: re.Pattern, text: str, start: int, end: int, anchor: int):
    best = None
    for m in regex.finditer(text, start, end):
        value = next(int(g) for g in m.groups() if g)
        dist = m.start() - anchor if m.start() >= anchor else (anchor - m.end()) * 3
        if best is None or dist < best[0]:
            best = (dist, value, (m.start(), m.end()))
    return best


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return lo, len(text) if hi < 0 else hi


def _minutes_owners(note, mentions: list[tuple[int, int, str]]) -> list[tuple[str, int, tuple, int | None, bool]]:
    """(code, minutes, span, units written with them) for each "N min" written with a service:
    the last service mention before it in the same sentence and list item ("STM 8 min",
    "97140 ... 15 min", a sentence wrapped over two lines; a code written there wins over other
    codes' technique words in its description), else the first one after it
    ("12 min of ther ex", "15 min: manual therapy"). A new template line, bullet or field
    ("[x] 97110 ...", "- Ther ex:") starts a new item: minutes never pass to the next one."""
    text = note.text
    out = []
    for m in MINUTES.finditer(text):
        if m.group(2) and not APOSTROPHE_LEAD.search(text, max(0, m.start() - 40), m.start()):
            continue
        line0, _ = _line_bounds(text, m.start(), m.end())
        if TOTAL_BEFORE.search(text[line0:m.start()]) or TOTAL_AFTER.match(text, m.end()):
            continue  # "Total timed minutes: 40", "35 minutes total": the sum, not one service
        before = [x for x in mentions if x[1] <= m.start() and m.start() - x[1] < 400
                  and not ITEM_BREAK.search(text, x[1], m.start())]
        after = [x for x in mentions if m.end() <= x[0] < m.end() + 200 and not ITEM_BREAK.search(text, m.end(), x[0])]
        lead_in = re.match(r"\s*(?:of|for|:)\s", text[m.end():m.end() + 6], _I)
        paren = re.match(r"\s*\(\s*", text[m.end():m.end() + 6])  # "25 min (97140 x2)"
        if after and (not before or (lead_in and after[0][0] - m.end() <= 25)
                      or (paren and after[0][0] == m.end() + paren.end())):
            owner = after[0]
        elif before and NOT_SERVICE.search(text, max(before)[1], m.start()):
            continue  # "goal: stand 40 min", "cannot sit > 20 min": a function, not a service's time
        elif before:  # a code written in the item owns its description's techniques' minutes,
            # unless they are written right after another service ("...; hot pack 10 min")
            last = max(before, key=lambda x: (x[1], x[0]))
            written = [x for x in before if CODE_WRITTEN.fullmatch(text[x[0]:x[1]])]
            adjacent = re.fullmatch(r"[ \t]*[:,-]?[ \t]*", text[last[1]:m.start()])
            owner = last if adjacent else max(written or before, key=lambda x: (x[1], x[0]))
        else:
            continue
        units = UNITS_AFTER_MINUTES.match(text, m.end())
        header = bool(re.match(r"[ \t]*:", text[m.end():m.end() + 3]))  # "Ther ex x 15 min: bike 8 min, ..."
        out.append((owner[2], int(m.group(1) or m.group(2)), (m.start(), m.end()), int(units.group(1)) if units else None,
                    header))
    return out


def _item(text: str, offset: int) -> tuple[int, int]:
    """The list item / template line / sentence holding ``offset`` (bounded by ITEM_BREAK)."""
    start = 0
    for m in ITEM_BREAK.finditer(text, max(0, offset - 600), offset):
        start = m.end()
    nxt = ITEM_BREAK.search(text, offset)
    return start, nxt.start() if nxt else len(text)


def _absorbed(entry: "_Found", found: dict, text: str) -> bool:
    """A technique named only inside another service's documented item ("Massage 28 min:
    effleurage, petrissage and ischemic compression") is part of that service, not a second one."""
    if entry.written or entry.minutes is not None:
        return False
    for a, b in entry.spans:
        lo, hi = _item(text, a)
        if not any(o.code != entry.code and (o.written or o.minutes) and any(lo <= x < hi for x, _ in o.spans)
                   for o in found.values()):
            return False
    return True


FINDINGS = frozenset({"subjective", "objective", "assessment", "goals", "history"})


def _findings_only(entry: "_Found", note) -> bool:
    """A technique word with no code and no minutes, told only where the note describes the
    patient (history, exam, assessment, goals: "compression" of a nerve on exam, "needs gait
    training"), is no service performed today."""
    if entry.written or entry.minutes is not None or not note.section_list:
        return False
    return all((names := note.sections_at(a)) and names <= FINDINGS for a, _ in entry.spans)


def cpt_candidates(note, store) -> list[Suggestion]:
    text = note.text
    found: dict[str, _Found] = {}
    mentions: list[tuple[int, int, str]] = []
    patterns = technique_patterns()

    def add(code, span, technique=None, written=False):
        s0, s1 = _sentence(note, span[0])
        sentence = text[s0:s1]
        if NOT_BILLED.search(text[span[1]:min(s1, span[1] + 25)]):
            return
        ctx = note.context(span)
        if ctx.negated or ctx.historical or ctx.hypothetical:
            return
        if not written and HOME.search(sentence) and not MINUTES.search(sentence):
            return  # a home programme taught, no time with the patient
        entry = found.setdefault(code, _Found(code))
        entry.spans.append(span)
        entry.first = min(entry.first, span[0])
        entry.written = entry.written or written
        if technique and technique not in entry.techniques:
            entry.techniques.append(technique)
        mentions.append((span[0], span[1], code))
        line1 = _line_bounds(text, span[0], span[1])[1]
        units = _near_number(UNITS, text, span[1], min(s1, line1), span[1])
        if units and (entry.units is None or written):
            entry.units = units[1]

    for m in CODE_WRITTEN.finditer(text):
        code = m.group(1)
        if code in patterns or (store is not None and store.pfs(code)):
            add(code, (m.start(), m.end()), written=True)
    for code, (_, pats) in patterns.items():
        for technique, regex in pats:
            for m in regex.finditer(text):
                add(code, (m.start(), m.end()), technique)
        if code in GENERIC and code not in found:
            for m in re.finditer(r"(?<![\w-])(?:" + GENERIC[code] + r")(?![\w-])", text, _I):
                add(code, (m.start(), m.end()), "service named")
    mentions.sort()
    headers: list[tuple[str, int, int]] = []  # (code, item start, item end) of "Service N min:" headers
    for code, minutes, span, units, header in _minutes_owners(note, mentions):
        entry = found.get(code)
        item = _item(text, span[0])
        if any(c == code and a <= span[0] < b for c, a, b in headers):
            continue  # a part's own minutes inside a service whose total the header gave ("bike 8 min")
        if header:
            headers.append((code, *item))
        if entry is not None:
            entry.minutes = (entry.minutes or 0) + minutes
            entry.spans.append(span)
            if units is not None:
                entry.units = units
    for code in [c for c, e in found.items() if _absorbed(e, found, text) or _findings_only(e, note)]:
        found.pop(code)
    timed = _timed()
    day = [(e.code, e.minutes) for e in sorted(found.values(), key=lambda e: e.first)
           if e.code in timed and e.minutes]
    per_code = PER_CODE.search(text)
    distribution = (cpt_midpoint(day) if per_code else cms_8_minute(day)) if day else None
    method = f"{CPT_AUTHORITY}: the note says the payer counts units per code" if per_code else CMS_AUTHORITY
    by_rule = distribution.units_by_code() if distribution else {}
    out = []
    for entry in sorted(found.values(), key=lambda e: e.first):
        if not entry.written and not entry.techniques:
            continue
        name = patterns.get(entry.code, ("", []))[0]
        pfs = store.pfs(entry.code) if store is not None else None
        description = (pfs.short_description if pfs else "") or name
        units = entry.units
        is_timed = entry.code in timed
        if is_timed and entry.minutes == 0 and not entry.units:
            continue  # documented at 0 minutes: not performed
        if units is None and is_timed and entry.minutes:
            units = by_rule.get(entry.code) or None
            if not units:
                continue  # its minutes count in the day's total, the units went to other codes
        conf = 0.55 + 0.25 * entry.written + 0.1 * bool(entry.techniques and entry.techniques != ["service named"]) \
            + 0.05 * (entry.minutes is not None)
        why = []
        if entry.written:
            why.append("code written in the note")
        if entry.techniques:
            why.append(f"technique documented: {', '.join(entry.techniques)} ({name})")
        if entry.minutes is not None:
            why.append(f"{entry.minutes} minutes documented")
            if is_timed and distribution and entry.units is None:
                why.append(f"{distribution.total_minutes} timed minutes in all = {distribution.total_units} unit(s) "
                           f"({method}), {units} to this code")
        elif is_timed:
            why.append("timed code: no minutes found for it")
        by_sentence: dict = {}
        for a, b in entry.spans:  # one span per sentence: code, technique and minutes together
            key = _sentence(note, a)
            lo, hi = by_sentence.get(key, (a, b))
            by_sentence[key] = (min(lo, a), max(hi, b))
        spans = tuple(sorted(by_sentence.values()))
        if not is_timed:
            why.append("untimed (service-based) code: 1 unit per day")
        out.append(Suggestion(entry.code, "CPT", description, round(min(conf, 0.95), 2), spans, "; ".join(why),
                              "rules", units if is_timed else 1))
    out.sort(key=lambda s: -s.confidence)
    return out
