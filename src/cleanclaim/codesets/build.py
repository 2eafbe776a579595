"""Compile the compact sources (bundled + user imports) into one indexed SQLite store."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

from .paths import (
    BUNDLED_DIR, SCHEMA_VERSION, base_store_path, bundled_hash, imports_dir, load_manifest, manifests_hash,
    store_path,
)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE tables (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, source TEXT, release TEXT,
  effective_from TEXT, effective_to TEXT, rows INTEGER, sha256 TEXT, note TEXT, origin TEXT,
  release_id TEXT, precedence INTEGER DEFAULT 0);
CREATE TABLE icd_release (release_id TEXT PRIMARY KEY, label TEXT, effective_from TEXT,
  effective_to TEXT, origin TEXT, has_notes INTEGER, table_id INTEGER) WITHOUT ROWID;
CREATE TABLE icd_code (release_id TEXT, code TEXT, billable INTEGER, description_id INTEGER,
  PRIMARY KEY (release_id, code)) WITHOUT ROWID;
CREATE TABLE icd_description (id INTEGER PRIMARY KEY, text TEXT);
CREATE TABLE icd_note (release_id TEXT, owner TEXT, seq INTEGER, kind TEXT, text TEXT, targets TEXT,
  PRIMARY KEY (release_id, owner, seq)) WITHOUT ROWID;
CREATE TABLE ptp_rationale (id INTEGER PRIMARY KEY, text TEXT);
CREATE TABLE ptp (column1 TEXT, column2 TEXT, deletion INTEGER, effective INTEGER,
  modifier_indicator INTEGER, rationale_id INTEGER, table_id INTEGER,
  PRIMARY KEY (column1, column2, deletion, table_id)) WITHOUT ROWID;
CREATE TABLE mue (code TEXT, units INTEGER, mai INTEGER, rationale TEXT, service TEXT,
  table_id INTEGER, effective INTEGER, PRIMARY KEY (code, table_id)) WITHOUT ROWID;
CREATE TABLE medicaid_ptp (column1 TEXT, column2 TEXT, deletion INTEGER, effective INTEGER,
  modifier_indicator INTEGER, rationale_id INTEGER, table_id INTEGER,
  PRIMARY KEY (column1, column2, deletion, table_id)) WITHOUT ROWID;
CREATE TABLE medicaid_mue (code TEXT, units INTEGER, mai INTEGER, rationale TEXT, service TEXT,
  table_id INTEGER, effective INTEGER, PRIMARY KEY (code, table_id)) WITHOUT ROWID;
CREATE TABLE pfs (code TEXT, modifier TEXT, short_description TEXT, status TEXT, mult_proc TEXT,
  work REAL, pe_nonfac REAL, pe_fac REAL, mp REAL, global_days TEXT, conv_factor REAL,
  table_id INTEGER, PRIMARY KEY (code, modifier)) WITHOUT ROWID;
CREATE TABLE gpci (carrier TEXT, locality TEXT, state TEXT, name TEXT, pw REAL, pe REAL, mp REAL,
  table_id INTEGER, PRIMARY KEY (carrier, locality)) WITHOUT ROWID;
CREATE TABLE locality_counties (carrier TEXT, locality TEXT, state TEXT, area TEXT, counties TEXT,
  table_id INTEGER);
CREATE TABLE zip5 (zip5 TEXT PRIMARY KEY, state TEXT, carrier TEXT, locality TEXT, rural TEXT,
  plus4 INTEGER, year_quarter TEXT, table_id INTEGER) WITHOUT ROWID;
CREATE TABLE adjustment (kind TEXT, code TEXT, description TEXT, start TEXT, "end" TEXT,
  table_id INTEGER, PRIMARY KEY (kind, code)) WITHOUT ROWID;
CREATE TABLE nucc (code TEXT PRIMARY KEY, grouping TEXT, classification TEXT, specialization TEXT,
  display_name TEXT, table_id INTEGER) WITHOUT ROWID;
"""


class SourceError(ValueError):
    """A compact source file does not match its manifest."""


