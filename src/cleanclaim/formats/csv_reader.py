"""Read claims from CSV: one row per service line, rows sharing a claim_id form a claim.

Rows of one claim may be interleaved with other claims; claims come out in the
order their first row appears. A row with a bad value keeps its claim: the
claim carries a CSV001 finding in ``read_findings``. Columns are documented in
docs/formats.md.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..codesets.tabular import is_icd10cm_shape
from ..findings import Finding
from ..model import Claim, Diagnosis, Payer, Provider, ServiceLine
from ..store.keys import payer_key

REQUIRED = ("claim_id", "date_of_service", "procedure_code", "units")
DX_COLUMNS = tuple(f"dx{i}" for i in range(1, 13))
MODIFIER_COLUMNS = tuple(f"modifier{i}" for i in range(1, 5))
POINTER_COLUMNS = tuple(f"pointer{i}" for i in range(1, 5))  # one pointer each, CMS-1500 24E
# Header spellings seen in practice-management and spreadsheet exports -> canonical column.
# Names are first normalised (_normalise): lower case, any run of other characters is
# one "_", and letters and digits are split ("DX1", "dx 1", "Dx-1" -> "dx_1"). Numbered
# columns (modifier 1-4, diagnosis 1-12) are matched by family below, not listed here.
ALIASES = {
    "claim": "claim_id", "claim_number": "claim_id", "claim_no": "claim_id",
    "claim_num": "claim_id", "patient_control_number": "claim_id", "clm01": "claim_id",
    "dos": "date_of_service", "service_date": "date_of_service", "date": "date_of_service",
    "dos_from": "date_of_service", "from_date": "date_of_service",
    "service_date_from": "date_of_service", "date_of_service_from": "date_of_service",
    "dos_to": "date_of_service_end", "to_date": "date_of_service_end",
    "service_date_to": "date_of_service_end", "date_of_service_to": "date_of_service_end",
    "cpt": "procedure_code", "hcpcs": "procedure_code", "cpt_hcpcs": "procedure_code",
    "hcpcs_cpt": "procedure_code", "cpt_code": "procedure_code", "hcpcs_code": "procedure_code",
    "cpt_hcpcs_code": "procedure_code", "procedure": "procedure_code",
    "proc_code": "procedure_code", "service_code": "procedure_code",
    "unit": "units", "qty": "units", "quantity": "units", "service_units": "units",
    "days_or_units": "units", "days_units": "units", "units_billed": "units",
    "charges": "charge", "amount": "charge", "charge_amount": "charge", "line_charge": "charge",
    "billed": "charge", "billed_amount": "charge", "fee": "charge", "line_charge_amount": "charge",
    "total": "total_charge", "total_charges": "total_charge", "claim_charge": "total_charge",
    "claim_total": "total_charge",
    "min": "minutes", "mins": "minutes", "minute": "minutes", "timed_minutes": "minutes",
    "treatment_minutes": "minutes",
    "pos": "place_of_service", "place_of_svc": "place_of_service",
    "pointers": "diagnosis_pointers", "pointer": "diagnosis_pointers",
    "dx_pointers": "diagnosis_pointers", "dx_pointer": "diagnosis_pointers",
    "diagnosis_pointer": "diagnosis_pointers", "dx_ptr": "diagnosis_pointers",
    "diag_pointer": "diagnosis_pointers", "diag_pointers": "diagnosis_pointers",
    "modifier": "modifiers", "mods": "modifiers",
    "dx": "dx1", "diagnosis": "dx1", "diag": "dx1", "icd_10": "dx1", "icd_10_cm": "dx1",
    "primary_diagnosis": "dx1", "principal_diagnosis": "dx1", "primary_dx": "dx1",
    "npi": "rendering_npi", "rendering": "rendering_npi", "provider_npi": "rendering_npi",
    "treating_npi": "rendering_npi", "therapist_npi": "rendering_npi",
    "performing_npi": "rendering_npi", "renderingnpi": "rendering_npi",
    "group_npi": "billing_npi", "billingnpi": "billing_npi",
    "taxonomy": "rendering_taxonomy",
    "payer": "payer_name", "insurance": "payer_name", "insurer": "payer_name",
    "primary_payer": "payer_name", "insurance_name": "payer_name",
    "claim_filing_indicator": "payer_type", "filing_indicator": "payer_type",
    "sbr09": "payer_type", "claim_filing_indicator_code": "payer_type",
    "prior_authorization": "prior_auth", "auth": "prior_auth", "authorization": "prior_auth",
    "auth_number": "prior_auth", "authorization_number": "prior_auth",
    "prior_auth_number": "prior_auth", "prior_authorization_number": "prior_auth",
    "referral": "referral_number", "referral_no": "referral_number",
    "frequency": "frequency_code", "claim_frequency": "frequency_code",
    "claim_frequency_code": "frequency_code", "freq_code": "frequency_code",
    "line_control": "line_control_number", "line_item_control_number": "line_control_number",
    "patient_id": "patient_key", "member_id": "patient_key", "patient_account": "patient_key",
    "account_number": "patient_key", "mrn": "patient_key",
    "dob": "patient_birth_date", "birth_date": "patient_birth_date",
    "date_of_birth": "patient_birth_date", "patient_dob": "patient_birth_date",
    "sex": "patient_gender", "gender": "patient_gender", "patient_sex": "patient_gender",
}
# numbered families: "<family> <n>" -> modifier<n> (1-4) / dx<n> (1-12)
MODIFIER_FAMILY = frozenset({"modifier", "mod", "modifier_code", "mod_code", "cpt_modifier",
                             "procedure_modifier", "hcpcs_modifier"})
DX_FAMILY = frozenset({"dx", "diag", "diagnosis", "diagnosis_code", "dx_code", "diag_code",
                       "icd", "icd_code", "icd_10", "icd_10_cm", "icd_10_code", "icd_10_cm_code"})
POINTER_FAMILY = frozenset({"pointer", "dx_pointer", "diagnosis_pointer", "diag_pointer", "dx_ptr",
                            "diag_ptr", "ptr"})
_TOKENS = re.compile(r"[a-z]+|[0-9]+")

CODE = "CSV001"
# Columns whose values identify a patient (or may, when mistyped): never echoed in messages.
PATIENT_COLUMNS = frozenset({"patient_key", "patient_birth_date", "patient_gender", "patient_name"})
_QUOTED = re.compile(r"^'[^']*'|^\"[^\"]*\"")
_ANY_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
WIDTH = "\x00fields"  # key carrying (fields in the row, fields in the header)
SHORT = "\x00short"  # (fields in the row, fields in the header): only the last field is missing
QUOTE = "\x00quote"  # a quote opened in the row is never closed
ENCODING = "\x00encoding"  # the row held bytes that are not UTF-8
_SPLIT = re.compile(r"[\s,:;]+")
# An ICD-10-CM category is a letter, then a digit and a digit or letter (M54, Z3A, C4A) or a
# letter and a digit (QA0, CDC FY2026): "XYZ.123" is no code of any release (a CSV001, once).
_ICD_CATEGORY = re.compile(r"^[A-Z](?:\d[0-9A-Z]|[A-Z]\d)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US_DATE = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$")
# A spreadsheet / pandas datetime export of a date cell: "2026-03-05 00:00:00", "3/5/2026 0:00"
_MIDNIGHT = re.compile(r"^(\S+)[ T]0?0:00(?::00(?:\.0+)?)?$")
_COMPACT_DATE = re.compile(r"^\d{8}$")
DATE_FORMATS = "YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD"
_POINTER_LETTERS = "ABCDEFGHIJKL"


_PARTIES = ("billing", "rendering", "referring", "service_facility")
KNOWN_COLUMNS = frozenset({
    *REQUIRED, *DX_COLUMNS, *MODIFIER_COLUMNS, *POINTER_COLUMNS, "modifiers", "date_of_service_end", "charge",
    "minutes", "diagnosis_pointers", "place_of_service", "line_control_number", "payer_name",
    "payer_id", "payer_type", "prior_auth", "referral_number", "frequency_code", "patient_key",
    "original_reference", "total_charge", "patient_birth_date", "patient_gender",
    *(f"{p}_{f}" for p in _PARTIES for f in ("npi", "taxonomy", "name", "zip", "tax_id", "state")),
})


class CsvInputError(ValueError):
    """The file cannot be read as claim CSV at all (bad header, not UTF-8)."""


def _normalise(raw: str) -> str:
    """'Modifier 1' / 'modifier_1' / 'Mod1' -> 'modifier_1' / 'mod_1'; 'CPT/HCPCS' -> 'cpt_hcpcs'."""
    return "_".join(_TOKENS.findall(raw.strip().lower()))


def _column_name(raw: str) -> str:
    """The canonical column a header cell means ('' when it means none we read)."""
    name = _normalise(raw)
    if name in KNOWN_COLUMNS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    name = name.replace("_provider_", "_")  # rendering_provider_npi = rendering_npi
    if name in KNOWN_COLUMNS or name in ALIASES:
        return ALIASES.get(name, name)
    family, _, number = name.rpartition("_")
    if number.isdigit() and family:
        n = int(number)
        if family in MODIFIER_FAMILY and 1 <= n <= 4:
            return f"modifier{n}"
        if family in DX_FAMILY and 1 <= n <= 12:
            return f"dx{n}"
        if family in POINTER_FAMILY and 1 <= n <= 4:
            return f"pointer{n}"
    return name


def _encoding(path: Path) -> tuple[str, list[int]]:
    """("utf-8-sig", []) for UTF-8 text; ("utf-16", []) for text with a UTF-16 byte-order
    mark; else ("cp1252", [line numbers with non-UTF-8 bytes]).

    Spreadsheet exports on Windows are often Windows-1252 ("café", "Ã©" garbles). Such a
    file is read as Windows-1252 and the rows that held non-UTF-8 bytes are reported.
    """
    bad_lines: list[int] = []
    with open(path, "rb") as fh:
        if fh.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16", []  # Excel "Unicode Text": UTF-16 with a byte-order mark
        fh.seek(0)
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.append(number)
    return ("utf-8-sig", []) if not bad_lines else ("cp1252", bad_lines)


def _lines(path: Path, encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81 0x8D 0x8F 0x90 0x9D): keep them as latin-1.
    errors = "strict" if encoding.startswith("utf") else "latin1_fallback"
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def _latin1_fallback(exc: UnicodeDecodeError):
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _split(line: str, delimiter: str) -> tuple[list[str], bool]:
    """One row's text -> (fields, quote left open)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True)), False
    except csv.Error:
        return next(csv.reader([line], delimiter=delimiter)), True
    except StopIteration:
        return [], False


