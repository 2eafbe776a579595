"""Visit-note text: sections, sentences, negation, history and hypothetical context.

A compact deterministic take on what medspaCy's section detector and ConText/NegEx do,
with character offsets into :attr:`Note.text` everywhere.

Negation follows NegEx (Chapman WW, Bridewell W, Hanbury P, Cooper GF, Buchanan BG.
"A simple algorithm for identifying negated findings and diseases in discharge
summaries." J Biomed Inform 2001;34(5):301-310): a *pre* trigger ("no", "denies",
"negative for", "without") negates the words after it, a *post* trigger ("... denied",
"... absent", "Edema: none") the words before it, inside one sentence; pseudo triggers
("no change", "no longer", "not only") are not negations, and a scope ends at a
termination term ("but", "however", "reports", ";"). History ("history of", "h/o",
"previously", "3 years ago") and hypothetical / future context ("if pain returns",
"call if", "will", "next visit") use the same scope mechanics (ConText, Harkema et al.
2009, J Biomed Inform 42(5):839-851).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Union

from .triggers import (HISTORY_POST, HISTORY_PRE, HISTORY_PSEUDO, HYPOTHETICAL_POST, HYPOTHETICAL_PRE,
                       NEGATION_POST, NEGATION_PRE, PSEUDO, TERMINATION)

# --------------------------------------------------------------------------- sections

# Canonical section name -> the headings and abbreviations that open it.
SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "subjective": (
        "subjective", "s", "cc", "chief complaint", "chief complaints", "hpi",
        "history of present illness", "history", "patient report", "patient reports",
        "pt report", "pt reports", "reason for visit", "reason for referral", "interval history",
        "presenting complaint", "complaint", "complaints", "subj", "subjective complaints",
    ),
    "history": (
        "pmh", "pmhx", "past medical history", "past history", "medical history",
        "past surgical history", "psh", "family history", "fh", "social history", "sh",
        "ob history", "obstetric history",
    ),
    "objective": (
        "objective", "o", "exam", "examination", "physical exam", "physical examination", "pe",
        "observation", "observations", "findings", "objective findings", "measurements",
        "measures", "tests and measures", "vitals", "vital signs", "palpation", "rom",
        "range of motion", "posture", "outcome measures", "functional testing", "obj",
        "objective findings", "objective measures",
    ),
    "assessment": (
        "assessment", "a", "impression", "impressions", "clinical impression", "dx",
        "diagnosis", "diagnoses", "problem", "problems", "problem list", "evaluation",
        "clinical assessment", "analysis", "imp", "impr", "assess", "assmt", "asmt",
        "progress toward goals", "progress towards goals", "progress to goals", "progress toward goal",
    ),
    "plan": (
        "plan", "p", "poc", "plan of care", "recommendations", "recommendation",
        "next visit", "follow up", "follow-up", "f/u", "home program", "hep",
        "home exercise program", "disposition",
    ),
    "treatment": (
        "treatment", "treatments", "tx", "interventions", "intervention",
        "treatment provided", "treatment performed", "services", "services provided",
        "procedures", "procedure", "today's treatment", "todays treatment", "session",
        "treatment today", "modalities", "manual therapy", "therapeutic exercise",
    ),
    "goals": (
        "goals", "goal", "stg", "ltg", "short term goals", "short-term goals",
        "long term goals", "long-term goals", "functional goals", "treatment goals",
    ),
    "orders": (
        "referral", "referrals", "order", "orders", "physician order", "physician orders",
        "prescription", "rx", "referring provider", "certification",
    ),
}
# Combined headings that open two sections at once.
COMBINED_HEADINGS: dict[str, tuple[str, ...]] = {
    "a/p": ("assessment", "plan"), "a&p": ("assessment", "plan"),
    "assessment and plan": ("assessment", "plan"), "assessment/plan": ("assessment", "plan"),
    "assessment & plan": ("assessment", "plan"), "impression and plan": ("assessment", "plan"),
    "impression/plan": ("assessment", "plan"), "s/o": ("subjective", "objective"),
}
SOAP = ("subjective", "objective", "assessment", "plan")
# Headings that may end with a full stop ("Assessment. Improving ...").
DOTTED_HEADINGS = {"subjective", "objective", "assessment", "plan", "impression", "exam", "examination",
                   "physical exam", "treatment", "interventions", "goals", "plan of care"}

# Headings also written as a bullet or table cell ("- S: ...", "| O | ROM 40 |"): the SOAP
# letters and words only (a bulleted "Treatment:" is an item of the section it is in).
BULLET_HEADINGS = {"s", "o", "a", "p", "subjective", "objective", "assessment", "plan", "a/p", "s/o"}

_ALIAS_TO_NAMES: dict[str, tuple[str, ...]] = {}
for _name, _aliases in SECTION_ALIASES.items():
    for _alias in _aliases:
        _ALIAS_TO_NAMES.setdefault(_alias, (_name,))
_ALIAS_TO_NAMES.update(COMBINED_HEADINGS)


def _alias_pattern() -> re.Pattern:
    aliases = sorted(_ALIAS_TO_NAMES, key=len, reverse=True)
    alternatives = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in aliases)
    return re.compile(
        r"^[ \t]*(?P<lead>[-*+\u2022][ \t]+|\|[ \t]*|\d{1,2}[.)][ \t]+)?(?P<hashes>#{1,6}[ \t]*)?(?P<rule>(?:[-=~*_]{3,}|[\[<]{1,2})[ \t]*)?(?:[*_]{1,2})?[ \t]*"
        r"(?P<name>" + alternatives + r")(?![\w/&])"
        r"[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*(?P<close>[*_]{1,2})?[ \t]*"
        r"(?(rule)(?:[-=~*_]{3,}|[\]>]{1,2})[ \t]*)"
        r"(?P<sep>:|\||-(?=[ \t]|$)|\u2014|\u2013|\)|\.(?=[*_]{1,2}|[ \t]|$))?[ \t]*(?:[*_]{1,2})?[ \t]*",
        re.IGNORECASE | re.MULTILINE,
    )


_HEADING = _alias_pattern()


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of a note's text; ``label`` says what was found."""

    start: int
    end: int
    label: str = ""

    def text_of(self, text: str) -> str:
        return text[self.start:self.end]

    def __contains__(self, offset: int) -> bool:
        return self.start <= offset < self.end


