"""FHIR R4 Claim reader: single resource, Bundle, NDJSON (docs/formats.md)."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.formats.fhir_reader import FhirInputError, iter_fhir

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"


def read(name):
    return list(iter_fhir(FIXTURES / name))


def test_single_claim_maps_claim_level_fields():
    (claim,) = read("claim_single.json")
    assert claim.read_findings == []
    assert claim.claim_id == "OB-2001"  # identifier wins over the resource id
    assert claim.total_charge == Decimal("215.5")
    assert claim.payer.name == "Acme Health Plan" and claim.payer.payer_id == "60054"
    assert claim.payer.claim_filing_indicator == "CI"
    assert claim.prior_authorization == "PA-5531" and claim.referral_number == "RF-19"
    assert claim.frequency_code == "1"
    assert claim.patient_key == "Patient/syn-1"


def test_diagnoses_follow_sequence_and_drop_the_dot():
    # ICD-10-CM: O26.893 (other pregnancy-related conditions, third trimester), Z3A.30 (30 weeks)
    (claim,) = read("claim_single.json")
    assert [(d.code, d.position, d.qualifier) for d in claim.diagnoses] == [
        ("O26893", 1, "ABK"), ("Z3A30", 2, "ABF")]


def test_providers_from_contained_resources():
    (claim,) = read("claim_single.json")
    billing, rendering = claim.billing_provider, claim.rendering_provider
    assert (billing.npi, billing.taxonomy, billing.entity_type) == ("1234567893", "207V00000X", "2")
    assert billing.zip_code == "100011234" and billing.state == "NY"
    assert (rendering.npi, rendering.taxonomy, rendering.entity_type) == (
        "1992999998", "367A00000X", "1")


def test_items_become_service_lines():
    (claim,) = read("claim_single.json")
    first, second = claim.lines
    assert (first.procedure_code, first.modifiers, first.units) == ("99213", ["25"], Decimal(1))
    assert first.charge == Decimal("120.0") and first.date_of_service == date(2025, 3, 7)
    assert first.diagnosis_pointers == [1, 2] and first.place_of_service == "11"
    assert second.charge == Decimal("95.5")  # unitPrice x quantity when net is absent
    assert second.date_of_service_end == date(2025, 3, 7)
    assert second.minutes == 20
    assert claim.place_of_service == "11"


def test_bundle_resolves_references_by_full_url_and_type_id():
    claims = read("bundle_two_claims.json")
    assert [c.claim_id for c in claims] == ["PT-3001", "PT-3002"]
    for claim in claims:  # one by urn:uuid fullUrl, one by Organization/clinic
        assert claim.billing_provider.npi == "1467777776"
        assert claim.billing_provider.taxonomy == "225100000X"
        assert claim.patient_birth_date == date(1958, 6, 1) and claim.patient_gender == "F"
    assert claims[0].total_charge == Decimal(120)


def test_ndjson_invalid_resources_are_kept_with_a_finding():
    valid, bad_quantity, no_id = read("claims.ndjson")
    assert valid.claim_id == "PT-4001" and valid.read_findings == []
    finding = bad_quantity.read_findings[0]
    assert finding.code == "FHIR001" and finding.severity == "error"
    assert "claims.ndjson" in finding.message and "line 2" in finding.message
    assert "quantity" in finding.message
    assert bad_quantity.lines[0].procedure_code == "97530" and bad_quantity.lines[0].units is None
    assert no_id.claim_id == "claims.ndjson#3"
    assert "created" in no_id.read_findings[0].message


def test_missing_required_element_is_named(tmp_path):
    resource = json.loads((FIXTURES / "claim_single.json").read_text())
    del resource["patient"]
    path = tmp_path / "nopatient.json"
    path.write_text(json.dumps(resource))
    (claim,) = iter_fhir(path)
    assert claim.claim_id == "OB-2001"
    assert "patient" in claim.read_findings[0].message
    assert "resource 1" in claim.read_findings[0].message


def test_not_a_claim_file_is_an_input_error(tmp_path):
    path = tmp_path / "patient.json"
    path.write_text('{"resourceType": "Patient"}')
    with pytest.raises(FhirInputError, match="patient.json"):
        list(iter_fhir(path))
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": ')
    with pytest.raises(FhirInputError, match="broken.json"):
        list(iter_fhir(broken))


def _bundle(*claims):
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{i}", "resource": c} for i, c in enumerate(claims)]}


def test_status_outside_required_value_set_is_flagged(tmp_path):
    res = json.loads((FIXTURES / "claim_single.json").read_text())
    res["status"] = "submitted"  # not a FinancialResourceStatusCodes value
    path = tmp_path / "c.json"
    path.write_text(json.dumps(res))
    (claim,) = list(iter_fhir(path))
    messages = [f.message for f in claim.read_findings if f.severity == "error"]
    assert any("Claim.status 'submitted'" in m and "active | cancelled | draft | entered-in-error" in m
               for m in messages)


def test_duplicate_claim_in_bundle_is_flagged_on_the_second(tmp_path):
    res = json.loads((FIXTURES / "claim_single.json").read_text())
    path = tmp_path / "b.json"
    path.write_text(json.dumps(_bundle(res, res)))
    first, second = list(iter_fhir(path))
    assert not [f for f in first.read_findings if "also used by" in f.message]
    dup = [f for f in second.read_findings if "also used by entry 1" in f.message]
    assert dup and dup[0].severity == "error"


def test_lowercase_modifier_is_read_upper_case(tmp_path):
    # HCPCS/CPT modifiers are upper case (CMS HCPCS modifier list; 837P SV101-3): 'gp' is GP
    res = json.loads((FIXTURES / "claim_single.json").read_text())
    res["item"][0]["modifier"] = [{"coding": [{"code": "gp"}]}]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(res))
    (claim,) = list(iter_fhir(path))
    assert claim.lines[0].modifiers == ["GP"]
