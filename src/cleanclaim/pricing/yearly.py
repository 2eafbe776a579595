"""Medicare PFS tables by calendar year: CMS files a user imports (`cleanclaim data import-pfs`).

The store ships one year (CY2025 RVUs, GPCIs and ZIP5). A user imports CMS's own files for
other years, in CMS's layouts, each kept with its calendar year under the user imports dir
(``<imports dir>/pricing/``; the code-set store and its manifest are not touched):

- PFS relative value file (PPRRVUyyyy_*.csv): header rows, then one row per code +
  modifier, read by position (0 HCPCS, 1 MOD, 2 description, 3 status, 5 work RVU,
  6 non-facility PE, 8 facility PE, 10 MP, 14 global days, 18 MULT PROC, 24 CONV FACTOR).
  Year: the title ("2026 National Physician Fee Schedule Relative Value File") or the name.
- GPCI file (GPCIyyyy.csv, Addendum E): carrier, state, locality, name, PW, PE, MP GPCI.
  Year: the title ("CY 2026 GEOGRAPHIC PRACTICE COST INDICES") or the name.
- ZIP5 file (ZIP5_*.txt, fixed width per CMS ZIP5lyout.txt): state 1-2, ZIP 3-7, carrier
  8-12, locality 13-14, rural 15, plus-four flag 21, year/quarter 76-80 (YYYYQ: the year).

Pricing takes, for each kind, the table of the date of service's year when there is one;
else the newest year before it (else the earliest after), and the line's note says which.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..codesets.types import Gpci, PfsRow, ZipLocality

KINDS = ("pfs", "gpci", "zip5")
KIND_NAMES = {"pfs": "PFS relative value file", "gpci": "GPCI file", "zip5": "ZIP5 locality file"}
_HCPCS = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")
_ZIP5_LINE = re.compile(r"^[A-Z]{2}\d{5}[0-9A-Z]{5}[0-9A-Z ]{2}")


class PfsImportError(ValueError):
    """A file not in CMS's PFS, GPCI or ZIP5 layout; the message names the file and line."""


def pricing_dir() -> Path:
    from ..codesets.paths import imports_dir

    return imports_dir() / "pricing"


@dataclass(frozen=True)
class Imported:
    kind: str
    year: int
    release: str
    rows: int
    file: str
    conversion_factor: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. --year differs from the file's own year


# Rows a complete CMS file of each kind holds at least (CY2025: PPRRVU ~19,000 rows, GPCI 109
# localities, ZIP5 ~43,000 ZIPs); a smaller file is imported but said to be partial.
FULL_FILE_ROWS = {"pfs": 10_000, "gpci": 80, "zip5": 30_000}


# ---------------------------------------------------------------------------------- parsing
def _cells(path: Path) -> list[tuple[int, list[str]]]:
    text = path.read_text(encoding="latin-1")
    return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)]


def detect_kind(path: Path) -> str:
    """'pfs' | 'gpci' | 'zip5' from the file's content (not its name)."""
    with open(path, encoding="latin-1") as fh:
        head = [fh.readline() for _ in range(40)]
    if any(_ZIP5_LINE.match(line) and len(line.rstrip("\r\n")) >= 21 for line in head[:3]):
        return "zip5"
    text = "".join(head).upper()
    if "RELATIVE VALUE" in text or re.search(r"^HCPCS,", text, re.M):
        return "pfs"
    if "GPCI" in text:
        return "gpci"
    raise PfsImportError(f"{path}: not a CMS PFS relative value file (PPRRVU), GPCI file or ZIP5 file: "
                         "no 'HCPCS' header row, no 'GPCI' header and no ZIP5 fixed-width rows")


def _year_from(texts: list[str], where: str) -> int:
    for text in texts:
        m = re.search(r"(?<!\d)(20\d\d)(?!\d)", text)
        if m:
            return int(m.group(1))
    raise PfsImportError(f"{where}: calendar year not found in the file's title or name; pass --year")


def parse_pfs(path: Path, year: int | None = None) -> tuple[int, list[tuple], str | None, str]:
    """(year, rows as the bundled pfs source, the CONV FACTOR column's value, release title)."""
    rows_in = _cells(path)
    header = next((n for n, r in rows_in if r and r[0].strip().upper() == "HCPCS"), None)
    if header is None:
        raise PfsImportError(f"{path}: no 'HCPCS' header row (CMS PPRRVU layout)")
    title = " ".join(c.strip() for n, r in rows_in[:header] for c in r if "RELATIVE VALUE" in c.upper())
    year = year or _year_from([title, path.name], str(path))
    out, factors = [], set()
    for number, r in rows_in[header:]:
        if not r or not "".join(r).strip():
            continue
        where = f"{path}:{number}"
        if len(r) < 25:
            raise PfsImportError(f"{where}: {len(r)} columns, a PPRRVU row has at least 25 (CONV FACTOR is column 25)")
        code = r[0].strip().upper()
        if not _HCPCS.match(code):
            raise PfsImportError(f"{where}: {r[0]!r} is not a HCPCS/CPT code")
        numbers = [r[i].strip() or "0" for i in (5, 6, 8, 10, 24)]
        for value in numbers:
            try:
                float(value)
            except ValueError:
                raise PfsImportError(f"{where}: {value!r} is not a number (RVU or CONV FACTOR column)") from None
        status = r[3].strip().upper()
        if len(status) != 1:
            raise PfsImportError(f"{where}: status code {r[3]!r} is not one letter")
        out.append((code, r[1].strip().upper(), r[2].strip(), status, r[18].strip(), *numbers[:4],
                    r[14].strip(), numbers[4]))
        if float(numbers[4]) > 0:
            factors.add(numbers[4])
    if not out:
        raise PfsImportError(f"{path}: no code rows after the header")
    factor = factors.pop() if len(factors) == 1 else None
    return year, out, factor, (title or path.name)


