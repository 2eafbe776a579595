"""Import reference CSVs into the history: provider roster, authorisations, therapy YTD.

Each file is read and checked whole first; any bad row stops the import with every
problem listed as ``FILE:ROW: what`` (ROW is the line number in the file, header = 1),
and nothing is written. A good file is written in one transaction. Re-importing a row
with the same key (roster: NPI; authorisation: payer + number; YTD: patient + year +
discipline) replaces it. Patient keys are never echoed in messages.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa

from .claims import payer_key
from .history import History
from .queries import discipline_name
from .schema import authorizations, provider_roster, therapy_ytd

ROSTER_COLUMNS = {"npi": True, "name": False, "taxonomy": False, "credential": False, "in_network": False}
AUTH_COLUMNS = {"payer": True, "patient_key": True, "number": True, "codes": False, "start": True,
                "end": True, "units_authorized": False, "units_used": False}
YTD_COLUMNS = {"patient_key": True, "year": True, "discipline": True, "amount": True, "as_of": True,
               "source": True}
MAX_REPORTED = 25


class ImportProblem(ValueError):
    """A CSV that cannot be imported; str() lists every problem with file and row."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown) + (f"\n... and {more} more" if more > 0 else ""))


@dataclass
class ImportResult:
    rows: int
    replaced: int  # rows that replaced an earlier import of the same key


