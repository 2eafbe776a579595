"""Multiple procedure payment reduction (MPPR) for therapy: which units get 50% PE.

CMS pays the one unit with the highest practice-expense payment in full and 50% of
the PE of every other unit of MULT PROC 5 codes furnished to the same patient on the
same day by the same provider (a group practice counts as one provider, across
disciplines), across all that provider's claims (Pub. 100-04, ch. 5, section 10.7).

Earlier units come from the claim history (when a History is passed) and from the
claims priced before in the same run (`PricingBatch`); without either, only the
claim's own lines are seen, and the explanation says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DayKey = tuple[str, str, date]  # (billing NPI, patient key, date of service)


@dataclass
class PricingBatch:
    """What earlier claims of this run used: therapy units per provider, patient and day
    (MPPR), and the Part B deductible per patient and year.

    Keeps only the highest PE rank per day and claim (CLM01), so a long batch stays small and a
    replacement (CLM05-3 = 7) or void (8) takes the claim its REF*F8 names out of the day.
    """

    seen: dict[DayKey, dict[str, Decimal]] = field(default_factory=dict)
    # Part B deductible still to meet per (patient key, year), when one was given (not "met")
    deductible_left: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def prior(self, key: DayKey, claim: str = "", replaces: str | None = None) -> Decimal | None:
        """Highest PE rank on other claims of the run that day (not ``claim`` or the one it replaces)."""
        skip = {n for n in (claim, replaces) if n}
        tops = [top for number, top in self.seen.get(key, {}).items() if number not in skip]
        return max(tops, default=None)

    def add(self, key: DayKey, pe_ranks: Iterable[Decimal], claim: str = "", replaces: str | None = None) -> None:
        day = self.seen.setdefault(key, {})
        if replaces:
            day.pop(replaces, None)
        top = max(pe_ranks, default=None)
        if top is not None and (claim not in day or top > day[claim]):
            day[claim] = top


@dataclass
class DayUnits:
    """One line's therapy units on a day: how many, and the PE rank of each unit."""

    line: int
    units: int
    pe_rank: Decimal


@dataclass
class MpprOutcome:
    reduced: dict[int, int]  # line number -> units paid with 50% PE
    full_line: int | None  # the line whose one unit is paid in full (None: an earlier claim's)
    note: str


def assign(day_units: list[DayUnits], prior_top: Decimal | None, prior_source: str) -> MpprOutcome:
    """Split a day's therapy units into one full unit and reduced units.

    `prior_top` is the highest PE rank among units on earlier claims (None: none seen);
    a tie goes to the earlier claim, which was paid first.
    """
    reduced = {du.line: du.units for du in day_units}
    if not day_units:
        return MpprOutcome(reduced, None, "")
    top = max(day_units, key=lambda du: du.pe_rank)  # first line wins a tie
    if prior_top is not None and prior_top >= top.pe_rank:
        return MpprOutcome(reduced, None,
                           f"a unit with a higher or equal practice expense on the same day was already "
                           f"billed ({prior_source}): every unit here gets the 50% PE reduction")
    reduced[top.line] -= 1
    note = f"line {top.line} has the unit with the highest practice expense: one unit paid in full"
    if prior_top is not None:
        note += (f"; earlier claims that day ({prior_source}) have lower-PE units, which the MAC "
                 f"reduces in their turn")
    return MpprOutcome(reduced, top.line, note)


def history_top(history, claim, dos: date, store, pe_gpci: Decimal, billing_npi: str | None,
                exclude_claim=None, replaces: str | None = None) -> tuple[Decimal | None, str | None]:
    """Highest PE rank of MULT PROC 5 units on other stored claims of this provider, patient, day.

    Returns (top, problem): problem says why history could not be read.
    """
    from .pfs import pfs_row
    from . import rates

    try:
        extra = {"replaces": replaces} if replaces else {}  # the claim a replacement names is not counted
        lines = history.service_lines(claim.patient_key, start=dos, end=dos, exclude_claim=exclude_claim, **extra)
    except Exception as exc:  # a broken store must not stop pricing; say so instead
        return None, f"claim history could not be read ({type(exc).__name__}): MPPR across claims not applied"
    top = None
    mult_proc = rates.mppr()[1]
    for hl in lines:
        npi = getattr(hl, "billing_npi", None) or getattr(getattr(hl, "claim", None), "billing_npi", None)
        if billing_npi and npi and npi != billing_npi:
            continue
        if getattr(hl, "dos", dos) != dos:
            continue
        row = pfs_row(store, hl.code, list(getattr(hl, "modifiers", []) or []))
        if row is None or row.mult_proc != mult_proc or not (getattr(hl, "units", 1) or 0):
            continue
        rank = Decimal(repr(row.pe_nonfacility_rvu)) * pe_gpci
        top = rank if top is None or rank > top else top
    return top, None