def parse_gpci(path: Path, year: int | None = None) -> tuple[int, list[tuple], str]:
    rows_in = _cells(path)
    title = " ".join(c for _n, r in rows_in[:4] for c in r if "GPCI" in c.upper() or "GEOGRAPHIC" in c.upper())
    year = year or _year_from([title, path.name], str(path))
    out = []
    for number, r in rows_in:
        if not r or not r[0].strip().isdigit():
            continue
        where = f"{path}:{number}"
        if len(r) < 7:
            raise PfsImportError(f"{where}: {len(r)} columns, expected carrier, state, locality, name, PW, PE, MP")
        values = [r[i].strip() for i in (4, 5, 6)]
        try:
            [float(v) for v in values]
        except ValueError:
            raise PfsImportError(f"{where}: GPCI values {r[4:7]!r} are not numbers") from None
        out.append((r[0].strip(), r[1].strip(), r[2].strip().zfill(2), r[3].strip(), *values))
    if not out:
        raise PfsImportError(f"{path}: no locality rows (carrier number in the first column)")
    return year, out, title or path.name


def parse_zip5(path: Path, year: int | None = None) -> tuple[int, list[tuple], str]:
    out, quarters = [], set()
    with open(path, encoding="latin-1") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if len(line) < 21 or not _ZIP5_LINE.match(line):
                raise PfsImportError(f"{path}:{number}: not a ZIP5 record (state 1-2, ZIP 3-7, carrier 8-12, "
                                     "locality 13-14, plus-four flag 21)")
            if line[20] not in "01":
                raise PfsImportError(f"{path}:{number}: plus-four flag {line[20]!r} (column 21) is not 0 or 1")
            quarter = line[75:80].strip()
            quarters.add(quarter)
            out.append((line[2:7], line[0:2], line[7:12], line[12:14], line[14].strip(), line[20], quarter))
    if not out:
        raise PfsImportError(f"{path}: no ZIP5 records")
    if year is None:
        years = {int(q[:4]) for q in quarters if re.fullmatch(r"20\d\d[1-4]", q)}
        if len(years) != 1:
            raise PfsImportError(f"{path}: year/quarter (columns 76-80) gives {sorted(years) or 'no'} year; "
                                 "pass --year")
        year = years.pop()
    return year, out, f"CMS ZIP5 {'/'.join(sorted(quarters))}"


# ---------------------------------------------------------------------------------- import
HEADERS = {
    "pfs": ["code", "modifier", "short_description", "status", "mult_proc", "work", "pe_nonfac", "pe_fac",
            "mp", "global_days", "conv_factor"],
    "gpci": ["carrier", "state", "locality", "name", "pw", "pe", "mp"],
    "zip5": ["zip5", "state", "carrier", "locality", "rural", "plus4", "year_quarter"],
}