def read_tsv(path: Path) -> Iterator[list[str]]:
    """Rows of a gzipped TSV source, header skipped."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            yield line.rstrip("\n").split("\t")


def _ymd(value: str) -> int | None:
    return int(value.replace("-", "")) if value else None


def _ptp_rows(path: Path, table_id: int, rationale_ids: list[int]) -> Iterator[tuple]:
    column1 = ""
    for c1, c2, eff, dele, ind, rid in read_tsv(path):
        column1 = c1 or column1
        yield (column1, c2, _ymd(dele) or 99991231, _ymd(eff), int(ind), rationale_ids[int(rid)], table_id)


def _program_table(table: str, entry: dict) -> str:
    """NCCI tables by program: Medicare's (bundled) or Medicaid's own (imported)."""
    return f"medicaid_{table}" if entry.get("program") == "medicaid" else table


def _loaders(con: sqlite3.Connection) -> dict[str, Callable]:
    # shared across releases: most descriptions repeat (a copied base store already has some)
    descriptions: dict[str, int] = dict(con.execute("SELECT text, id FROM icd_description"))

    def ins(table: str, width: int, rows) -> None:
        marks = ",".join("?" * width)
        con.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)

    def ptp(path, tid, entry):
        ids = []
        for text in entry.get("rationales", []):
            row = con.execute("SELECT id FROM ptp_rationale WHERE text = ?", (text,)).fetchone()
            ids.append(row[0] if row else con.execute(
                "INSERT INTO ptp_rationale (text) VALUES (?)", (text,)).lastrowid)
        ins(_program_table("ptp", entry), 7, _ptp_rows(path, tid, ids))

    def icd_codes(path, tid, entry):
        rid = entry["release_id"]

        def rows():
            for code, billable, text in read_tsv(path):
                did = descriptions.get(text)
                if did is None:
                    did = descriptions[text] = len(descriptions) + 1
                    con.execute("INSERT INTO icd_description VALUES (?, ?)", (did, text))
                yield rid, code, int(billable), did

        ins("icd_code", 4, rows())
        con.execute("INSERT OR REPLACE INTO icd_release VALUES (?,?,?,?,?,0,?)",
                    (rid, entry["release"], entry["effective_from"], entry["effective_to"],
                     entry.get("origin", "bundled"), tid))

    def icd_notes(path, tid, entry):
        rid = entry["release_id"]
        seq: dict[str, int] = {}

        def rows():
            for owner, kind, text, targets in read_tsv(path):
                seq[owner] = seq.get(owner, -1) + 1
                yield rid, owner, seq[owner], kind, text, targets

        ins("icd_note", 6, rows())

    return {
        "ncci_ptp": ptp,
        "mue": lambda p, t, e: ins(_program_table("mue", e), 7,
                                   (r + [t, _ymd(e.get("effective_from") or "") if e["origin"] == "imported"
                                         else None] for r in read_tsv(p))),
        "pfs": lambda p, t, e: ins("pfs", 12, (r + [t] for r in read_tsv(p))),
        "gpci": lambda p, t, e: ins("gpci", 8, ((r[0], r[2], r[1], *r[3:], t) for r in read_tsv(p))),
        "locality_counties": lambda p, t, e: ins("locality_counties", 6, (r + [t] for r in read_tsv(p))),
        "zip5": lambda p, t, e: ins("zip5", 8, (r + [t] for r in read_tsv(p))),
        "carc_rarc": lambda p, t, e: ins("adjustment", 6, (r + [t] for r in read_tsv(p))),
        "nucc": lambda p, t, e: ins("nucc", 6, (r + [t] for r in read_tsv(p))),
        "icd10cm_codes": icd_codes,
        "icd10cm_notes": icd_notes,
    }


def release_key(entry: dict) -> str:
    """The release an NCCI table belongs to: the parts (f1..f4) of one CMS quarter share it."""
    return entry.get("release_key") or entry["table"]


def ncci_precedence(loaded: list[tuple[int, dict]]) -> dict[int, int]:
    """Which NCCI table is newer, per kind (PTP, MUE) and program: table id -> rank (0 = bundled).

    Every import ranks above the bundled table; imports rank by their release date (PTP: the
    latest effective date in the file, or --effective-from; MUE: its effective date), then by
    the order they were imported. The parts of one release share one rank.
    """
    ranks: dict[int, int] = {}
    groups: dict[tuple, dict] = {}
    for order, (tid, entry) in enumerate(loaded):
        if entry["kind"] not in ("ncci_ptp", "mue"):
            continue
        if entry["origin"] != "imported":
            ranks[tid] = 0
            continue
        key = (entry["kind"], entry.get("program", "medicare"), release_key(entry))
        group = groups.setdefault(key, {"date": "", "order": order, "ids": []})
        group["date"] = max(group["date"], entry.get("release_date") or "")
        group["order"] = max(group["order"], order)
        group["ids"].append(tid)
    by_kind: dict[tuple, list[dict]] = {}
    for (kind, program, _), group in groups.items():
        by_kind.setdefault((kind, program), []).append(group)
    for members in by_kind.values():
        for rank, group in enumerate(sorted(members, key=lambda g: (g["date"], g["order"])), start=1):
            ranks.update((tid, rank) for tid in group["ids"])
    return ranks


def _sources() -> list[tuple[Path, dict]]:
    """Manifest entries, bundled first, then user imports (which override on key clashes)."""
    found = []
    for directory, origin in ((BUNDLED_DIR, "bundled"), (imports_dir(), "imported")):
        for entry in load_manifest(directory).get("tables", []):
            found.append((directory / entry["file"], {**entry, "origin": origin}))
    return found


def build_store(path: Path | None = None, log: Callable[[str], None] | None = None) -> Path:
    """Build the store at `path` (default: paths.store_path()); atomic rename at the end.

    With user imports, the bundled tables come from a base store compiled once per bundled
    release (paths.base_store_path()): it is copied and only the imported files are loaded.
    """
    path = path or store_path()
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    sources = _sources()
    imported = [(f, e) for f, e in sources if e["origin"] == "imported"]
    if not imported:
        return _compile(path, sources, log, manifests_hash())
    base = base_store_path()
    if _stored_value(base, "manifests_hash") != f"base-{bundled_hash()}":
        _compile(base, [(f, e) for f, e in sources if e["origin"] != "imported"], log, f"base-{bundled_hash()}")
        for stale in base.parent.glob("base-*.sqlite"):
            if stale != base:
                stale.unlink(missing_ok=True)
    return _compile(path, imported, log, manifests_hash(), start_from=base)


def _stored_value(path: Path, key: str) -> str | None:
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _compile(path: Path, sources, log, stamp: str, start_from: Path | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    if start_from is not None:
        shutil.copyfile(start_from, tmp)
    con = sqlite3.connect(tmp)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    if start_from is None:
        con.executescript("PRAGMA page_size=4096;")
        con.executescript(SCHEMA)
    else:
        con.execute("DELETE FROM meta")
    loaders = _loaders(con)
    loaded: list[tuple[int, dict]] = []
    try:
        for file, entry in sources:
            t0 = time.perf_counter()
            if not file.exists():
                raise SourceError(f"{file}: listed in manifest.json but missing")
            sha = hashlib.sha256(file.read_bytes()).hexdigest()
            if sha != entry["sha256"]:
                raise SourceError(f"{file}: sha256 {sha[:12]} does not match manifest {entry['sha256'][:12]}")
            loader = loaders.get(entry["kind"])
            if loader is None:
                raise SourceError(f"{file}: unknown table kind {entry['kind']!r} in manifest.json")
            tid = con.execute(
                "INSERT INTO tables (name, kind, source, release, effective_from, effective_to, rows,"
                " sha256, note, origin, release_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (entry["table"], entry["kind"], entry["source"], entry["release"], entry["effective_from"],
                 entry["effective_to"], entry["rows"], sha,
                 "; ".join(filter(None, (entry.get("note", ""), entry.get("copyright", "")))), entry["origin"],
                 entry.get("release_id")),
            ).lastrowid
            loader(file, tid, entry)
            loaded.append((tid, entry))
            log(f"  {entry['table']:<26} {entry['rows']:>9} rows  {time.perf_counter() - t0:5.1f} s")
        con.executemany("UPDATE tables SET precedence = ? WHERE id = ?",
                        [(rank, tid) for tid, rank in ncci_precedence(loaded).items()])
        con.execute("UPDATE icd_release SET has_notes = 1 WHERE release_id IN "
                    "(SELECT DISTINCT release_id FROM icd_note)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("manifests_hash", stamp), ("schema_version", str(SCHEMA_VERSION)),
            ("built_at", time.strftime("%Y-%m-%dT%H:%M:%S")),
        ])
        con.commit()
        if start_from is None:  # the imports are small: the copied base keeps its statistics
            con.execute("ANALYZE")
            con.commit()
            con.execute("VACUUM")  # WITHOUT ROWID pages fill to ~60% on bulk insert
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, path)
    log(f"store built in {time.perf_counter() - started:.1f} s: {path} "
        f"({path.stat().st_size / 1e6:.1f} MB)")
    return path
