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
    # the whole run's top PE rank per day and claim, from a first pass (price_claims): claims
    # later in the run count too, so a later claim's higher unit reduces an earlier claim
    upcoming: dict[DayKey, dict[str, Decimal]] = field(default_factory=dict)
    # per day and claim, the unit this run paid in full: (line, code, dollars MPPR did not take)
    full_units: dict[DayKey, dict[str, tuple[int, str, Decimal]]] = field(default_factory=dict)
    replaced_by: dict[str, set[str]] = field(default_factory=dict)  # CLM01 -> later claims replacing it

    def later(self, key: DayKey, claim: str = "", replaces: str | None = None) -> tuple[Decimal, str] | None:
        """(highest PE rank, claim) on claims of the run not priced yet that day (first pass only)."""
        skip = {n for n in (claim, replaces) if n} | set(self.seen.get(key, {})) | self.replaced_by.get(claim, set())
        tops = [(top, number) for number, top in self.upcoming.get(key, {}).items() if number not in skip]
        return max(tops, default=None)

    def earlier_full(self, key: DayKey, claim: str = "", replaces: str | None = None):
        """[(claim, line, code, dollars)] of earlier claims that day priced with a unit in full."""
        skip = {n for n in (claim, replaces) if n}
        return [(number, *unit) for number, unit in self.full_units.get(key, {}).items() if number not in skip]

    def prior(self, key: DayKey, claim: str = "", replaces: str | None = None) -> Decimal | None:
        """Highest PE rank on other claims of the run that day (not ``claim`` or the one it replaces)."""
        skip = {n for n in (claim, replaces) if n}
        tops = [top for number, top in self.seen.get(key, {}).items() if number not in skip]
        return max(tops, default=None)

    def add(self, key: DayKey, pe_ranks: Iterable[Decimal], claim: str = "", replaces: str | None = None) -> None:
        day = self.seen.setdefault(key, {})
        if replaces:
            day.pop(replaces, None)
            self.full_units.get(key, {}).pop(replaces, None)
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


def assign(day_units: list[DayUnits], prior_top: Decimal | None, prior_source: str,
           later: tuple[Decimal, str] | None = None) -> MpprOutcome:
    """Split a day's therapy units into one full unit and reduced units.

    `prior_top` is the highest PE rank among units on earlier claims (None: none seen);
    a tie goes to the earlier claim, which was paid first. `later`: (rank, claim) of the
    highest unit on claims later in the run that day; a strictly higher one takes the full unit.
    """
    reduced = {du.line: du.units for du in day_units}
    if not day_units:
        return MpprOutcome(reduced, None, "")
    top = max(day_units, key=lambda du: du.pe_rank)  # first line wins a tie
    if prior_top is not None and prior_top >= top.pe_rank:
        return MpprOutcome(reduced, None,
                           f"a unit with a higher or equal practice expense on the same day was already "
                           f"billed ({prior_source}): every unit here gets the 50% PE reduction")
    if later is not None and later[0] > top.pe_rank:
        return MpprOutcome(reduced, None,
                           f"claim {later[1]}, later in this run, has a unit with a higher practice expense "
                           f"the same day: it is paid in full and every unit here gets the 50% PE reduction "
                           f"(MPPR is per day across claims, Pub. 100-04 ch.5 §10.7; a MAC that pays this "
                           f"claim first adjusts it when {later[1]} comes in)")
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
