"""Minutes to units for 15-minute timed codes: pure arithmetic, no I/O.

Two methods:

* ``cms-8-minute`` -- CMS Claims Processing Manual 100-04, ch.5, §20.2 "Counting Minutes
  for Timed Codes in 15 Minute Units": all timed minutes of the day are added, the chart
  gives the total units (8-22 = 1, 23-37 = 2, 38-52 = 3, ... each further 15 minutes one
  more unit; under 8 minutes = 0), each service first takes its full 15-minute units and
  the units left go to the services with the most minutes left over (Example 3: 97110 33
  + 97140 7 = 40 min = 3 units, 97110 x2 and 97140 x1 because 7 > 33 - 30). When the
  leftover minutes are equal "choose either code" (Example 2), so every such choice is
  an allowed distribution.
* ``cpt-midpoint`` -- the CPT time rule: "a unit of time is attained when the midpoint is
  passed", code by code, minutes never pooled across codes.

A code that appears more than once adds its minutes (one service per code per day).
Which codes are timed is data (``data/timed_codes.tsv``), not this module's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

CMS_8_MINUTE = "cms-8-minute"
CPT_MIDPOINT = "cpt-midpoint"
METHODS = (CMS_8_MINUTE, CPT_MIDPOINT)

UNIT_MINUTES = 15
MIDPOINT_MINUTES = 8  # the first unit needs 8 minutes (more than half of 15)

CMS_AUTHORITY = "CMS 100-04 ch.5 §20.2"
CPT_AUTHORITY = "CPT time rule (per code midpoint)"


class UnitLine(NamedTuple):
    """One service of the day: code, its minutes, the units it takes."""

    code: str
    minutes: int
    units: int


@dataclass
class UnitDistribution:
    """Units per code for one day's timed minutes, and why."""

    method: str
    total_minutes: int
    total_units: int
    lines: list[UnitLine]
    alternatives: list[dict[str, int]] = field(default_factory=list)  # other allowed vectors
    notes: list[str] = field(default_factory=list)

    def units_by_code(self) -> dict[str, int]:
        return {line.code: line.units for line in self.lines}

    def allowed(self) -> list[dict[str, int]]:
        """Every allowed unit vector, this distribution first."""
        return [self.units_by_code(), *self.alternatives]

    @property
    def authority(self) -> str:
        return CMS_AUTHORITY if self.method == CMS_8_MINUTE else CPT_AUTHORITY

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "total_minutes": self.total_minutes,
            "total_units": self.total_units,
            "lines": [
                {"code": ln.code, "minutes": ln.minutes, "units": ln.units} for ln in self.lines
            ],
            "alternatives": [dict(alt) for alt in self.alternatives],
            "notes": list(self.notes),
        }


def units_for_minutes(minutes: int) -> int:
    """The §20.2 chart (and the CPT midpoint rule for one code): 0-7 -> 0, 8-22 -> 1, ..."""
    _check_minutes("minutes", minutes)
    if minutes < MIDPOINT_MINUTES:
        return 0
    return (minutes + UNIT_MINUTES - MIDPOINT_MINUTES) // UNIT_MINUTES


def chart_range(units: int) -> tuple[int, int]:
    """The minutes that give ``units`` units on the chart: 3 -> (38, 52)."""
    if units <= 0:
        return (0, MIDPOINT_MINUTES - 1)
    low = UNIT_MINUTES * (units - 1) + MIDPOINT_MINUTES
    return (low, low + UNIT_MINUTES - 1)


def pool_minutes(timed: list[tuple[str, int]]) -> dict[str, int]:
    """Minutes per code in first-seen order; a code given twice adds its minutes."""
    pooled: dict[str, int] = {}
    for position, item in enumerate(timed, start=1):
        try:
            code, minutes = item
        except (TypeError, ValueError):
            raise ValueError(f"timed service {position}: expected (code, minutes), got {item!r}")
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f"timed service {position}: procedure code is empty")
        _check_minutes(f"timed service {position} ({code})", minutes)
        code = code.strip().upper()
        pooled[code] = pooled.get(code, 0) + minutes
    return pooled


