"""Documentation elements of a visit note, each with its evidence spans.

:func:`extract` finds, in affirmed (not negated, not historical, not hypothetical)
mentions only: SOAP sections, pain scores (NPRS 0-10, VAS 0-100 mm) with body site,
functional limitations in functional terms, body regions treated (with laterality),
techniques per CPT code, minutes per timed code and totals, patient response, referral
or physician order, plan of care (goals, frequency, duration), objective progress
against an earlier visit, relaxation/wellness wording, the condition targeted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from . import lexicon as lx
from .text import SOAP, Note, Span

TREATMENT_SECTIONS = {"treatment", "objective", "assessment", "plan"}


@dataclass(frozen=True)
class PainScore:
    value: float
    scale: str  # NPRS | VAS
    span: Span
    site: str | None  # canonical body region
    valid: bool  # within 0-10 / 0-100


@dataclass(frozen=True)
class BodyRegion:
    region: str
    laterality: str | None
    span: Span


@dataclass(frozen=True)
class Technique:
    code: str
    name: str
    span: Span


@dataclass(frozen=True)
class Minutes:
    minutes: int
    span: Span
    code: str | None  # the code (or technique's code) the minutes belong to
    kind: str  # code | total_timed | total | session


@dataclass
class Elements:
    """Everything found in one note (spans are offsets into ``note.text``)."""

    note: Note
    sections: dict[str, Span]
    pain_scores: list[PainScore] = field(default_factory=list)
    functional_limitations: list[Span] = field(default_factory=list)
    regions_treated: list[BodyRegion] = field(default_factory=list)
    regions_mentioned: list[BodyRegion] = field(default_factory=list)
    techniques: list[Technique] = field(default_factory=list)
    minutes: list[Minutes] = field(default_factory=list)
    responses: list[Span] = field(default_factory=list)
    referrals: list[Span] = field(default_factory=list)
    goals: list[Span] = field(default_factory=list)
    frequencies: list[Span] = field(default_factory=list)
    durations: list[Span] = field(default_factory=list)
    progress: list[Span] = field(default_factory=list)
    relaxation: list[Span] = field(default_factory=list)
    conditions: list[Span] = field(default_factory=list)
    codes_mentioned: list[Span] = field(default_factory=list)
    clock_ranges: list[Span] = field(default_factory=list)
    separate_words: list[Span] = field(default_factory=list)
    initial_visit: bool = False
    described_codes: dict[str, Span] = field(default_factory=dict)  # code -> its written description

    implicit_sections: set[str] = field(default_factory=set)  # SOAP parts opened by a paragraph's lead-in

    @property
    def soap_missing(self) -> list[str]:
        return [s for s in SOAP if s not in self.implicit_sections and (
                s not in self.sections or self.sections[s].end <= self.sections[s].start)]

    @property
    def sited_pain_scores(self) -> list[PainScore]:
        return [p for p in self.pain_scores if p.valid and p.site]

    def techniques_for(self, code: str) -> list[Technique]:
        return [t for t in self.techniques if t.code == code]

    @cached_property
    def minutes_by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.minutes:
            if m.kind == "code" and m.code:
                out[m.code] = out.get(m.code, 0) + m.minutes
        return out

    @property
    def total_minutes(self) -> int | None:
        """The stated total timed minutes (else total treatment time), if any."""
        for kind in ("total_timed", "total"):
            values = [m.minutes for m in self.minutes if m.kind == kind]
            if values:
                return max(values)
        return None

    @property
    def session_minutes(self) -> int | None:
        values = [m.minutes for m in self.minutes if m.kind == "session"]
        return sum(values) if values else None

    @property
    def has_plan_of_care(self) -> bool:
        return bool(self.goals and self.frequencies and self.durations)

    def evidence(self) -> list[tuple[str, Span]]:
        """(element, span) pairs, for highlighting."""
        out: list[tuple[str, Span]] = []
        out += [("pain_score", p.span) for p in self.pain_scores]
        out += [("functional_limitation", s) for s in self.functional_limitations]
        out += [("body_region", r.span) for r in self.regions_treated]
        out += [("technique", t.span) for t in self.techniques]
        out += [("timed_minutes", m.span) for m in self.minutes]
        out += [("skilled_response", s) for s in self.responses]
        out += [("referral_order", s) for s in self.referrals]
        out += [("plan_of_care", s) for s in self.goals + self.frequencies + self.durations]
        out += [("objective_progress", s) for s in self.progress]
        out += [("relaxation_language", s) for s in self.relaxation]
        return sorted(out, key=lambda item: item[1].start)


def extract(note: Note) -> Elements:
    """The documentation elements of ``note``."""
    el = Elements(note=note, sections=note.sections)
    text = note.text
    el.techniques = _techniques(note)
    technique_sentences = {note.sentence_at(t.span.start) for t in el.techniques}
    el.regions_mentioned = _regions(note)
    el.regions_treated = [r for r in el.regions_mentioned
                          if _treatment_context(note, r.span, technique_sentences)]
    if not el.regions_treated and el.techniques:
        # the region examined or assessed in a note whose treatment names a technique
        el.regions_treated = [r for r in el.regions_mentioned
                              if note.sections_at(r.span.start) & {"objective", "assessment", "treatment"}]
    el.pain_scores = _pain_scores(note, el.regions_mentioned)
    el.functional_limitations = [s for s in note.find(lx.FUNCTION) if not _in_goal(note, s)]
    taken = {note.sentence_at(s.start) for s in el.functional_limitations}
    el.functional_limitations += [
        s for s in note.find(lx.FUNCTION_GENERIC)
        if note.sentence_at(s.start) not in taken and not _in_goal(note, s)
        and not note.sections_at(s.start) & {"plan", "treatment", "history"}]
    el.codes_mentioned = [Span(m.start(), m.end(), m.group("code")) for m in lx.CPT.finditer(text)
                          if not _unticked(note, m.start(), m.end())]
    el.minutes = _minutes(note, el)
    el.described_codes = _described_codes(note, el)
    el.responses = [s for s in note.find(lx.RESPONSE) if not _in_goal(note, s) and _clinical_label(note, s)] \
        + _cued_responses(note)
    el.referrals = _referrals(note)
    el.goals = _goals(note)
    el.frequencies = _plan_spans(note, lx.FREQUENCY)
    el.durations = _plan_spans(note, lx.DURATION) + [
        Span(m.end() - len(m.group().lstrip(" ,\t\n")), m.end(), m.group().lstrip(" ,\t\n"))
        for f in el.frequencies
        for m in [lx.FREQUENCY_TIMES.match(note.text, f.end)] if m]
    el.progress = _progress(note)
    el.relaxation = note.find(lx.RELAXATION, affirmed=False)
    el.relaxation = [s for s in el.relaxation if not note.is_negated(s)]
    el.conditions = note.find(lx.CONDITION)
    el.clock_ranges = [Span(m.start(), m.end()) for m in lx.CLOCK_RANGE.finditer(text)]
    el.separate_words = note.find(lx.SEPARATE)
    el.initial_visit = _initial_visit(note)
    el.implicit_sections = _paragraph_sections(note)
    return el


# ---------------------------------------------------------------- helpers


def _unticked(note: Note, start: int, end: int) -> bool:
    """In an unticked checkbox item ("[ ] 97530 ... 0 min"): not done."""
    box = note.checkbox_at((start, end))
    return box is not None and not box.ticked


def _not_negated(note: Note, pattern: re.Pattern) -> list[Span]:
    return [Span(m.start(), m.end(), m.group()) for m in pattern.finditer(note.text)
            if not note.is_negated((m.start(), m.end()))]


def _plan_spans(note: Note, pattern: re.Pattern) -> list[Span]:
    """Schedule words outside the subjective/history (where "x 8 months" is the complaint's age)."""
    return [s for s in _not_negated(note, pattern)
            if not note.sections_at(s.start) & {"subjective", "history"}
            and not lx.HOME.search(note.text[note.sentence_at(s.start).start:s.start])]


def _in_goal(note: Note, span: Span) -> bool:
    """In a Goals section or a sentence led by 'goal'."""
    if "goals" in note.sections_at(span.start):
        return True
    sentence = note.sentence_at(span.start)
    return bool(lx.GOAL.search(note.text[sentence.start:span.start]))


def _techniques(note: Note) -> list[Technique]:
    found: list[Technique] = []
    taken: list[Span] = []
    for entry in lx.techniques():
        for m in entry.pattern.finditer(note.text):
            span = Span(m.start(), m.end(), entry.name)
            if any(s.start <= span.start < s.end for s in taken):
                continue
            if not note.is_affirmed(span) or "goals" in note.sections_at(span.start):
                continue
            if "history" in note.sections_at(span.start):
                continue
            if _at_home(note, span):
                continue
            found.append(Technique(entry.code, entry.name, span))
            taken.append(span)
    return sorted(found, key=lambda t: t.span.start)


def _at_home(note: Note, span: Span) -> bool:
    """Done by the patient at home ("tried stretching at home", "HEP: bridges"), outside
    a treatment section: not a service performed at the visit (CMS 100-02 ch.15 §220.3.E)."""
    if note.sections_at(span.start) & {"treatment", "objective"}:
        return False
    sentence = note.sentence_at(span.start)
    return bool(lx.HOME.search(note.text[sentence.start:sentence.end])) and \
        not lx.PERFORMED.search(note.text[sentence.start:sentence.end])


def _regions(note: Note) -> list[BodyRegion]:
    out = []
    for m in lx.REGION.finditer(note.text):
        index = next(i for i in range(len(lx.REGION_NAMES)) if m.group(f"r{i}") is not None)
        span = Span(m.start(), m.end(), lx.REGION_NAMES[index])
        if note.is_negated(span) or note.is_historical(span):
            continue
        laterality = lx.normalise_laterality(m.group("lat")) or lx.normalise_laterality(m.group("lat2"))
        out.append(BodyRegion(lx.REGION_NAMES[index], laterality, span))
    return out


def _treatment_context(note: Note, span: Span, technique_sentences: set[Span]) -> bool:
    """A region counts as treated in a sentence naming a technique, or a treatment
    sentence outside the subjective/history sections."""
    sentence = note.sentence_at(span.start)
    if sentence in technique_sentences:
        return not note.is_hypothetical(span)
    sections = note.sections_at(span.start)
    if sections & {"subjective", "history", "goals"}:
        return False
    words = note.text[sentence.start:sentence.end]
    heading = _line_label(note, span.start)
    if heading and re.search(r"areas?|regions?|body parts?|treated|sites?", heading, re.I):
        return True
    return bool(lx.TREATMENT_WORD.search(words)) and not note.is_hypothetical(span) and \
        bool(sections & TREATMENT_SECTIONS or not sections)


def _line_label(note: Note, offset: int) -> str:
    """The 'Label:' that opens the line holding ``offset``, if any."""
    start = note.text.rfind("\n", 0, offset) + 1
    m = re.match(r"\s*[-*]?\s*([A-Za-z][\w /&'-]{0,30}):", note.text[start:offset])
    return m.group(1) if m else ""


def _pain_scores(note: Note, regions: list[BodyRegion]) -> list[PainScore]:
    text = note.text
    out = []
    for pattern, scale in ((lx.NPRS, "NPRS"), (lx.VAS, "VAS")):
        for m in pattern.finditer(text):
            span = Span(m.start(), m.end())
            sentence = note.sentence_at(m.start())
            sentence_text = text[sentence.start:sentence.end]
            groups = m.groupdict()
            raw = groups.get("value") or groups.get("value2") or groups.get("value3") or groups.get("value4") or \
                groups.get("mm") or groups.get("mm2")
            if groups.get("cm"):
                raw = str(float(groups["cm"]) * 10)  # a 10 cm VAS line read in cm
            if raw is None:
                continue
            if scale == "NPRS" and m.group("value") and not lx.PAIN_WORD.search(sentence_text):
                before = [s for s in note.sentences if s.end <= sentence.start][-1:]
                if not (before and note.section_at(before[0].start) == note.section_at(sentence.start)
                        and lx.PAIN_WORD.search(text[before[0].start:before[0].end])):
                    continue  # "4/10" with no pain word here or just before is not a pain score
            ctx = note.context(span)
            if ctx.historical or ctx.hypothetical or _in_goal(note, span):
                continue
            value = float(raw)
            high = m.groupdict().get("high")
            valid = value <= 10 and (high is None or float(high) <= 10) if scale == "NPRS" else value <= 100
            site = _site(note, span, regions)
            out.append(PainScore(value, scale, Span(span.start, span.end, scale), site, valid))
    return sorted(out, key=lambda p: p.span.start)


def _site(note: Note, span: Span, regions: list[BodyRegion]) -> str | None:
    """The body region of a pain score: in its sentence, else the sentence before it in the
    same section (line), else the section's first region if the section names just one."""
    sentence = note.sentence_at(span.start)
    here = [r for r in regions if sentence.start <= r.span.start < sentence.end]
    if here:
        return min(here, key=lambda r: abs(r.span.start - span.start)).region
    previous = [s for s in note.sentences if s.end <= sentence.start]
    if previous:
        before = previous[-1]
        if note.section_at(before.start) == note.section_at(span.start):
            here = [r for r in regions if before.start <= r.span.start < before.end]
            if here:
                return here[-1].region
    # a template's next field: "Pain: 6/10" then "Location: R hip"
    following = [s for s in note.sentences if s.start >= sentence.end][:1]
    if following and re.match(r"\s*(?:pain\s+)?(?:location|site|area|region)s?\s*[:\-]",
                              note.text[following[0].start:], re.I):
        here = [r for r in regions if following[0].start <= r.span.start < following[0].end]
        if here:
            return here[0].region
    return None


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
                if candidates and not re.search(r"(?:^|[;:,.\u2022*]|\s-|\band|\bthen)\s*$", window[:m.start()]):
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
            if not lx.CPT.search(lead):
                continue  # "stand more than 15 minutes", "sitting 20 min max"
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


STOP = {"and", "with", "the", "of", "to", "for", "min", "mins", "minutes", "minute", "unit", "units",
        "total", "x", "in", "on", "at", "a", "an", "per", "each", "code", "cpt", "billed", "u"}


FILLER = {"bilateral", "bilaterally", "left", "right", "patient", "performed", "provided", "applied",
          "treatment", "session", "today", "therapy", "massage", "manual", "therapeutic", "exercise",
          "exercises", "activities", "spine", "region", "area", "areas", "muscles", "muscle", "side",
          "lying", "supine", "prone", "seated", "done", "given", "was", "were", "focus", "focused",
          "emphasis", "full", "body", "regions", "tissue", "soft", "all"}


def _described_codes(note: Note, el: Elements) -> dict[str, Span]:
    """Codes written with what was done ("97530 tub transfer training 10 min"): the words
    after the code up to its minutes, a semicolon or the next code. A description must
    hold two content words that are not a generic service name."""
    out: dict[str, Span] = {}
    text = note.text
    for span in el.codes_mentioned:
        if not note.is_affirmed(span) or "goals" in note.sections_at(span.start):
            continue
        line_end = text.find("\n", span.end)
        line_end = len(text) if line_end < 0 else line_end
        stop = re.search(r"\d{1,3}\s*(?:-\s*)?min|[;]|\b97\d{3}\b|\.\s", text[span.end:line_end + 1])
        end = span.end + (stop.start() if stop else line_end - span.end)
        # a wrapped line continues the description
        if not stop and line_end < len(text):
            nxt = text.find("\n", line_end + 1)
            nxt = len(text) if nxt < 0 else nxt
            more = re.search(r"\d{1,3}\s*(?:-\s*)?min|[;]|\b97\d{3}\b|\.\s", text[line_end:nxt])
            if text[line_end + 1:line_end + 2].strip() and not text[line_end + 1:line_end + 3].startswith(("- ", "* ")):
                end = line_end + (more.start() if more else nxt - line_end)
        description = text[span.end:end]
        generic = re.sub(r"massage(?: therapy)?|manual therapy|therapeutic (?:exercises?|activit(?:y|ies))|"
                         r"neuromuscular re-?education|hot/cold packs?|modalit(?:y|ies)", " ", description, flags=re.I)
        generic = lx.REGION.sub(" ", generic)  # where it was done is not what was done
        content = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", generic)
                   if w.lower() not in STOP and w.lower() not in FILLER]
        if len(content) >= 2:
            out.setdefault(span.label, Span(span.end, end, span.label))
    return out


