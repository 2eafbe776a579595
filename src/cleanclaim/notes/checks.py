"""Documentation gaps of a note, alone or against the codes billed for the visit.

:func:`find_gaps` is the one place the DOC rules, ``cleanclaim notes`` and
``cleanclaim eval docs`` take their answers from. Each gap names its element (the
names the datasets use) and the authority a reviewer applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .elements import Elements
from .lexicon import PREGNANCY_ONLY_DX, technique_codes
from .text import Span

GAP_ELEMENTS = (
    "soap_sections", "pain_score", "functional_limitation", "body_region", "technique",
    "timed_minutes", "skilled_response", "referral_order", "plan_of_care",
    "objective_progress", "relaxation_language",
)

A_TREATMENT_NOTE = ("CMS Medicare Benefit Policy Manual 100-02 ch.15 §220.3.E (treatment note: each "
                    "intervention/modality billed, timed code minutes and total treatment time)")
A_DOCUMENTATION = "CMS 100-02 ch.15 §220.3 (documentation requirements for therapy services)"
A_PLAN = ("CMS 100-02 ch.15 §220.1.2 (plan of care: diagnoses, long term goals, type, amount, "
          "frequency and duration) and §220.1.3 (certification by a physician/NPP)")
A_PROGRESS = "CMS 100-02 ch.15 §220.3.D (progress report: objective measures compared with the evaluation)"
A_SKILLED = "CMS 100-02 ch.15 §220.2 (reasonable and necessary: skilled services, patient response)"
A_REVIEW = ("Medicare Program Integrity Manual 100-08 ch.3 §3.3.2.1 (documents on which a review "
            "determination is based); payer medical policy for massage/manual therapy")
A_UNITS = "CMS 100-04 ch.5 §20.2 (counting minutes for timed codes) and 100-02 ch.15 §220.3.E"
A_NCCI = ("CMS NCCI Policy Manual ch.I §E (modifier 59/XS/XU: separate anatomic site or "
          "encounter) and ch.XI (physical medicine)")


# Services of the whole patient, not of a body region (CPT descriptors: gait training,
# neuromuscular re-education of balance/coordination, dynamic functional activities,
# self-care/home management, group therapy, physical performance test): a note billing
# only these needs no region treated.
WHOLE_BODY = frozenset({"97116", "97112", "97530", "97535", "97150", "97750", "97537", "97542"})


def is_therapy_code(code: str) -> bool:
    """Physical medicine and rehabilitation (CPT 97010-97799) or G0283 (unattended e-stim)."""
    return (code.isdigit() and 97010 <= int(code) <= 97799) or code.upper() == "G0283"


@dataclass(frozen=True)
class Billed:
    """One billed service line, as the checks see it."""

    code: str
    units: Decimal | None = None
    modifiers: tuple[str, ...] = ()
    line: int | None = None


@dataclass
class Gap:
    """One thing a reviewer will find missing or contradicting the claim."""

    rule: str  # DOC rule code
    element: str  # one of GAP_ELEMENTS, or medical_necessity / minutes_units / separate_sites
    message: str
    fix: str
    authority: str
    severity: str = "warning"
    line: int | None = None  # claim service line number, when about one line
    code: str | None = None  # billed code concerned
    spans: list[Span] = field(default_factory=list)


def find_gaps(el: Elements, billed: list[Billed] | None = None, *, unit_method: str | None = None,
              payer_type: str | None = None, diagnoses: list[str] | None = None,
              referral_required: bool | None = None) -> list[Gap]:
    """Every documentation gap of the note; ``billed`` None = the codes the note names.

    ``referral_required``: whether the payer requires an order or referral (from its policy
    pack; None = unknown, treated as required). Medicare always needs a certified plan of care.
    """
    gaps: list[Gap] = []
    note = el.note
    if billed is not None and not any(is_therapy_code(b.code) for b in billed):
        return gaps  # an E/M or other visit: the therapy documentation elements do not apply
    if el.soap_missing:
        gaps.append(Gap("DOC002", "soap_sections",
                        f"note has no {', '.join(el.soap_missing)} section",
                        "Write the visit as Subjective / Objective / Assessment / Plan (any usual heading "
                        "or abbreviation: S:, CC/HPI, Exam, Impression/Dx, POC).", A_DOCUMENTATION))
    if not el.sited_pain_scores:
        if any(p.valid for p in el.pain_scores):
            msg = "pain score has no body site"
        elif el.pain_scores:
            msg = "pain score out of range (NPRS is 0-10, VAS 0-100 mm)"
        else:
            msg = "no pain score (NPRS 0-10 or VAS 0-100 mm) with its body site"
        gaps.append(Gap("DOC003", "pain_score", msg,
                        "Record the pain score with its scale and site, e.g. 'low back pain 6/10 NPRS'.",
                        A_DOCUMENTATION, spans=[p.span for p in el.pain_scores]))
    if not el.functional_limitations:
        gaps.append(Gap("DOC004", "functional_limitation", "no functional limitation in functional terms",
                        "State what the patient cannot do and how much, e.g. 'cannot stand more than "
                        "10 min', 'wakes 3 times a night from hip pain'.", A_DOCUMENTATION))
    codes = _codes(el, billed)
    regional = not codes or any(c.code not in WHOLE_BODY for c in codes)
    if not el.regions_treated and regional:
        gaps.append(Gap("DOC005", "body_region", "no body region treated",
                        "Name each region treated with its side, e.g. 'MFR to left upper trapezius'.",
                        A_TREATMENT_NOTE))
    gaps += _technique_gaps(el, codes)
    gaps += _minutes_gaps(el, codes)
    # a code written with what was done ("97110 12 min: putty grip 2x15, isometrics") names
    # the skilled service as well as a listed technique does
    named = bool(el.techniques or el.described_codes)
    if not el.responses or not named:
        missing = []
        if not named:
            missing.append("no skilled technique named")
        if not el.responses:
            missing.append("no patient response to treatment")
        gaps.append(Gap("DOC008", "skilled_response", "; ".join(missing),
                        "Name the skilled technique used and how the patient responded (tolerance, "
                        "change in tone, ROM or pain after treatment).", A_SKILLED))
    medicare = (payer_type or "") == "medicare"
    required = medicare or referral_required is not False
    if medicare and el.referrals and not _certified(el):
        gaps.append(Gap("DOC009", "referral_order",
                        "a referral is documented but no plan of care certified (signed) by a physician/NPP",
                        "Record the certification: who signed the plan of care and when.", A_PLAN))
    elif not el.referrals:
        gaps.append(Gap("DOC009", "referral_order",
                        "no plan of care certified by a physician/NPP" if medicare
                        else "no referral or physician order" + ("" if required else
                                                                 " (this payer's pack does not require one)"),
                        "Record the referral/order (who, date) or the certified plan of care.",
                        A_PLAN if medicare else A_REVIEW, severity="warning" if required else "info"))
    poc_missing = [name for name, spans in (("goals", el.goals), ("frequency", el.frequencies),
                                            ("duration", el.durations)) if not spans]
    if poc_missing:
        gaps.append(Gap("DOC010", "plan_of_care", f"plan of care lacks {', '.join(poc_missing)}",
                        "State the plan: functional goals, visits per week, and for how many weeks.",
                        A_PLAN))
    if not el.progress and not el.initial_visit:
        gaps.append(Gap("DOC011", "objective_progress",
                        "no objective measure compared with an earlier visit",
                        "Give a measure now and at an earlier visit, e.g. 'flexion 45 deg (was 35 deg "
                        "at evaluation)', 'ODI 34% (was 42%)'.", A_PROGRESS))
    if el.relaxation:
        words = sorted({note.text[s.start:s.end].lower() for s in el.relaxation})
        gaps.append(Gap("DOC012", "relaxation_language",
                        f"relaxation/wellness wording: {', '.join(repr(w) for w in words)}",
                        "Describe the clinical purpose (symptom, function, goal); payers do not cover "
                        "relaxation or spa massage.", A_REVIEW, severity="error", spans=list(el.relaxation)))
    gaps += _medical_necessity(el, payer_type, diagnoses, required)
    return gaps


def _certified(el: Elements) -> bool:
    """Medicare: the plan of care is certified (signed) by a physician/NPP."""
    import re

    text = el.note.text
    return any(re.search(r"certif|signed|signature", text[max(0, s.start - 40):s.end + 40], re.I)
               for s in el.referrals)


def _codes(el: Elements, billed: list[Billed] | None) -> list[Billed]:
    if billed is not None:
        return billed
    seen: dict[str, Billed] = {}
    for span in el.codes_mentioned:
        seen.setdefault(span.label, Billed(span.label))
    return list(seen.values())


def _technique_gaps(el: Elements, codes: list[Billed]) -> list[Gap]:
    known = technique_codes()
    gaps = []
    for item in codes:
        if item.code not in known or el.techniques_for(item.code):
            continue
        if item.code in el.described_codes and not _other_codes_only(el, item.code):
            continue  # "97530 tub transfer training": the note says what was done
        others = sorted({f"{t.name} ({t.code})" for t in el.techniques})
        found = f"; the note documents {', '.join(others)}" if others else ""
        gaps.append(Gap("DOC006", "technique",
                        f"{item.code} ({known[item.code]}) billed but no {known[item.code]} technique "
                        f"documented{found}",
                        f"Document the technique performed for {item.code} (e.g. "
                        f"{_examples(item.code)}) or bill the code the technique supports.",
                        A_TREATMENT_NOTE, severity="error", line=item.line, code=item.code))
    if not codes and not el.techniques:
        gaps.append(Gap("DOC006", "technique", "no treatment technique documented",
                        "Name the technique performed (effleurage, myofascial release, therapeutic "
                        "exercise ...).", A_TREATMENT_NOTE))
    return gaps


def _other_codes_only(el: Elements, code: str) -> bool:
    """The code's written description names only techniques of other codes
    ("97140 effleurage and petrissage")."""
    span = el.described_codes[code]
    inside = [t for t in el.techniques if span.start <= t.span.start < span.end]
    compatible = {code, *COMPATIBLE.get(code, ())}
    return bool(inside) and all(t.code not in compatible for t in inside)


# Functional training under 97530 overlaps gait and self-care training (CPT descriptors).
COMPATIBLE = {"97530": ("97116", "97535"), "97116": ("97530",), "97535": ("97530",)}


def _examples(code: str) -> str:
    from .lexicon import techniques

    names = [t.name for t in techniques() if t.code == code][:3]
    return ", ".join(names)


def _timed(codes: list[Billed]) -> list[Billed]:
    from ..rules.timed_units import load_timed_codes

    table = load_timed_codes()
    return [c for c in codes if c.code in table]


def _minutes_gaps(el: Elements, codes: list[Billed]) -> list[Gap]:
    timed = _timed(codes)
    gaps = []
    if not timed:
        return gaps
    by_code = el.minutes_by_code
    distinct = {c.code for c in timed}
    any_minutes = by_code or el.total_minutes is not None or el.session_minutes is not None
    for item in timed:
        if item.code in by_code:
            continue
        if len(distinct) == 1 and any_minutes:
            continue  # one timed code: the total (or session) minutes are its minutes
        gaps.append(Gap("DOC007", "timed_minutes", f"no minutes documented for timed code {item.code}",
                        f"Record the minutes of {item.code} (and the total timed minutes).",
                        A_TREATMENT_NOTE, line=item.line, code=item.code))
    return gaps


def _medical_necessity(el: Elements, payer_type: str | None, diagnoses: list[str] | None,
                       referral_required: bool = True) -> list[Gap]:
    """The five points; one gap listing those missing (not part of the dataset labels)."""
    missing = []
    if not el.referrals and referral_required:
        missing.append("a certified plan of care (physician/NPP)" if payer_type == "medicare"
                       else "an order or referral")
    functional_dx = bool(el.conditions)
    if diagnoses is not None:
        functional_dx = any(not dx.upper().startswith(PREGNANCY_ONLY_DX) for dx in diagnoses)
    if not functional_dx:
        missing.append("a functional diagnosis (not only pregnancy)")
    if not (el.goals and (el.frequencies or el.durations)):
        missing.append("a plan with goals and schedule")
    if not el.progress and not el.initial_visit:
        missing.append("objective progress")
    targeted = [s for s in el.conditions if el.note.sections_at(s.start) & {"subjective", "assessment"}] \
        or el.conditions
    if not targeted:
        missing.append("a specific symptom targeted")
    if not missing:
        return []
    return [Gap("DOC013", "medical_necessity",
                f"medical necessity not shown: missing {'; '.join(missing)}",
                "A reviewer looks for all five: order/referral (Medicare: certified plan of care), "
                "functional diagnosis, plan with goals and schedule, objective progress, a specific "
                "symptom targeted.", A_REVIEW)]
