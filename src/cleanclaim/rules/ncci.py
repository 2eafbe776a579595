"""NC: NCCI procedure-to-procedure (PTP) edits between lines of one claim.

Lines pair when they share a date of service and a rendering provider. The PTP row
in force on that date decides; its column-2 code is the line that is not paid.

Which row decides: the newest table that lists the ordered pair (any import above the
bundled 2024 Q3 table; a later release above an earlier one) gives the pair's whole
history, so a newer quarter that deletes an edit is honoured even though an older table
still has it open. In that table the row with the earliest deletion date on or after the
date of service decides (the deletion date is the last day in force). A pair listed in
both column orders is decided by the one row of either order with the earliest deletion
date on or after the date of service, and gets one finding, on that row's column-2 line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import combinations

from ..model import Claim, ServiceLine
from .base import Hit, RuleContext, rule
from .modifiers import NCCI_ASSOCIATED, X_MODIFIERS, is_evaluation_management

MANUAL = "NCCI Policy Manual for Medicare Services, ch. I, sections D-E; CMS MLN1783722 (modifier 59)"


MEDICAID_NCCI = ("CMS Medicaid NCCI (SSA §1903(r)(1)(B)(iv), added by ACA §6507; Medicaid NCCI Technical "
                 "Guidance Manual): Medicaid applies its own quarterly practitioner PTP and MUE files, "
                 "which differ from Medicare's")


def medicaid_aware(func):
    """Rule wrapper: on a Medicaid claim checked against a Medicare (non-Medicaid) NCCI table,
    each finding says so, and how to import the Medicaid edits."""
    import functools

    @functools.wraps(func)
    def wrapper(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
        medicaid = None
        for hit in func(claim, ctx):
            if medicaid is None:  # a Medicaid claim: which table decided shows in the authority
                medicaid = ctx.payer_type_for(claim) == "medicaid"
            if medicaid and "medicaid" not in (hit.authority or "").lower():
                # no Medicaid table imported, or none covering this date of service (imports
                # that start later): Medicare's table is the proxy, said on every finding
                why = ("no imported Medicaid NCCI table covers this date of service, so the Medicare"
                       " practitioner table was applied" if ctx.store.has_program_ncci("medicaid")
                       else "the Medicare practitioner table was applied")
                hit.message += (f" Medicaid claim: {why}; Medicaid NCCI edits differ (import them with"
                                " `cleanclaim data import-ncci FILE --program medicaid`).")
                hit.authority = f"{hit.authority}; {MEDICAID_NCCI}" if hit.authority else MEDICAID_NCCI
                hit.details = {**hit.details, "table_program": "medicare", "payer_type": "medicaid"}
            yield hit

    return wrapper


def _npi(claim: Claim, line: ServiceLine) -> str | None:
    provider = claim.rendering_for(line)
    return provider.npi if provider else None


def ptp_pairs(claim: Claim, ctx: RuleContext) -> list:
    """(edit, column-1 line, column-2 line) for every PTP row that applies on the claim.

    Worked out once per claim (the NC rules share it); the rows are looked up once per
    run for each (column 1, column 2, date).
    """
    lines = claim.lines
    if len(lines) < 2:
        return []
    memo = ctx.claim_memo(claim)
    found = memo.get("nc.pairs")
    if found is None:
        found = memo["nc.pairs"] = _ptp_pairs(claim, ctx)
    return found


def _ptp_pairs(claim: Claim, ctx: RuleContext) -> list:
    edits = ctx.memo("nc.ptp_edit")
    program = ctx.ncci_program(claim)
    found = []
    for a, b in combinations(claim.lines, 2):
        if a.date_of_service is None or a.date_of_service != b.date_of_service:
            continue
        if _npi(claim, a) != _npi(claim, b) or a.procedure_code == b.procedure_code:
            continue
        rows = []
        for first, second in ((a, b), (b, a)):
            key = (first.procedure_code, second.procedure_code, a.date_of_service, program)
            if key in edits:
                edit = edits[key]
            else:
                edit = edits[key] = ctx.store.ptp_edit(*key)
            if edit is not None:
                rows.append((edit, first, second))
        if rows:  # a pair listed in both column orders: one row decides (see decisive_row)
            edit, first, second = min(rows, key=decisive_row)
            if edit.modifier_indicator != "9":
                found.append((edit, first, second))
    return found


def decisive_row(candidate) -> tuple:
    """Of a pair's rows in force in either column order, the one with the earliest deletion date
    on or after the date of service decides (issue 2 §5: deletion = last day in force; an active
    row has no deletion date); on a tie the stricter indicator (0 before 1 before 9)."""
    edit = candidate[0]
    return edit.deletion_date or date.max, edit.modifier_indicator


def authority(edit) -> str:
    deleted = edit.deletion_date.isoformat() if edit.deletion_date else "none (active)"
    effective = f", effective {edit.effective_date.isoformat()}" if edit.effective_date else ""
    return (f"{edit.release}: column 1 {edit.column1} / column 2 {edit.column2}, modifier "
            f"indicator {edit.modifier_indicator}{effective}, deletion date {deleted}; "
            f"rationale: {edit.rationale}. {MANUAL}")


def bypass_modifiers(col1: ServiceLine, col2: ServiceLine) -> set[str]:
    """NCCI-associated modifiers on the pair; an E/M column-2 code counts only 24/25/57."""
    if is_evaluation_management(col2.procedure_code):
        return col2.modifier_set & {"24", "25", "57"}
    return (col2.modifier_set | col1.modifier_set) & NCCI_ASSOCIATED


def suggested_modifier(col2: ServiceLine) -> str:
    if is_evaluation_management(col2.procedure_code):
        return ("append 25 to the E/M line if the documentation shows a significant, separately "
                "identifiable E/M service (never 59/X on an E/M code)")
    return ("append XS (separate structure/region) or XU (unusual non-overlapping service), or "
            "59 when no X modifier fits, to the column-2 line, and only when the documentation "
            "shows a distinct session, region or non-overlapping time block")


@rule("NC001", "ncci.ptp-not-payable", "error", carc="CO-97 / CO-236")
@medicaid_aware
def ptp_indicator_zero(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Two lines form an NCCI PTP pair with modifier indicator 0: the column-2 code is not payable.

    ## What it checks
    Each pair of lines with the same date of service and rendering provider is looked up
    (in both orders) in the NCCI practitioner PTP table; the row in force on that date
    decides. The newest table that lists a pair decides its history (an imported quarter
    that deletes an edit ends it); a pair in force in both column orders is decided by the
    row with the earliest deletion date on or after the date of service, one finding on its
    column-2 line. Indicator 0 means no modifier can bypass the edit.

    ## Why payers deny it
    The column-2 line is denied CO-97 (benefit included in another service) or CO-236
    (procedure not compatible with another on the same day per NCCI). Adding 59 or X{EPSU}
    does not help and is a compliance risk.

    ## Example
    97140 (manual therapy) and 97124 (massage) on the same day: NCCI 97140/97124 has
    modifier indicator 0, so 97124 is not paid.

    ## Fix
    Remove the column-2 line (bill the service that was actually the distinct one), and
    do not append 59/X modifiers to it.

    ## Authority
    CMS NCCI PTP edits for practitioner services (quarterly table); NCCI Policy Manual for
    Medicare Services, ch. I.
    """
    for edit, col1, col2 in ptp_pairs(claim, ctx):
        if edit.modifier_indicator != "0":
            continue
        tried = col2.modifier_set & NCCI_ASSOCIATED
        note = f" Modifier {', '.join(sorted(tried))} does not bypass it." if tried else ""
        yield Hit(
            f"{col2.procedure_code} (line {col2.number}) is bundled into {col1.procedure_code} "
            f"(line {col1.number}) on {col2.date_of_service.isoformat()}: NCCI PTP modifier "
            f"indicator 0, not payable with any modifier.{note}",
            line=col2.number,
            fix=f"Remove line {col2.number} ({col2.procedure_code}); no modifier makes it payable "
                f"with {col1.procedure_code} on the same day.",
            fix_safety="unsafe",
            authority=authority(edit),
            details={"column1": edit.column1, "column2": edit.column2, "modifier_indicator": "0"},
        )


