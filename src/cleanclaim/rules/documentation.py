"""DOC: the visit note against what a reviewer needs and against the claim.

The note comes from ``check --notes DIR`` (``ctx.options["notes"]``, a
:class:`cleanclaim.notes.link.NoteIndex`) or ``ctx.options["note_text"]``. Without
either the family is silent. Gaps are worked out once per claim by
:func:`cleanclaim.notes.checks.find_gaps`; each rule reports its own element.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from typing import TYPE_CHECKING

from ..model import Claim
from .base import Hit, RuleContext, rule

if TYPE_CHECKING:  # the notes package loads only when a run has notes (a cold check stays fast)
    from ..notes.checks import Billed, Gap
    from ..notes.elements import Elements


def notes_given(ctx: RuleContext) -> bool:
    """Whether this run has visit notes at all (`check --notes`, or note_text for one claim)."""
    options = ctx.options or {}
    return bool(options.get("note_text")) or options.get("notes") is not None


def is_therapy_code(code: str) -> bool:
    from ..notes.checks import is_therapy_code as therapy

    return therapy(code)



def billed_lines(claim: Claim) -> list[Billed]:
    from ..notes.checks import Billed

    return [Billed(ln.procedure_code, ln.units, tuple(ln.modifiers), ln.number) for ln in claim.lines]


def referral_required(claim: Claim, ctx: RuleContext) -> bool | None:
    """Does the payer's policy pack require a referral/order for any line (None: no packs)?"""
    try:
        from ..policies import policy_for
        from ..policies.claimview import rendering_taxonomy

        policy = policy_for(claim, ctx)
        if policy is None:
            return None
        for ln in claim.lines:
            taxonomy, _ = rendering_taxonomy(claim, ln, ctx)
            if policy.referral(ln.procedure_code, taxonomy, ln.date_of_service) is not None:
                return True
        return False
    except Exception:  # packs unavailable or unreadable: treat as required (the safe side)
        return None


def _analysis(claim: Claim, ctx: RuleContext) -> tuple[Elements | None, list[Gap], bool]:
    """(elements, gaps, notes given) for the claim, once per claim."""
    memo = ctx.claim_memo(claim)
    cached = memo.get("doc.analysis")
    if cached is not None:
        return cached
    if not notes_given(ctx):
        memo["doc.analysis"] = (None, [], False)
        return memo["doc.analysis"]
    from ..notes.checks import find_gaps
    from ..notes.elements import extract
    from ..notes.link import note_for

    note, given = note_for(claim, ctx)
    if note is None:
        result = (None, [], given)
    else:
        from .timed_units import unit_method_for

        elements = extract(note)
        gaps = find_gaps(elements, billed_lines(claim), unit_method=unit_method_for(claim, ctx),
                         payer_type=ctx.payer_type_for(claim),
                         diagnoses=[dx.code for dx in claim.diagnoses],
                         referral_required=referral_required(claim, ctx))
        result = (elements, gaps, given)
    memo["doc.analysis"] = result
    return result


def _where(elements: Elements, gap: Gap) -> str:
    note = elements.note
    if gap.spans:
        return f" ({note.source or 'note'} line {note.line_of(gap.spans[0].start)})"
    return f" ({note.source})" if note.source else ""


def _hits(claim: Claim, ctx: RuleContext, code: str) -> Iterator[Hit]:
    elements, gaps, _ = _analysis(claim, ctx)
    for gap in gaps:
        if gap.rule == code:
            yield Hit(message=f"note: {gap.message}{_where(elements, gap)}", line=gap.line, fix=gap.fix,
                      authority=gap.authority, severity=gap.severity,
                      details={"element": gap.element, "code": gap.code, "note": elements.note.source})