def import_file(path: Path, year: int | None = None) -> Imported:
    """Import one CMS PFS, GPCI or ZIP5 file (detected from its content) for its calendar year."""
    path = Path(path)
    kind = detect_kind(path)
    factor = None
    if kind == "pfs":
        year, rows, factor, title = parse_pfs(path, year)
        release = f"CMS PFS CY{year} {path.name} (imported)"
    elif kind == "gpci":
        year, rows, title = parse_gpci(path, year)
        release = f"CMS GPCI CY{year} {path.name} (imported)"
    else:
        year, rows, title = parse_zip5(path, year)
        release = f"{title} for CY{year} {path.name} (imported)"
    directory = pricing_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{kind}_{year}.tsv.gz"
    body = "\t".join(HEADERS[kind]) + "\n" + "".join("\t".join(map(str, r)) + "\n" for r in rows)
    with open(directory / name, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(body.encode("utf-8"))
    manifest = _manifest(directory)
    entry = {"kind": kind, "year": year, "file": name, "release": release, "rows": len(rows),
             "source": f"{path.name}: {' '.join(title.split())[:200]}", "conversion_factor": factor,
             "sha256": hashlib.sha256((directory / name).read_bytes()).hexdigest()}
    manifest["tables"] = [t for t in manifest["tables"] if (t["kind"], t["year"]) != (kind, year)] + [entry]
    tmp = directory / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    tmp.replace(directory / "manifest.json")
    return Imported(kind, year, release, len(rows), name, factor, _warnings(path, kind, year, title, len(rows)))


def _warnings(path: Path, kind: str, year: int, title: str, rows: int) -> tuple[str, ...]:
    """What a biller should know about an import that went through: a year that contradicts
    the file's title or name, and a file far smaller than CMS's complete one."""
    said = []
    own = re.search(r"(?<!\d)(20\d\d)(?!\d)", f"{title} {path.name}")
    if own and int(own.group(1)) != year:
        said.append(f"{path.name}: imported for CY{year}, but the file says {own.group(1)}: check --year")
    if rows < FULL_FILE_ROWS[kind]:
        said.append(f"{path.name}: {rows:,} rows, fewer than a complete CMS file holds "
                    f"({FULL_FILE_ROWS[kind]:,}+): codes or localities missing from it are not priced for CY{year}")
    return tuple(said)


def _manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.exists():
        return {"format": 1, "tables": []}
    return json.loads(path.read_text(encoding="utf-8"))


def imported() -> list[dict]:
    """The manifest entries of the user's pricing imports."""
    return list(_manifest(pricing_dir())["tables"])


# ---------------------------------------------------------------------------------- lookup
class YearTable:
    """One imported table, read into memory on first use."""

    def __init__(self, directory: Path, entry: dict) -> None:
        self.entry, self.path = entry, directory / entry["file"]
        self.release = entry["release"]
        self._rows: dict | None = None

    def rows(self) -> dict:
        if self._rows is None:
            with gzip.open(self.path, "rt", encoding="utf-8") as fh:
                lines = [line.rstrip("\n").split("\t") for line in fh][1:]
            kind, rel = self.entry["kind"], self.release
            if kind == "pfs":
                self._rows = {(r[0], r[1]): PfsRow(*r[:5], *(float(v) for v in r[5:9]), float(r[10]), r[9], rel)
                              for r in lines}
            elif kind == "gpci":
                self._rows = {(r[0], r[2]): Gpci(r[0], r[2], r[1], r[3], float(r[4]), float(r[5]), float(r[6]), rel)
                              for r in lines}
            else:
                self._rows = {r[0]: ZipLocality(r[0], r[1], r[2], r[3], r[4], r[5] == "1", rel) for r in lines}
        return self._rows


@lru_cache(maxsize=8)
def _tables(directory: str, stamp: float) -> dict[tuple[str, int], YearTable]:
    path = Path(directory)
    return {(e["kind"], int(e["year"])): YearTable(path, e) for e in _manifest(path)["tables"]}


def tables() -> dict[tuple[str, int], YearTable]:
    directory = pricing_dir()
    manifest = directory / "manifest.json"
    if not manifest.exists():
        return {}
    return _tables(str(directory), manifest.stat().st_mtime_ns)


def _bundled_year(store) -> int | None:
    from .pfs import release_year

    row = store.pfs("99213", "")
    return release_year(row.release) if row is not None else None


def choose_year(available: set[int], year: int) -> int | None:
    """The year's own table, else the newest before it, else the earliest after it."""
    if not available:
        return None
    if year in available:
        return year
    before = [y for y in available if y < year]
    return max(before) if before else min(available)


class YearStore:
    """The store's pfs/gpci/zip_locality for a calendar year: an imported table when chosen."""

    def __init__(self, store, year: int) -> None:
        self.store, self.year = store, year
        found = tables()
        bundled = _bundled_year(store) if found else None
        self._pick: dict[str, YearTable | None] = {}
        for kind in KINDS:
            years = {y for k, y in found if k == kind}
            chosen = choose_year(years | ({bundled} if bundled else set()), year)
            self._pick[kind] = found.get((kind, chosen))  # None: the shipped table (store)

    def __getattr__(self, name):  # everything else comes from the code-set store
        return getattr(self.store, name)

    def pfs(self, code: str, modifier: str = ""):
        table = self._pick["pfs"]
        if table is None:
            return self.store.pfs(code, modifier)
        return table.rows().get((code.strip().upper(), (modifier or "").strip().upper()))

    def gpci(self, carrier: str, locality: str):
        table = self._pick["gpci"]
        if table is None:
            return self.store.gpci(carrier, locality)
        return table.rows().get((carrier.strip(), locality.strip().zfill(2)))

    def zip_locality(self, zip5: str):
        table = self._pick["zip5"]
        if table is None:
            return self.store.zip_locality(zip5)
        return table.rows().get(zip5.strip()[:5])


def for_year(store, dos: date | None):
    """A YearStore for the date of service's year (the plain store when nothing is imported)."""
    if dos is None or isinstance(store, YearStore):
        return store
    found = tables()
    if not found:
        return store
    return _year_store(store, dos.year, id(found))


@lru_cache(maxsize=64)
def _year_store(store, year: int, _tables_id: int) -> YearStore:
    """One YearStore per store, year and imports state (tables() is cached per manifest mtime)."""
    return YearStore(store, year)


def imported_factor(year: int) -> tuple[str, str] | None:
    """(CONV FACTOR of the imported PPRRVU file of `year`, its release) when one was imported."""
    table = tables().get(("pfs", year))
    if table is None or not table.entry.get("conversion_factor"):
        return None
    return table.entry["conversion_factor"], table.release
