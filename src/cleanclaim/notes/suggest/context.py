"""What a note's words say about a condition beyond negation/history (notes.text): resolved,
uncertain (not coded in the outpatient setting), an instruction to watch for it, a current
injury written "s/p", and the words that are never a diagnosis (the title line, the ordering
provider)."""

from __future__ import annotations

import re


# "s/p L ankle sprain 3 wks ago", "status post fall with wrist fracture": an injury the patient is
# being treated for now (rehabilitation = subsequent encounter, 7th character D, guideline
# I.C.19.a), not past history
INJURY_NOW = re.compile(
    r"\b(?:s/p|status post)\b[^.;\n]{0,60}?\b(?:sprain|strain|fracture|fx|tear|rupture|dislocation|subluxation|"
    r"contusion|injur(?:y|ies)|whiplash)", re.IGNORECASE)
# "nausea has settled", "the headaches resolved": the symptom is gone today (not coded)
RESOLVED_AFTER = re.compile(
    r"\b(?:has|have|had)?\s*(?:now\s+)?(?:settled|resolved|subsided|cleared|gone away|went away|abated|ceased)\b"
    r"|\bno longer (?:present|an issue|a problem)\b|\bis gone\b|\bare gone\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[.;:,\n]|\bbut\b|\band\b(?= [a-z]+ (?:is|are|has|have)\b)", re.IGNORECASE)
# Uncertain diagnoses are not coded in the outpatient setting (ICD-10-CM Official Guidelines
# IV.H: "Do not code diagnoses documented as 'probable', 'suspected', 'questionable', 'rule
# out', 'compatible with', 'consistent with', or 'working diagnosis' or other similar terms
# indicating uncertainty"): the clause's words before the condition carry the qualifier, or it
# follows it ("... tear, suspected").
UNCERTAIN_BEFORE = re.compile(
    r"\b(?:probable|probably|suspected|suspect|suspicious (?:for|of)|questionable|question of|possible|possibly|"
    r"rule[- ]out|r/o|compatible with|consistent with|working (?:diagnosis|dx)|presumed|presumptive|likely|"
    r"differential(?: diagnosis| dx)?(?: includes?)?|cannot (?:be )?rule[d]? out)\b[^.;:,\n]{0,50}$"
    r"|\?$", re.IGNORECASE)  # "?SIJ dysfunction"
UNCERTAIN_AFTER = re.compile(r"^[^.;,(\n]{0,25}?(?:\(|,|-|\s)\s*(?:suspected|probable|possible|questionable|\?)"
                             r"\s*(?:\)|[.;,\n]|$)", re.IGNORECASE)
# what the patient is told to watch for is no finding ("report any swelling, headache or visual
# change", "call if bleeding", "precautions: ...")
INSTRUCTION = re.compile(r"\b(?:report|call|notify|contact|seek (?:care|attention)|go to)\b[^.;\n]{0,40}"
                         r"\b(?:any|if|should|when)\b[^.;\n]*$|\b(?:watch for|monitor for|warning signs?|"
                         r"red flags?|precautions?)\b[^.;\n]*$", re.IGNORECASE)


_CLAUSE_END = re.compile(r"[.;\n]|[?!](?=\s)")


def _clause_start(text: str, start: int) -> int:
    lo = 0
    for m in _CLAUSE_END.finditer(text, max(0, start - 300), start):
        lo = m.end()
    return lo


def _uncertain(text: str, start: int, end: int) -> bool:
    """The condition is qualified as uncertain (guideline IV.H) or is something to watch for."""
    lead = text[_clause_start(text, start):start]
    return bool(UNCERTAIN_BEFORE.search(lead) or INSTRUCTION.search(lead) or UNCERTAIN_AFTER.match(text, end))


def _resolved(text: str, start: int, end: int) -> bool:
    """The clause holding [start, end) says the symptom has resolved/settled."""
    m = CLAUSE_BREAK.search(text, end)
    clause_end = m.start() if m else len(text)
    return bool(RESOLVED_AFTER.search(text, end, clause_end))


# who wrote the order is no finding: "Dr. S. Rao, hand surgery", "Dr. K. Ostrowski (PCP)",
# "Dr. P. Lindahl, DDS (orofacial pain)" -- the name and the specialty after it
_SPECIALTY = (r"(?:ortho\w*|neuro\w*|rheum\w*|podiatr\w*|ob(?:/gyn)?|gyn\w*|obstetric\w*|pcp|primary care(?: physician)?|"
              r"family (?:medicine|practice)|internal medicine|sports medicine|physiatr\w*|pm&r|surg\w*|spine|"
              r"pain (?:management|medicine|clinic)|midwi\w*|cnm|mfm|maternal[- ]fetal medicine|dds|dmd|dentist\w*|"
              r"orofacial(?: pain)?|oncolog\w*|cardiolog\w*|pediatric\w*|urogyn\w*|md|do|np|pa(?:-c)?|dpm|dc)")
PROVIDER = re.compile(
    r"\b(?:Dr|DR|Doctor)\.?[ \t]+(?:[A-Z][\w'.-]*[ \t]*){1,3}"
    r"(?:(?:,[ \t]*|[ \t]*\()(?i:(?:[\w&/.-]+[ \t]+){0,2}" + _SPECIALTY
    + r"\b(?:[ \t]+(?:surg\w*|medicine|clinic|specialist|physician|service|department|dept|pain|associates|group)){0,2})"
    r"[ \t]*\)?)*")


def masked_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges whose words are never a diagnosis: the note's title line (the service or clinic:
    "LYMPHEDEMA / EDEMA SERVICE", "TMJ / Orofacial PT -- Visit Note") and the ordering provider's
    name and specialty."""
    out = []
    m = re.match(r"\s*(?:---\n.*?\n---\n\s*)?", text, re.S)
    start = m.end() if m else 0
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end].strip()
    if (line and len(line) <= 90 and ":" not in line and ". " not in line and not line.endswith(".")
            and text[end:].strip()):
        out.append((start, end))
    out += [(m.start(), m.end()) for m in PROVIDER.finditer(text)]
    return out


def context_tokens(note, tokens):
    """(affirmed tokens, tokens that are only historical)"""
    cache: dict[tuple, tuple] = {}
    current, past = [], []
    injury_now = [(m.start(), m.end()) for m in INJURY_NOW.finditer(note.text)]
    for t in tokens:
        key = (t.start, t.end)
        if key not in cache:
            ctx = note.context(key)
            historical = ctx.historical and not any(a <= t.start and t.end <= b + 40 for a, b in injury_now)
            cache[key] = (ctx.negated or ctx.hypothetical or _resolved(note.text, t.start, t.end)
                          or _uncertain(note.text, t.start, t.end), historical)
        off, historical = cache[key]
        if not off:
            (past if historical else current).append(t)
    return current, past