@rule("DOC001", "documentation.no-note", severity="info")
def no_note(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Notes were given for the run but none belongs to this claim.

    ## What it checks
    With `check --notes DIR`, each claim looks for its note by claim id (front matter
    `claim_id:`, a FHIR DocumentReference related Claim, or a file named `<claim_id>.md`),
    else by patient and date of service (`patient:` and `date:`). Silent when no notes
    were given.

    ## Why payers deny it
    A therapy claim with no visit note behind it cannot survive a records request: the
    payer recoups the payment when the documentation is not produced.

    ## Example
    `check claims.837 --notes notes/` and claim PM1009 has no `PM1009.md` and no note
    with its patient and date.

    ## Fix
    Add the note to the folder (named by claim id, or with `claim_id:` in its front matter).

    ## Authority
    Medicare Program Integrity Manual 100-08 ch.3 §3.3.2.1 (documents on which a review
    determination is based); CMS 100-02 ch.15 §220.3.
    """
    if notes_given(ctx) and any(is_therapy_code(ln.procedure_code) for ln in claim.lines):
        elements, _, given = _analysis(claim, ctx)
        if given and elements is None:
            yield Hit("no note found for claim: no note with this claim id, file name, or patient "
                      "and date of service", fix="Add the visit note (file named <claim id>.md or "
                      "front matter claim_id:).",
                      authority="Medicare Program Integrity Manual 100-08 ch.3 §3.3.2.1")


@rule("DOC002", "documentation.soap-sections", severity="warning", carc="CO-252")
def soap_sections(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The note lacks a subjective, objective, assessment or plan section.

    ## What it checks
    Section headings under any usual name or abbreviation: S/Subjective/CC/HPI,
    O/Objective/Exam/Findings, A/Assessment/Impression/Dx, P/Plan/POC (A/P counts for both).

    ## Why payers deny it
    Reviewers read a therapy note as SOAP; a note without an assessment or plan does not
    show why skilled care was needed or where it is going, and the service is denied as
    not supported.

    ## Example
    A massage note that is a single paragraph with no headings.

    ## Fix
    Write Subjective, Objective, Assessment and Plan under headings.

    ## Authority
    CMS 100-02 ch.15 §220.3 (documentation requirements for therapy services); payer
    medical policy for massage/manual therapy.
    """
    yield from _hits(claim, ctx, "DOC002")


@rule("DOC003", "documentation.pain-score", severity="warning", carc="CO-252")
def pain_score(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """No current pain score (NPRS 0-10 or VAS 0-100 mm) with its body site.

    ## What it checks
    A pain score on a numeric (NPRS/NRS "6/10") or visual analogue (VAS "45 mm") scale,
    in range, tied to a body region in its sentence (or the one before). Scores in goals,
    history ("7/10 at last visit") or hypotheticals do not count.

    ## Why payers deny it
    Without a measured symptom at a site there is nothing for the treatment to change and
    no baseline for progress; reviewers deny as not medically necessary.

    ## Example
    "Patient reports pain." (no scale, no site).

    ## Fix
    Record "low back pain 6/10 NPRS" or "VAS 45 mm right hip".

    ## Authority
    CMS 100-02 ch.15 §220.3 (objective measures in the documentation); payer massage
    therapy policies.
    """
    yield from _hits(claim, ctx, "DOC003")


@rule("DOC004", "documentation.functional-limitation", severity="warning", carc="CO-50")
def functional_limitation(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """No functional limitation stated in functional terms.

    ## What it checks
    An affirmed statement of what the patient cannot do or how long they tolerate it:
    "cannot stand more than 10 min", "wakes 3 times a night", "difficulty dressing",
    or a functional outcome score (Oswestry, NDI, LEFS, PSFS). Negated ("no difficulty
    walking") and goal statements do not count.

    ## Why payers deny it
    Therapy is covered to restore function; a note that only describes pain or comfort
    reads as maintenance or relaxation.

    ## Example
    "Back feels tight." and nothing about sitting, standing, sleep or work.

    ## Fix
    State the limitation with a measure: activity plus time, distance or frequency.

    ## Authority
    CMS 100-02 ch.15 §220.1.2 and §220.3 (functional goals and status); payer policy.
    """
    yield from _hits(claim, ctx, "DOC004")


@rule("DOC005", "documentation.body-region", severity="warning", carc="CO-252")
def body_region(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The note does not name a body region treated.

    ## What it checks
    A body region (with laterality when given) in a treatment sentence: the sentence
    names a technique, or it is a treatment statement outside the subjective section.

    ## Why payers deny it
    Units and modifier 59/XS need regions; a reviewer cannot match the service to the
    diagnosis without one.

    ## Example
    "Massage 30 min. Tolerated well."

    ## Fix
    Name the regions: "MFR to left upper trapezius and levator scapulae".

    ## Authority
    CMS 100-02 ch.15 §220.3.E (each intervention documented); payer policy.
    """
    yield from _hits(claim, ctx, "DOC005")


@rule("DOC006", "documentation.technique-for-code", severity="error", carc="CO-150")
def technique(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """A billed code has no technique in the note that supports it.

    ## What it checks
    For each billed code with a technique list (notes/data/techniques.yaml): effleurage,
    petrissage, tapotement for 97124; myofascial release, soft-tissue or joint
    mobilisation, manual lymphatic drainage for 97140; therapeutic exercise for 97110;
    functional activities for 97530; hot/cold packs for 97010. A code written with a
    description of what was done ("97530 tub transfer training") counts, unless the
    description names only another code's techniques.

    ## Why payers deny it
    The service billed must be the one performed: 97140 billed on a note that documents
    effleurage and petrissage is massage (97124) and is denied or recoded on review.

    ## Example
    97140 x2 billed; note: "Swedish effleurage to back and legs, 30 min".

    ## Fix
    Document the technique performed for the code, or bill the code the technique supports.
    Unsafe when it changes the code.

    ## Authority
    CPT descriptors for 97124/97140/97110/97530/97010; CMS 100-02 ch.15 §220.3.E (each
    specific intervention billed); payer policy.
    """
    yield from _hits(claim, ctx, "DOC006")


@rule("DOC007", "documentation.timed-minutes", severity="warning", carc="CO-252")
def timed_minutes(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """A billed 15-minute timed code has no minutes in the note.

    ## What it checks
    Minutes placed with each timed code (a code number or its technique in the same
    sentence or line). With one timed code billed, a total or session time counts.

    ## Why payers deny it
    Timed units are paid on documented minutes; without them every unit is unsupported.

    ## Example
    97140 and 97110 billed; note says "total treatment 45 min" only.

    ## Fix
    Write the minutes per code and the total timed minutes.

    ## Authority
    CMS 100-02 ch.15 §220.3.E (total timed code treatment minutes and total treatment
    time); CMS 100-04 ch.5 §20.2.
    """
    yield from _hits(claim, ctx, "DOC007")


@rule("DOC008", "documentation.skilled-response", severity="warning", carc="CO-50")
def skilled_response(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """No skilled technique named, or no patient response to treatment.

    ## What it checks
    A specific technique (not just "massage") and a response: tolerance, change in
    tone, ROM, swelling or pain after treatment.

    ## Why payers deny it
    Skilled care is what makes therapy covered; a note without the technique and response
    does not show that a therapist's skill was required.

    ## Example
    "Massage given. Return next week."

    ## Fix
    Name the technique and the response ("tone reduced after MFR, pain 3/10 post").

    ## Authority
    CMS 100-02 ch.15 §220.2 (reasonable and necessary, skilled services) and §220.3.
    """
    yield from _hits(claim, ctx, "DOC008")


@rule("DOC009", "documentation.referral-order", severity="warning", carc="CO-288")
def referral_order(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """No referral or physician order (Medicare: certified plan of care) in the note.

    ## What it checks
    "Referred by Dr ...", "order on file", "Rx from OB", a referral/orders section, or a
    plan of care certified/signed by a physician or NPP. Pending or missing referrals
    ("referral requested") do not count.

    ## Why payers deny it
    Many plans pay massage or therapy only on a physician order; Medicare pays outpatient
    therapy only under a plan of care certified by a physician/NPP.

    ## Example
    A note with no mention of who ordered the care.

    ## Fix
    Record the referral or order (who and when), or the certification of the plan of care.

    ## Authority
    CMS 100-02 ch.15 §220.1.3 (certification); payer referral policy; Medicare Program
    Integrity Manual 100-08 ch.3 §3.3.2.1.
    """
    yield from _hits(claim, ctx, "DOC009")


@rule("DOC010", "documentation.plan-of-care", severity="warning", carc="CO-50")
def plan_of_care(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The plan of care lacks goals, frequency or duration.

    ## What it checks
    Goals ("Goals:", STG/LTG, "will be able to"), a frequency ("2x/week", "weekly") and a
    duration ("x 6 weeks", "8 visits", "until delivery").

    ## Why payers deny it
    A plan without goals and an end point reads as open-ended maintenance care.

    ## Example
    "Plan: continue massage."

    ## Fix
    "Plan: 2x/week x 6 weeks; goals: stand 30 min, sleep through the night."

    ## Authority
    CMS 100-02 ch.15 §220.1.2 (plan of care: long term goals, type, amount, frequency,
    duration).
    """
    yield from _hits(claim, ctx, "DOC010")


@rule("DOC011", "documentation.objective-progress", severity="warning", carc="CO-50")
def objective_progress(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """No objective measure compared with an earlier visit.

    ## What it checks
    A measure (degrees, %, score, cm, seconds, NPRS) in the same sentence as a reference
    to an earlier visit ("was 35 deg at eval", "(last visit 3/5)", "(2/16: 20 deg)").
    Patient reports and within-session changes do not count; an initial evaluation
    needs none.

    ## Why payers deny it
    Continued therapy is covered while the patient improves measurably; without progress
    reviewers deny further visits as maintenance.

    ## Example
    "Feels better." and no measures.

    ## Fix
    "Lumbar flexion 45 deg (was 35 deg at evaluation); ODI 34% (was 42%)."

    ## Authority
    CMS 100-02 ch.15 §220.3.D (progress report: objective measures compared with the
    evaluation).
    """
    yield from _hits(claim, ctx, "DOC011")


@rule("DOC012", "documentation.relaxation-language", severity="error", carc="CO-50")
def relaxation_language(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The note describes the service as relaxation, spa or wellness.

    ## What it checks
    Wording such as "relaxation massage", "wants to relax", "spa", "pampering",
    "aromatherapy", "hot stones", "stress relief" (not negated).

    ## Why payers deny it
    Relaxation and wellness massage is not medically necessary; payers deny it as
    non-covered and recoup it on review.

    ## Example
    "60 min full-body Swedish relaxation massage with hot stones."

    ## Fix
    Describe the clinical purpose (symptom, function, goal) and the techniques used.

    ## Authority
    Payer massage therapy policies (relaxation/wellness massage excluded); Medicare
    Program Integrity Manual 100-08 ch.3 §3.3.2.1.
    """
    yield from _hits(claim, ctx, "DOC012")


@rule("DOC013", "documentation.medical-necessity", severity="warning", carc="CO-50")
def medical_necessity(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Medical necessity is not shown on all five points.

    ## What it checks
    (1) an order or referral (Medicare: a certified plan of care); (2) a functional
    diagnosis, not only pregnancy codes (Z3A, Z33, Z34, O09); (3) a plan with goals and
    schedule; (4) objective progress; (5) a specific symptom targeted.

    ## Why payers deny it
    Massage and manual therapy are covered when they treat a condition toward a goal;
    missing any point lets a reviewer call the service maintenance or wellness.

    ## Example
    Prenatal massage billed with Z3A.24 and Z33.1 only, no order and no goals.

    ## Fix
    Add what is missing; code the functional diagnosis the note documents.

    ## Authority
    CMS 100-02 ch.15 §220.1-§220.3; payer massage therapy medical policy.
    """
    yield from _hits(claim, ctx, "DOC013")


from . import documentation_claim  # noqa: E402,F401  (DOC014-DOC016: the note against the claim)

# Without notes every DOC rule is silent: the engine skips them (one notes_given call per claim).
for _func in (no_note, soap_sections, pain_score, functional_limitation, body_region, technique,
              timed_minutes, skilled_response, referral_order, plan_of_care, objective_progress,
              relaxation_language, medical_necessity, documentation_claim.minutes_units,
              documentation_claim.separate_site, documentation_claim.note_date):
    _func.silent_unless = notes_given