SpanLike = Union[Span, tuple]


@dataclass(frozen=True)
class Section:
    """One heading and its body: ``name`` is canonical, ``heading`` the text as written."""

    name: str
    heading: str
    heading_span: Span
    body: Span


def find_sections(text: str) -> list[Section]:
    """Headings found at line starts, each body running to the next heading."""
    heads = []
    for m in _HEADING.finditer(text):
        alias = re.sub(r"\s+", " ", m.group("name")).lower()
        written = m.group("name")
        sep = m.group("sep")
        if m.group("lead") and alias not in BULLET_HEADINGS:
            continue  # "- Treatment: ..." inside a Plan is an item of the plan, not a new section
        if sep == "|":
            sep = ":"  # a table row "| S | neck pain |": the cell is the heading
        elif m.group("lead") and m.group("lead").strip() == "|":
            continue
        line_start = m.start()
        # A single letter (S/O/A/P) is a heading only in capitals with a separator or alone.
        if len(alias) == 1 and (not written.isupper()):
            continue
        body_start = m.end()
        if sep != ":" and not (m.group("hashes") or m.group("rule")) and not written[0].isupper():
            continue  # "manual therapy." on a wrapped line is prose, not a heading
        if not sep and not _alone_on_line(text, m):
            if not m.group("hashes"):
                continue
            eol = text.find("\n", m.start())  # "## Objective findings": the whole line heads
            body_start = len(text) if eol < 0 else eol
        if sep == "." and (len(alias) == 1 or (alias not in DOTTED_HEADINGS
                                                and not re.match(r"[*_]", text[m.end("sep"):]))):
            continue  # "Assessment. Improving" heads a section; "Plan. " mid-prose does not
        if sep == ")" and len(alias) > 1:
            continue
        heads.append((line_start, body_start, alias, written.strip(), _ALIAS_TO_NAMES[alias]))
    heads += _label_heads(text, {h[0] for h in heads})
    heads += _inline_heads(text, {h[0] for h in heads})
    heads.sort()
    sections = []
    for i, (start, body_start, alias, written, names) in enumerate(heads):
        body_end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        body = _trim(text, body_start, body_end)
        for name in names:
            sections.append(Section(name, written, Span(start, body_start, name), body))
    return sections


