"""Read-only lookups on the compiled code-set store (one SQLite file)."""

from __future__ import annotations

import functools
import sqlite3
from datetime import date
from pathlib import Path

from .paths import manifests_hash, store_path
from .tabular import in_range, normalize_code
from .types import (
    AdjustmentCode, Gpci, IcdCode, IcdRelease, Mue, PfsRow, PtpEdit, TableInfo, TabularNote, Taxonomy,
    ZipLocality,
)

ICD10_START = date(2015, 10, 1)
NOT_ACTIVE = 99991231
PTP_EFFECTIVE_NOTE = "effective-date column missing in the shipped copy; in force up to the deletion date"


class StoreMissing(RuntimeError):
    """No usable store at the path and building was not allowed."""


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _ymd_int(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _from_ymd(value: int | None) -> date | None:
    if value is None or value == NOT_ACTIVE:
        return None
    return date(value // 10000, value // 100 % 100, value % 100)


def _fiscal_year(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


class CodeStore:
    """Lookups on the store. Open with `CodeStore.open()`; results are cached per instance."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._con = connection
        self._icd_code = functools.lru_cache(maxsize=16384)(self._icd_code_uncached)
        self._notes_for_owner = functools.lru_cache(maxsize=16384)(self._notes_for_owner_uncached)
        self._ptp_rows = functools.lru_cache(maxsize=16384)(self._ptp_rows_uncached)
        self._mue_rows = functools.lru_cache(maxsize=16384)(self._mue_rows_uncached)
        self._table_release = functools.lru_cache(maxsize=None)(self._table_release_uncached)
        # Batch runs ask the same questions millions of times: memoise the public lookups.
        self.icd_release = functools.lru_cache(maxsize=4096)(self.icd_release)
        self.mue = functools.lru_cache(maxsize=16384)(self.mue)
        self.pfs = functools.lru_cache(maxsize=16384)(self.pfs)
        self.taxonomy = functools.lru_cache(maxsize=4096)(self.taxonomy)  # CR rules: per line
        self.zip_locality = functools.lru_cache(maxsize=16384)(self.zip_locality)  # pricing: per claim
        self.gpci = functools.lru_cache(maxsize=1024)(self.gpci)
        self._icd_children = functools.lru_cache(maxsize=4096)(self._icd_children_uncached)
        self._icd_notes = functools.lru_cache(maxsize=16384)(self._icd_notes_uncached)
        self._releases_cache: list[tuple] | None = None
        self._medicaid_starts: dict[str, tuple[bool, date | None]] = {}
        self._ranges_cache: dict[str, list[tuple[str, str, str]]] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path | None = None, build_if_missing: bool = True) -> "CodeStore":
        """Open the store, building it first when it is missing or older than the sources."""
        path = Path(path) if path else store_path()
        fresh = path.exists() and cls._stored_hash(path) == manifests_hash()
        if not fresh:
            if not build_if_missing:
                raise StoreMissing(f"{path}: code-set store missing or stale; run `cleanclaim data build`")
            from .build import build_store

            build_store(path)
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return cls(con, path)

    @staticmethod
    def _stored_hash(path: Path) -> str | None:
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = con.execute("SELECT value FROM meta WHERE key = 'manifests_hash'").fetchone()
            finally:
                con.close()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def close(self) -> None:
        self._con.close()

    # ------------------------------------------------------------------ tables
    def tables(self) -> list[TableInfo]:
        """Every loaded table with its provenance."""
        rows = self._con.execute(
            "SELECT name, source, release, effective_from, effective_to, rows, sha256, note, origin, precedence"
            " FROM tables ORDER BY id").fetchall()
        return [TableInfo(n, s, r, _date(f), _date(t), rows_, sha, note or "", origin, rank or 0)
                for n, s, r, f, t, rows_, sha, note, origin, rank in rows]

    def _table_release_uncached(self, table_id: int) -> tuple[str, str]:
        return self._con.execute("SELECT release, note FROM tables WHERE id = ?", (table_id,)).fetchone()

    # ------------------------------------------------------------------ ICD-10-CM
    def _releases(self) -> list[tuple]:
        if self._releases_cache is None:
            rows = self._con.execute(
                "SELECT release_id, label, effective_from, effective_to, origin, has_notes FROM icd_release"
            ).fetchall()
            self._releases_cache = sorted(
                ((rid, label, date.fromisoformat(f), date.fromisoformat(t), origin, bool(notes))
                 for rid, label, f, t, origin, notes in rows), key=lambda r: (r[2], r[4] == "imported"))
        return self._releases_cache

    def icd_release(self, dos: date) -> IcdRelease:
        """The ICD-10-CM release that governs a date of service (see module docs for the rules)."""
        releases = self._releases()
        note = severity = None
        era = "icd10"
        if dos < ICD10_START:
            chosen, era = releases[0], "icd9"
            note, severity = "date of service before 2015-10-01: ICD-9-CM era, ICD-10-CM does not apply", "info"
        else:
            covering = [r for r in releases if r[2] <= dos <= r[3]]
            newest = max(releases, key=lambda r: (r[3], r[4] == "imported"))
            if covering:
                chosen = max(covering, key=lambda r: (r[4] == "imported", r[2]))
                if chosen[0] == "2026-04" and dos < date(2026, 4, 1):
                    note, severity = ("the October 1, 2025 release is not loaded; using the April 1, 2026 "
                                      "release, so codes added on 2026-04-01 cannot be told apart"), "info"
            elif dos > newest[3]:
                chosen = newest
                note = (f"no ICD-10-CM release loaded for FY{_fiscal_year(dos)}; using {newest[1]}: import a "
                        "newer release (`cleanclaim data import-icd10`)")
                severity = "warning"
            else:
                chosen = min((r for r in releases if r[2] > dos), key=lambda r: r[2])
                note, severity = f"the FY{_fiscal_year(dos)} release is not loaded; using {chosen[1]}", "info"
        notes_release = self._notes_release(chosen)
        notes_label = None
        if notes_release is not None:
            where = "its own tabular XML" if notes_release[0] == chosen[0] else "the nearest XML release"
            notes_label = f"tabular notes from {notes_release[1]} ({where})"
        return IcdRelease(chosen[0], chosen[1], chosen[2], chosen[3], chosen[5], era, note, severity,
                          notes_release[0] if notes_release else None, notes_label)

    def _notes_release(self, release: tuple) -> tuple | None:
        if release[5]:
            return release
        with_notes = [r for r in self._releases() if r[5]]
        if not with_notes:
            return None

        def gap(r: tuple) -> int:
            if r[3] < release[2]:
                return (release[2] - r[3]).days
            if r[2] > release[3]:
                return (r[2] - release[3]).days
            return 0

        return min(with_notes, key=gap)

    def _icd_code_uncached(self, code: str, release_id: str) -> IcdCode | None:
        row = self._con.execute(
            "SELECT c.billable, d.text FROM icd_code c JOIN icd_description d ON d.id = c.description_id"
            " WHERE c.release_id = ? AND c.code = ?", (release_id, code)).fetchone()
        return IcdCode(code, bool(row[0]), row[1], release_id) if row else None

    def icd_code(self, code: str, release_id: str) -> IcdCode | None:
        """One code of a release (dotted or not, any case)."""
        return self._icd_code(normalize_code(code), release_id)

    def icd_children(self, code: str, release_id: str, billable_only: bool = True) -> list[IcdCode]:
        """All descendants of a code in a release, sorted."""
        return list(self._icd_children(normalize_code(code), release_id, billable_only))

    def _icd_children_uncached(self, code: str, release_id: str, billable_only: bool) -> tuple[IcdCode, ...]:
        rows = self._con.execute(
            "SELECT c.code, c.billable, d.text FROM icd_code c JOIN icd_description d"
            " ON d.id = c.description_id WHERE c.release_id = ? AND c.code > ? AND c.code < ?"
            + (" AND c.billable = 1" if billable_only else "") + " ORDER BY c.code",
            (release_id, code, code + "\uffff")).fetchall()
        return tuple(IcdCode(c, bool(b), d, release_id) for c, b, d in rows)

    def _notes_for_owner_uncached(self, release_id: str, owner: str) -> tuple[TabularNote, ...]:
        rows = self._con.execute(
            "SELECT kind, text, targets FROM icd_note WHERE release_id = ? AND owner = ? ORDER BY seq",
            (release_id, owner)).fetchall()
        return tuple(
            TabularNote(owner, kind, text,
                        tuple(tuple(t.split(":", 1)) for t in targets.split(",") if t), release_id)
            for kind, text, targets in rows)

    def _ranges(self, release_id: str) -> list[tuple[str, str, str]]:
        if release_id not in self._ranges_cache:
            owners = self._con.execute(
                "SELECT DISTINCT owner FROM icd_note WHERE release_id = ? AND owner LIKE '%-%'",
                (release_id,)).fetchall()
            self._ranges_cache[release_id] = [(o, *o.split("-", 1)) for (o,) in owners]
        return self._ranges_cache[release_id]

    def icd_notes(self, code: str, release_id: str, kinds=None) -> list[TabularNote]:
        """Notes of the code and of every ancestor (subcategory, category, section, chapter)."""
        return list(self._icd_notes(normalize_code(code), release_id,
                                    None if kinds is None else frozenset(kinds)))

    def _icd_notes_uncached(self, code: str, release_id: str, kinds) -> tuple[TabularNote, ...]:
        release = next((r for r in self._releases() if r[0] == release_id), None)
        if release is None:
            return ()
        notes_release = self._notes_release(release)
        if notes_release is None:
            return ()
        rid = notes_release[0]
        owners = [code[:n] for n in range(len(code), 2, -1)]
        ranges = [r for r in self._ranges(rid) if in_range(code[:3], r[1], r[2])]
        ranges.sort(key=lambda r: (r[1], _neg(r[2])), reverse=True)  # narrower (section) first
        owners += [r[0] for r in ranges]
        found = [n for owner in owners for n in self._notes_for_owner(rid, owner)]
        return tuple(n for n in found if kinds is None or n.kind in kinds)

    def icd_notes_of_kind(self, release_id: str, kinds) -> list[TabularNote]:
        """Every note of the given kinds in a release's tabular (e.g. all inclusion terms),
        from the nearest XML release when the release has none. Not cached: callers index it."""
        release = next((r for r in self._releases() if r[0] == release_id), None)
        notes_release = self._notes_release(release) if release is not None else None
        if notes_release is None:
            return []
        kinds = tuple(kinds)
        rows = self._con.execute(
            "SELECT owner, kind, text, targets FROM icd_note WHERE release_id = ? AND kind IN ("
            + ",".join("?" * len(kinds)) + ") ORDER BY owner, seq", (notes_release[0], *kinds)).fetchall()
        return [TabularNote(owner, kind, text, tuple(tuple(t.split(":", 1)) for t in targets.split(",") if t),
                            notes_release[0]) for owner, kind, text, targets in rows]

    # ------------------------------------------------------------------ NCCI, MUE, PFS
    def _ptp_rows_uncached(self, column1: str, column2: str, table: str = "ptp") -> tuple:
        """The pair's rows from the newest table that lists it (see :meth:`ptp_edit`)."""
        rows = self._con.execute(
            f"SELECT deletion, effective, modifier_indicator, r.text, table_id, tb.precedence FROM {table} t"
            " JOIN ptp_rationale r ON r.id = t.rationale_id JOIN tables tb ON tb.id = t.table_id"
            " WHERE column1 = ? AND column2 = ? ORDER BY deletion, table_id DESC", (column1, column2)).fetchall()
        if not rows:
            return ()
        newest = max(r[5] for r in rows)
        return tuple(r[:5] for r in rows if r[5] == newest)

    def has_program_ncci(self, program: str) -> bool:
        """Whether NCCI tables of ``program`` ('medicaid') were imported (Medicare's are bundled)."""
        return program != "medicaid" or any(self.medicaid_ncci_start(t)[0] for t in ("ptp", "mue"))

    def medicaid_ncci_start(self, table: str) -> tuple[bool, date | None]:
        """(whether an imported Medicaid ``table`` ('ptp' | 'mue') exists, the earliest date of
        service it covers: the earliest effective_from of its imports, None = every date)."""
        cached = self._medicaid_starts.get(table)
        if cached is None:
            kind = "ncci_ptp" if table == "ptp" else "mue"
            rows = self._con.execute(
                "SELECT effective_from FROM tables WHERE name LIKE ?", (f"{kind}:medicaid:%",)).fetchall()
            has = bool(rows) and bool(self._con.execute(f"SELECT 1 FROM medicaid_{table} LIMIT 1").fetchone())
            starts = [_date(r[0]) for r in rows]
            start = None if not starts or None in starts else min(starts)
            cached = self._medicaid_starts[table] = (has, start)
        return cached

    def medicaid_ncci_covers(self, table: str, dos: date | None) -> bool:
        """Whether an imported Medicaid ``table`` covers ``dos`` (Medicaid NCCI Technical Guidance
        Manual: quarterly edits by date of service); before its first quarter the Medicare table
        stays the proxy, as when no Medicaid table is imported."""
        has, start = self.medicaid_ncci_start(table)
        return has and (dos is None or start is None or dos >= start)

    def _ncci_table(self, table: str, program: str, dos: date | None = None) -> str:
        if program == "medicaid" and self.medicaid_ncci_covers(table, dos):
            return f"medicaid_{table}"
        return table

    def ptp_edit(self, column1: str, column2: str, dos: date, program: str = "medicare") -> PtpEdit | None:
        """The PTP row for exactly (column1, column2) in force on the date of service.

        The newest table that lists the pair decides its whole history: an import ranks above
        the bundled table, a later release above an earlier one (``data info`` shows the order),
        so a newer quarter that ends an edit is honoured even where an older table still has the
        pair open. Within that table, the row with the earliest deletion date on or after the
        date of service decides (deletion = last day in force).

        ``program='medicaid'`` reads the imported Medicaid practitioner table when there is
        one (Medicaid NCCI edits differ from Medicare's), else the Medicare table.
        """
        day = _ymd_int(dos)
        column1, column2 = column1.strip().upper(), column2.strip().upper()
        table = self._ncci_table("ptp", program, dos)
        for deletion, effective, indicator, rationale, table_id in self._ptp_rows(column1, column2, table):
            if deletion < day or (effective is not None and effective > day):
                continue
            release, note = self._table_release(table_id)
            if effective is None:
                release = f"{release} ({PTP_EFFECTIVE_NOTE})"
            return PtpEdit(column1, column2, _from_ymd(effective), _from_ymd(deletion), str(indicator),
                           rationale, release)
        return None

    def _mue_rows_uncached(self, code: str, table: str) -> tuple:
        return tuple(self._con.execute(
            f"SELECT m.code, units, mai, rationale, service, table_id, effective, tb.precedence FROM {table} m"
            " JOIN tables tb ON tb.id = m.table_id WHERE m.code = ? ORDER BY tb.precedence DESC",
            (code,)).fetchall())

    def mue(self, code: str, program: str = "medicare", dos: date | None = None) -> Mue | None:
        """The practitioner MUE of a code in force on ``dos`` (None: the newest table's value).

        An imported MUE table applies from its effective date; before it the earlier tables
        (at last the bundled one) stay in force. ``program='medicaid'`` as for :meth:`ptp_edit`.
        """
        table = self._ncci_table("mue", program, dos)
        day = _ymd_int(dos) if dos is not None else None
        for row in self._mue_rows(code.strip().upper(), table):
            effective = row[6]
            if day is not None and effective is not None and effective > day:
                continue
            return Mue(row[0], int(row[1]), int(row[2]), row[3], row[4], self._table_release(row[5])[0],
                       _from_ymd(effective))
        return None

    def pfs(self, code: str, modifier: str = "") -> PfsRow | None:
        row = self._con.execute(
            "SELECT code, modifier, short_description, status, mult_proc, work, pe_nonfac, pe_fac, mp,"
            " conv_factor, global_days, table_id FROM pfs WHERE code = ? AND modifier = ?",
            (code.strip().upper(), (modifier or "").strip().upper())).fetchone()
        if not row:
            return None
        return PfsRow(*row[:5], *(float(v) for v in row[5:10]), row[10], self._table_release(row[11])[0])

    # ------------------------------------------------------------------ reference tables
    def taxonomy(self, code: str) -> Taxonomy | None:
        row = self._con.execute("SELECT code, grouping, classification, specialization, display_name,"
                                " table_id FROM nucc WHERE code = ?", (code.strip().upper(),)).fetchone()
        return Taxonomy(*row[:5], self._table_release(row[5])[0]) if row else None

    def adjustment_code(self, kind: str, code: str) -> AdjustmentCode | None:
        """A Claim Adjustment Group code, CARC or RARC (kind: group | carc | rarc)."""
        row = self._con.execute('SELECT kind, code, description, start, "end", table_id FROM adjustment'
                                " WHERE kind = ? AND code = ?", (kind.lower(), code.strip().upper())).fetchone()
        if not row:
            return None
        return AdjustmentCode(row[0], row[1], row[2], _date(row[3]), _date(row[4]), self._table_release(row[5])[0])

    def gpci(self, carrier: str, locality: str) -> Gpci | None:
        row = self._con.execute("SELECT carrier, locality, state, name, pw, pe, mp, table_id FROM gpci"
                                " WHERE carrier = ? AND locality = ?",
                                (carrier.strip(), locality.strip().zfill(2))).fetchone()
        return Gpci(*row[:4], float(row[4]), float(row[5]), float(row[6]), self._table_release(row[7])[0]) \
            if row else None

    def zip_locality(self, zip5: str) -> ZipLocality | None:
        row = self._con.execute("SELECT zip5, state, carrier, locality, rural, plus4, table_id FROM zip5"
                                " WHERE zip5 = ?", (zip5.strip()[:5],)).fetchone()
        return ZipLocality(*row[:5], row[5] in (1, "1"), self._table_release(row[6])[0]) if row else None


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


__all__ = ["CodeStore", "StoreMissing"]
