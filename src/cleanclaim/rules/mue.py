"""MU: NCCI medically unlikely edits (practitioner), by adjudication indicator (MAI).

MAI 1 is a line edit; MAI 2 (policy, absolute) and MAI 3 (clinical) add up the units
of a code on one date of service. A line over the MUE is denied whole, not cut back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from ..model import Claim, ServiceLine
from .base import Hit, RuleContext, rule
from .modifiers import MUE_SEPARATE_LINE
from .ncci import medicaid_aware

MAI_TEXT = {
    1: "MAI 1: claim line edit",
    2: "MAI 2: per day, absolute (policy) edit, not payable on appeal",
    3: "MAI 3: per day, clinical edit, payable on appeal with records",
}


def _authority(mue) -> str:
    return (f"{mue.release}: {mue.code} MUE {mue.units} ({MAI_TEXT.get(mue.mai, f'MAI {mue.mai}')}; "
            f"rationale: {mue.rationale}). CMS NCCI MUE; NCCI Policy Manual ch. I section V")


# PFS status indicators (CMS RVU file) under which Medicare pays nothing for the code itself:
# a practitioner MUE of 0 with rationale "CMS Policy" on such a code rests on Medicare's
# status, which binds Medicare claims only.
MEDICARE_STATUS = {
    "B": "bundled into other services under the Medicare PFS",
    "E": "excluded from the Medicare PFS by regulation",
    "I": "not valid for Medicare purposes (Medicare uses another code)",
    "N": "not covered by Medicare",
    "P": "bundled or excluded under the Medicare PFS",
    "X": "a statutory exclusion from the Medicare benefit",
}


def medicare_status_basis(mue, ctx: RuleContext) -> str | None:
    """Why an MUE of 0 is Medicare's own policy ("CMS Policy" on a code whose PFS status means
    Medicare does not pay it), or None when the 0 is not (or not known to be) status-based."""
    if mue.units != 0 or (mue.rationale or "").strip().lower() != "cms policy":
        return None
    row = ctx.store.pfs(mue.code)
    if row is None or row.status not in MEDICARE_STATUS:
        return None
    return f"Medicare PFS status {row.status}: {MEDICARE_STATUS[row.status]} ({row.release})"


def _units(lines: list[ServiceLine]) -> Decimal:
    return sum((ln.units or Decimal(0) for ln in lines), Decimal(0))


def _groups(claim: Claim, ctx: RuleContext):
    """(mue, lines counted together) per code and date, by the MAI of the code."""
    by_code_date: dict[tuple, list[ServiceLine]] = defaultdict(list)
    for ln in claim.lines:
        if ln.unit_basis == "MJ":
            continue  # SV104 is minutes, not units: the MUE counts units (CL030 reports it)
        by_code_date[(ln.procedure_code, ln.date_of_service)].append(ln)
    program = ctx.ncci_program(claim)
    for (code, dos), lines in by_code_date.items():
        mue = ctx.store.mue(code, program, dos)  # the table in force on the date of service
        if mue is None:
            continue
        if mue.mai == 1:
            separate = [ln for ln in lines if ln.modifier_set & MUE_SEPARATE_LINE]
            together = [ln for ln in lines if not ln.modifier_set & MUE_SEPARATE_LINE]
            for ln in separate:
                yield mue, [ln]
            if together:
                yield mue, together
        else:
            yield mue, lines


@rule("MU001", "mue.units-over-limit", "error", carc="CO-151 / N362")
@medicaid_aware
def units_over_mue(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Units of a code exceed its practitioner MUE.

    ## What it checks
    MAI 1: each line's units (lines of the same code without 59, 76, 77, 91, X{EPSU} or an
    anatomic modifier are added together); MAI 2 and 3: the units of the code on all lines
    of one date of service, added up. An MUE of 0 means no unit is expected on a
    practitioner claim.

    ## Why payers deny it
    The whole line is denied (not cut back to the MUE): CO-151 with RARC N362 (units exceed
    the medically unlikely edit). MAI 2 denials cannot be appealed; MAI 3 can, with records.
    A per-day (MAI 2/3) excess denies every line of the code on that date, so each of those
    lines gets its own finding (naming all of them), and the summary counts each finding
    listed.

    ## Example
    97124 x 5 units on one date: the 2024 Q3 practitioner MUE for 97124 is 4 (MAI 3), so the
    line is denied. 97010 has an MUE of 0 (it is bundled, PFS status B).

    An MUE of 0 whose rationale is "CMS Policy" on a code Medicare does not pay by its PFS
    status (B, E, I, N, P, X: e.g. 97014, status I, Medicare wants G0283) is Medicare's own
    policy: on a commercial claim, or a Medicaid claim checked against the Medicare table,
    it is a warning naming that basis; on a Medicare claim it stays an error. An imported
    MUE table applies from its effective date; earlier dates of service keep the table that
    was in force (at last the bundled 2024 Q3 table).

    ## Fix
    Bill only the units the documentation supports; for MAI 1, report truly separate
    services on separate lines with the right modifier.

    ## Authority
    CMS NCCI Medically Unlikely Edits, practitioner services (quarterly table); NCCI Policy
    Manual for Medicare Services, ch. I section V.
    """
    payer = None
    for mue, lines in _groups(claim, ctx):
        total = _units(lines)
        if total <= mue.units:
            continue
        if payer is None:
            payer = ctx.payer_type_for(claim)
        basis = medicare_status_basis(mue, ctx) if payer != "medicare" else None
        if basis and payer == "medicaid" and ctx.store.has_program_ncci("medicaid") \
                and "medicaid" in mue.release.lower():
            basis = None  # the Medicaid table's own 0: Medicaid's edit, not Medicare's status
        scope = "on this line" if len(lines) == 1 else f"on lines {', '.join(str(ln.number) for ln in lines)}"
        for ln in lines:
            if basis:
                yield Hit(
                    f"{mue.code}: the practitioner MUE of 0 units rests on Medicare policy ({basis}; MUE "
                    f"rationale '{mue.rationale}'); this is a {payer} claim, which Medicare's status does "
                    "not bind.",
                    line=ln.number, severity="warning",
                    fix=f"Check the payer's own policy for {mue.code}; bill it if the plan covers it "
                        "(Medicare claims would be denied).",
                    fix_safety="unsafe", authority=_authority(mue) + "; CMS PFS relative value file status "
                    "indicators (Medicare only)",
                    details={"mue": 0, "mai": mue.mai, "units": float(total), "medicare_basis": basis})
                continue
            if mue.units == 0:
                message = (f"{mue.code}: the MUE is 0 units for practitioner claims; no unit is "
                           "expected (typically bundled or not valid for this setting).")
                if mue.code[0] in "AEKL":
                    message += (" DMEPOS suppliers billing a DME MAC are held to the DME supplier "
                                "MUE table instead (not shipped).")
                fix = f"Remove line {ln.number}."
            else:
                when = f"on {ln.date_of_service}" if ln.date_of_service else "(date of service not read)"
                message = (f"{mue.code}: {total:g} units {scope} {when} exceed the "
                           f"MUE of {mue.units} ({MAI_TEXT.get(mue.mai, mue.mai)}); the line is "
                           "denied whole, not cut back.")
                fix = (f"Bill at most {mue.units} unit(s) of {mue.code} on this date unless the "
                       "documentation supports more" + (" (appeal with records)." if mue.mai == 3 else "."))
            yield Hit(message, line=ln.number, fix=fix, fix_safety="unsafe", authority=_authority(mue),
                      details={"mue": mue.units, "mai": mue.mai, "units": float(total)})