def _referrals(note: Note) -> list[Span]:
    """Referral / order / certified plan of care. An order is a document, not a finding:
    history context ("s/p ankle sprain, order on file") does not remove it; negation,
    an unticked box and "pending / not received" do."""
    out = []
    for span in note.find(lx.REFERRAL, affirmed=False):
        ctx = note.context(span)
        if ctx.negated or ctx.hypothetical:
            continue
        if _not_yet(note, span):
            continue
        out.append(span)
    taken = {note.sentence_at(s.start) for s in out}
    for sentence in note.sentences:  # "wrote a prescription for PT (on file)"
        if sentence in taken or note.sections_at(sentence.start) & {"goals"}:
            continue
        words = note.text[sentence.start:sentence.end]
        order = lx.ORDER_WORD.search(words)
        if not order or _not_yet(note, Span(sentence.start + order.start(), sentence.start + order.end())):
            continue
        if not any(m.start() != order.start() for m in lx.ORDER_ON_FILE.finditer(words)):
            continue
        span = Span(sentence.start + order.start(), sentence.start + order.end(), order.group())
        ctx = note.context(span)
        if ctx.negated or ctx.hypothetical:
            continue
        out.append(span)
    for body in note.section_spans("orders"):
        content = note.text[body.start:body.end]
        if re.search(r"\b(?:dr\.?|physician|md|do|ob|obgyn|ob/gyn|midwife|np|pa-c|pcp|provider|order|rx|"
                     r"prescription|certified|signed|referr\w*)\b", content, re.I) and \
                not lx.REFERRAL_NOT_YET.search(content):
            out.append(Span(body.start, body.end, "orders section"))
    return out


