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
from dataclasses import dataclass, field, replace
from functools import cached_property

from . import lexicon as lx
from .numbers import digits_for_words
from .paragraphs import paragraph_sections
from .progress import find_progress
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
    written_text: str = ""  # the note as written, when ``note.text`` has number words as digits

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
        out = [(name, self._whole_number_words(s)) for name, s in out]
        return sorted(out, key=lambda item: item[1].start)

    def _whole_number_words(self, span: Span) -> Span:
        """A span ending in a number written as a word ends after the word, not after its
        digits' padding ("minutes were thirty", not "minutes were th")."""
        written, digits = self.written_text, self.note.text
        end = span.end
        if not written or end <= 0 or not digits[end - 1].isdigit():
            return span
        while end < len(written) and digits[end] == " " and not written[end].isspace():
            end += 1
        return span if end == span.end else Span(span.start, end, span.label)


def extract(note: Note) -> Elements:
    """The documentation elements of ``note``.

    Read on the note with number words as digits (same offsets, see notes/numbers.py), so
    a dictated "five out of ten" or "twenty minutes" counts like "5/10" or "20 min"."""
    from .minutes import find_minutes

    written = note.text
    digits = digits_for_words(written)
    if digits != written:
        note = replace(note, text=digits)
    el = Elements(note=note, sections=note.sections, written_text=written if digits != written else "")
    text = note.text
    el.techniques = _techniques(note)
    technique_sentences = {note.sentence_at(t.span.start) for t in el.techniques}
    el.regions_mentioned = _regions(note)
    el.regions_treated = [r for r in el.regions_mentioned
                          if _treatment_context(note, r.span, technique_sentences)]
    if not el.regions_treated and el.techniques:
        # the region examined or assessed in a note whose treatment names a technique
        el.regions_treated = [r for r in el.regions_mentioned
                              if note.sections_at(r.span.start) & {"objective", "assessment", "treatment"}
                              and not _screen_or_report(note, r.span)]
    el.pain_scores = _pain_scores(note, el.regions_mentioned)
    el.functional_limitations = [s for s in note.find(lx.FUNCTION) if not _in_goal(note, s)
                                 and s.end <= note.sentence_at(s.start).end]  # within one sentence
    el.functional_limitations += _ticked_limitations(note)
    taken = {note.sentence_at(s.start) for s in el.functional_limitations}
    el.functional_limitations += [
        s for s in note.find(lx.FUNCTION_GENERIC)
        if note.sentence_at(s.start) not in taken and not _in_goal(note, s)
        and not note.sections_at(s.start) & {"plan", "treatment", "history"}]
    el.codes_mentioned = [Span(m.start(), m.end(), m.group("code")) for m in lx.CPT.finditer(text)
                          if not _unticked(note, m.start(), m.end())]
    el.minutes = find_minutes(note, el)
    el.described_codes = _described_codes(note, el)
    el.responses = [s for s in note.find(lx.RESPONSE) if not _in_goal(note, s) and _clinical_label(note, s)
                    and s.end <= note.sentence_at(s.start).end  # one sentence
                    and not _versus_earlier(note, s) and not _bare_session_end(note, s)] + _cued_responses(note)
    el.referrals = _referrals(note)
    el.goals = _goals(note)
    el.frequencies = _plan_spans(note, lx.FREQUENCY)
    el.durations = _plan_spans(note, lx.DURATION) + [
        Span(m.end() - len(m.group().lstrip(" ,\t\n")), m.end(), m.group().lstrip(" ,\t\n"))
        for f in el.frequencies
        for m in [lx.FREQUENCY_TIMES.match(note.text, f.end)] if m]
    el.progress = find_progress(note)
    el.relaxation = note.find(lx.RELAXATION, affirmed=False)
    el.relaxation = [s for s in el.relaxation if not note.is_negated(s)]
    el.conditions = note.find(lx.CONDITION)
    el.clock_ranges = [Span(m.start(), m.end()) for m in lx.CLOCK_RANGE.finditer(text)]
    el.separate_words = note.find(lx.SEPARATE)
    el.initial_visit = _initial_visit(note)
    el.implicit_sections = paragraph_sections(note)
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