@rule("NC002", "ncci.ptp-modifier-required", "error", carc="CO-97 / CO-236")
@medicaid_aware
def ptp_needs_modifier(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An NCCI PTP pair with modifier indicator 1 and no NCCI-associated modifier.

    ## What it checks
    Pairs whose PTP row in force has modifier indicator 1, where neither line carries an
    NCCI-associated modifier (59, XE, XS, XP, XU, anatomic E1-E4, FA, F1-F9, TA, T1-T9,
    LT, RT, LC, LD, RC, LM, RI, or 24, 25, 57, 58, 78, 79, 27, 91).

    ## Why payers deny it
    The column-2 line is denied CO-97 / CO-236 unless a modifier shows the services were
    distinct.

    ## Example
    2019-06-14: 97140 and 97530 in the same 15-minute block: NCCI 97140/97530 (indicator 1,
    deleted 2019-12-31) denies 97530. If they were separate time blocks, bill 97530-59-GP.

    ## Fix
    If the documentation shows a distinct session, region or non-overlapping time, append
    XS/XU (or 59) to the column-2 line; an E/M column-2 code takes 25 instead. Otherwise
    remove the column-2 line.

    ## Authority
    NCCI PTP table (modifier indicator 1); NCCI Policy Manual ch. I section E; CMS
    MLN1783722 "Proper Use of Modifiers 59 & -X{EPSU}".
    """
    for edit, col1, col2 in ptp_pairs(claim, ctx):
        if edit.modifier_indicator != "1" or bypass_modifiers(col1, col2):
            continue
        yield Hit(
            f"{col2.procedure_code} (line {col2.number}) is column 2 to {col1.procedure_code} "
            f"(line {col1.number}) on {col2.date_of_service.isoformat()} (NCCI PTP modifier "
            f"indicator 1): not payable without an NCCI-associated modifier.",
            line=col2.number,
            fix=f"If separate: {suggested_modifier(col2)}. Otherwise remove line {col2.number}.",
            fix_safety="unsafe",
            authority=authority(edit),
            details={"column1": edit.column1, "column2": edit.column2, "modifier_indicator": "1"},
        )


@rule("NC003", "ncci.ptp-bypassed", "info")
@medicaid_aware
def ptp_bypassed(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An NCCI PTP pair (indicator 1) bypassed with a modifier: the note must back it.

    ## What it checks
    Pairs with modifier indicator 1 where an NCCI-associated modifier is present.

    ## Why payers deny it
    Paid on the claim, but modifier 59/X is a top audit target: without documentation of a
    distinct session, region or time block, the payment is recouped. For an E/M column-2
    code with 25 the note must show a significant, separately identifiable E/M service.

    ## Example
    97140-GP with 97530-XS-GP: the note must show 97530 on a different body region or in
    a separate time block.

    ## Fix
    Keep the modifier only if the note documents the distinct service.

    ## Authority
    CMS MLN1783722; NCCI Policy Manual ch. I section E.
    """
    for edit, col1, col2 in ptp_pairs(claim, ctx):
        mods = bypass_modifiers(col1, col2)
        if edit.modifier_indicator != "1" or not mods:
            continue
        if is_evaluation_management(col2.procedure_code):
            backing = ("the documentation must show a significant, separately identifiable E/M service "
                       "beyond the other service's usual pre- and post-service work")
        else:
            backing = "the documentation must show a distinct session, region or non-overlapping time block"
        yield Hit(
            f"NCCI PTP {edit.column1}/{edit.column2} bypassed with {', '.join(sorted(mods))}: {backing}.",
            line=col2.number,
            authority=authority(edit) + ("; CPT modifier 25; NCCI Policy Manual ch. XI"
                                         if is_evaluation_management(col2.procedure_code) else ""),
        )


@rule("NC004", "ncci.modifier-misuse", "warning", carc="CO-4")
def modifier_misuse(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """59 together with an X{EPSU} modifier, or 59/X{EPSU} on an E/M code.

    ## What it checks
    A line carrying both 59 and XE/XS/XP/XU, or an E/M code (99202-99499) carrying 59 or
    an X modifier.

    ## Why payers deny it
    CMS: 59 and X{EPSU} must not be reported together; 59/X never bypass an edit for an
    E/M service (modifier 25 does). Payers answer CO-4 (modifier inconsistent).

    ## Example
    97530-59-XS; 99213-59.

    ## Fix
    Keep the one most specific modifier (XS/XE/XP/XU over 59). For an E/M code use 25.

    ## Authority
    CMS MLN1783722; NCCI Policy Manual ch. I section E and ch. XI.
    """
    for ln in claim.lines:
        mods = ln.modifier_set
        if "59" in mods and mods & X_MODIFIERS:
            yield Hit(f"Line {ln.number} carries 59 and {', '.join(sorted(mods & X_MODIFIERS))}.",
                      line=ln.number, fix="Report only the X modifier (drop 59).", fix_safety="safe",
                      authority="CMS MLN1783722")
        if is_evaluation_management(ln.procedure_code) and mods & (X_MODIFIERS | {"59"}):
            yield Hit(f"E/M code {ln.procedure_code} (line {ln.number}) carries 59/X.",
                      line=ln.number, fix="Use modifier 25 on the E/M code, not 59/X.",
                      fix_safety="unsafe", authority="NCCI Policy Manual ch. XI; CMS MLN1783722")
