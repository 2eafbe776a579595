"""TH: therapy discipline modifiers and Medicare PFS status indicators.

CMS's annual "always therapy" code list is not shipped; the PFS relative value file's
MULT PROC indicator 5 codes (therapy multiple-procedure payment reduction) stand in
for it, and every finding says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from .base import Hit, RuleContext, rule
from .modifiers import THERAPY_DISCIPLINE

ALWAYS_THERAPY_NOTE = ("always-therapy set taken as the Medicare PFS MULT PROC indicator 5 codes "
                       "(CMS's annual therapy code list is not shipped)")

STATUS_MEANING = {
    "B": ("bundled: payment is included in other services; never separately paid", "error"),
    "I": ("not valid for Medicare purposes; Medicare uses another code", "error"),
    "N": ("non-covered service: Medicare does not pay; use GY/GA/GZ as the ABN rules say", "warning"),
    "R": ("restricted coverage: paid only in special circumstances (check the local policy)", "warning"),
    "P": ("bundled or excluded: no separate payment under the PFS", "error"),
}
PAID_STATUSES = frozenset({"A", "R", "T", "C"})
# Replacement codes CMS names for status-I therapy codes (PFS final rule / 100-04 ch.5).
MEDICARE_REPLACEMENT = {"97014": "G0283"}


def _is_always_therapy(ctx: RuleContext, code: str) -> bool:
    row = ctx.store.pfs(code)
    return row is not None and row.mult_proc == "5"


@rule("TH001", "therapy.discipline-modifier-missing", "error", carc="CO-4")
def discipline_modifier_missing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A Medicare "always therapy" code without GP, GO or GN.

    ## What it checks
    On Medicare claims, every line whose code is always a therapy service (here: PFS MULT
    PROC indicator 5) carries exactly one discipline modifier: GP (physical therapy), GO
    (occupational therapy) or GN (speech-language pathology).

    ## Why payers deny it
    Medicare returns the line unprocessable: CO-4 (procedure code inconsistent with the
    modifier, or a required modifier is missing).

    ## Example
    97110 and 97124 billed without GP next to 97140-GP: both are denied.

    ## Fix
    Append the modifier of the plan of care the service was delivered under (GP for a PT
    plan of care).

    ## Authority
    CMS Claims Processing Manual 100-04 ch.5 §20.1; MLN MM10176; CMS annual therapy code
    list (approximated by PFS MULT PROC indicator 5).
    """
    if ctx.payer_type_for(claim) != "medicare":
        return
    for ln in claim.lines:
        if not _is_always_therapy(ctx, ln.procedure_code):
            continue
        mods = ln.modifier_set & THERAPY_DISCIPLINE
        if not mods:
            yield Hit(f"{ln.procedure_code} is an always-therapy code and has no GP/GO/GN modifier.",
                      line=ln.number,
                      fix="Append GP (PT plan of care), GO (OT) or GN (SLP).", fix_safety="unsafe",
                      authority=f"CMS 100-04 ch.5 §20.1; MM10176; {ALWAYS_THERAPY_NOTE}")
        elif len(mods) > 1:
            yield Hit(f"{ln.procedure_code} carries more than one discipline modifier "
                      f"({', '.join(sorted(mods))}).", line=ln.number,
                      fix="Keep the one discipline whose plan of care the service was under.",
                      fix_safety="unsafe", authority="CMS 100-04 ch.5 §20.1")


# CPT sections whose codes are never on CMS's therapy code list (neither "always" nor
# "sometimes therapy"): Evaluation and Management, Anesthesia, Radiology, Pathology and
# Laboratory. The Surgery and Medicine sections hold therapy-list codes (29xxx strapping,
# 64550, 90912, 92507-92633, 95992, 97xxx...), so no code there is judged "not therapy".
NOT_THERAPY_SECTIONS = (
    ("99202", "99499", "an E/M service (CPT E/M section 99202-99499)"),
    ("00100", "01999", "an anesthesia service (CPT Anesthesia section 00100-01999)"),
    ("70010", "79999", "a radiology service (CPT Radiology section 70010-79999)"),
    ("80047", "89398", "a pathology/laboratory service (CPT section 80047-89398)"),
)


def not_therapy_section(code: str) -> str | None:
    """What a code clearly is when its CPT section is never therapy, else None."""
    if not (len(code) == 5 and code.isdigit()):
        return None
    return next((what for low, high, what in NOT_THERAPY_SECTIONS if low <= code <= high), None)


