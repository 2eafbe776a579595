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

from ..findings import Finding
from ..model import Claim, Diagnosis, Payer, Provider, ServiceLine

REQUIRED = ("claim_id", "date_of_service", "procedure_code", "units")
DX_COLUMNS = tuple(f"dx{i}" for i in range(1, 13))
MODIFIER_COLUMNS = tuple(f"modifier{i}" for i in range(1, 5))
ALIASES = {
    "dos": "date_of_service",
    "service_date": "date_of_service",
    "cpt": "procedure_code",
    "hcpcs": "procedure_code",
    "pos": "place_of_service",
    "pointers": "diagnosis_pointers",
    "dx_pointers": "diagnosis_pointers",
    "claim_filing_indicator": "payer_type",
    "prior_authorization": "prior_auth",
    "referral": "referral_number",
    "modifier": "modifiers",
}
for _i in range(1, 13):
    ALIASES[f"diagnosis{_i}"] = f"dx{_i}"
    ALIASES[f"icd{_i}"] = f"dx{_i}"

CODE = "CSV001"
# Columns whose values identify a patient (or may, when mistyped): never echoed in messages.
PATIENT_COLUMNS = frozenset({"patient_key", "patient_birth_date", "patient_gender", "patient_name"})
_QUOTED = re.compile(r"^'[^']*'|^\"[^\"]*\"")
WIDTH = "\x00fields"  # key carrying (fields in the row, fields in the header)
QUOTE = "\x00quote"  # a quote opened in the row is never closed
ENCODING = "\x00encoding"  # the row held bytes that are not UTF-8
_SPLIT = re.compile(r"[\s,:;]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_POINTER_LETTERS = "ABCDEFGHIJKL"


class CsvInputError(ValueError):
    """The file cannot be read as claim CSV at all (bad header, not UTF-8)."""


def _column_name(raw: str) -> str:
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return ALIASES.get(name, name)


def _encoding(path: Path) -> tuple[str, list[int]]:
    """("utf-8-sig", []) for UTF-8 text; else ("cp1252", [line numbers with non-UTF-8 bytes]).

    Spreadsheet exports on Windows are often Windows-1252 ("café", "Ã©" garbles). Such a
    file is read as Windows-1252 and the rows that held non-UTF-8 bytes are reported.
    """
    bad_lines: list[int] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.append(number)
    return ("utf-8-sig", []) if not bad_lines else ("cp1252", bad_lines)


def _lines(path: Path, encoding: str) -> Iterator[str]:
    # cp1252 leaves five bytes undefined (0x81 0x8D 0x8F 0x90 0x9D): keep them as latin-1.
    errors = "strict" if encoding.startswith("utf-8") else "latin1_fallback"
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def _latin1_fallback(exc: UnicodeDecodeError):
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _split(line: str, delimiter: str) -> tuple[list[str], bool]:
    """One physical line -> (fields, quote left open). Claim data never spans lines."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True)), False
    except csv.Error:
        return next(csv.reader([line], delimiter=delimiter)), True
    except StopIteration:
        return [], False


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(file line number, row keyed by canonical column name); the header is line 1.

    Each physical line is one row: a quote left open spoils only its own row (the
    row carries a QUOTE mark) instead of swallowing the rest of the file.
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
    for number, line in lines:
        if not line.strip():
            continue
        values, open_quote = _split(line, delimiter)
        if not any(v.strip() for v in values):
            continue
        row = {n: v.strip() for n, v in zip(names, values) if n}
        if len(values) != len(header):
            row[WIDTH] = (len(values), len(header))
        if open_quote:
            row[QUOTE] = True
        if number in bad:
            row[ENCODING] = encoding
        yield number, row


def _last_rows(path: Path) -> dict[str, int]:
    """claim_id -> line number of its last row (first pass, ids only)."""
    last: dict[str, int] = {}
    for number, row in _read_rows(path):
        last[row.get("claim_id", "") or f"#row{number}"] = number
    return last


def iter_csv(path: str | Path) -> Iterator[Claim | Finding]:
    """Yield one Claim per claim_id, in first-seen order, as soon as it is complete."""
    path = Path(path)
    last = _last_rows(path)
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


class _ClaimBuilder:
    """Collects the rows of one claim."""

    def __init__(self, path: Path, key: str, number: int, first: dict[str, str]) -> None:
        self.path = path
        self.complete = False
        claim_id = first.get("claim_id") or f"{path.name}#row{number}"
        self.claim = Claim(claim_id=claim_id, source=str(path), source_row=number)
        self.dx_codes: list[str] = []
        self.total_given = bool(first.get("total_charge"))
        if not first.get("claim_id"):
            self.finding(number, "claim_id", "is empty; the row is kept as its own claim")
        self._claim_level(number, first)

    def finding(self, row: int, column: str, why: str, line: int | None = None,
                severity: str = "error") -> None:
        if column in PATIENT_COLUMNS or column in DX_COLUMNS:
            why = _QUOTED.sub("the value", why, count=1)  # never echo patient data
        self.claim.read_findings.append(Finding(
            code=CODE, severity=severity, claim_id=self.claim.claim_id, line=line,
            message=f"{self.path}: row {row}, column {column}: {why}",
            details={"file": str(self.path), "row": row, "column": column},
        ))

    def _claim_level(self, number: int, row: dict[str, str]) -> None:
        claim = self.claim
        for column in DX_COLUMNS:
            raw = row.get(column, "")
            if not raw:
                continue
            code = raw.replace(".", "").replace(" ", "").upper()
            if not _ICD10.match(code):
                self.finding(number, column, f"{raw!r} is not an ICD-10-CM code")
            self.dx_codes.append(code)
            claim.diagnoses.append(Diagnosis(
                code=code, position=len(claim.diagnoses) + 1,
                qualifier="ABK" if not claim.diagnoses else "ABF"))
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
            got, want = row[WIDTH]
            self.finding(number, "(row)", f"has {got} fields, the header has {want}: values may be "
                         "in the wrong columns (an unquoted comma or a missing field)", line_no)
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
        if _ISO_DATE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        self.finding(row, column, f"{raw!r} is not a valid date (expected YYYY-MM-DD)", line)
        return None

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
