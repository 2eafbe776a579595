"""CL: claim integrity of service units: unit basis (SV103) and whole units for timed codes.

Part of the claim-integrity (CL) family; kept in its own module so integrity.py stays small.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from .base import Hit, RuleContext, rule
from .timed_units import load_timed_codes

TR3 = "ASC X12 005010X222A1 837P TR3"
TIMED_AUTHORITY = ("CMS 100-04 ch.5 §20.2 (timed codes are billed in 15-minute units, "
                   "counted from the total timed minutes)")
ANESTHESIA_STATUS = "J"  # PFS status J: anesthesia services (reported in minutes)


def _is_anesthesia(code: str) -> bool:
    return len(code) == 5 and code.isdigit() and "00100" <= code <= "01999"


def _billed_in_units(code: str, ctx: RuleContext) -> str | None:
    """Why the code is billed in units ('timed' / 'PFS'), or None when it may be minutes."""
    if code in load_timed_codes():
        return "timed"
    if _is_anesthesia(code):
        return None
    row = ctx.store.pfs(code) if ctx.store is not None else None
    if row is not None and row.status != ANESTHESIA_STATUS:
        return "PFS"
    return None


def _units_for_minutes(minutes: int) -> int:
    """One timed code alone, by the §20.2 table: 8-22 min = 1 unit, 23-37 = 2, ..."""
    return (minutes + 7) // 15


@rule("CL030", "claim.units-sent-as-minutes", "error", carc="CO-16 / M53")
def units_sent_as_minutes(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A code billed in units is sent with unit basis MJ (minutes).

    ## What it checks
    SV103 (unit or basis code) is MJ (minutes) on a line whose code is billed in units:
    a 15-minute timed code (data/timed_codes.tsv) or any code on the Medicare physician
    fee schedule other than anesthesia (PFS status J, 00100-01999), whose time is
    reported in minutes.

    ## Why payers deny it
    The payer reads SV104 as the number of units: 30 minutes of 97110 sent as `MJ 30`
    is either rejected (invalid unit basis, CO-16 / M53) or read as 30 units, far over
    the MUE (CO-151).

    ## Example
    `SV1*HC:97110:GP*90*MJ*30~`: 30 minutes of therapeutic exercise.

    ## Fix
    Send SV103 = UN and SV104 = the units the minutes earn (30 minutes of one timed code
    = 2 units by the 8-minute rule); keep the minutes in your notes.

    ## Authority
    ASC X12 005010X222A1 837P TR3, 2400 SV103 (MJ minutes, UN units) and SV104; CMS
    100-04 ch.5 §20.2 (timed codes are billed in 15-minute units).
    """
    for ln in claim.lines:
        if ln.unit_basis != "MJ":
            continue
        why = _billed_in_units(ln.procedure_code, ctx)
        if why is None:
            continue
        minutes = "" if ln.units is None else f" {ln.units:g}"
        message = (f"{ln.procedure_code} is billed in units, but line {ln.number} sends"
                   f"{minutes} minutes (SV103 MJ): bill units (UN), not minutes.")
        fix = f"Send {ln.procedure_code} with SV103 UN and the units in SV104"
        authority = f"{TR3}, 2400 SV103/SV104"
        if why == "timed":
            authority += f"; {TIMED_AUTHORITY}"
            if ln.units is not None and ln.units == ln.units.to_integral_value():
                units = _units_for_minutes(int(ln.units))
                fix += (f" ({ln.units:g} minutes of this code alone = {units} unit"
                        f"{'' if units == 1 else 's'} by the 8-minute rule)")
        yield Hit(message, line=ln.number, fix=fix + ".", fix_safety="unsafe",
                  authority=authority, details={"unit_basis": "MJ", "billed_in": why})


@rule("CL031", "claim.fractional-timed-units", "error", carc="CO-16 / M53")
def fractional_timed_units(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A timed code billed with a fraction of a unit.

    ## What it checks
    A 15-minute timed code (data/timed_codes.tsv) sent in units (SV103 UN) has a whole
    number of units in SV104.

    ## Why payers deny it
    Timed codes are paid per whole 15-minute unit; a fractional quantity such as 1.5 is
    invalid for the code and is rejected or denied (CO-16 with M53, invalid units).

    ## Example
    `SV1*HC:97110:GP*45*UN*1.5~`.

    ## Fix
    Count the total timed minutes of the day and bill whole units by the 8-minute rule
    (e.g. 30 minutes = 2 units); minutes that do not make a unit are not billed.

    ## Authority
    CMS 100-04 ch.5 §20.2: timed services are reported in 15-minute units, counted from
    the total timed minutes (8 to 22 minutes = 1 unit, 23 to 37 = 2, ...).
    """
    timed = load_timed_codes()
    for ln in claim.lines:
        if ln.unit_basis != "UN" or ln.units is None or ln.procedure_code not in timed:
            continue
        if ln.units != ln.units.to_integral_value():
            yield Hit(f"{ln.procedure_code} billed x{ln.units:g}: a timed code is billed in whole "
                      "15-minute units.", line=ln.number,
                      fix="Bill whole units, counted from the total timed minutes by the 8-minute "
                          "rule (8-22 minutes = 1 unit, 23-37 = 2, ...).",
                      fix_safety="unsafe", authority=TIMED_AUTHORITY,
                      details={"units": float(ln.units)})