# A heading written another way: "P/Tx:", "Plan / Treatment", "CHIEF COMPLAINT / HPI",
# "Intervention(s):", "Treatment Plan:", "Exam Findings". Its parts (split at / & + , and)
# are normalised (punctuation, plural "(s)") and looked up as headings; a "Label:" also
# counts when one of its words is a heading word ("Today's Tx:", "Daily treatment log:").
_LABEL_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?[*_]{0,2}(?P<label>[A-Za-z][A-Za-z0-9 /&+,()'.\-]{0,48}?)[*_]{0,2}[ \t]*"
    r"(?P<sep>:|$)[ \t]*(?:[*_]{0,2})[ \t]*", re.MULTILINE)
_PART_SPLIT = re.compile(r"\s*(?:/|&|\+|,|\band\b|\bor\b)\s*", re.IGNORECASE)
HEADING_WORDS = {
    "subjective": "subjective", "hpi": "subjective", "complaint": "subjective", "complaints": "subjective",
    "objective": "objective", "exam": "objective", "examination": "objective", "findings": "objective",
    "assessment": "assessment", "impression": "assessment", "impressions": "assessment",
    "diagnosis": "assessment", "diagnoses": "assessment", "dx": "assessment",
    "plan": "plan", "poc": "plan", "recommendations": "plan",
    "treatment": "treatment", "treatments": "treatment", "tx": "treatment", "interventions": "treatment",
    "intervention": "treatment", "procedures": "treatment", "modalities": "treatment",
    "goals": "goals", "goal": "goals", "stg": "goals", "ltg": "goals",
    "referral": "orders", "orders": "orders", "order": "orders",
}


def _normalise_label(label: str) -> str:
    label = re.sub(r"\(s\)", "s", label, flags=re.IGNORECASE)
    label = re.sub(r"\([^)]*\)", " ", label)
    label = re.sub(r"['\u2019]s\b", "s", label)
    return re.sub(r"\s+", " ", re.sub(r"[.\-_*]", " ", label)).strip().lower()


def _label_names(label: str, *, any_word: bool = True) -> tuple[str, ...]:
    """Canonical section names a written heading opens ("p/tx" -> plan, treatment)."""
    whole = _normalise_label(label)
    if len(whole) == 1 and not label.strip().isupper():
        return ()  # "p: x" is no SOAP letter; "P:" is
    if whole in _ALIAS_TO_NAMES:
        return _ALIAS_TO_NAMES[whole]
    names: list[str] = []
    parts = [p for p in _PART_SPLIT.split(label) if p and p.strip()]
    unmatched = False
    for part in parts:
        norm = _normalise_label(part)
        if len(norm) == 1 and not part.strip().isupper():
            unmatched = True
            continue
        if norm in _ALIAS_TO_NAMES:
            names += [n for n in _ALIAS_TO_NAMES[norm] if n not in names]
        elif not any_word and len(norm) > 1 and all(w in HEADING_WORDS for w in norm.split()):
            names += [n for n in (HEADING_WORDS[w] for w in norm.split()) if n not in names]
        elif any_word and len(norm) > 1:
            hits = [HEADING_WORDS[w] for w in norm.split() if w in HEADING_WORDS]
            names += [n for n in hits if n not in names]
            unmatched = unmatched or not hits
        else:
            unmatched = True
    if not any_word and unmatched:
        return ()
    return tuple(dict.fromkeys(names))


def _label_heads(text: str, taken: set[int]) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    """Headings the alias pattern does not know: "Label:" lines with a heading word, and
    short lines alone made only of headings ("CHIEF COMPLAINT / HPI")."""
    out = []
    for m in _LABEL_LINE.finditer(text):
        if m.start() in taken or m.start("label") in taken:
            continue
        label = m.group("label").strip()
        words = label.split()
        if not words or len(words) > 6 or re.search(r"\d", label):
            continue
        if m.group("sep") == ":":
            if len(words) > 4:
                continue
            names = _label_names(label)
        else:
            if label.endswith(".") or not (len(parts := _PART_SPLIT.split(label)) > 1 or label.isupper()
                                           or len(words) <= 3):
                continue
            names = _label_names(label, any_word=False)
        if names:
            out.append((m.start(), m.end(), label.lower(), label, names))
    return out


_INLINE = re.compile(r"(?<![\w/])(?P<name>(?-i:S|O|A|P|A/P|SUBJECTIVE|OBJECTIVE|ASSESSMENT|IMPRESSION|PLAN|"
                     r"Subjective|Objective|Assessment|Impression|Plan))[ \t]*:(?=[ \t]*\S)")


def _inline_heads(text: str, taken: set[int]) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    """SOAP headings inside a line, after a sentence or a column gap ("S: neck pain 5/10.
    O: ROM 40 deg. A: improving. P: continue"). Single letters count only when the note
    has two or more of them."""
    out = []
    for m in _INLINE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        if not before.strip() or m.start() in taken:
            continue  # at a line start: the heading patterns above decide
        if not re.search(r"(?:[.;!?)]|\S[ \t]{3,})[ \t]*$", before):
            continue
        alias = m.group("name").lower()
        out.append((m.start(), m.end(), alias, m.group("name"), _ALIAS_TO_NAMES[alias]))
    letters = {h[2] for h in out if len(h[2]) == 1}
    line_letters = re.findall(r"(?m)^[ \t]*(?-i:[SOAP])[ \t]*:", text)
    if len(letters) + len(line_letters) < 2:
        out = [h for h in out if len(h[2]) > 1]
    return out


def _alone_on_line(text: str, m: re.Match) -> bool:
    end = text.find("\n", m.start())
    end = len(text) if end < 0 else end
    return m.end() >= end or not text[m.end():end].strip()


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


# --------------------------------------------------------------------------- sentences

_ABBREVIATIONS = {  # never end a sentence ("min." and "wk." can, so they are not here)
    "dr", "mr", "mrs", "ms", "pt", "pts", "approx", "e.g", "i.e", "vs", "no", "fig", "incl",
    "b.i.d", "t.i.d", "q.i.d", "lt", "rt", "bil", "cf", "w",
}
_BULLET = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,2}[.)])[ \t]+")
_SENT_END = re.compile(r"[.!?]+(?=\s)")


