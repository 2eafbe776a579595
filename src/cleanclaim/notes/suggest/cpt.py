"""CPT candidates from a note: the techniques documented (notes/data/techniques.yaml, the
CPT descriptors' techniques per code) and codes written out, with their minutes.

Units for a timed code (data/timed_codes.tsv) come from the units written next to it, else
from its own minutes counted per code in 15-minute units with the 8-minute midpoint
(CMS Claims Processing Manual 100-04 ch.5 s.20.2 counts total timed minutes across codes;
the claim-level check of units against minutes is the DOC/TU rules' job, not this one).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .model import Suggestion

_I = re.IGNORECASE
CODE_WRITTEN = re.compile(r"(?<![\w/.-])(9[0-9]\d{3}|G0\d{3})(?![\w/.-]|\.\d)")
MINUTES = re.compile(r"(\d{1,3})\s*(?:-\s*)?(?:min(?:ute)?s?)\b", _I)
UNITS = re.compile(r"(\d)\s*(?:units?|u)\b|=\s*(\d)\s*u", _I)
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


def cpt_candidates(note, store) -> list[Suggestion]:
    text = note.text
    found: dict[str, _Found] = {}
    patterns = technique_patterns()

    def add(code, span, technique=None, written=False):
        s0, s1 = _sentence(note, span[0])
        sentence = text[s0:s1]
        if NOT_BILLED.search(text[span[1]:min(s1, span[1] + 25)]):
            return
        ctx = note.context(span)
        if ctx.negated or ctx.historical:
            return
        entry = found.setdefault(code, _Found(code))
        entry.spans.append(span)
        entry.first = min(entry.first, span[0])
        entry.written = entry.written or written
        if technique and technique not in entry.techniques:
            entry.techniques.append(technique)
        minutes = _near_number(MINUTES, text, s0, s1, span[0])
        if minutes and (entry.minutes is None or written):
            entry.minutes = minutes[1]
            entry.spans.append(minutes[2])
        units = _near_number(UNITS, text, span[1], s1, span[1])
        if units and (entry.units is None or written):
            entry.units = units[1]
        if not written and HOME.search(sentence) and not minutes:
            entry.techniques = [t for t in entry.techniques if t != technique]
            entry.spans.remove(span)
            if not entry.spans:
                found.pop(code)

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
    out = []
    timed = _timed()
    for entry in sorted(found.values(), key=lambda e: e.first):
        if not entry.written and not entry.techniques:
            continue
        name = patterns.get(entry.code, ("", []))[0]
        pfs = store.pfs(entry.code) if store is not None else None
        description = (pfs.short_description if pfs else "") or name
        units = entry.units
        if units is None and entry.minutes and entry.code in timed:
            units = (entry.minutes + 7) // 15 or None
        conf = 0.55 + 0.25 * entry.written + 0.1 * bool(entry.techniques and entry.techniques != ["service named"]) \
            + 0.05 * (entry.minutes is not None)
        why = []
        if entry.written:
            why.append("code written in the note")
        if entry.techniques:
            why.append(f"technique documented: {', '.join(entry.techniques)} ({name})")
        if entry.minutes is not None:
            why.append(f"{entry.minutes} minutes documented" + (f" -> {units} unit(s)" if units else ""))
        elif entry.code in timed:
            why.append("timed code: no minutes found for it")
        by_sentence: dict = {}
        for a, b in entry.spans:  # one span per sentence: code, technique and minutes together
            key = _sentence(note, a)
            lo, hi = by_sentence.get(key, (a, b))
            by_sentence[key] = (min(lo, a), max(hi, b))
        spans = tuple(sorted(by_sentence.values()))
        out.append(Suggestion(entry.code, "CPT", description, round(min(conf, 0.95), 2), spans, "; ".join(why),
                              "rules", units if entry.code in timed else None))
    out.sort(key=lambda s: -s.confidence)
    return out
