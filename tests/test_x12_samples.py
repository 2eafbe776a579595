"""The X12 guide sample 837P files (005010X222A2 examples) read whole, with their values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import iter_837
from cleanclaim.model import Claim

SHARED = Path("/work/shared/samples/x12")
FIXTURES = Path(__file__).parent / "fixtures" / "x12"
SHARED_FILES = sorted(SHARED.glob("*.837")) if SHARED.is_dir() else []


def read(path: Path) -> tuple[list[Claim], list[Finding]]:
    items = list(iter_837(path))
    return [i for i in items if isinstance(i, Claim)], [i for i in items if isinstance(i, Finding)]


def sample(name: str) -> Path:
    """A guide sample from the shared folder, else the copy kept in the fixtures."""
    if (FIXTURES / name).exists():
        return FIXTURES / name
    if not (SHARED / name).exists():
        pytest.skip(f"{name} needs /work/shared")
    return SHARED / name


@pytest.mark.skipif(not SHARED_FILES, reason="/work/shared/samples/x12 is absent")
@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_every_shared_sample_reads_whole(path):
    claims, file_findings = read(path)
    # Each guide example carries one CLM, its envelope counts are right (SE01 = ST..SE).
    assert file_findings == []
    assert len(claims) == 1
    segments = [s.strip() for s in path.read_text().split("~") if s.strip()]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    sv1_positions = [i - st + 1 for i, s in enumerate(segments) if s.startswith("SV1*")]
    clm = next(s for s in segments if s.startswith("CLM*"))
    claim = claims[0]
    assert claim.claim_id == clm.split("*")[1]
    assert [ln.segment_number for ln in claim.lines] == sv1_positions
    assert not [f for f in claim.read_findings if f.severity == "error"]


def test_example1_claim_lines_pointers_and_billing_provider():
    (claim,), _ = read(sample("demo.example1.837"))
    assert claim.claim_id == "26463774"
    assert claim.total_charge == Decimal("100.00")
    assert (claim.place_of_service, claim.frequency_code) == ("11", "1")
    assert [(d.code, d.position, d.qualifier) for d in claim.diagnoses] == [
        ("0340", 1, "BK"),
        ("V7389", 2, "BF"),
    ]
    assert [(ln.procedure_code, ln.charge, ln.diagnosis_pointers, ln.date_of_service) for ln in claim.lines] == [
        ("99213", Decimal("40.00"), [1], date(2006, 10, 3)),
        ("87070", Decimal("15.00"), [1], date(2006, 10, 3)),
        ("99214", Decimal("35.00"), [2], date(2006, 10, 10)),
        ("86663", Decimal("10.00"), [2], date(2006, 10, 10)),
    ]
    assert [ln.number for ln in claim.lines] == [1, 2, 3, 4]
    assert claim.lines[0].units == Decimal("1.00") and claim.lines[0].unit_basis == "UN"
    billing = claim.billing_provider
    # PRV*BI comes before NM1*85 in 2000A; the pay-to N4 (NM1*87) must not replace the ZIP.
    assert (billing.npi, billing.taxonomy, billing.tax_id) == ("1912301953", "203BF0100Y", "587654321")
    assert (billing.zip_code, billing.state, billing.entity_type) == ("331110000", "FL", "2")
    assert (claim.payer.name, claim.payer.payer_id) == ("KEY INSURANCE COMPANY", "999996666")
    assert claim.payer.claim_filing_indicator == "CI"
    # 2000C patient: DMG of the patient (NM1*QC), the member id of the subscriber.
    assert (claim.patient_birth_date, claim.patient_gender) == (date(1973, 5, 1), "M")
    assert claim.patient_key == "JS00111223333"
    assert claim.segment_number == 25
    assert claim.read_findings == []


def test_cob_example_other_subscriber_loop_does_not_overwrite_the_claim():
    (claim,), _ = read(sample("demo.cob.example3.A.837"))
    assert claim.claim_id == "26407789" and claim.total_charge == Decimal("79.04")
    # 2320/2330A (SBR*S, NM1*IL*...*T55TY666) is the other payer's subscriber.
    assert claim.patient_key == "111223333"
    assert claim.payer.name == "KEY INSURANCE COMPANY" and claim.payer.claim_filing_indicator == "CI"
    assert [d.code for d in claim.diagnoses] == ["4779", "2724", "2780", "53081"]
    assert claim.lines[0].diagnosis_pointers == [1, 2, 3, 4]
    assert [ln.procedure_code for ln in claim.lines] == ["99213", "90782", "J3301"]
    assert claim.rendering_provider.npi == "1999996666"
    assert claim.rendering_provider.taxonomy == "204C00000X"
    assert claim.service_facility.npi == "1581234567" and claim.service_facility.zip_code == "33111"
    assert claim.billing_provider.name == "KILDARE, BEN" and claim.billing_provider.entity_type == "1"


def test_example6_mixed_component_separator_is_read_with_a_warning():
    (claim,), file_findings = read(sample("demo.example6.837"))
    assert file_findings == []
    # ISA16 is ':' but CLM05, HI and SV101 use '>'.
    assert claim.place_of_service == "11" and claim.frequency_code == "1"
    assert [(d.code, d.qualifier) for d in claim.diagnoses] == [("7215", "BK")]
    line = claim.lines[0]
    assert (line.code_qualifier, line.procedure_code, line.charge) == ("HC", "98940", Decimal("145.50"))
    assert line.control_number == "01"
    assert claim.payer.claim_filing_indicator == "MB"
    warnings = [f for f in claim.read_findings if f.code == "X12006"]
    assert [f.details["segment_id"] for f in warnings] == ["CLM", "HI", "SV1"]
    assert all(f.severity == "warning" and f.details["separator"] == ">" for f in warnings)
    assert [f.details["segment_number"] for f in warnings] == [19, 24, 26]


def test_example2_onset_facility_and_subscriber_as_patient():
    path = SHARED / "demo.example2.837"
    if not path.exists():
        pytest.skip("needs /work/shared")
    (claim,), _ = read(path)
    assert claim.onset_date == date(1998, 10, 3)  # DTP*431
    assert claim.service_facility.npi == "5812345679"
    assert claim.payer.claim_filing_indicator == "HM"
    # No 2000C: the subscriber's DMG is the patient's.
    assert claim.patient_birth_date == date(1943, 5, 1)
    assert [ln.procedure_code for ln in claim.lines] == ["99213", "87072", "99214", "86663"]


def test_example7_modifiers_range_dates_and_ordering_provider():
    path = SHARED / "demo.example7.837"
    if not path.exists():
        pytest.skip("needs /work/shared")
    (claim,), _ = read(path)
    assert claim.claim_id == "R03996273 #01"
    assert claim.total_charge == Decimal("520.24")
    assert [(ln.procedure_code, ln.modifiers, ln.charge) for ln in claim.lines] == [
        ("E1390", ["RR"], Decimal("461.10")),
        ("E0431", ["RR"], Decimal("59.14")),
    ]
    line = claim.lines[0]
    assert (line.date_of_service, line.date_of_service_end) == (date(2005, 3, 21), date(2005, 3, 21))
    assert line.diagnosis_pointers == [1, 2]
    # NM1*DK (2420E ordering provider) is not a line rendering provider.
    assert line.rendering_provider is None
    assert [d.code for d in claim.diagnoses] == ["496", "51881", "2859"]


def test_autoaccident_rendering_and_facility():
    path = SHARED / "demo.autoaccident.837"
    if not path.exists():
        pytest.skip("needs /work/shared")
    (claim,), _ = read(path)
    assert claim.payer.claim_filing_indicator == "AM"
    assert (claim.rendering_provider.name, claim.rendering_provider.npi) == ("MOGLIE, BRUNO", "2366552595")
    assert claim.rendering_provider.taxonomy == "208D00000X"
    assert (claim.service_facility.npi, claim.service_facility.zip_code) == ("1235767887", "99622")
    assert claim.patient_birth_date == date(1948, 6, 1)
    assert [ln.procedure_code for ln in claim.lines] == ["99201", "26010"]
    drug = SHARED / "demo.drug.example10.1.837"
    (drug_claim,), _ = read(drug)
    assert [ln.place_of_service for ln in drug_claim.lines] == ["11", "11"]  # SV105
    assert drug_claim.payer.payer_id == "PLANID12345"