def find_sentences(text: str, sections: Iterable[Section] = ()) -> list[Span]:
    """Sentence spans. Boundaries: . ! ? before white space (not after a known
    abbreviation), a line break unless the next line continues in lower case, bullets,
    blank lines and headings."""
    cuts = {0, len(text)}
    for s in sections:
        cuts.update((s.heading_span.start, s.heading_span.end))
    for m in _SENT_END.finditer(text):
        word = re.search(r"([\w.]+)$", text[max(0, m.start() - 12):m.start()])
        if m.group() == "." and word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if m.group() == "." and word and len(word.group(1)) == 1 and word.group(1).isupper():
            continue  # initials
        cuts.add(m.end())
    heading_starts = {sec.heading_span.start for sec in sections}
    pos = 0
    for line in text.splitlines(keepends=True):
        nxt = pos + len(line)
        if not _continues(text, line, nxt, heading_starts):
            cuts.add(nxt)
        bullet = _BULLET.match(line)
        if bullet:
            cuts.add(pos)
            cuts.add(pos + bullet.end())
        pos = nxt
    sentences = []
    ordered = sorted(cuts)
    for a, b in zip(ordered, ordered[1:]):
        span = _trim(text, a, b)
        if span.end > span.start and re.search(r"\w", text[span.start:span.end]):
            sentences.append(span)
    return sentences


_LABEL = re.compile(r"[ \t]*[*_]{0,2}[A-Z][\w /&'-]{0,30}[*_]{0,2}:[*_]{0,2}(?:\s|$)")


def _continues(text: str, line: str, nxt: int, heading_starts: set[int]) -> bool:
    """Does the sentence run on past this line break (a wrapped line)?"""
    current = line.strip()
    following_line = text[nxt:text.find("\n", nxt) if text.find("\n", nxt) >= 0 else len(text)]
    following = following_line.strip()
    if not current or not following or current.startswith("#"):
        return False
    if _BULLET.match(following_line) or _LABEL.match(following_line):
        return False
    if any(nxt <= h < nxt + len(following_line) + 1 for h in heading_starts):
        return False
    if following[0].islower():
        return True
    if current.endswith((".", "!", "?", ":", ";")):
        return False
    return not (following[0].isupper() and len(current) < 50)