RESPONSE_CONTENT = re.compile(
    r"(?<![\w])(?:" + lx.RESPONSE_TARGET + r"|tolerat\w*|improv\w*|decreas\w*|reduc\w*|increas\w*|less|better|"
    r"worse|able|unable|independent\w*|cue[sd]?|cueing|correct\w*|complet\w*|adverse|without|no change|"
    r"unchanged|same|\d)(?![\w])", re.I)


def _clinical_label(note: Note, span: Span) -> bool:
    """A "Response:" label counts when what follows it on the line says something clinical
    (a symptom, motion, tolerance, change, a figure); "Client response: very relaxed,
    dozed off" is no response to skilled treatment (CMS 100-02 ch.15 §220.2)."""
    if not span.label.rstrip("*_ \t").endswith(":"):
        return True
    end = note.text.find("\n", span.end)
    return bool(RESPONSE_CONTENT.search(note.text[span.end:len(note.text) if end < 0 else end]))


def _not_yet(note: Note, span: Span) -> bool:
    """"Referral pending / requested / not received": said of the order itself, in its
    clause (up to 60 characters before, 80 after, within the sentence), not anywhere in a
    long dictated sentence ("she needed only a couple of cues")."""
    sentence = note.sentence_at(span.start)
    lo, hi = max(sentence.start, span.start - 60), min(max(sentence.end, span.end), span.end + 80)
    before = note.text[lo:span.start]
    lo += max((m.end() for m in re.finditer(r";|,\s*(?:and|but|then|while)\b", before)), default=0)
    after = re.search(r";|,\s*(?:and|but|then|while)\b", note.text[span.end:hi])
    if after:
        hi = span.end + after.start()
    return bool(lx.REFERRAL_NOT_YET.search(note.text[lo:hi]))


