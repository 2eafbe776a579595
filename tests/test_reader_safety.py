"""Readers never drop a claim and never echo patient data (found by a new-user trial)."""

from __future__ import annotations

from cleanclaim.formats.csv_reader import iter_csv
from cleanclaim.formats.fhir_reader import iter_fhir
from cleanclaim.model import Claim

HEADER = "claim_id,date_of_service,procedure_code,units,charge,dx1,patient_birth_date\n"


def test_csv_bad_birth_date_is_reported_without_the_value(tmp_path):
    path = tmp_path / "phi.csv"
    path.write_text(HEADER + "P1,2026-05-05,97110,1,40,M54.50,17/04/1991\n")
    (claim,) = [c for c in iter_csv(path) if isinstance(c, Claim)]
    messages = " ".join(f.message for f in claim.read_findings)
    assert "patient_birth_date" in messages and "1991" not in messages


def test_csv_row_with_extra_fields_is_flagged(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(HEADER + "R1,2026-05-05,97110,1,40,M54.50,,extra,more\n")
    (claim,) = [c for c in iter_csv(path) if isinstance(c, Claim)]
    assert any("has 9 fields, the header has 7" in f.message for f in claim.read_findings)


def test_ndjson_bad_line_keeps_the_other_claims(tmp_path):
    good = ('{"resourceType": "Claim", "id": "N%d", "status": "active", "use": "claim", '
            '"type": {"coding": [{"code": "professional"}]}, "patient": {"reference": "Patient/p"}, '
            '"created": "2026-05-05", "provider": {"reference": "Organization/o"}, '
            '"priority": {"coding": [{"code": "normal"}]}, "insurance": [{"sequence": 1, '
            '"focal": true, "coverage": {"reference": "Coverage/c"}}]}')
    path = tmp_path / "claims.ndjson"
    path.write_text("\n".join([good % 1, '{"resourceType": "Claim", "id": ', good % 3]) + "\n")
    claims = [c for c in iter_fhir(path) if isinstance(c, Claim)]
    assert [c.claim_id for c in claims] == ["N1", "claims.ndjson#line2", "N3"]
    assert claims[1].read_findings[0].code == "FHIR001"
    assert "line 2 is not JSON" in claims[1].read_findings[0].message