# --------------------------------------------------------------------------- context triggers


PRE_WINDOW_WORDS = 12  # NegEx scope: to the sentence or termination term, at most this many words
POST_WINDOW_WORDS = 6
_WORD = re.compile(r"[\w/'+-]+")


@dataclass(frozen=True)
class Trigger:
    kind: str  # negation | history | hypothetical
    direction: str  # pre | post
    span: Span


@dataclass(frozen=True)
class Context:
    """Why a span is not a plain affirmed, current mention."""

    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    triggers: tuple[Trigger, ...] = ()

    @property
    def affirmed(self) -> bool:
        return not (self.negated or self.historical or self.hypothetical)


def _triggers(text: str) -> list[Trigger]:
    pseudo = [Span(m.start(), m.end()) for m in PSEUDO.finditer(text)]
    hist_pseudo = [Span(m.start(), m.end()) for m in HISTORY_PSEUDO.finditer(text)]

    def covered(m: re.Match, blockers: list[Span]) -> bool:
        return any(b.start <= m.start() < b.end or m.start() <= b.start < m.end() for b in blockers)

    found: list[Trigger] = []
    for kind, pattern, direction, blockers in (
        ("negation", NEGATION_PRE, "pre", pseudo),
        ("negation", NEGATION_POST, "post", pseudo),
        ("history", HISTORY_PRE, "pre", hist_pseudo),
        ("history", HISTORY_POST, "post", hist_pseudo),
        ("hypothetical", HYPOTHETICAL_PRE, "pre", []),
        ("hypothetical", HYPOTHETICAL_POST, "post", []),
    ):
        for m in pattern.finditer(text):
            if not covered(m, blockers):
                found.append(Trigger(kind, direction, Span(m.start(), m.end(), m.group().lower())))
    return found


# --------------------------------------------------------------------------- checkboxes

# EHR templates: "[x] Low back pain  [ ] Neck pain", "\u2610 Sciatica", "Yes [ ] No [x]".
# An unticked box means its item is absent (negated), a ticked one that it is present.
BOX = re.compile(r"\[[ \t]?\]|\[[xX\u2713\u2714\u2717*]\]|[\u2610\u2611\u2612\u2705]")
UNTICKED = ("[]", "[ ]", "[\t]", "\u2610")
_ITEM_GAP = re.compile(r"[ \t]{3,}|\t")
_YES_NO = re.compile(r"(?:yes|no|y|n)\W*", re.IGNORECASE)


@dataclass(frozen=True)
class CheckItem:
    """One checkbox and the item it marks: ``item`` holds the words the box applies to
    ("Sciatica"); for a Yes/No pair the question before it ("Radiating symptoms")."""

    box: Span
    item: Span
    ticked: bool
    answer: bool = False  # a Yes/No answer word (its own word is not a negation trigger)


def find_checkboxes(text: str) -> list[CheckItem]:
    """Every checkbox item. A line whose boxes come before their words ("[x] A  [ ] B")
    gives each box the words up to the next box, a column gap (3+ spaces) or the line
    end; a line ending in a box ("order on file [x]", "Yes [ ] No [x]") gives each box
    the words before it. A Yes/No pair also marks its question: affirmed when Yes is
    ticked, negated when No is."""
    out: list[CheckItem] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        boxes = list(BOX.finditer(line))
        if boxes:
            out += _line_items(line, pos, boxes)
        pos += len(line)
    return out