def _cued_responses(note: Note) -> list[Span]:
    """Skilled cueing with the patient's response in the same sentence ("tactile cues to
    keep the pelvis level; pt able to hold it for 10 reps")."""
    out = []
    for sentence in note.sentences:
        if note.sections_at(sentence.start) & {"goals", "subjective", "history"}:
            continue
        words = note.text[sentence.start:sentence.end]
        cue = lx.CUEING.search(words)
        if not cue:
            continue
        reply = next((m for m in lx.CUED_RESPONSE.finditer(words) if m.start() >= cue.start() or
                      m.end() <= cue.start()), None)
        if reply is None:
            continue
        span = Span(sentence.start + cue.start(), sentence.start + cue.end(), cue.group())
        if note.is_negated(span) or note.is_hypothetical(span) or _in_goal(note, span):
            continue
        out.append(Span(sentence.start, sentence.end, "cued response"))
    return out


def _goals(note: Note) -> list[Span]:
    out = []
    for body in note.section_spans("goals"):
        if re.search(r"\w{3}", note.text[body.start:body.end]):
            out.append(Span(body.start, body.end, "goals section"))
    for m in lx.GOAL.finditer(note.text):
        span = Span(m.start(), m.end(), m.group())
        if note.is_negated(span):
            continue
        rest = note.text[m.end():m.end() + 60]
        # "Goals: walk 30 min", "Goals (by 05/08): ...", "Goals: (1) stand ...", "Goal: <=2/10"
        if re.match(r"\s*(?:\([^)\n]{0,40}\)\s*)?(?:[:\-\u2013\u2014]|(?:is|are|include|to)\b)?\s*"
                    r"(?:\(?\d{1,2}[).]\s*|[-*\u2022]\s*)?[\w\u2264\u2265<>~]", rest):
            out.append(span)
    return out