def cms_8_minute(timed: list[tuple[str, int]]) -> UnitDistribution:
    """Distribute the day's units by CMS 100-04 ch.5 §20.2.

    Tie-break (documented, deterministic): among services with equal leftover minutes
    the one with more total minutes takes the unit, then the one listed first. Every
    other choice among the tied services is returned in ``alternatives``.
    """
    pooled = pool_minutes(timed)
    total = sum(pooled.values())
    total_units = units_for_minutes(total)
    order = {code: i for i, code in enumerate(pooled)}
    full = {code: m // UNIT_MINUTES for code, m in pooled.items()}
    leftover = {code: m % UNIT_MINUTES for code, m in pooled.items()}
    remaining = total_units - sum(full.values())
    low, high = chart_range(total_units)
    notes = [
        f"{total} timed minutes = {total_units} unit{'s' if total_units != 1 else ''}"
        + (f" (chart {low}-{high})" if total_units else " (under 8 minutes: nothing to bill)")
    ]
    for code, units in full.items():
        if units:
            notes.append(
                f"{code}: {units} full 15-minute unit{'s' if units != 1 else ''}"
                f" ({units * UNIT_MINUTES} of {pooled[code]} min), {leftover[code]} min left over"
            )
    # remaining <= number of services with leftover minutes (each leftover <= 14).
    ranked = sorted(pooled, key=lambda c: (-leftover[c], -pooled[c], order[c]))
    extra: list[str] = []
    alternatives: list[dict[str, int]] = []
    if remaining > 0:
        cutoff = leftover[ranked[remaining - 1]]
        sure = [c for c in ranked if leftover[c] > cutoff]
        tied = [c for c in ranked if leftover[c] == cutoff]
        need = remaining - len(sure)
        extra = sure + tied[:need]
        for combo in combinations(tied, need):
            if set(combo) == set(tied[:need]):
                continue
            alt = dict(full)
            for code in [*sure, *combo]:
                alt[code] += 1
            alternatives.append(alt)
        left_desc = ", ".join(f"{c} {leftover[c]} min" for c in ranked if leftover[c])
        notes.append(
            f"{remaining} more unit{'s' if remaining != 1 else ''} to the largest leftover"
            f" minutes ({left_desc}): {', '.join(extra)}"
        )
        if alternatives:
            notes.append(
                f"{', '.join(tied)} tie at {cutoff} leftover minutes: either may be billed"
                " (§20.2 Example 2); this distribution picks by more total minutes, then"
                " first listed"
            )
    lines = [
        UnitLine(code, pooled[code], full[code] + (1 if code in extra else 0)) for code in pooled
    ]
    return UnitDistribution(CMS_8_MINUTE, total, total_units, lines, alternatives, notes)


def cpt_midpoint(timed: list[tuple[str, int]]) -> UnitDistribution:
    """Units code by code: a unit is attained when its midpoint (8 of 15 minutes) is passed."""
    pooled = pool_minutes(timed)
    lines = [UnitLine(code, m, units_for_minutes(m)) for code, m in pooled.items()]
    notes = []
    for line in lines:
        if line.units == 0:
            notes.append(f"{line.code}: {line.minutes} min does not pass the 8-minute midpoint: 0 units")
        else:
            notes.append(f"{line.code}: {line.minutes} min = {line.units} unit{'s' if line.units != 1 else ''}")
    notes.append("CPT midpoint rule: minutes are not pooled across codes")
    return UnitDistribution(
        CPT_MIDPOINT,
        sum(pooled.values()),
        sum(line.units for line in lines),
        lines,
        [],
        notes,
    )


def distribute(method: str, timed: list[tuple[str, int]]) -> UnitDistribution:
    """The distribution by ``method`` ("cms-8-minute" or "cpt-midpoint")."""
    if method == CMS_8_MINUTE:
        return cms_8_minute(timed)
    if method == CPT_MIDPOINT:
        return cpt_midpoint(timed)
    raise ValueError(f"unknown unit method {method!r}: expected one of {', '.join(METHODS)}")


def allowed_units(method: str, timed: list[tuple[str, int]]) -> list[dict[str, int]]:
    """Every unit vector {code: units} the method allows for these minutes."""
    return distribute(method, timed).allowed()


def method_for_payer(payer_type: str | None) -> str:
    """medicare / medicaid -> cms-8-minute; anything else -> cpt-midpoint."""
    return CMS_8_MINUTE if (payer_type or "").lower() in ("medicare", "medicaid") else CPT_MIDPOINT


def _check_minutes(what: str, minutes: object) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValueError(f"{what}: minutes must be a whole number, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"{what}: minutes cannot be negative ({minutes})")
