"""Import newer CMS NCCI files and CDC ICD-10-CM order files into the user data dir."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
from datetime import date
from pathlib import Path

from .build import build_store
from .paths import imports_dir, load_manifest, store_path
from .tabular import is_icd10cm_shape
from .types import TableInfo

_HCPCS = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")


class ImportFormatError(ValueError):
    """The file is not in the expected CMS/CDC layout; the message says where and why."""


def _ymd(value: str, where: str) -> str:
    value = value.strip()
    if value in ("", "*"):
        return ""
    if not re.fullmatch(r"\d{8}", value):
        raise ImportFormatError(f"{where}: date {value!r} is not YYYYMMDD")
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ImportFormatError(f"{where}: {value!r} is not a calendar date") from None
    return value


def _data_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Rows after the CMS header lines; tab- or comma-delimited, numbered from 1."""
    text = path.read_text(encoding="latin-1")
    lines = text.splitlines()
    started = False
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else ","
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        if not started:
            if cells and _HCPCS.match(cells[0]) and len(cells) >= 3:
                started = True
            else:
                continue  # header / copyright lines
        rows.append((number, cells))
    if not rows:
        raise ImportFormatError(f"{path}: no data rows found (expected CMS NCCI PTP or MUE layout)")
    return rows


def _write(name: str, header: list[str], rows: list[tuple], entry: dict, message: str = "") -> TableInfo:
    directory = imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    body = "\t".join(header) + "\n" + "".join("\t".join(map(str, r)) + "\n" for r in rows)
    target = directory / name
    with open(target, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(body.encode("utf-8"))
    entry = {**entry, "file": name, "rows": len(rows),
             "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
    manifest = load_manifest(directory)
    manifest["tables"] = [t for t in manifest["tables"] if t["table"] != entry["table"]] + [entry]
    tmp = directory / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    tmp.replace(directory / "manifest.json")
    new_store = store_path()
    build_store(new_store)
    if not os.environ.get("CLEANCLAIM_STORE"):
        for old in new_store.parent.glob("store-*.sqlite"):
            if old != new_store:
                old.unlink(missing_ok=True)  # superseded cached stores
    return TableInfo(entry["table"], entry["source"], entry["release"],
                     date.fromisoformat(entry["effective_from"]) if entry["effective_from"] else None,
                     date.fromisoformat(entry["effective_to"]) if entry["effective_to"] else None,
                     entry["rows"], entry["sha256"], entry["note"], "imported", message=message)


def _iso(ymd: str) -> str | None:
    return f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}" if ymd else None


PROGRAMS = ("medicare", "medicaid")
_PART = re.compile(r"(?:^|[^a-z0-9])(f\d{1,2})$")
_EFF_MDY = re.compile(r"eff(?:ective)?[ _-]*(\d{1,2})[-_.](\d{1,2})[-_.](20\d\d)", re.I)
_EFF_YMD = re.compile(r"eff(?:ective)?[ _-]*(20\d\d)[-_.]?(\d\d)[-_.]?(\d\d)", re.I)
_QUARTER = re.compile(r"(20\d\d)[ _-]*Q([1-4])", re.I)


def part_of(path: Path) -> str | None:
    """The part of a multi-part CMS quarterly PTP file, from its name: ccipra-v312r0-f1.txt -> 'f1'."""
    found = _PART.search(Path(path).stem.lower())
    return found.group(1) if found else None


def effective_date_of(path: Path, release: str | None = None) -> date | None:
    """First day in force from a CMS file name (MCR_MUE_PractitionerServices_Eff_01-01-2026.csv)
    or from a release label naming a quarter (2025Q1 -> 2025-01-01); None when neither says."""
    name = Path(path).name
    try:
        if found := _EFF_MDY.search(name):
            return date(int(found.group(3)), int(found.group(1)), int(found.group(2)))
        if found := _EFF_YMD.search(name):
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        raise ImportFormatError(f"{name}: the effective date in the file name is not a calendar date") from None
    for text in (release or "", Path(path).stem):
        if found := _QUARTER.search(text):
            return date(int(found.group(1)), 3 * int(found.group(2)) - 2, 1)
    return None


def _other_parts(entry: dict) -> list[dict]:
    """Manifest entries of the other imported parts of the same release (program, kind, label)."""
    return [t for t in load_manifest(imports_dir()).get("tables", [])
            if t.get("release_key") == entry["release_key"] and t["table"] != entry["table"]]


def _ptp_part_rows(part: dict) -> set[tuple]:
    """An imported PTP part's rows, rationale as text, to drop duplicates across parts."""
    rationales = part.get("rationales", [])
    path = imports_dir() / part["file"]
    if not path.exists():
        return set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        next(fh, None)
        return {(*cells[:5], rationales[int(cells[5])]) for cells in (ln.rstrip("\n").split("\t") for ln in fh)}


def program_of(path: Path) -> str:
    """The program a CMS NCCI file is for, from its name: Medicaid files are named MCD-..."""
    name = Path(path).name.lower()
    return "medicaid" if name.startswith("mcd") or "medicaid" in name else "medicare"


def import_ncci(path: Path, release: str | None = None, program: str | None = None,
                effective_from: date | None = None, replace: bool = False) -> TableInfo:
    """Import a CMS quarterly NCCI PTP file (or a CMS MUE file) in CMS's own layout.

    CMS ships each quarter's practitioner PTP file in parts (f1..f4): the part is read from the
    file name, and parts imported under one ``release`` label add up (rows already in another
    part are skipped); importing a part again replaces that part; ``replace`` drops the earlier
    parts of the release. The newest release that lists a pair decides its history (see
    ``CodeStore.ptp_edit``). An MUE file applies from its effective date (``effective_from``,
    else the CMS file name ..._Eff_MM-DD-YYYY, else a release label such as 2025Q1).

    ``program`` ('medicare' | 'medicaid'; default from the file name, CMS names Medicaid files
    MCD-...): a Medicaid table is kept apart and applies to Medicaid claims only (Medicaid NCCI
    edits differ from Medicare's: SSA §1903(r)(1)(B)(iv); CMS Medicaid NCCI Technical Guidance
    Manual); a Medicare table applies to every other claim.
    """
    path = Path(path)
    program = (program or program_of(path)).lower()
    if program not in PROGRAMS:
        raise ImportFormatError(f"program {program!r} is not one of {', '.join(PROGRAMS)}")
    rows = _data_rows(path)
    label = release or path.stem
    if len(rows[0][1]) <= 5:
        return _import_mue(path, rows, label, program, effective_from or effective_date_of(path, release))
    rationales: list[str] = []
    out = []
    for number, cells in rows:
        where = f"{path.name} line {number}"
        if len(cells) < 7:
            raise ImportFormatError(f"{where}: {len(cells)} columns, expected 7 (Column 1, Column 2, "
                                    "prior-to-1996 flag, Effective Date, Deletion Date, Modifier, Rationale)")
        col1, col2, _, eff, dele, modifier, rationale = cells[:7]
        if not (_HCPCS.match(col1) and _HCPCS.match(col2)):
            raise ImportFormatError(f"{where}: {col1!r}/{col2!r} are not HCPCS/CPT codes")
        if modifier not in ("0", "1", "9"):
            raise ImportFormatError(f"{where}: modifier indicator {modifier!r} is not 0, 1 or 9")
        eff = _ymd(eff, where)
        if not eff:
            raise ImportFormatError(f"{where}: effective date missing")
        if rationale not in rationales:
            rationales.append(rationale)
        out.append((col1, col2, eff, _ymd(dele, where), modifier, rationales.index(rationale)))
    out = sorted(set(out))
    start = min(r[2] for r in out)
    who = _program_label(program)
    part = part_of(path)
    key = _key(program, label)
    entry = {"table": f"ncci_ptp:{key}" + (f":{part}" if part else ""), "kind": "ncci_ptp", "program": program,
             "release_key": f"ncci_ptp:{key}", "part": part,
             "release_date": _release_date(path, release, effective_from, max(r[2] for r in out)),
             "source": f"CMS {who}NCCI PTP file {path.name}",
             "release": f"CMS {who}NCCI PTP {label}" + (f" part {part}" if part else "") + " (imported)",
             "effective_from": _iso(start), "effective_to": None, "note": "imported with effective dates",
             "rationales": rationales}
    others = [] if replace else _other_parts(entry)
    seen: set[tuple] = set()
    for other in others:
        seen |= _ptp_part_rows(other)
    kept = [r for r in out if (*r[:5], rationales[r[5]]) not in seen]
    replaced = any(t["table"] == entry["table"] for t in load_manifest(imports_dir()).get("tables", []))
    message = _parts_message(entry, others, len(out) - len(kept), replaced, replace)
    if replace:
        _drop_parts(entry)
    return _write(f"ncci_ptp_{_slug(_key(program, label))}{'_' + part if part else ''}.tsv.gz",
                  ["column1", "column2", "effective", "deletion", "modifier_indicator", "rationale_id"],
                  kept, entry, message)


def _release_date(path: Path, release: str | None, effective_from: date | None, newest_row: str) -> str:
    """When a PTP release took effect, to rank it against other imports: --effective-from, else
    the later of its newest row's effective date and the quarter its label or file name names."""
    if effective_from:
        return effective_from.isoformat()
    named = effective_date_of(path, release)
    return max(_iso(newest_row), named.isoformat() if named else "")


def _parts_message(entry: dict, others: list[dict], duplicates: int, replaced: bool, replace: bool) -> str:
    what = []
    if replace:
        what.append("earlier parts of this release dropped (--replace)")
    elif replaced:
        what.append(f"replaced the earlier import of {entry['table']}")
    if others:
        names = sorted([o.get("part") or o["table"] for o in others] + [entry.get("part") or "(no part)"])
        total = sum(o.get("rows", 0) for o in others)
        what.append(f"parts of {entry['release_key'].split(':', 1)[1]} now: {', '.join(names)}; "
                    f"{duplicates} row(s) already in another part skipped; the other parts hold {total:,} rows")
    return "; ".join(what)


def _drop_parts(entry: dict) -> None:
    directory = imports_dir()
    manifest = load_manifest(directory)
    keep = []
    for t in manifest["tables"]:
        if t.get("release_key") == entry["release_key"] and t["table"] != entry["table"]:
            (directory / t["file"]).unlink(missing_ok=True)
        else:
            keep.append(t)
    manifest["tables"] = keep
    tmp = directory / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    tmp.replace(directory / "manifest.json")


def _import_mue(path: Path, rows, label: str, program: str = "medicare",
                effective_from: date | None = None) -> TableInfo:
    out = []
    line_edits = False
    for number, cells in rows:
        where = f"{path.name} line {number}"
        code, units, mai_text, rationale = (cells + [""] * 4)[:4]
        mai = mai_text[:1]
        if not units.isdigit():
            raise ImportFormatError(f"{where}: MUE value {units!r} is not a whole number")
        if mai not in ("1", "2", "3"):
            if program != "medicaid" or len(cells) > 3:
                raise ImportFormatError(f"{where}: MUE adjudication indicator {mai_text!r} does not start with 1, 2 or 3")
            # A Medicaid MUE file without an MAI column (code, value, rationale): each MUE is a
            # claim-line edit, as the Medicaid NCCI Technical Guidance Manual describes them.
            mai, rationale, line_edits = "1", mai_text, True
        out.append((code, units, mai, rationale, "Practitioner"))
    if effective_from is None:
        raise ImportFormatError(f"{path.name}: no effective date: pass --effective-from (CMS names MUE files "
                                "..._Eff_MM-DD-YYYY) or a quarter as --release (2026Q1)")
    who = _program_label(program)
    note = ("imported; no MAI column: every MUE applied per claim line" if line_edits
            else "imported; replaces earlier values code by code" if program == "medicare"
            else "imported; applies to Medicaid claims only")
    entry = {"table": f"mue:{_key(program, label)}", "kind": "mue", "program": program,
             "source": f"CMS {who}NCCI MUE file {path.name}", "release": f"CMS {who}NCCI MUE {label} (imported)",
             "release_key": f"mue:{_key(program, label)}", "release_date": effective_from.isoformat(),
             "effective_from": effective_from.isoformat(), "effective_to": None,
             "note": note + f"; in force from {effective_from.isoformat()}, earlier tables before"}
    return _write(f"mue_{_slug(_key(program, label))}.tsv.gz", ["code", "units", "mai", "rationale", "service"],
                  out, entry)


def _program_label(program: str) -> str:
    return "Medicaid " if program == "medicaid" else ""


def _key(program: str, label: str) -> str:
    return f"medicaid:{label}" if program == "medicaid" else label


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", label).strip("_") or "import"


PARTIAL_SHARE = 0.5  # an order file under half the codes of the release before it is refused


def _previous_icd_release(effective_from: date, release_id: str) -> tuple[str, int] | None:
    """(label, code count) of the newest other ICD-10-CM release in force before ``effective_from``
    (else the newest of all), from the store; None when the store has none."""
    from .store import CodeStore

    try:
        con = CodeStore.open()._con
    except Exception:  # no store yet: nothing to compare with
        return None
    rows = con.execute(
        "SELECT r.release_id, r.label, r.effective_from, count(c.code) FROM icd_release r"
        " JOIN icd_code c ON c.release_id = r.release_id WHERE r.release_id != ?"
        " GROUP BY r.release_id ORDER BY r.effective_from", (release_id,)).fetchall()
    before = [r for r in rows if (r[2] or "") < effective_from.isoformat()] or rows
    if not before:
        return None
    _, label, _, count = before[-1]
    return label or before[-1][0], int(count)


def import_icd10(path: Path, release: str | None = None, effective_from: date | None = None,
                 partial: bool = False) -> TableInfo:
    """Import a CDC ICD-10-CM order file (fixed width) as a release of its own.

    A complete order file lists every code of the release (about 98,000 lines, A00 to Z99).
    A file with under half the codes of the release before it (a truncated download, a
    hand-made test file) is refused unless ``partial``: every code it lacks would become
    "not an ICD-10-CM code" (DX001) on every claim dated in its fiscal year.
    """
    path = Path(path)
    year_match = re.search(r"(20\d\d)", release or "") or re.search(r"(20\d\d)", path.name)
    if not year_match and effective_from is None:
        raise ImportFormatError(f"{path.name}: release year not in the file name; pass --release or --effective-from")
    if effective_from is None:
        effective_from = date(int(year_match.group(1)) - 1, 10, 1)
    fiscal_year = effective_from.year + 1 if effective_from.month >= 10 else effective_from.year
    effective_to = date(fiscal_year, 9, 30)
    release_id = _slug(release) if release else f"fy{fiscal_year}"
    out = []
    for number, line in enumerate(path.read_text(encoding="latin-1").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        if len(line) < 16 or not line[:5].isdigit():
            raise ImportFormatError(f"{where}: expected order number (5 digits) at columns 1-5 of a CDC order file")
        code, flag = line[6:13].strip(), line[14:15]
        if not is_icd10cm_shape(code):
            raise ImportFormatError(f"{where}: {code!r} at columns 7-13 is not an ICD-10-CM code")
        if flag not in ("0", "1"):
            raise ImportFormatError(f"{where}: billable flag {flag!r} at column 15 is not 0 or 1")
        description = " ".join((line[77:].strip() or line[16:76].strip()).split())
        out.append((code, flag, description))
    if not out:
        raise ImportFormatError(f"{path.name}: no codes found")
    out.sort()
    if not partial:
        previous = _previous_icd_release(effective_from, release_id)
        if previous is not None and len(out) < previous[1] * PARTIAL_SHARE:
            raise ImportFormatError(
                f"{path.name}: {len(out):,} codes (the last is {out[-1][0]}), under half of the "
                f"{previous[1]:,} codes of the previous release {previous[0]}: a truncated download or "
                "a partial file would make every code it lacks 'not an ICD-10-CM code' (DX001) on "
                f"claims from {effective_from.isoformat()}. Download the complete CDC order file "
                "(icd10cm_order_YYYY.txt), or pass --partial to import it anyway")
    label = release or f"FY{fiscal_year}"
    entry = {"table": f"icd10cm:{release_id}", "kind": "icd10cm_codes", "release_id": release_id,
             "source": f"CDC ICD-10-CM order file {path.name}", "release": f"ICD-10-CM {label} (imported)",
             "effective_from": effective_from.isoformat(), "effective_to": effective_to.isoformat(),
             "note": "imported order file; no tabular notes"}
    return _write(f"icd10cm_{release_id}.tsv.gz", ["code", "billable", "description"], out, entry)
