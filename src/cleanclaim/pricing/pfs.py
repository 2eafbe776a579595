"""The Medicare PFS amount for one unit of a line, at a locality and date.

    amount = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF

rounded to cents (the PFS payment files list amounts in cents). Facility or
non-facility PE follows the place of service, except outpatient therapy, paid at the
non-facility rate in every setting. The reduced amount takes 50% of the PE part (MPPR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ..codesets.types import Gpci, PfsRow
from . import rates
from .model import cents

PAYABLE = {"A": "active", "R": "restricted coverage", "T": "injection: paid only when no other PFS service "
           "is billed the same day"}
# Status codes that give no Medicare payment on their own (PFS relative value file README).
NOT_PAID = {
    "B": "bundled: payment is included in other services (no separate payment)",
    "P": "bundled or excluded: no separate PFS payment",
    "M": "measurement code: reported for quality, no payment",
    "N": "non-covered by Medicare",
    "X": "statutory exclusion: not in the Medicare benefit (not a PFS service)",
    "E": "excluded from the PFS by regulation",
    "I": "not valid for Medicare purposes (Medicare uses another code)",
    "G": "not valid for Medicare (another code is used)",
    "D": "deleted code", "F": "deleted/discontinued code", "H": "deleted modifier",
}
NOT_PRICED = {
    "C": "carrier-priced: the MAC sets the amount (no RVUs to price from)",
    "J": "anesthesia service: priced with anesthesia base units, not RVUs (not priced here)",
}
PRICING_MODIFIERS = ("26", "TC", "53")  # rows of their own in the RVU file
THERAPY_MODIFIERS = {"GP", "GO", "GN"}


@dataclass(frozen=True)
class UnitFee:
    row: PfsRow
    setting: str  # facility | non-facility
    setting_why: str
    cf: rates.Rate
    full: Decimal  # one unit, cents
    reduced: Decimal  # one unit with the MPPR PE reduction, cents
    pe_rank: Decimal  # PE RVU x PE GPCI: ranks units for MPPR
    formula: str
    therapy: bool


def pfs_row(store, code: str, modifiers: list[str]) -> PfsRow | None:
    """The RVU row for a code: the 26/TC/53 row when the line carries that modifier."""
    for modifier in modifiers:
        if modifier in PRICING_MODIFIERS:
            row = store.pfs(code, modifier)
            if row is not None:
                return row
    return store.pfs(code, "")


def is_therapy(row: PfsRow, modifiers: list[str]) -> bool:
    mult_proc = rates.mppr()[1]
    return row.mult_proc == mult_proc or bool(THERAPY_MODIFIERS & set(modifiers))


def pe_setting(row: PfsRow, modifiers: list[str], pos: str | None) -> tuple[str, str]:
    """(facility | non-facility, why)."""
    if is_therapy(row, modifiers):
        why = "outpatient therapy is paid at the non-facility rate in every setting"
        if pos and pos.zfill(2) in rates.facility_pos():
            why += f" (POS {pos} is otherwise a facility setting)"
        return "non-facility", why
    if not pos:
        return "non-facility", "no place of service on the line or claim: non-facility rate assumed"
    if pos.zfill(2) in rates.facility_pos():
        return "facility", f"POS {pos} is a facility setting (Pub. 100-04, ch. 12, section 20.4.2)"
    return "non-facility", f"POS {pos} is a non-facility setting"


def _d(value: float) -> Decimal:
    return Decimal(repr(value))


def unit_fee(row: PfsRow, gpci: Gpci, dos: date, modifiers: list[str], pos: str | None,
             apm_participant: bool, factors: tuple = ()) -> UnitFee | None:
    """The per-unit amounts, or None when no conversion factor covers `dos`.

    factors: the user's conversion factors (PricingOptions.conversion_factors)."""
    cf = rates.conversion_factor(dos, apm_participant, factors)
    if cf is None:
        return None
    return _unit_fee(row, gpci, cf, tuple(modifiers), pos)


@lru_cache(maxsize=8192)
def _unit_fee(row: PfsRow, gpci: Gpci, cf: rates.Rate, modifiers: tuple[str, ...], pos: str | None) -> UnitFee:
    setting, why = pe_setting(row, modifiers, pos)
    work, mp = _d(row.work_rvu), _d(row.mp_rvu)
    pe = _d(row.pe_facility_rvu if setting == "facility" else row.pe_nonfacility_rvu)
    gw, gpe, gmp = _d(gpci.work), _d(gpci.pe), _d(gpci.mp)
    pe_rate = rates.mppr()[0].value
    full = cents((work * gw + pe * gpe + mp * gmp) * cf.value)
    reduced = cents((work * gw + pe * pe_rate * gpe + mp * gmp) * cf.value)
    formula = (f"({row.work_rvu:g} x {gpci.work:g} + {pe} x {gpci.pe:g} + {row.mp_rvu:g} x {gpci.mp:g})"
               f" x {cf.value} = ${full}")
    return UnitFee(row, setting, why, cf, full, reduced, pe * gpe, formula, is_therapy(row, modifiers))


def release_year(release: str) -> int | None:
    m = re.search(r"CY\s?(\d{4})", release)
    return int(m.group(1)) if m else None


def release_note(row: PfsRow, gpci: Gpci, dos: date) -> str | None:
    """Say so when the shipped RVU/GPCI release is not the one of the date of service."""
    years = {release_year(row.release), release_year(gpci.release)}
    if years == {dos.year}:
        return None
    return (f"date of service {dos.isoformat()} is in {dos.year}, but no {dos.year} RVUs/GPCIs are loaded: "
            f"priced with {row.release} and {gpci.release} and the {dos.year} conversion factor, so "
            f"CMS's {dos.year} amount may differ (import CMS's {dos.year} files with "
            f"`cleanclaim data import-pfs`)")