@rule("TH002", "therapy.modifier-on-non-therapy-code", "warning", carc="CO-4")
def modifier_on_non_therapy(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """GP/GO/GN on a code that is clearly not a therapy service (e.g. an E/M visit).

    ## What it checks
    A discipline modifier on a code from a CPT section that holds no code of CMS's
    therapy code list: Evaluation and Management (99202-99499, e.g. 99213), Anesthesia,
    Radiology, Pathology and Laboratory. Codes of the Surgery and Medicine sections are
    never reported: CMS lists "sometimes therapy" codes there (e.g. 97129, 97130, 92610,
    97545, with PFS MULT PROC 0), and taking GO off one of them gets it denied CO-4.

    ## Why payers deny it
    The modifier is inconsistent with the code: CO-4, or the service is priced as therapy
    in error.

    ## Example
    99213-GP.

    ## Fix
    Remove GP/GO/GN from the line.

    ## Authority
    CMS 100-04 ch.5 §20.1 (therapy modifiers identify services under a therapy plan of
    care); CMS annual therapy code list (not shipped: only CPT sections with no therapy
    code are judged).
    """
    for ln in claim.lines:
        mods = ln.modifier_set & THERAPY_DISCIPLINE
        if not mods:
            continue
        what = not_therapy_section(ln.procedure_code)
        if what is None:
            continue
        yield Hit(f"{ln.procedure_code} is {what}, not a therapy service, but carries "
                  f"{', '.join(sorted(mods))}.",
                  line=ln.number, fix=f"Remove {', '.join(sorted(mods))} from line {ln.number}.",
                  fix_safety="safe",
                  authority="CMS 100-04 ch.5 §20.1; CMS annual therapy code list (not shipped:"
                            " only CPT sections with no therapy code are judged)")


@rule("TH004", "therapy.sometimes-therapy-no-modifier", "warning", carc="CO-4")
def sometimes_therapy_without_modifier(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A timed code on CMS's therapy code list, outside the always-therapy set, without GP/GO/GN.

    ## What it checks
    On Medicare claims, a 15-minute timed code of data/timed_codes.tsv whose PFS MULT PROC
    indicator is not 5 (97129/97130 cognitive function, 90912/90913 biofeedback) billed
    with no discipline modifier. These are "sometimes therapy" codes: under a therapy plan
    of care (by a therapist, or always when the code is billed by a PT/OT/SLP) they need
    GP, GO or GN; a physician or NPP outside a therapy plan of care bills them without.

    ## Why payers deny it
    A therapy service without the discipline modifier is returned unprocessable (CO-4),
    and it escapes the therapy KX threshold count.

    ## Example
    Medicare 97129 x1 with no modifier.

    ## Fix
    Append the discipline of the plan of care (GO for OT, GN for SLP, GP for PT), or
    confirm that a physician/NPP furnished it outside a therapy plan of care.

    ## Authority
    CMS 100-04 ch.5 §20.1; CMS annual therapy code list ("sometimes therapy" codes; the
    list is not shipped: only the timed codes of data/timed_codes.tsv outside PFS MULT
    PROC 5 are recognised).
    """
    if ctx.payer_type_for(claim) != "medicare":
        return
    from .timed_units import load_timed_codes

    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    for ln in claim.lines:
        if ln.procedure_code not in table or ln.modifier_set & THERAPY_DISCIPLINE:
            continue
        row = ctx.store.pfs(ln.procedure_code)
        if row is None or row.mult_proc == "5":
            continue  # TH001 (always therapy)
        yield Hit(f"{ln.procedure_code} is on CMS's therapy code list (sometimes therapy) and has no"
                  " GP/GO/GN modifier: under a therapy plan of care it needs one.",
                  line=ln.number,
                  fix="Append GO (OT), GN (SLP) or GP (PT) when furnished under a therapy plan of care;"
                      " leave it off only when a physician/NPP furnished it outside one.",
                  fix_safety="unsafe",
                  authority="CMS 100-04 ch.5 §20.1; CMS annual therapy code list (not shipped)")


@rule("TH003", "pfs.status-not-payable", "error", carc="CO-97 / CO-96 / CO-204")
def pfs_status(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A code whose Medicare PFS status means it is not separately paid.

    ## What it checks
    The PFS status indicator of each line's code: B (bundled, e.g. 97010), I (not valid
    for Medicare, e.g. 97014: use G0283), N (non-covered), R (restricted coverage),
    P (bundled/excluded). X (excluded from the PFS, e.g. clinical lab codes paid under
    another fee schedule) and C (carrier-priced) are not denials and are not reported.

    ## Why payers deny it
    B/P: CO-97 (included in another service). I: CO-4/CO-181 (invalid code for Medicare).
    N: CO-96 / CO-204 (non-covered), or PR-96 with GA/GY when the patient can be billed.

    ## Example
    97010 (hot/cold packs) is status B: never paid separately. 97014 is status I: Medicare
    wants G0283 for unattended electrical stimulation.

    ## Fix
    Remove bundled lines; replace status-I codes with the Medicare code; for N, use the
    ABN process and GA/GY/GZ modifiers as they apply.

    ## Authority
    CMS Medicare Physician Fee Schedule relative value file (status code field), CMS
    100-04 ch.12 §30; PFS final rule for the year.
    """
    medicare = ctx.payer_type_for(claim) == "medicare"
    for ln in claim.lines:
        row = ctx.store.pfs(ln.procedure_code)
        if row is None or row.status not in STATUS_MEANING:
            continue
        meaning, severity = STATUS_MEANING[row.status]
        if not medicare:
            severity = "info"  # the PFS status is Medicare's; other payers decide for themselves
        fix = {
            "B": f"Remove line {ln.number}: its payment is bundled into the other services.",
            "P": f"Remove line {ln.number}: no separate payment.",
            "I": f"Bill {MEDICARE_REPLACEMENT[ln.procedure_code]} instead of {ln.procedure_code}."
            if ln.procedure_code in MEDICARE_REPLACEMENT
            else "Bill the Medicare code for this service.",
            "N": "Get an ABN signed and append GA (or GY/GZ as applies) so the patient can be billed.",
            "R": "Check the local coverage policy before billing.",
        }[row.status]
        if ln.modifier_set & {"GA", "GY", "GZ"} and row.status == "N":
            continue
        yield Hit(f"{ln.procedure_code} has PFS status {row.status}: {meaning}.", line=ln.number,
                  severity=severity, fix=fix, fix_safety="unsafe",
                  authority=f"{row.release}, status code {row.status}; CMS 100-04 ch.12")