def _rows(path: Path, columns: dict[str, bool]):
    """(line number, row dict with lower-case stripped keys) for every non-empty row."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportProblem([f"{path}: cannot read: {exc.strerror}"]) from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ImportProblem([f"{path}: empty file (a header row is needed: {', '.join(columns)})"])
        names = [h.strip().lower() for h in header]
        missing = [c for c, required in columns.items() if required and c not in names]
        if missing:
            raise ImportProblem([f"{path}:1: missing column(s) {', '.join(missing)} "
                                 f"(columns: {', '.join(columns)})"])
        unknown = [n for n in names if n and n not in columns]
        if unknown:
            raise ImportProblem([f"{path}:1: unknown column(s) {', '.join(unknown)} "
                                 f"(columns: {', '.join(columns)})"])
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > len(names):
                raise ImportProblem([f"{path}:{line}: {len(row)} fields, the header has {len(names)}"])
            rows.append((line, {n: (row[i].strip() if i < len(row) else "") for i, n in enumerate(names)}))
        return rows


def _date(value: str, what: str, problems: list[str], where: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {what} {value!r} is not a date (YYYY-MM-DD)")
        return None


def _required(row: dict, columns: dict[str, bool], problems: list[str], where: str) -> bool:
    empty = [c for c, required in columns.items() if required and not row.get(c)]
    if empty:
        problems.append(f"{where}: {', '.join(empty)} is empty")
    return not empty


def _widths(values: dict, widths: dict[str, int], problems: list[str], where: str) -> None:
    """Row error for a value longer than its column (keys are never cut)."""
    for column, width in widths.items():
        value = values.get(column)
        if isinstance(value, str) and len(value) > width:
            problems.append(f"{where}: {column} is longer than {width} characters")


def _once(seen: dict, key, what: str, problems: list[str], where: str, line: int) -> None:
    """Row error when the same key was already on an earlier row of the file."""
    if key in seen:
        problems.append(f"{where}: {what} is also on row {seen[key]}")
    else:
        seen[key] = line


def _split(value: str) -> list[str]:
    return [v for v in re.split(r"[;|,\s]+", value) if v]


def network_key(value: str) -> str | None:
    """A payer named in a CSV as a payer key: a single token is a payer id, else a payer name."""
    value = value.strip()
    return payer_key(payer_id=value) if not re.search(r"\s", value) else payer_key(name=value)


def read_roster(path: Path, store=None) -> list[dict]:
    from ..rules.npi import npi_is_valid

    problems, values, seen = [], [], {}
    for line, row in _rows(path, ROSTER_COLUMNS):
        where = f"{path}:{line}"
        if not _required(row, ROSTER_COLUMNS, problems, where):
            continue
        npi = row["npi"]
        _once(seen, npi, f"NPI {npi}", problems, where, line)
        if not npi_is_valid(npi):
            problems.append(f"{where}: NPI {npi!r} is not 10 digits with a valid check digit")
        taxonomy = row.get("taxonomy", "").upper() or None
        if taxonomy and (not re.fullmatch(r"[0-9]{3}[0-9A-Z]{6}X", taxonomy)
                         or (store is not None and store.taxonomy(taxonomy) is None)):
            problems.append(f"{where}: taxonomy {taxonomy!r} is not a NUCC provider taxonomy code")
        credential = row.get("credential", "").upper().replace(".", "") or None
        if credential and not re.fullmatch(r"[A-Z][A-Z0-9/-]{0,9}", credential):
            problems.append(f"{where}: credential {row['credential']!r} should be like PT, PTA, OT, LMT, MD")
        networks = [k for k in (network_key(v) for v in re.split(r"[;|]", row.get("in_network", ""))) if k]
        values.append(dict(npi=npi, name=row.get("name") or None, taxonomy=taxonomy, credential=credential,
                           in_network="|".join(dict.fromkeys(networks))))
        _widths(values[-1], {"name": 200, "in_network": 1000}, problems, where)
    if problems:
        raise ImportProblem(problems)
    return values


from .keys import PROCEDURE_CODE  # noqa: E402 - one shape check for imports and packs


def read_authorizations(path: Path) -> list[dict]:
    problems, values, seen = [], [], {}
    for line, row in _rows(path, AUTH_COLUMNS):
        where = f"{path}:{line}"
        if not _required(row, AUTH_COLUMNS, problems, where):
            continue
        start = _date(row["start"], "start", problems, where)
        end = _date(row["end"], "end", problems, where)
        if start and end and end < start:
            problems.append(f"{where}: end {end} is before start {start}")
        numbers = {}
        for column in ("units_authorized", "units_used"):
            text = row.get(column, "")
            if text and not text.isdigit():
                problems.append(f"{where}: {column} {text!r} is not a whole number")
            numbers[column] = int(text) if text.isdigit() else None
        codes = [c.upper() for c in _split(row.get("codes", ""))]
        bad = [c for c in codes if not PROCEDURE_CODE.fullmatch(c)]
        if bad:
            problems.append(f"{where}: code(s) {', '.join(bad)} are not CPT/HCPCS codes (5 digits; CPT category "
                            "II/III/PLA 4 digits + F/T/U/M; HCPCS level II a letter A-V + 4 digits)")
        used, authorised = numbers["units_used"], numbers["units_authorized"]
        if used is not None and authorised is not None and used > authorised:
            problems.append(f"{where}: units_used {used} is more than units_authorized {authorised}")
        key = (network_key(row["payer"]), row["number"])
        _once(seen, key, f"authorisation {row['number']!r} for this payer", problems, where, line)
        values.append(dict(payer_key=key[0], patient_key=row["patient_key"], number=row["number"],
                           codes=" ".join(dict.fromkeys(codes)), start_date=start, end_date=end,
                           units_authorized=numbers["units_authorized"], units_used=numbers["units_used"] or 0))
        _widths(values[-1], {"payer_key": 80, "patient_key": 80, "number": 50, "codes": 1000}, problems, where)
    if problems:
        raise ImportProblem(problems)
    return values


def read_therapy_ytd(path: Path) -> list[dict]:
    problems, values, seen = [], [], {}
    for line, row in _rows(path, YTD_COLUMNS):
        where = f"{path}:{line}"
        if not _required(row, YTD_COLUMNS, problems, where):
            continue
        year = int(row["year"]) if re.fullmatch(r"(19|20)\d\d", row["year"]) else None
        if year is None:
            problems.append(f"{where}: year {row['year']!r} is not a year (e.g. 2025)")
        try:
            discipline = discipline_name(row["discipline"])
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            discipline = None
        try:
            amount = Decimal(row["amount"].replace("$", "").replace(",", ""))
            if amount < 0 or amount != amount.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"{where}: amount {row['amount']!r} is not dollars and cents (e.g. 1234.56)")
            amount = None
        as_of = _date(row["as_of"], "as_of", problems, where)
        if as_of and year and as_of.year < year:
            problems.append(f"{where}: as_of {as_of} is before the year {year} it gives a figure for")
        if year and discipline:
            _once(seen, (row["patient_key"], year, discipline), f"this patient's {year} {discipline} figure",
                  problems, where, line)
        values.append(dict(patient_key=row["patient_key"], year=year, discipline=discipline, amount_cents=amount,
                           as_of=as_of, source=row["source"][:500]))
        _widths(values[-1], {"patient_key": 80}, problems, where)
    if problems:
        raise ImportProblem(problems)
    return values


def _upsert(conn, table, key_columns: tuple[str, ...], rows: list[dict], source: str | None) -> int:
    now = datetime.now(timezone.utc)
    replaced = 0
    for row in rows:
        match = sa.and_(*(table.c[k] == row[k] for k in key_columns))
        values = dict(row, imported_at=now)
        if "source" in table.c and source is not None and "source" not in row:
            values["source"] = source
        if conn.execute(sa.delete(table).where(match)).rowcount:
            replaced += 1
        conn.execute(sa.insert(table).values(**values))
    return replaced


def import_roster(history: History, path: str | Path, store=None) -> ImportResult:
    path = Path(path)
    rows = read_roster(path, store)
    with history.begin() as conn:
        return ImportResult(len(rows), _upsert(conn, provider_roster, ("npi",), rows, path.name))


def import_authorizations(history: History, path: str | Path) -> ImportResult:
    path = Path(path)
    rows = read_authorizations(path)
    with history.begin() as conn:
        return ImportResult(len(rows), _upsert(conn, authorizations, ("payer_key", "number"), rows, path.name))


def import_therapy_ytd(history: History, path: str | Path) -> ImportResult:
    path = Path(path)
    rows = read_therapy_ytd(path)
    with history.begin() as conn:
        return ImportResult(len(rows), _upsert(conn, therapy_ytd, ("patient_key", "year", "discipline"), rows, None))
