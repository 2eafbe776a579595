"""Payer fee schedules from CSV (commercial and Medicaid contracts).

Columns (header row required, names case-insensitive):
    payer           the payer ID (2010BB NM109) or payer name on the claim, case-insensitive
    code            CPT/HCPCS code
    modifier        optional: the row applies only to lines carrying this modifier
    amount          allowed amount for one unit, in dollars
    effective_from  optional YYYY-MM-DD (blank: open)
    effective_to    optional YYYY-MM-DD, inclusive (blank: open)
A row with a modifier wins over the row without one; among rows in force on the date
of service, the one with the latest effective_from wins.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

REQUIRED = ("payer", "code", "amount")
OPTIONAL = ("modifier", "effective_from", "effective_to")


class FeeScheduleError(ValueError):
    """A fee schedule file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class FeeRow:
    payer: str  # upper case
    code: str
    modifier: str
    amount: Decimal
    effective_from: date | None
    effective_to: date | None
    source: str  # "file.csv:12"

    def in_force(self, dos: date) -> bool:
        return (self.effective_from is None or self.effective_from <= dos) and \
            (self.effective_to is None or dos <= self.effective_to)


class FeeSchedule:
    """The rows of one or more files, indexed by (payer, code)."""

    def __init__(self, rows: list[FeeRow], files: list[str]) -> None:
        self.files = files
        self.index: dict[tuple[str, str], list[FeeRow]] = {}
        for row in rows:
            self.index.setdefault((row.payer, row.code), []).append(row)

    @classmethod
    def load(cls, paths: list[str | os.PathLike]) -> "FeeSchedule":
        rows: list[FeeRow] = []
        for path in paths:
            p = Path(path)
            rows.extend(_read(str(p.resolve()), p.stat().st_mtime_ns if p.exists() else 0))
        return cls(rows, [str(p) for p in paths])

    def payers(self) -> set[str]:
        return {payer for payer, _ in self.index}

    def lookup(self, payer_keys: list[str], code: str, modifiers: list[str], dos: date) -> FeeRow | None:
        for payer in (k.strip().upper() for k in payer_keys if k and k.strip()):
            candidates = [r for r in self.index.get((payer, code.strip().upper()), []) if r.in_force(dos)
                          and (not r.modifier or r.modifier in modifiers)]
            if candidates:
                return max(candidates, key=lambda r: (bool(r.modifier), r.effective_from or date.min))
        return None


def _date(value: str, where: str, column: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FeeScheduleError(f"{where}: {column} {value!r} is not a date (YYYY-MM-DD)") from None


@lru_cache(maxsize=32)
def _read(path: str, mtime_ns: int) -> tuple[FeeRow, ...]:
    """Rows of one file (cached per path and modification time)."""
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FeeScheduleError(f"{path}: fee schedule cannot be opened: {exc.strerror}") from None
    with fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise FeeScheduleError(f"{path}:1: fee schedule header lacks column(s) {', '.join(missing)} "
                                   f"(needs {', '.join(REQUIRED)}; optional {', '.join(OPTIONAL)})")
        reader.fieldnames = header
        rows = []
        for record in reader:
            where = f"{path}:{reader.line_num}"
            if None in record:
                raise FeeScheduleError(f"{where}: more values than header columns")
            payer, code = (record.get("payer") or "").strip(), (record.get("code") or "").strip()
            if not payer and not code:
                continue  # blank line
            if not payer or not code:
                raise FeeScheduleError(f"{where}: payer and code are required")
            try:
                amount = Decimal((record.get("amount") or "").strip().lstrip("$").replace(",", ""))
            except InvalidOperation:
                raise FeeScheduleError(f"{where}: amount {record.get('amount')!r} is not a number") from None
            if amount < 0 or not amount.is_finite():
                raise FeeScheduleError(f"{where}: amount {amount} must be a non-negative number")
            start = _date(record.get("effective_from"), where, "effective_from")
            end = _date(record.get("effective_to"), where, "effective_to")
            if start and end and end < start:
                raise FeeScheduleError(f"{where}: effective_to {end} is before effective_from {start}")
            rows.append(FeeRow(payer.upper(), code.upper(), (record.get("modifier") or "").strip().upper(),
                               amount, start, end, f"{Path(path).name}:{reader.line_num}"))
    return tuple(rows)