def _line_items(line: str, pos: int, boxes: list[re.Match]) -> list[CheckItem]:
    body = line.rstrip("\n")
    label_first = not body[boxes[-1].end():].strip() and bool(body[:boxes[0].start()].strip(" \t-*+>"))
    items: list[CheckItem] = []
    for i, b in enumerate(boxes):
        ticked = b.group().replace("\t", " ") not in UNTICKED
        if label_first:
            start = boxes[i - 1].end() if i else 0
            end = b.start()
        else:
            start = b.end()
            end = boxes[i + 1].start() if i + 1 < len(boxes) else len(body)
            gap = _ITEM_GAP.search(body, start, end)
            while gap and not body[start:gap.start()].strip():
                gap = _ITEM_GAP.search(body, gap.end(), end)
            if gap:
                end = gap.start()
        seg = body[start:end]
        lo = start + (len(seg) - len(seg.lstrip()))
        hi = end - (len(seg) - len(seg.rstrip()))
        if label_first and i == 0:
            # the first label of a label-first line: after the question's "Label:" when
            # the item is a Yes/No word, else the whole line so far
            words = body[lo:hi]
            m = re.search(r"(?:^|[ \t]{2,}|:)[ \t]*((?:yes|no|y|n)\W*)$", words, re.IGNORECASE)
            if m:
                lo = lo + m.start(1)
        answer = bool(_YES_NO.fullmatch(body[lo:hi]))
        items.append(CheckItem(Span(pos + b.start(), pos + b.end(), "box"),
                               Span(pos + lo, pos + hi, body[lo:hi]), ticked, answer))
    answers = [it for it in items if it.answer]
    if answers:
        yes = [it for it in answers if it.item.label.lower().startswith("y")]
        no = [it for it in answers if it.item.label.lower().startswith("n")]
        state = True if any(it.ticked for it in yes) else False if any(it.ticked for it in no) else None
        first = min(min(it.box.start for it in answers), min(it.item.start for it in answers)) - pos
        question = body[:first]
        if state is not None and question.strip(" \t:-*"):
            qlo = len(question) - len(question.lstrip())
            # "Patient status: Pregnant": the question is what follows the last column gap
            gaps = list(_ITEM_GAP.finditer(question.rstrip()))
            if gaps:
                qlo = gaps[-1].end()
            qhi = len(question.rstrip(" \t:-"))
            if qhi > qlo:
                items.append(CheckItem(Span(pos + first, pos + first, "question"),
                                       Span(pos + qlo, pos + qhi, body[qlo:qhi]), state))
    return items


# --------------------------------------------------------------------------- the note


