"""CSV rows sharing a claim_id must belong to one patient, payer and billing provider: an 837P
claim (2300 CLM) sits under one billing provider (2000A/2010AA), one subscriber/patient
(2000B/2000C) and one payer (2010BB). A row that differs is a CSV001 error naming the column
(never the value) and is left out of the claim, not merged into it (trial 8 N9)."""

from __future__ import annotations

from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.formats.csv_reader import iter_csv

HEADER = "claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,billing_npi,billing_zip,payer_name,payer_id,payer_type,patient_key\n"
ROW = "{id},{dos},{code},GP,1,45,M54.50,{npi},12203,MEDICARE PART B,{payer},MB,{patient}\n"


def _write(tmp_path, rows):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "".join(ROW.format(**{"npi": "1456789019", "payer": "13202", **r}) for r in rows))
    return path


def _claims(path):
    return {c.claim_id: c for c in iter_csv(path) if hasattr(c, "lines")}


def test_another_patient_under_the_same_claim_id_is_left_out_and_named_by_column(tmp_path):
    path = _write(tmp_path, [
        {"id": "X1", "dos": "2025-06-12", "code": "97530", "patient": "SYN-Q1"},
        {"id": "X2", "dos": "2025-06-12", "code": "97110", "patient": "SYN-Q1"},
        {"id": "X1", "dos": "2025-06-19", "code": "97110", "patient": "SYN-Q2"},
    ])
    claims = _claims(path)
    x1 = claims["X1"]
    assert [ln.procedure_code for ln in x1.lines] == ["97530"] and x1.patient_key == "SYN-Q1"
    (f,) = x1.read_findings
    assert f.code == "CSV001" and f.severity == "error" and f.details["row"] == 4
    assert f.details["column"] == "patient_key" and "SYN" not in f.message
    assert claims["X2"].read_findings == []


def test_another_payer_or_billing_npi_is_reported_too_and_repeats_are_fine(tmp_path):
    path = _write(tmp_path, [
        {"id": "X1", "dos": "2025-06-12", "code": "97530", "patient": "SYN-Q1"},
        {"id": "X1", "dos": "2025-06-12", "code": "97110", "patient": "SYN-Q1"},  # same claim
        {"id": "X1", "dos": "2025-06-12", "code": "97140", "patient": "SYN-Q1", "payer": "60054"},
        {"id": "X1", "dos": "2025-06-12", "code": "97112", "patient": "SYN-Q1", "npi": "1234567893"},
    ])
    x1 = _claims(path)["X1"]
    assert [ln.procedure_code for ln in x1.lines] == ["97530", "97110"]
    assert [f.details["column"] for f in x1.read_findings] == ["payer_id/payer_name", "billing_npi"]
    assert all("60054" not in f.message and "1234567893" not in f.message for f in x1.read_findings)


def test_the_mixed_claim_is_not_clean_and_not_recorded(tmp_path):
    path = _write(tmp_path, [
        {"id": "X1", "dos": "2025-06-12", "code": "97530", "patient": "SYN-Q1"},
        {"id": "X1", "dos": "2025-06-19", "code": "97110", "patient": "SYN-Q2"},
    ])
    db = tmp_path / "h.sqlite"
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2025-07-01", "--record", "--db", str(db)])
    assert result.exit_code == 1 and "CSV001" in result.stdout
    assert "recorded 0 claim(s)" in result.stderr and "1 not recorded" in result.stderr