SPAN_LINES = 5  # a quoted cell may span at most this many physical lines (RFC 4180 sec. 2.6)


def _spanning_row(first: str, ahead: list[tuple[int, str]], lines, delimiter: str,
                  width: int) -> tuple[list[str], int] | None:
    """RFC 4180 2.6: a quoted field may hold line breaks. When ``first`` leaves a quote open,
    join the next lines (read into ``ahead``) until the quote closes, at most SPAN_LINES
    lines in all; the join is the row only when it then has the header's ``width`` fields.
    Returns (fields, physical lines used) or None (the caller keeps the line on its own, so
    an unclosed quote never swallows the rows after it).
    """
    text = first
    for used in range(1, SPAN_LINES):
        if len(ahead) < used:
            nxt = next(lines, None)
            if nxt is None:
                return None
            ahead.append(nxt)
        text += "\n" + ahead[used - 1][1]
        try:
            values = next(csv.reader([text], delimiter=delimiter, strict=True))
        except csv.Error as exc:
            if "end of data" in str(exc):
                continue  # the quote is still open: try one more line
            return None  # closed, but the text after it is not CSV
        return (values, used + 1) if len(values) == width else None
    return None


def _read_rows(path: Path, header_findings: list[Finding] | None = None,
               ) -> Iterator[tuple[int, dict[str, str]]]:
    """(file line number, row keyed by canonical column name); the header is line 1.

    A row is one physical line, or a few when a quoted cell holds line breaks (RFC 4180)
    and the joined row has the header's field count. A quote left open spoils only its
    own row (the row carries a QUOTE mark) instead of swallowing the rest of the file.
    """
    encoding, bad_lines = _encoding(path)
    bad = set(bad_lines)
    lines = enumerate(_lines(path, encoding), start=1)
    header_line = ""
    for _number, header_line in lines:
        if header_line.strip():
            break
    else:
        raise CsvInputError(f"{path}: empty file, expected a header row")
    delimiter = max(",\t;|", key=header_line.count)
    header, _ = _split(header_line, delimiter)
    names = [_column_name(h) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise CsvInputError(
            f"{path}: header is missing required column(s) {', '.join(missing)}"
            f" (found: {', '.join(n for n in names if n) or 'nothing'})"
        )
    if header_findings is not None:
        header_findings.extend(_header_findings(path, header))
    ahead: list[tuple[int, str]] = []  # lines read ahead while looking for a closing quote
    while True:
        if ahead:
            number, line = ahead.pop(0)
        else:
            item = next(lines, None)
            if item is None:
                return
            number, line = item
        if not line.strip():
            continue
        values, open_quote = _split(line, delimiter)
        if open_quote:
            spanned = _spanning_row(line, ahead, lines, delimiter, len(header))
            if spanned is not None:
                values, used = spanned
                open_quote = False
                del ahead[:used - 1]
        if not any(v.strip() for v in values):
            continue
        row = {n: v.strip() for n, v in zip(names, values) if n}
        if len(values) == len(header) - 1 and names[-1]:
            row[SHORT] = (len(values), len(header))  # read: the last column is taken as empty
        elif len(values) != len(header):
            row[WIDTH] = (len(values), len(header))
        if open_quote:
            row[QUOTE] = True
        if number in bad:
            row[ENCODING] = encoding
        yield number, row


def _header_findings(path: Path, header: list[str]) -> list[Finding]:
    """A CSV002 warning naming the header cells that are not read (nothing silently ignored),
    and those that repeat a column (the last one's values are used)."""
    unknown: list[str] = []
    seen: dict[str, str] = {}
    repeats: list[str] = []
    for cell in header:
        name = _column_name(cell)
        if not cell.strip():
            continue
        if name not in KNOWN_COLUMNS:
            unknown.append(cell.strip())
        elif name in seen:
            repeats.append(f"{seen[name]!r} and {cell.strip()!r} both mean {name}")
        else:
            seen[name] = cell.strip()
    findings = []
    if unknown:
        findings.append(Finding(
            code="CSV002", severity="warning",
            message="header: " + (
                f"column {unknown[0]!r} is not a cleanclaim column and is not read"
                if len(unknown) == 1 else
                f"columns {', '.join(repr(u) for u in unknown)} are not cleanclaim columns "
                "and are not read"),
            fix="Rename the column to one in docs/formats.md (e.g. modifier1, dx1, "
                "rendering_npi) if it holds claim data; else ignore this warning.",
            details={"file": str(path), "row": 1, "columns": unknown}))
    if repeats:
        findings.append(Finding(
            code="CSV002", severity="warning",
            message=f"header: {'; '.join(repeats)}; the last column's values are used",
            fix="Keep one column for each value.",
            details={"file": str(path), "row": 1}))
    return findings


def _last_rows(path: Path, header_findings: list[Finding]) -> dict[str, int]:
    """claim_id -> line number of its last row (first pass, ids only)."""
    last: dict[str, int] = {}
    for number, row in _read_rows(path, header_findings):
        last[row.get("claim_id", "") or f"#row{number}"] = number
    return last


def iter_csv(path: str | Path) -> Iterator[Claim | Finding]:
    """Yield one Claim per claim_id, in first-seen order, as soon as it is complete."""
    path = Path(path)
    header_findings: list[Finding] = []
    last = _last_rows(path, header_findings)
    yield from header_findings
    builders: dict[str, _ClaimBuilder] = {}  # open claims, first-seen order
    for number, row in _read_rows(path):
        key = row.get("claim_id", "") or f"#row{number}"
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = _ClaimBuilder(path, key, number, row)
        builder.add_row(number, row)
        if number == last[key]:
            builder.complete = True
        while builders:
            first = next(iter(builders))
            if not builders[first].complete:
                break
            yield builders.pop(first).claim


def parse_day(raw: str) -> tuple[date | None, str]:
    """(date, '') or (None, why) for ISO YYYY-MM-DD, US MM/DD/YYYY (M/D/YYYY, MM-DD-YYYY)
    and YYYYMMDD (X12 D8), each optionally followed by a midnight time (00:00:00, as Excel
    and pandas export date cells). A two-digit year or a day-first date is refused, never
    guessed."""
    midnight = _MIDNIGHT.match(raw)
    if midnight:  # a date cell exported as a datetime at midnight is that date
        raw = midnight.group(1)
    elif re.match(r"^\S+[ T]\d{1,2}:\d{2}", raw):
        return None, f"holds a time of day; give the date only, {DATE_FORMATS}"
    us = _US_DATE.match(raw)
    try:
        if _ISO_DATE.match(raw):
            return date.fromisoformat(raw), ""
        if _COMPACT_DATE.match(raw):
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])), ""
        if us:
            month, day_, year = us.groups()
            if len(year) != 4:
                return None, f"a {len(year)}-digit year is ambiguous: write the year in full, {DATE_FORMATS}"
            if int(month) > 12 >= int(day_):
                return None, "the month is over 12: US dates are month first, MM/DD/YYYY (or use YYYY-MM-DD)"
            return date(int(year), int(month), int(day_)), ""
    except ValueError as exc:
        return None, f"{exc}; expected {DATE_FORMATS}"
    return None, f"expected {DATE_FORMATS}"


