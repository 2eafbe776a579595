"""What the code-set store returns. Plain frozen records; no logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class TableInfo:
    """One loaded table with where it came from (`cleanclaim data info`)."""

    name: str  # e.g. "icd10cm:2026-04", "ncci_ptp", "mue", "pfs", "nucc", "carc_rarc"
    source: str  # who published it and where this copy came from
    release: str  # e.g. "CMS NCCI 2024 Q3", "CDC ICD-10-CM April 1, 2026"
    effective_from: date | None
    effective_to: date | None  # None = open-ended
    rows: int
    sha256: str  # of the compact source file
    note: str = ""  # caveats (e.g. "effective-date column missing")
    origin: str = "bundled"  # bundled | imported
    precedence: int = 0  # NCCI tables: 0 bundled, higher = newer (the newest listing a pair decides)
    message: str = ""  # an import's outcome (parts added up, rows skipped), not stored


@dataclass(frozen=True)
class IcdRelease:
    """The ICD-10-CM release chosen for a date of service."""

    release_id: str  # e.g. "2026-04"
    label: str  # e.g. "ICD-10-CM April 1, 2026 (FY2026)"
    effective_from: date
    effective_to: date
    has_tabular_notes: bool  # Excludes1 / code-first loaded from the XML release
    era: str = "icd10"  # "icd10" | "icd9" (date before 2015-10-01: ICD-10 does not apply)
    note: str | None = None  # e.g. "FY2023 release not loaded; using FY2024"
    note_severity: str | None = None  # "info" | "warning"
    notes_release_id: str | None = None  # release whose tabular notes apply (nearest XML release)
    notes_label: str | None = None  # e.g. "tabular notes from ICD-10-CM April 1, 2025 (nearest XML release)"


@dataclass(frozen=True)
class IcdCode:
    """One code of one release. `code` has no decimal point."""

    code: str
    billable: bool
    description: str
    release_id: str

    @property
    def dotted(self) -> str:
        return self.code if len(self.code) <= 3 else f"{self.code[:3]}.{self.code[3:]}"


@dataclass(frozen=True)
class TabularNote:
    """An instructional note from the ICD-10-CM tabular (XML releases only).

    `owner` is the code (or category/block) the note is written under; notes are
    inherited by every code below their owner. `targets` are the codes/ranges the
    note names, normalised without dots, each as (first, last) inclusive prefixes:
    "Z34.-" -> ("Z34", "Z34"), "O00-O9A" -> ("O00", "O9A").
    """

    owner: str
    kind: str  # excludes1 | excludes2 | code_first | use_additional | code_also | includes | inclusion_term | note
    text: str
    targets: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    release_id: str = ""


@dataclass(frozen=True)
class PtpEdit:
    """The NCCI PTP row that decides a pair on a date of service."""

    column1: str
    column2: str
    effective_date: date | None  # None: missing in the shipped copy
    deletion_date: date | None  # None = 9999-12-31 (active)
    modifier_indicator: str  # "0" | "1" | "9"
    rationale: str
    release: str  # e.g. "CMS NCCI practitioner PTP 2024 Q3"


@dataclass(frozen=True)
class Mue:
    code: str
    units: int
    mai: int  # 1 per line, 2 per day (policy), 3 per day (clinical)
    rationale: str
    service: str
    release: str
    effective_from: date | None = None  # imported tables: first day in force; None: bundled


@dataclass(frozen=True)
class PfsRow:
    """One row of the Medicare PFS relative value file (code + modifier key)."""

    code: str
    modifier: str  # "" | "26" | "TC" | "53" ...
    short_description: str
    status: str  # A, B, C, I, N, R, P, X, ...
    mult_proc: str  # MULT PROC indicator; "5" = therapy MPPR
    work_rvu: float
    pe_nonfacility_rvu: float
    pe_facility_rvu: float
    mp_rvu: float
    conversion_factor: float
    global_days: str
    release: str


@dataclass(frozen=True)
class Taxonomy:
    code: str
    grouping: str
    classification: str
    specialization: str
    display_name: str
    release: str


@dataclass(frozen=True)
class AdjustmentCode:
    """A Claim Adjustment Group code, CARC or RARC."""

    kind: str  # group | carc | rarc
    code: str
    description: str
    start: date | None
    end: date | None
    release: str


@dataclass(frozen=True)
class Gpci:
    """Geographic practice cost indices of one MAC locality (key carrier + locality)."""

    carrier: str
    locality: str  # two digits, "00" (25LOCCO writes "0")
    state: str
    name: str
    work: float
    pe: float
    mp: float
    release: str


@dataclass(frozen=True)
class ZipLocality:
    """CMS ZIP5 file row: which carrier and pricing locality a ZIP code belongs to."""

    zip5: str
    state: str
    carrier: str
    locality: str
    rural: str  # "" urban, R rural, B super rural
    plus4_required: bool  # the ZIP spans localities: ZIP+4 needed to price
    release: str