@dataclass
class Note:
    """A visit note: its text, front matter and the structure found in the text."""

    text: str
    source: str = ""
    meta: dict = field(default_factory=dict)  # front matter (claim_id, patient, date, ...)
    line_offset: int = 0  # lines before text starts in the file (0 for files read by read_note)
    # Where the body starts in ``text``. read_note keeps file coordinates: the front
    # matter is blanked (spaces, line breaks kept), so offsets into ``text`` are offsets
    # into the file and ``body_start`` is the first character after the front matter.
    body_start: int = 0

    # ---- structure

    @cached_property
    def section_list(self) -> list[Section]:
        return find_sections(self.text)

    @cached_property
    def sections(self) -> dict[str, Span]:
        """Canonical section name -> body span (the first such section; consecutive
        headings of one section, such as CC then HPI, are merged)."""
        out: dict[str, Span] = {}
        previous = None
        for s in self.section_list:
            if s.name not in out:
                out[s.name] = s.body
            elif previous is not None and previous.name == s.name:
                out[s.name] = Span(out[s.name].start, s.body.end)
            previous = s
        return out

    def section_spans(self, name: str) -> list[Span]:
        return [s.body for s in self.section_list if s.name == name]

    def section_at(self, offset: int) -> str | None:
        """The canonical name of the section holding ``offset`` (None before any heading)."""
        names = [s.name for s in self.section_list
                 if s.heading_span.start <= offset < max(s.body.end, s.heading_span.end)]
        return names[0] if names else None

    def sections_at(self, offset: int) -> set[str]:
        return {s.name for s in self.section_list
                if s.heading_span.start <= offset < max(s.body.end, s.heading_span.end)}

    @cached_property
    def sentences(self) -> list[Span]:
        return find_sentences(self.text, self.section_list)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Span:
        i = bisect.bisect_right(self._sentence_starts, offset) - 1  # sentences are sorted, disjoint
        if i >= 0 and offset < self.sentences[i].end:
            return self.sentences[i]
        return Span(offset, offset)

    def line_of(self, offset: int) -> int:
        """1-based line number in the source file."""
        return self.text.count("\n", 0, offset) + 1 + self.line_offset

    # ---- context

    @cached_property
    def _triggers(self) -> list[Trigger]:
        return _triggers(self.text)

    @cached_property
    def _terminations(self) -> list[Span]:
        return [Span(m.start(), m.end()) for m in TERMINATION.finditer(self.text)]

    @cached_property
    def checkboxes(self) -> list[CheckItem]:
        """Checkbox items of a template note (see :func:`find_checkboxes`)."""
        return find_checkboxes(self.text)

    def checkbox_at(self, span: SpanLike) -> CheckItem | None:
        """The checkbox item holding ``span`` (None outside any), innermost first."""
        start, end = _bounds(span)
        holding = [c for c in self.checkboxes if c.item.start <= start and end <= c.item.end
                   and c.item.end > c.item.start]
        if not holding:
            holding = [c for c in self.checkboxes if c.item.start <= start < c.item.end]
        return min(holding, key=lambda c: c.item.end - c.item.start) if holding else None

    def context(self, span: SpanLike) -> Context:
        """Negation, history and hypothetical context of a span (NegEx scope rules)."""
        start, end = _bounds(span)
        sentence = self.sentence_at(start)
        lo, hi = sentence.start, max(sentence.end, end)
        hits: list[Trigger] = []
        box = self.checkbox_at((start, end))
        if box is not None and not box.ticked:
            hits.append(Trigger("negation", "checkbox", box.box))
        boxed = [c for c in self.checkboxes if c.item.start >= lo and c.item.end <= hi
                 and c.box.label == "box"] if self.checkboxes else []
        for t in self._triggers:
            ts, te = t.span.start, t.span.end
            if te <= lo or ts >= hi or (ts < end and te > start):
                continue  # other sentence, or the trigger is part of the mention itself
            if boxed:
                holder = next((c for c in boxed if c.item.start <= ts < c.item.end), None)
                if holder is not None and (holder.answer or holder is not box):
                    continue  # "[ ] No", or a trigger inside another checkbox item
            if t.direction == "pre" and te <= start:
                gap = (te, start)
                limit = PRE_WINDOW_WORDS
            elif t.direction == "post" and ts >= end:
                gap = (end, ts)
                limit = POST_WINDOW_WORDS
            else:
                continue
            if len(_WORD.findall(self.text[gap[0]:gap[1]])) > limit:
                continue
            if any(gap[0] <= c.start and c.end <= gap[1] for c in self._terminations):
                continue
            if t.direction == "post" and re.search(r"[.,(]", self.text[gap[0]:gap[1]]):
                continue  # "swelling: none" reaches back; "pain 5/10, none at rest" does not
            if t.direction == "post" and t.span.label == "free" and self.text[gap[0]:gap[1]].strip(" -"):
                continue  # "pain-free" negates the pain only, not "run 3 miles" before it
            hits.append(t)
        historical = any(t.kind == "history" for t in hits) or "history" in self.sections_at(start)
        return Context(
            negated=any(t.kind == "negation" for t in hits),
            historical=historical,
            hypothetical=any(t.kind == "hypothetical" for t in hits),
            triggers=tuple(hits),
        )

    def is_negated(self, span: SpanLike) -> bool:
        return self.context(span).negated

    def is_historical(self, span: SpanLike) -> bool:
        return self.context(span).historical

    def is_hypothetical(self, span: SpanLike) -> bool:
        return self.context(span).hypothetical

    def is_affirmed(self, span: SpanLike) -> bool:
        """Not negated, not historical, not hypothetical: a current, real mention."""
        return self.context(span).affirmed

    def find(self, pattern: str | re.Pattern, *, sections: Iterable[str] | None = None,
             affirmed: bool = True, label: str = "") -> list[Span]:
        """Spans matching ``pattern`` (case-insensitive if a string), optionally limited to
        sections, keeping only affirmed mentions unless ``affirmed=False``."""
        regex = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
        wanted = set(sections) if sections is not None else None
        out = []
        for m in regex.finditer(self.text):
            if m.end() == m.start():
                continue
            if wanted is not None and not (self.sections_at(m.start()) & wanted):
                continue
            span = Span(m.start(), m.end(), label or m.group())
            if affirmed and not self.is_affirmed(span):
                continue
            out.append(span)
        return out


def _bounds(span: SpanLike) -> tuple[int, int]:
    if isinstance(span, Span):
        return span.start, span.end
    start, end = span[0], span[1]
    return int(start), int(end)


def parse_note(text: str, *, source: str = "", meta: dict | None = None, line_offset: int = 0) -> Note:
    """A Note from text already read (no front matter handling; see :func:`read_note`)."""
    return Note(text=text.replace("\r\n", "\n"), source=source, meta=dict(meta or {}),
                line_offset=line_offset)