def _progress(note: Note) -> list[Span]:
    """Objective measures compared with an earlier visit, in one sentence (not the
    patient's report, not a within-session change, not a goal), or in a table whose
    columns hold today's figures and an earlier visit's."""
    text = note.text
    out = []
    for sentence in note.sentences:
        if note.sections_at(sentence.start) & {"goals", "subjective", "history"}:
            continue
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
                   if c.group().lower() not in ("was", "were")
                   or re.search(r"\(\s*$", body[:c.start()])]
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
    return not (ctx.negated or (ctx.hypothetical and not lx.EARLIER_VISIT.search(body))
                or lx.GOAL.search(body[:first.start()]))


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
PARAGRAPH_LEAD = {
    "objective": re.compile(r"(?:on|upon) (?:exam(?:ination)?|palpation|inspection|observation|testing)\b|"
                            r"(?:physical )?exam(?:ination)? (?:today )?(?:reveals|shows|finds|demonstrates)|objectively\b|"
                            r"(?:today'?s )?measurements\b|(?:rom|range of motion) (?:today )?(?:is|measures)", re.I),
    "assessment": re.compile(r"(?:my |clinical )?impression\b|in summary\b|overall,|assessment\b|clinically,|"
                             r"(?:she|he|they|the patient|pt) (?:is|are|has been) (?:making|improving|progressing|responding)", re.I),
    "plan": re.compile(r"(?:we|i) (?:will|plan to)\b|will continue\b|continue (?:with |pt |therapy |treatment )?"
                       r"(?:\d|once|twice|weekly|at)|plan(?:s)? (?:is|are|to)\b|next visit\b|recommend", re.I),
}
COMPLAINT = re.compile(r"(?<![\w])(?:complains? of|c/o|presents? (?:with|for|today with)|reports?|states?|"
                       r"describes?|chief complaint|is seen (?:today )?for|here (?:today )?for)(?![\w])", re.I)


