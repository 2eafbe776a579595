"""Dated Medicare payment figures from data/*.yaml: conversion factors, Part B
deductible, coinsurance, sequestration, non-par, CQ/CO and MPPR rates.

Every figure comes with the citation kept next to it in the YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Rate:
    """One figure and where it comes from."""

    value: Decimal
    source: str  # the full citation
    label: str = ""  # a short name for explanations ("CY 2025 PFS final rule")


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def conversion_factor(dos: date, apm_participant: bool = False, extra: tuple = ()) -> Rate | None:
    """The PFS conversion factor in force on `dos` (None when the date is not covered).

    Years with one factor use it for everyone; from 2026 a qualifying APM participant
    gets the `apm` factor. `extra`: the user's factors ((year, cf, apm cf or None, where),
    from config [pricing] conversion_factor_YYYY[_apm]), which win over the shipped table;
    after the table, the CONV FACTOR column of an imported PPRRVU file of the year.
    """
    for year, cf, apm, where in extra:
        if year == dos.year:
            if apm_participant and apm:
                return Rate(Decimal(apm), f"{where}_apm", f"CY {year} APM factor from {where}_apm")
            label = f"CY {year} factor from {where}"
            if apm_participant:
                label += f" (no {where}_apm given: the non-APM factor is used)"
            return Rate(Decimal(cf), where, label)
    shipped = _shipped_factor(dos, apm_participant)
    if shipped is not None:
        return shipped
    from .yearly import imported_factor

    found = imported_factor(dos.year)
    if found is None:
        return None
    label = f"CONV FACTOR column of {found[1]}"
    if apm_participant:
        label += " (the file's factor; set [pricing] conversion_factor_YYYY_apm for the APM factor)"
    return Rate(Decimal(found[0]), label, label)


@lru_cache(maxsize=4096)
def _shipped_factor(dos: date, apm_participant: bool) -> Rate | None:
    for row in _load("conversion_factors.yaml")["conversion_factors"]:
        if _day(row["start"]) <= dos <= _day(row["end"]):
            if apm_participant and row.get("apm"):
                return Rate(Decimal(str(row["apm"])), " ".join(row["source"].split()),
                            row["label"] + ", qualifying APM participant")
            return Rate(Decimal(str(row["cf"])), " ".join(row["source"].split()), row["label"])
    return None


def conversion_factor_years() -> tuple[int, int]:
    rows = _load("conversion_factors.yaml")["conversion_factors"]
    return _day(rows[0]["start"]).year, _day(rows[-1]["end"]).year


@lru_cache(maxsize=4096)
def part_b_deductible(year: int) -> Rate | None:
    for row in _load("part_b_payment.yaml")["part_b_deductible"]:
        if int(row["year"]) == year:
            return Rate(Decimal(str(row["amount"])), " ".join(row["source"].split()), row["label"])
    return None


@lru_cache(maxsize=4096)
def _simple(key: str) -> Rate:
    row = _load("part_b_payment.yaml")[key]
    return Rate(Decimal(str(row.get("rate", row.get("pe_rate")))), " ".join(row["source"].split()),
                row["label"])


def coinsurance() -> Rate:
    return _simple("coinsurance")


def non_participating() -> Rate:
    return _simple("non_participating")


@lru_cache(maxsize=4096)
def sequestration(dos: date) -> Rate:
    """The sequestration rate for a date of service (0 when none is listed for it)."""
    for row in _load("part_b_payment.yaml")["sequestration"]:
        if _day(row["start"]) <= dos and (row["end"] is None or dos <= _day(row["end"])):
            return Rate(Decimal(str(row["rate"])), " ".join(row["source"].split()), row["label"])
    return Rate(Decimal("0"), "no sequestration rate listed for this date in part_b_payment.yaml")


@lru_cache(maxsize=4096)
def therapy_assistant(dos: date) -> tuple[Rate, frozenset[str]] | None:
    """(85% rate, {CQ, CO}) from 2022-01-01; None before."""
    row = _load("part_b_payment.yaml")["therapy_assistant"]
    if dos < _day(row["start"]):
        return None
    return _simple("therapy_assistant"), frozenset(row["modifiers"])


@lru_cache(maxsize=4096)
def mppr() -> tuple[Rate, str]:
    """(PE payment rate for reduced units, the MULT PROC indicator it applies to)."""
    row = _load("part_b_payment.yaml")["mppr"]
    return _simple("mppr"), str(row["mult_proc"])


@lru_cache(maxsize=None)
def facility_pos() -> frozenset[str]:
    return frozenset(str(k).zfill(2) for k in _load("pfs_site_of_service.yaml")["facility_pos"])


def site_of_service_source() -> str:
    return " ".join(_load("pfs_site_of_service.yaml")["source"].split())