class _ClaimBuilder:
    """Collects the rows of one claim."""

    def __init__(self, path: Path, key: str, number: int, first: dict[str, str]) -> None:
        self.path = path
        self.complete = False
        claim_id = first.get("claim_id") or f"{path.name}#row{number}"
        self.claim = Claim(claim_id=claim_id, source=str(path), source_row=number)
        self.dx_codes: list[str] = []
        self.total_given = bool(first.get("total_charge"))
        self.levelled = False  # claim-level values read (from the first row that is aligned)
        self.short_rows: set[int] = set()  # rows read without their last field (no value quoted)
        if not first.get("claim_id"):
            self.finding(number, "claim_id", "is empty; the row is kept as its own claim")
        if WIDTH not in first:
            self._claim_level(number, first)
            self.levelled = True

    def finding(self, row: int, column: str, why: str, line: int | None = None,
                severity: str = "error") -> None:
        if column in PATIENT_COLUMNS or column in DX_COLUMNS:
            why = _QUOTED.sub("the value", why, count=1)  # never echo patient data
        elif row in self.short_rows:  # a value may sit one column off: quote none of them
            why = _ANY_QUOTED.sub("the value", why)
        self.claim.read_findings.append(Finding(
            code=CODE, severity=severity, claim_id=self.claim.claim_id, line=line,
            message=f"{self.path}: row {row}, column {column}: {why}",
            details={"file": str(self.path), "row": row, "column": column},
        ))

    def _claim_level(self, number: int, row: dict[str, str]) -> None:
        claim = self.claim
        self.level_row = number
        for column in DX_COLUMNS:
            raw = row.get(column, "")
            if not raw:
                continue
            code = raw.replace(".", "").replace(" ", "").upper()
            self.dx_codes.append(code)
            position = len(self.dx_codes)
            if not (is_icd10cm_shape(code) and _ICD_CATEGORY.match(code)):  # shared shape (QA0.0101)
                # reported once, here: the diagnosis stays empty (no DX/MN finding on it), and
                # its position stays taken so pointers to later diagnoses keep their target
                self.finding(number, column, f"{raw!r} is not an ICD-10-CM code")
                self.claim.read_findings[-1].details["diagnosis"] = position
                continue
            claim.diagnoses.append(Diagnosis(
                code=code, position=position, qualifier="ABK" if position == 1 else "ABF"))
        claim.billing_provider = _provider("billing", row, "billing")
        claim.rendering_provider = _provider("rendering", row, "rendering")
        claim.referring_provider = _provider("referring", row, "referring")
        claim.service_facility = _provider("service_facility", row, "service_facility")
        claim.payer = Payer(name=row.get("payer_name") or None,
                            payer_id=row.get("payer_id") or None,
                            claim_filing_indicator=(row.get("payer_type") or "").upper() or None)
        claim.prior_authorization = row.get("prior_auth") or None
        claim.referral_number = row.get("referral_number") or None
        claim.frequency_code = row.get("frequency_code") or None
        claim.patient_key = row.get("patient_key") or None
        claim.place_of_service = row.get("place_of_service") or None
        claim.original_reference = row.get("original_reference") or None
        if row.get("total_charge"):
            claim.total_charge = self.money(number, "total_charge", row["total_charge"])
        if row.get("patient_birth_date"):
            claim.patient_birth_date = self.day(number, "patient_birth_date",
                                                row["patient_birth_date"])
        claim.patient_gender = (row.get("patient_gender") or "").upper() or None

    def add_row(self, number: int, row: dict[str, str]) -> None:
        claim = self.claim
        line_no = len(claim.lines) + 1
        if WIDTH in row:
            # The values may sit under the wrong columns (a name in a date column): none is
            # read, guessed or quoted (45 CFR 164.502(b), minimum necessary).
            got, want = row[WIDTH]
            self.claim.read_findings.append(Finding(
                code=CODE, severity="error", claim_id=self.claim.claim_id,
                message=(f"{self.path}: row {number} is misaligned: it has {got} fields, the header"
                         f" has {want} (an unquoted comma in a value, or a missing field); none of"
                         " its values is read, so the claim is checked without this row"),
                fix="Quote values that hold commas (\"Last, First\") or add the missing field,"
                    " then check the file again.",
                details={"file": str(self.path), "row": number, "column": "(row)",
                         "fields": got, "header_fields": want},
            ))
            return
        if SHORT in row:
            got, want = row[SHORT]
            self.short_rows.add(number)
            self.claim.read_findings.append(Finding(
                code=CODE, severity="warning", claim_id=self.claim.claim_id, line=line_no,
                message=(f"{self.path}: row {number} has {got} fields, the header has {want}: it is"
                         " read as if only its last field were missing (that column is taken as"
                         " empty); if a field is missing elsewhere in the row, its values sit"
                         " under the wrong columns"),
                fix="Add the missing last field (an empty value still needs its delimiter), then"
                    " check the file again.",
                details={"file": str(self.path), "row": number, "column": "(row)",
                         "fields": got, "header_fields": want},
            ))
        if not self.levelled:
            self._claim_level(number, row)
            self.levelled = True
        elif self._other_claim(number, row):
            return
        if QUOTE in row:
            self.finding(number, "(row)", "a double quote opens a value that is never closed on this "
                         "line; the row was read up to the end of the line: close the quote "
                         "or remove it", line_no)
        if ENCODING in row:
            self.finding(number, "(row)", "holds bytes that are not UTF-8; the file was read as "
                         "Windows-1252: check names and codes on this row, and save the file "
                         "as UTF-8", line_no, severity="warning")
        self._check_claim_level(number, row, line_no)
        code = row.get("procedure_code", "").upper()
        if not code:
            self.finding(number, "procedure_code", "is empty (required)", line_no)
        line = ServiceLine(number=line_no, procedure_code=code, source_row=number)
        line.modifiers = self.modifiers(number, row, line_no)
        if not row.get("date_of_service"):
            self.finding(number, "date_of_service", "is empty (required)", line_no)
        else:
            line.date_of_service = self.day(number, "date_of_service", row["date_of_service"],
                                            line_no)
        if row.get("date_of_service_end"):
            line.date_of_service_end = self.day(number, "date_of_service_end",
                                                row["date_of_service_end"], line_no)
        if not row.get("units"):
            self.finding(number, "units", "is empty (required)", line_no)
        else:
            line.units = self.number(number, "units", row["units"], line_no)
        if row.get("charge"):
            line.charge = self.money(number, "charge", row["charge"], line_no)
        if row.get("minutes"):
            minutes = self.number(number, "minutes", row["minutes"], line_no)
            if minutes is not None:
                if minutes != minutes.to_integral_value():
                    self.finding(number, "minutes", f"{row['minutes']!r} is not whole minutes",
                                 line_no)
                line.minutes = int(minutes)
        line.diagnosis_pointers = self.pointers(number, row, line_no)
        line.place_of_service = row.get("place_of_service") or claim.place_of_service
        line.control_number = row.get("line_control_number") or None
        rendering = _provider("rendering", row, "rendering")
        if rendering and (claim.rendering_provider is None
                          or (rendering.npi, rendering.taxonomy)
                          != (claim.rendering_provider.npi, claim.rendering_provider.taxonomy)):
            line.rendering_provider = rendering
        claim.lines.append(line)
        if not self.total_given:
            charges = [ln.charge for ln in claim.lines]
            claim.total_charge = (sum(charges, Decimal(0))
                                  if all(c is not None for c in charges) else None)

    def _other_claim(self, number: int, row: dict[str, str]) -> bool:
        """A row whose patient, payer or billing NPI differs from the claim's first row is no
        line of this claim (837P: one patient 2000B/2000C, payer 2010BB and billing provider
        2010AA per claim): CSV001 error naming the column (never the value); the row is left out."""
        claim = self.claim
        given = {"patient_key": (row.get("patient_key") or "").strip(),
                 "billing_npi": (row.get("billing_npi") or "").strip(),
                 "payer": payer_key(payer_id=row.get("payer_id"), name=row.get("payer_name")) or ""}
        have = {"patient_key": (claim.patient_key or "").strip(),
                "billing_npi": ((claim.billing_provider.npi if claim.billing_provider else None) or "").strip(),
                "payer": payer_key(claim.payer) or ""}
        differs = [c for c in given if given[c] and given[c] != have[c]]
        if not differs:
            return False
        column = "payer_id/payer_name" if differs[0] == "payer" else differs[0]
        names = ", ".join("payer" if c == "payer" else c for c in differs)
        self.finding(number, column,
                     f"{names} differ{'s' if len(differs) == 1 else ''} from the claim's first row (row "
                     f"{self.level_row}) under the same claim_id; one claim has one patient, payer and "
                     "billing provider (837P 2000B/2000C, 2010BB, 2010AA), so this row's service is left "
                     "out of the claim, not merged into it: give it its own claim_id")
        self.claim.read_findings[-1].details["columns"] = differs
        return True

    def _check_claim_level(self, number: int, row: dict[str, str], line_no: int) -> None:
        """Later rows may repeat the claim's diagnoses but not contradict them."""
        if not self.claim.lines:
            return
        for i, column in enumerate(DX_COLUMNS):
            raw = row.get(column, "")
            if not raw:
                continue
            code = raw.replace(".", "").replace(" ", "").upper()
            first = self.dx_codes[i] if i < len(self.dx_codes) else None
            if code != first:
                self.finding(number, column,
                             f"{raw!r} disagrees with the claim's first row "
                             f"({first or 'empty'}); the first row's diagnoses are used", line_no)

    # value parsers: return None and record a finding when the value is bad
    def day(self, row: int, column: str, raw: str, line: int | None = None) -> date | None:
        value, why = parse_day(raw)
        if value is None:
            self.finding(row, column, f"{raw!r} is not a valid date ({why})", line)
        return value

    def number(self, row: int, column: str, raw: str, line: int | None = None) -> Decimal | None:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.finding(row, column, f"{raw!r} is not a number", line)
            return None
        if value < 0:
            self.finding(row, column, f"{raw!r} is negative", line)
            return None
        return value

    def money(self, row: int, column: str, raw: str, line: int | None = None) -> Decimal | None:
        return self.number(row, column, raw.replace("$", "").replace(",", ""), line)

    def modifiers(self, row: int, values: dict[str, str], line: int) -> list[str]:
        raw = [values.get("modifiers", "")] + [values.get(c, "") for c in MODIFIER_COLUMNS]
        found = [m.upper() for m in _SPLIT.split(" ".join(raw)) if m]
        for m in found:
            if not re.fullmatch(r"[A-Z0-9]{2}", m):
                self.finding(row, "modifiers", f"{m!r} is not a two-character modifier", line)
        if len(found) > 4:
            self.finding(row, "modifiers", f"{len(found)} modifiers; a line carries at most 4",
                         line, severity="warning")
        return found

    def pointers(self, row: int, values: dict[str, str], line: int) -> list[int]:
        raw = values.get("diagnosis_pointers", "")
        tokens = [t for t in _SPLIT.split(raw) if t]
        if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) > 1:
            tokens = list(tokens[0])  # "AB" as printed in CMS-1500 box 24E
        tokens += [values[c] for c in POINTER_COLUMNS if values.get(c)]
        pointers: list[int] = []
        for token in tokens:
            if token.isdigit() and 1 <= int(token) <= 12:
                pointers.append(int(token))
            elif len(token) == 1 and token.upper() in _POINTER_LETTERS:
                pointers.append(_POINTER_LETTERS.index(token.upper()) + 1)
            else:
                self.finding(row, "diagnosis_pointers",
                             f"{token!r} is not a diagnosis pointer (1-12 or A-L)", line)
        return pointers


def _provider(role: str, row: dict[str, str], prefix: str) -> Provider | None:
    npi = row.get(f"{prefix}_npi") or None
    taxonomy = (row.get(f"{prefix}_taxonomy") or "").upper() or None
    name = row.get(f"{prefix}_name") or None
    zip_code = row.get(f"{prefix}_zip") or None
    if not (npi or taxonomy or name or zip_code):
        return None
    return Provider(role=role, npi=npi, name=name, taxonomy=taxonomy,
                    zip_code=zip_code.replace("-", "") if zip_code else None,
                    tax_id=row.get(f"{prefix}_tax_id") or None,
                    state=(row.get(f"{prefix}_state") or "").upper() or None)