LIMITATION_LABEL = re.compile(r"[ \t]*[-*]?[ \t]*(?:functional )?(?:limitations?|limits|deficits?|"
                              r"activity limitations?|difficulty with|limited activities)[ \t]*:", re.I)


def _ticked_limitations(note: Note) -> list[Span]:
    """A template's ticked activities under a limitations label ("Functional limitations:
    [x] sitting [x] standing > 15 min [ ] walking")."""
    out = []
    for box in note.checkboxes:
        if not box.ticked or box.answer or box.box.label != "box":
            continue
        line_start = note.text.rfind("\n", 0, box.box.start) + 1
        if not LIMITATION_LABEL.match(note.text[line_start:box.box.start]):
            continue
        if re.search(r"(?<![\w])(?:" + lx.ACTIVITY + r")(?![\w])", box.item.label, re.I):
            out.append(Span(box.item.start, box.item.end, "ticked limitation"))
    return out


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
    # "pain 3/10 L thigh post-session": when a response was measured, not where treatment was applied
    words = lx.WITHIN_SESSION.sub(" ", note.text[sentence.start:sentence.end])
    heading = _line_label(note, span.start)
    if heading and re.search(r"areas?|regions?|body parts?|treated|sites?", heading, re.I):
        return True
    return bool(lx.TREATMENT_WORD.search(words)) and not note.is_hypothetical(span) and \
        bool(sections & TREATMENT_SECTIONS or not sections)


_SCREEN_OR_REPORT = re.compile(
    r"(?<![\w])(?:myotomes?|dermatomes?|reflex(?:es)?|dtrs?|sensation|neuro screen|"
    r"(?:pt|patient|she|he|they) (?:reports?|states?|rates?)|reports? (?:pain|ache|soreness))(?![\w])", re.I)


def _screen_or_report(note: Note, span: Span) -> bool:
    """A neuro screen ("dermatomes L2-S1 intact") or the patient's report of where it hurts
    ("pt reports pain 3/10 L thigh post-session") names no region treated."""
    sentence = note.sentence_at(span.start)
    return bool(_SCREEN_OR_REPORT.search(note.text[sentence.start:sentence.end]))


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
        # "97110 x 12 min - putty grip ...", "97110 (12 min): ...": the code's own minutes come first
        lead = re.match(r"[ \t]*(?:x|\u00d7|:|-|\u2013|\()?[ \t]*\d{1,3}[ \t]*(?:-[ \t]*)?min(?:ute)?s?\.?\)?"
                        r"[ \t]*(?:[-\u2013\u2014:,][ \t]*)?", text[span.end:line_end])
        begin = span.end + (lead.end() if lead else 0)
        stop = re.search(r"\d{1,3}\s*(?:-\s*)?min|[;]|\b97\d{3}\b|\.\s", text[begin:line_end + 1])
        end = begin + (stop.start() if stop else line_end - begin)
        # a wrapped line continues the description
        if not stop and line_end < len(text):
            nxt = text.find("\n", line_end + 1)
            nxt = len(text) if nxt < 0 else nxt
            more = re.search(r"\d{1,3}\s*(?:-\s*)?min|[;]|\b97\d{3}\b|\.\s", text[line_end:nxt])
            if text[line_end + 1:line_end + 2].strip() and not text[line_end + 1:line_end + 3].startswith(("- ", "* ")) \
                    and text[line_end + 1] not in "\u2014\u2013\u2022":  # a signature or bullet, not a wrap
                end = line_end + (more.start() if more else nxt - line_end)
        description = text[begin:end]
        generic = re.sub(r"massage(?: therapy)?|manual therapy|therapeutic (?:exercises?|activit(?:y|ies))|"
                         r"neuromuscular re-?education|hot/cold packs?|modalit(?:y|ies)", " ", description, flags=re.I)
        generic = lx.REGION.sub(" ", generic)  # where it was done is not what was done
        content = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", generic)
                   if w.lower() not in STOP and w.lower() not in FILLER]
        if len(content) >= 2:
            out.setdefault(span.label, Span(begin, end, span.label))
    return out