NARRATIVE = 250  # a dictated history paragraph; a two-line blurb atop a headed template is no Subjective


def _paragraph_sections(note: Note) -> set[str]:
    """SOAP parts a note written in paragraphs (two or more) opens without headings: the
    first paragraph outside any heading that tells the complaint (subjective), and
    paragraphs opened by an exam / impression / plan lead-in. A single run-on paragraph
    opens none (a reviewer cannot find the parts of it)."""
    text = note.text
    paragraphs = [m for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text[note.body_start:])]
    paragraphs = [Span(note.body_start + m.start(), note.body_start + m.end()) for m in paragraphs
                  if len(m.group()) > 40]
    if len(paragraphs) < 2:
        return set()
    found = set()
    for p in paragraphs:
        head = text[p.start:p.start + 60]
        for name, lead in PARAGRAPH_LEAD.items():
            if lead.match(head):
                found.add(name)
        if not found and not note.sections_at(p.start) - {"orders"} and p.end - p.start >= NARRATIVE \
                and COMPLAINT.search(text[p.start:p.end]):
            found.add("subjective")  # the history paragraph before any part or heading
    return found


def _initial_visit(note: Note) -> bool:
    if str(note.meta.get("visit", "")).lower() in ("initial", "evaluation", "initial evaluation", "first"):
        return True
    for m in lx.INITIAL_VISIT.finditer(note.text):
        before = note.text[max(0, m.start() - 16):m.start()]
        if re.search(r"\b(?:at|since|from|vs\.?|than|on|to|was|were|the)\s*$", before, re.I):
            continue
        return True
    return False
