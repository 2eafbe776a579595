"""Pregnancy facts from a note: pregnant or not, gestational age, trimester, and the words
that decide between the chapter-15 conventions (pregnancy-related, pre-existing, incidental).

Authority: ICD-10-CM tabular, chapter 15 notes (trimesters counted from the first day of the
last menstrual period: 1st less than 14 weeks 0 days; 2nd 14 weeks 0 days to less than 28
weeks 0 days; 3rd 28 weeks 0 days until delivery; "use additional code from category Z3A,
Weeks of gestation, to identify the specific week of the pregnancy, if known") and ICD-10-CM
Official Guidelines I.C.15.a.1 (the provider's statement that the pregnancy is incidental
to the visit -> Z33.1 instead of a chapter-15 code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..numbers import NUMBER_WORDS, number_value
from .dating import gestational_age_from_dates
from .lexicon import TRIMESTER, tokenize

_I = re.IGNORECASE
PREGNANT = re.compile(
    r"\bpregnan(?:t|cy)\b|\bgestation(?:al)?\b|\bprenatal\b|\bantepartum\b|\bantenatal\b|\bG\d{1,2}\s*P\d{1,2}\b"
    r"|\bE?GA\b|\btrimester\b|\bwks?\.? preg\b|\bweeks? preg\b|\bgravida\b", _I)
POSTPARTUM = re.compile(r"\bpost[- ]?partum\b|\bpuerperi(?:um|al)\b|\bafter (?:her |the )?(?:delivery|birth|c-?section)\b"
                        r"|\bdelivered (?:on|\d|a |her |\w+ weeks? ago)|\bgave birth\b|\bs/p (?:vaginal delivery|svd|nsvd|c-?section)\b", _I)
GA_FULL = re.compile(r"\b(\d{1,2})\s*(?:w|wk|wks|weeks?)\.?\s*,?\s*(?:and\s+)?(\d)\s*(?:d|days?)\b", _I)
GA_FRACTION = re.compile(r"\b(\d{1,2})\s+(\d)/7\b(?:\s*(?:wks?|weeks?)\b)?", _I)
GA_PLUS = re.compile(r"\b(\d{1,2})\s*\+\s*(\d)\b")
GA_LABEL = re.compile(  # template fields: "Weeks pregnant: 31", "GA: 31.2", "Gestational age = 27+6"
    r"\b(?:weeks?\s+(?:pregnant|gestation|of\s+gestation|of\s+pregnancy)|gestational\s+age|E?GA)\s*[:=]\s*"
    r"(\d{1,2})(?:\s*\+\s*(\d)\b|\.([0-6])(?!\d)|\s*(?:w|wks?|weeks?)\.?\s*,?\s*(?:and\s+)?(\d)\s*(?:d|days?)\b)?", _I)
GA_WORDS = re.compile(rf"\b({NUMBER_WORDS})\s+weeks?(?:\s*,?\s*(?:and\s+)?(zero|one|two|three|four|five|six)\s+days?)?\b",
                      _I)  # dictation: "thirteen weeks six days"
GA_DECIMAL = re.compile(r"\b(\d{1,2})\.([0-6])\s*(?:wks?|weeks?)\b", _I)  # obstetric "19.3 wks" = 19w3d
GA_WEEKS = re.compile(r"\b(\d{1,2})\s*-?\s*(?:wks?|weeks?)\b\.?", _I)
GA_AFTER = re.compile(r"^\s*(?:pregnant|preg\b|gestation|of gestation|ega\b|ga\b|along|gestational|of pregnancy|"
                      r"pregnancy|intrauterine)", _I)
GA_BEFORE = re.compile(r"(?:\bE?GA|gestational age|gestation|pregnant(?: at)?|G\d+\s*P\d+(?: at)?|\bat|\bis|\bnow)"
                       r"\s*[:=]?\s*$", _I)
NOT_GA_BEFORE = re.compile(r"(?:\bx|\bfor|\bsince|\buntil|\bin|\bover|\bpast|\babout|\baround|\bapproximately|"
                           r"\bafter|\bnext|\bevery|\bq|\bwithin|\blast|\bstarted at|\bbegan at|\bsince about|\bsince around|\d/)"
                           r"\s*(?:~|≈|approx\.?|c\.)?\s*$", _I)
NOT_GA_AFTER = re.compile(r"^\s*(?:ago|postpartum|post-partum|post|of (?:therapy|pt|treatment)|plan)", _I)
INCIDENTAL = re.compile(
    r"pregnancy (?:is |was )?incidental|incidental to (?:the|this) (?:visit|encounter|treatment|care)"
    r"|pregnan(?:cy|t state),? incidental|(?:is |was )?not affect(?:ing|ed)?(?: by)? (?:the |her )?pregnancy"
    r"|pregnancy (?:is |was )?not (?:affected|affecting)", _I)
PRE_EXISTING = re.compile(
    r"pre-?existing|predat(?:es|ed|ing) (?:the |this |her )?pregnancy|(?:prior to|before) (?:the |this |her )?pregnancy"
    r"|aggravated by (?:the |this |her )?pregnancy|complicating (?:the |this |her )?pregnancy|exacerbated by (?:the )?pregnancy", _I)
RELATED = re.compile(r"pregnancy[- ](?:related|associated|induced)|(?:related|due) to (?:the |her )?pregnancy"
                     r"|of pregnancy|in pregnancy|during (?:this |her )?pregnancy|started (?:early )?in (?:this )?pregnancy", _I)
# the provider says the pregnancy caused the condition: O26.89- "Other specified pregnancy related
# conditions" (O26 "Maternal care for other conditions predominantly related to pregnancy"),
# rather than an O99 "... complicating pregnancy" subcategory, unless it pre-existed
CAUSED = re.compile(r"pregnancy[- ](?:related|associated|induced)|(?:related|due|secondary|attributed) to (?:the |her )?"
                    r"(?:pregnancy|pregnant state)|caused by (?:the |her )?pregnancy", _I)
TRIMESTER_NAMES = {"first": "1st", "second": "2nd", "third": "3rd"}


@dataclass
class PregnancyFacts:
    pregnant: bool = False
    postpartum: bool = False
    postpartum_span: tuple | None = None
    pregnant_spans: list = field(default_factory=list)
    weeks: int | None = None
    days: int | None = None
    ga_span: tuple | None = None
    ga_strong: bool = False
    ga_basis: str = ""  # "" when stated; "LMP <date>" / "EDD <date>" when computed for the date of service
    trimester: str | None = None  # first | second | third
    trimester_span: tuple | None = None
    trimester_source: str = ""
    incidental_span: tuple | None = None
    preexisting_span: tuple | None = None
    related_span: tuple | None = None
    caused_span: tuple | None = None

    @property
    def ga_text(self) -> str:
        if self.weeks is None:
            return ""
        age = f"{self.weeks}w{self.days}d" if self.days is not None else f"{self.weeks} weeks"
        return f"{age} (from {self.ga_basis})" if self.ga_basis else age


def trimester_of(weeks: int) -> str:
    """Chapter 15 note: 1st < 14w0d; 2nd 14w0d to < 28w0d; 3rd >= 28w0d."""
    return "first" if weeks < 14 else "second" if weeks < 28 else "third"


def _affirmed(note, start: int, end: int) -> bool:
    ctx = note.context((start, end))
    return not ctx.negated and not ctx.historical


def _pregnancy_sentence(note, offset: int) -> bool:
    sentence = note.sentence_at(offset)
    return bool(PREGNANT.search(note.text[sentence.start:sentence.end]))


def _gestational_age(note) -> tuple | None:
    """(weeks, days|None, span, strong) of the first gestational age written in the note."""
    text = note.text
    found = []
    for regex in (GA_FULL, GA_FRACTION):
        for m in regex.finditer(text):
            found.append((m.start(), int(m.group(1)), int(m.group(2)), (m.start(), m.end()), True))
    for m in GA_PLUS.finditer(text):
        around = text[max(0, m.start() - 25):m.end() + 25]
        if re.search(r"\bE?GA\b|gestation|pregnan|weeks|wks", around, _I):
            found.append((m.start(), int(m.group(1)), int(m.group(2)), (m.start(), m.end()), True))
    for m in GA_LABEL.finditer(text):
        days = next((g for g in m.groups()[1:] if g is not None), None)
        found.append((m.start(), int(m.group(1)), int(days) if days is not None else None, (m.start(), m.end()), True))
    for m in GA_WORDS.finditer(text):  # dictation: "thirteen weeks six days"
        before = text[max(0, m.start() - 30):m.start()]
        if NOT_GA_BEFORE.search(before) or not _pregnancy_sentence(note, m.start()):
            continue
        days = number_value(m.group(2)) if m.group(2) else None
        found.append((m.start(), number_value(m.group(1)), days, (m.start(), m.end()), days is not None))
    for m in GA_DECIMAL.finditer(text):
        around = text[max(0, m.start() - 25):m.end() + 25]
        if re.search(r"\bE?GA\b|gestation|pregnan|\bIUP\b|G\d+\s*P\d+", around, _I):
            found.append((m.start(), int(m.group(1)), int(m.group(2)), (m.start(), m.end()), True))
    strong_starts = {f[0] for f in found}
    for m in GA_WEEKS.finditer(text):
        if any(s <= m.start() < e for _, _, _, (s, e), _ in found) or m.start() in strong_starts:
            continue
        before, after = text[max(0, m.start() - 30):m.start()], text[m.end():m.end() + 30]
        if NOT_GA_BEFORE.search(before) or NOT_GA_AFTER.search(after):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        lead = text[line_start:m.start()]
        if GA_AFTER.search(after) or GA_BEFORE.search(before):
            found.append((m.start(), int(m.group(1)), None, (m.start(), m.end()), True))
        elif _pregnancy_sentence(note, m.start()):
            found.append((m.start(), int(m.group(1)), None, (m.start(), m.end()), False))  # "... of pregnancy, 27 wks."
        elif re.fullmatch(r"\s*(?:[-*#]+\s*)?(?:\*\*)?(?:S|Subjective|HPI|History)?\s*[:.]?(?:\*\*)?\s*", lead, _I):
            found.append((m.start(), int(m.group(1)), None, (m.start(), m.end()), False))  # "39 weeks." opening a line
    found = [f for f in found if 4 <= f[1] <= 43 and (f[2] is None or f[2] <= 6) and _affirmed(note, *f[3])]
    if not found:
        return None
    found.sort(key=lambda f: (not f[4], f[0]))
    _, weeks, days, span, strong = found[0]
    return weeks, days, span, strong


def pregnancy_facts(note, dos=None) -> PregnancyFacts:
    """What the note says about pregnancy (affirmed, current mentions only).

    ``dos`` (the date of service) lets a gestational age be computed from an LMP or EDD the
    note gives when it states no age itself.
    """
    text = note.text
    facts = PregnancyFacts()
    facts.pregnant_spans = [(m.start(), m.end()) for m in PREGNANT.finditer(text) if _affirmed(note, m.start(), m.end())]
    postpartum = [(m.start(), m.end()) for m in POSTPARTUM.finditer(text) if _affirmed(note, m.start(), m.end())]
    facts.postpartum, facts.postpartum_span = bool(postpartum), (postpartum[0] if postpartum else None)
    ga = _gestational_age(note)
    if (ga is None or not ga[3]) and not facts.postpartum:
        computed = gestational_age_from_dates(text, dos)
        if computed:
            weeks, days, span, basis = computed
            ga, facts.ga_basis = (weeks, days, span, True), basis
    if ga:
        facts.weeks, facts.days, facts.ga_span, facts.ga_strong = ga
    if ga and not facts.pregnant_spans and not ga[3]:
        facts.weeks = facts.days = facts.ga_span = None
        ga = None
    facts.pregnant = bool(facts.pregnant_spans) or bool(ga and ga[3])
    for tok in tokenize(text):
        if tok.kind == TRIMESTER and _affirmed(note, tok.start, tok.end):
            facts.trimester, facts.trimester_span, facts.trimester_source = tok.norm, (tok.start, tok.end), "stated"
            break
    if facts.weeks is not None:
        by_age = trimester_of(facts.weeks)
        if facts.trimester and facts.trimester != by_age:
            facts.trimester_source = f"gestational age {facts.ga_text} (note also says {facts.trimester} trimester)"
        else:
            facts.trimester_source = f"gestational age {facts.ga_text}"
        facts.trimester, facts.trimester_span = by_age, facts.ga_span
    if facts.pregnant:
        for regex, attr in ((INCIDENTAL, "incidental_span"), (PRE_EXISTING, "preexisting_span"), (RELATED, "related_span"),
                             (CAUSED, "caused_span")):
            for m in regex.finditer(text):
                if regex is INCIDENTAL or _affirmed(note, m.start(), m.end()):
                    setattr(facts, attr, (m.start(), m.end()))
                    break
    return facts