_VERSUS_EARLIER = re.compile(r"[ \t]*,?[ \t]*(?:vs\.?|versus|compared (?:to|with)|since|from|than at)[ \t]+"
                             r"(?:the[ \t]+)?(?:" + lx.EARLIER + r")(?![\w])", re.I)


def _versus_earlier(note: Note, span: Span) -> bool:
    """"pain reduced vs IE", "girth decreased since eval": a change over the episode is
    progress (DOC010), not the patient's response to this visit's treatment (DOC008),
    unless the sentence also places it in the session ("post tx")."""
    sentence = note.sentence_at(span.start)
    if not _VERSUS_EARLIER.match(note.text, span.end):
        return False
    return not lx.WITHIN_SESSION.search(note.text[sentence.start:sentence.end])


def _bare_session_end(note: Note, span: Span) -> bool:
    """"donned at end of session" says when, not how the patient responded: 'end of session'
    is a response only with what changed (pain, tone, ROM ...) in its sentence."""
    if not re.fullmatch(r"end of (?:the )?session", note.text[span.start:span.end], re.I):
        return False
    sentence = note.sentence_at(span.start)
    return not re.search(r"(?<![\w])(?:" + lx.RESPONSE_TARGET + r")(?![\w])|\d\s*/\s*10",
                         note.text[sentence.start:sentence.end], re.I)


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
    r"good|fair|poor|well|excellent|"
    r"unchanged|same|\d)(?![\w])", re.I)


def _clinical_label(note: Note, span: Span) -> bool:
    """A "Response:" label counts when what follows it on the line says something clinical
    (a symptom, motion, tolerance, change, a figure); "Client response: very relaxed,
    dozed off" is no response to skilled treatment (CMS 100-02 ch.15 §220.2)."""
    if not span.label.rstrip("*_ \t").endswith(":"):
        return True
    end = note.text.find("\n", span.end)
    end = len(note.text) if end < 0 else end
    content = list(note.text[span.end:end])
    for box in note.checkboxes:  # "[ ] Tolerated well": an unticked choice says nothing
        if not box.ticked and span.end <= box.box.start < end:
            for i in range(max(box.box.start, box.item.start) - span.end, max(box.box.end, box.item.end) - span.end):
                if 0 <= i < len(content):
                    content[i] = " "
    return bool(RESPONSE_CONTENT.search("".join(content)))


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
        if re.match(r"\s*(?:[:\-]\s*)?(?:n/?a\b|none\b|see\b|per\b|tbd\b|to be (?:set|established|determined)|"
                    r"pending|not (?:yet |been )?(?:set|established|written))", rest, re.I):
            continue  # "Goals: see eval", "Goals: N/A" state no goal in this note
        # "Goals: walk 30 min", "Goals (by 05/08): ...", "Goals: (1) stand ...", "Goal: <=2/10"
        if re.match(r"\s*(?:#?\d{1,2}\s*)?(?:\([^)\n]{0,40}\)\s*)?(?:[:\-\u2013\u2014]|(?:is|are|include|to)\b)?\s*"
                    r"(?:\(?\d{1,2}[).]\s*|[-*\u2022]\s*)?[\w\u2264\u2265<>~]", rest):
            out.append(span)
    return out


def _initial_visit(note: Note) -> bool:
    if str(note.meta.get("visit", "")).lower() in ("initial", "evaluation", "initial evaluation", "first"):
        return True
    for m in lx.INITIAL_VISIT.finditer(note.text):
        before = note.text[max(0, m.start() - 16):m.start()]
        if re.search(r"\b(?:at|since|from|vs\.?|than|on|to|was|were|the)\s*$", before, re.I):
            continue
        return True
    return False
