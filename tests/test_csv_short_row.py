"""Trial-9 N13: a CSV row missing only its last field is read (not dropped), with a CSV001
warning naming the row and the field counts and quoting no cell value (45 CFR 164.502(b),
minimum necessary). RFC 4180 §2 item 4: each line should hold the same number of fields."""

from __future__ import annotations

from decimal import Decimal

from cleanclaim.formats.csv_reader import iter_csv
from cleanclaim.model import Claim

HEADER = "claim_id,date_of_service,procedure_code,units,charge,dx1,patient_key\n"


def _claims(path):
    return [c for c in iter_csv(path) if isinstance(c, Claim)]


def test_row_missing_only_its_last_field_is_read_with_a_warning(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(HEADER + "S1,2026-05-05,97110,1,40,M54.50,SECRETKEY\n"
                             "S1,2026-05-05,97140,2,80,M54.50\n")
    (claim,) = _claims(path)
    assert [ln.procedure_code for ln in claim.lines] == ["97110", "97140"]  # not dropped
    assert claim.lines[1].units == Decimal("2") and claim.lines[1].charge == Decimal("80")
    (f,) = [f for f in claim.read_findings if f.code == "CSV001"]
    assert f.severity == "warning" and f.line == 2
    assert "row 3 has 6 fields, the header has 7" in f.message
    assert f.details["row"] == 3 and f.details["fields"] == 6 and f.details["header_fields"] == 7
    assert "SECRETKEY" not in f.message and "M54.50" not in f.message


def test_short_row_values_are_never_quoted(tmp_path):
    path = tmp_path / "shifted.csv"  # the date is left out: every value sits one column off
    path.write_text(HEADER + "S2,97110,1,40,M54.50,PATIENTX\n")
    (claim,) = _claims(path)
    text = " ".join(f.message for f in claim.read_findings)
    assert "row 2 has 6 fields" in text
    assert "PATIENTX" not in text and "97110" not in text and "M54.50" not in text


def test_row_missing_two_fields_is_still_misaligned_and_not_read(tmp_path):
    path = tmp_path / "short2.csv"
    path.write_text(HEADER + "S3,2026-05-05,97110,1,40,M54.50,K\nS3,2026-05-05,97140,2\n")
    (claim,) = _claims(path)
    assert [ln.procedure_code for ln in claim.lines] == ["97110"]
    assert any("row 3 is misaligned: it has 4 fields" in f.message for f in claim.read_findings)
