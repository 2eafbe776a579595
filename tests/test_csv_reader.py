"""CSV reader: one row per service line, grouped by claim_id (docs/formats.md)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.formats.csv_reader import CsvInputError, iter_csv
from cleanclaim.model import Claim

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def read(name: str) -> list[Claim]:
    items = list(iter_csv(FIXTURES / name))
    assert all(isinstance(i, Claim) for i in items)
    return items


def test_interleaved_rows_group_into_claims_in_first_seen_order():
    claims = read("therapy_claims.csv")
    assert [c.claim_id for c in claims] == ["PT-1001", "PT-1002"]
    first, second = claims
    assert [ln.procedure_code for ln in first.lines] == ["97110", "97530"]
    assert [ln.number for ln in first.lines] == [1, 2]
    assert [ln.procedure_code for ln in second.lines] == ["97140", "97112"]
    assert first.read_findings == [] and second.read_findings == []


def test_claim_and_line_fields():
    first, second = read("therapy_claims.csv")
    line = first.lines[0]
    assert line.date_of_service == date(2025, 3, 4)
    assert line.units == Decimal("2") and line.charge == Decimal("80.00")
    assert line.minutes == 30 and line.place_of_service == "11"
    assert line.diagnosis_pointers == [1, 2]
    assert first.total_charge == Decimal("130.00")
    assert first.payer.claim_filing_indicator == "MB"
    assert first.billing_provider.npi == "1234567893"
    assert first.billing_provider.zip_code == "331110000"
    assert first.rendering_provider.taxonomy == "225100000X"
    assert second.prior_authorization == "PA-77"
    # "GP:59" splits on the colon, as an SV101 composite would
    assert second.lines[0].modifiers == ["GP", "59"]


def test_icd10_codes_are_stored_without_the_dot():
    # ICD-10-CM tabular: M54.50 "Low back pain, unspecified"; 7th character A = initial encounter
    first, second = read("therapy_claims.csv")
    assert [(d.code, d.position) for d in first.diagnoses] == [("M5450", 1), ("M6281", 2)]
    assert first.diagnoses[0].qualifier == "ABK" and first.diagnoses[1].qualifier == "ABF"
    # the later row gives S134XXA without the dot: same code, no finding
    assert [d.code for d in second.diagnoses] == ["S134XXA"]


def test_pointer_letters_follow_cms1500_box_24e():
    # CMS-1500 box 24E points with letters A-L to the diagnoses in box 21
    _, second = read("therapy_claims.csv")
    assert second.lines[1].diagnosis_pointers == [1]


def test_line_rendering_only_when_it_differs_from_the_claim():
    _, second = read("therapy_claims.csv")
    assert second.lines[0].rendering_provider is None
    assert second.lines[1].rendering_provider.npi == "1467777776"
    assert second.rendering_for(second.lines[1]).npi == "1467777776"


def test_bad_rows_keep_their_claim_with_findings():
    ob1, ob2 = read("bad_rows.csv")
    assert len(ob1.lines) == 2 and ob1.lines[0].date_of_service is None
    assert ob1.lines[1].units is None and ob1.lines[1].modifiers == ["25"]
    by_column = {f.details["column"]: f for f in ob1.read_findings}
    assert set(by_column) == {"date_of_service", "units", "dx2"}
    date_finding = by_column["date_of_service"]
    assert date_finding.code == "CSV001" and date_finding.severity == "error"
    assert "bad_rows.csv" in date_finding.message and "row 2" in date_finding.message
    assert "date_of_service" in date_finding.message and date_finding.line == 1
    assert "row 3" in by_column["units"].message and by_column["units"].line == 2
    assert "disagrees" in by_column["dx2"].message
    # the first row's diagnoses win: Z3A.30 = 30 weeks gestation
    assert [d.code for d in ob1.diagnoses] == ["O26893", "Z3A30"]
    assert [f.details["column"] for f in ob2.read_findings] == ["procedure_code"]
    assert ob2.lines[0].diagnosis_pointers == [7]  # kept; a rule judges it


def test_bom_and_header_aliases():
    (claim,) = read("bom_aliases.csv")
    assert claim.claim_id == "B-1"
    assert claim.lines[0].procedure_code == "97010"
    assert [d.code for d in claim.diagnoses] == ["M5450"]


def test_missing_required_header_raises_naming_file_and_columns():
    with pytest.raises(CsvInputError) as exc:
        list(iter_csv(FIXTURES / "missing_units.csv"))
    assert "missing_units.csv" in str(exc.value) and "units" in str(exc.value)


def test_a_claim_whose_rows_are_split_waits_for_its_last_row(tmp_path):
    rows = ["claim_id,date_of_service,procedure_code,units"]
    rows += [f"C{i},2025-01-0{1 + i % 9},97110,1" for i in range(3)]
    path = tmp_path / "grouped.csv"
    path.write_text("\n".join(rows) + "\nC2,2025-01-03,97112,1\n")
    claims = iter_csv(path)
    assert next(claims).claim_id == "C0"
    assert [c.claim_id for c in claims] == ["C1", "C2"]
    assert len(list(iter_csv(path))[2].lines) == 2


def test_row_without_claim_id_becomes_its_own_claim(tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units\n,2025-01-02,97110,1\n")
    (claim,) = read_path(path)
    assert claim.claim_id == "noid.csv#row2"
    assert claim.read_findings[0].details["column"] == "claim_id"


def read_path(path):
    return list(iter_csv(path))


def test_windows_1252_file_is_read_and_its_rows_are_named(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"claim_id,date_of_service,procedure_code,units,payer_name\n"
                     b"A1,2025-01-02,97110,1,ACME\n"
                     b"A2,2025-01-02,97140,1,Caf\xe9 Health\n")
    first, second = read_path(path)
    assert first.read_findings == []
    assert second.payer.name == "Caf\u00e9 Health"  # 0xE9 is e-acute in Windows-1252
    (finding,) = second.read_findings
    assert finding.severity == "warning"
    assert "row 3" in finding.message and "Windows-1252" in finding.message


def test_unclosed_quote_spoils_only_its_row(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,pointers\n"
                    'B1,2025-01-02,97110,1,"1,2\n'
                    "B2,2025-01-02,97140,1,1\n"
                    "B3,2025-01-02,97124,1,1\n")
    claims = read_path(path)
    assert [c.claim_id for c in claims] == ["B1", "B2", "B3"]
    (finding,) = [f for f in claims[0].read_findings if "never closed" in f.message]
    assert finding.severity == "error" and "row 2" in finding.message
    assert claims[1].read_findings == [] and claims[2].lines[0].procedure_code == "97124"


def test_service_facility_columns_become_2310c(tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,billing_zip,service_facility_zip\n"
                    "C1,2025-01-02,97140,1,100010000,12208-1234\n")
    (claim,) = read_path(path)
    assert claim.service_facility.zip_code == "122081234"
    assert claim.service_facility.role == "service_facility"
    assert claim.billing_provider.zip_code == "100010000"


# -- trial 2: header spellings (#2), RFC 4180 line breaks (#12), UTF-16 and US dates (#13) --

def read_all(name: str):
    return list(iter_csv(FIXTURES / name))


def test_common_header_spellings_are_read():
    # 'Mod 1'/'modifier_2', 'DX 1'/'diag2'/'ICD-10 3', 'CPT/HCPCS', 'Rendering Provider NPI'
    items = read_all("header_spellings.csv")
    (claim,) = [i for i in items if isinstance(i, Claim)]
    assert claim.claim_id == "H1" and claim.read_findings == []
    line = claim.lines[0]
    assert line.procedure_code == "97110" and line.modifiers == ["GP", "59"]
    assert [d.code for d in claim.diagnoses] == ["M5450", "M6281", "R2689"]
    assert line.date_of_service == date(2026, 9, 15) and line.minutes == 30
    assert claim.payer.claim_filing_indicator == "MB"
    assert claim.rendering_provider.npi == "1992999999"


def test_columns_not_read_are_named_in_one_file_level_warning():
    (warning,) = [i for i in read_all("header_spellings.csv") if not isinstance(i, Claim)]
    assert warning.code == "CSV002" and warning.severity == "warning"
    assert warning.details["columns"] == ["Patient Name", "Note"]
    assert "'Patient Name', 'Note'" in warning.message and "not read" in warning.message
    assert "SYNTHETIC" not in warning.message  # header names only, never values


@pytest.mark.parametrize("spelling, column", [
    ("Modifier 1", "modifier1"), ("modifier_1", "modifier1"), ("mod1", "modifier1"),
    ("Mod 4", "modifier4"), ("DX 1", "dx1"), ("dx_12", "dx12"), ("diag1", "dx1"),
    ("diagnosis 1", "dx1"), ("ICD-10 1", "dx1"), ("CPT/HCPCS", "procedure_code"),
    ("DOS", "date_of_service"), ("Units", "units"), ("NPI", "rendering_npi"),
    ("Rendering NPI", "rendering_npi"), ("Billing Provider NPI", "billing_npi"),
])
def test_header_spelling(spelling, column):
    from cleanclaim.formats.csv_reader import _column_name

    assert _column_name(spelling) == column


def test_a_column_given_twice_is_warned(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,DX 1,dx1\n"
                    "T1,2026-09-15,97110,1,M54.50,M62.81\n")
    (warning,) = [i for i in read_path(path) if not isinstance(i, Claim)]
    assert "both mean dx1" in warning.message


def test_a_quoted_cell_may_hold_a_line_break_rfc4180():
    # RFC 4180 section 2.6: fields containing line breaks must be enclosed in double quotes
    claims = [i for i in read_all("multiline_note.csv") if isinstance(i, Claim)]
    assert [c.claim_id for c in claims] == ["M1", "M2"]
    assert claims[0].read_findings == [] and claims[1].read_findings == []
    assert claims[0].lines[0].units == Decimal("2") and claims[1].source_row == 4


def test_a_quote_that_closes_with_the_wrong_field_count_spoils_only_its_row(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,note\n"
                    'Q1,2025-01-02,97110,1,"open\n'
                    'Q2,2025-01-02,97140,1,"closed"\n'  # closes the quote: 9 fields, not 5
                    "Q3,2025-01-02,97124,1,x\n")
    claims = [c for c in read_path(path) if isinstance(c, Claim)]
    assert [c.claim_id for c in claims] == ["Q1", "Q2", "Q3"]
    assert any("never closed" in f.message for f in claims[0].read_findings)
    assert claims[1].lines[0].procedure_code == "97140"


def test_a_quote_open_for_more_than_the_span_limit_is_not_joined(tmp_path):
    from cleanclaim.formats.csv_reader import SPAN_LINES

    path = tmp_path / "long.csv"
    body = "\n".join(f"text {i}" for i in range(SPAN_LINES + 1))
    path.write_text("claim_id,date_of_service,procedure_code,units,note\n"
                    f'L1,2025-01-02,97110,1,"{body}"\n')
    claim = [c for c in read_path(path) if isinstance(c, Claim)][0]
    assert claim.claim_id == "L1"
    assert any("never closed" in f.message for f in claim.read_findings)


@pytest.mark.parametrize("name", ["utf16_unicode_text.csv", "utf16_be.csv"])
def test_utf16_unicode_text_is_read(name):
    # Excel "Unicode Text": UTF-16 with a byte-order mark (FF FE / FE FF), tab-delimited
    first, second = read_all(name)
    assert (first.claim_id, second.claim_id) == ("U1", "U2")
    assert first.lines[0].date_of_service == date(2026, 9, 5)  # M/D/YYYY
    assert second.lines[0].date_of_service == date(2026, 9, 6)  # YYYYMMDD (X12 D8)
    assert first.lines[0].modifiers == ["GP"] and first.read_findings == []


@pytest.mark.parametrize("raw, expected", [
    ("09/15/2026", date(2026, 9, 15)), ("9/5/2026", date(2026, 9, 5)),
    ("20260915", date(2026, 9, 15)), ("2026-09-15", date(2026, 9, 15)),
])
def test_us_and_iso_dates(raw, expected):
    from cleanclaim.formats.csv_reader import parse_day

    assert parse_day(raw) == (expected, "")


@pytest.mark.parametrize("raw, why", [
    ("09/15/26", "2-digit year is ambiguous"), ("15/09/2026", "month first"),
    ("02/30/2026", "day is out of range"), ("Sept 5", "expected YYYY-MM-DD, MM/DD/YYYY"),
])
def test_bad_dates_are_csv001_naming_row_and_column(tmp_path, raw, why):
    path = tmp_path / "d.csv"
    path.write_text(f"claim_id,date_of_service,procedure_code,units\nD1,{raw},97110,1\n")
    (claim,) = read_path(path)
    (finding,) = claim.read_findings
    assert finding.code == "CSV001" and finding.severity == "error"
    assert "row 2, column date_of_service" in finding.message and why in finding.message
    assert claim.lines[0].date_of_service is None


def test_lowercase_modifiers_are_upper_cased(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,modifier1,modifier2\n"
                    "L1,2026-09-15,97110,1,gp,kx\n")
    (claim,) = read_path(path)
    assert claim.lines[0].modifiers == ["GP", "KX"]


def test_one_pointer_per_column(tmp_path):
    # CMS-1500 box 24E holds up to 4 pointers; exports often give one column each
    path = tmp_path / "p.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,dx1,dx2,Dx Pointer 1,Dx Pointer 2\n"
                    "P1,2026-09-15,97110,1,M54.50,M62.81,2,A\n")
    (claim,) = read_path(path)
    assert claim.lines[0].diagnosis_pointers == [2, 1] and claim.read_findings == []
