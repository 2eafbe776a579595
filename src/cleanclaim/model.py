"""The claim as the billing world sees it, independent of the file it came from.

Readers (X12 837P, CSV, FHIR) produce these objects; rules read them. Nothing here
parses or checks anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class Provider:
    """A provider named on a claim (billing, rendering, referring, service facility)."""

    role: str  # billing | rendering | referring | service_facility | supervising
    npi: str | None = None
    name: str | None = None
    entity_type: str | None = None  # "1" person, "2" organisation (NM102)
    taxonomy: str | None = None  # NUCC code from PRV03
    tax_id: str | None = None
    zip_code: str | None = None
    state: str | None = None


@dataclass
class Payer:
    name: str | None = None
    payer_id: str | None = None
    claim_filing_indicator: str | None = None  # SBR09: MB, MC, CI, BL, ...


@dataclass
class Diagnosis:
    """One diagnosis in claim order (HI). `code` has no decimal point, upper case."""

    code: str
    position: int  # 1-based position on the claim (pointer target)
    qualifier: str = "ABK"  # ABK/ABF = ICD-10-CM; BK/BF = ICD-9-CM

    @property
    def is_icd10(self) -> bool:
        return self.qualifier in ("ABK", "ABF", "ABJ", "ABN", "APR", "ABJ")

    @property
    def dotted(self) -> str:
        """The code as printed in the tabular (M54.50)."""
        return self.code if len(self.code) <= 3 else f"{self.code[:3]}.{self.code[3:]}"


@dataclass
class ServiceLine:
    """One 2400 loop / CSV row / FHIR Claim.item."""

    number: int  # 1-based position in the claim
    procedure_code: str
    modifiers: list[str] = field(default_factory=list)
    code_qualifier: str = "HC"  # HC = CPT/HCPCS
    charge: Decimal | None = None
    unit_basis: str = "UN"  # UN units, MJ minutes
    units: Decimal | None = None
    place_of_service: str | None = None
    diagnosis_pointers: list[int] = field(default_factory=list)
    date_of_service: date | None = None
    date_of_service_end: date | None = None
    control_number: str | None = None  # REF*6R
    rendering_provider: Provider | None = None  # 2420A
    minutes: int | None = None  # timed minutes, when the source gives them
    notes: list[str] = field(default_factory=list)
    segment_number: int | None = None  # where the SV1 is in its transaction set
    source_row: int | None = None  # line of the source file holding this line (CSV row)

    @property
    def modifier_set(self) -> set[str]:
        return set(self.modifiers)


@dataclass
class Claim:
    """One claim (CLM loop) with everything the rules need."""

    claim_id: str
    source: str = ""
    total_charge: Decimal | None = None
    place_of_service: str | None = None
    frequency_code: str | None = None  # CLM05-3: 1 original, 7 replacement, 8 void
    diagnoses: list[Diagnosis] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    billing_provider: Provider | None = None
    rendering_provider: Provider | None = None  # 2310B
    referring_provider: Provider | None = None  # 2310A
    service_facility: Provider | None = None  # 2310C
    payer: Payer = field(default_factory=Payer)
    patient_key: str | None = None  # opaque member/patient id: never printed unless asked
    patient_birth_date: date | None = None
    patient_gender: str | None = None
    prior_authorization: str | None = None  # REF*G1
    referral_number: str | None = None  # REF*9F
    original_reference: str | None = None  # REF*F8
    onset_date: date | None = None
    notes: list[str] = field(default_factory=list)
    segment_number: int | None = None  # where the CLM is in its transaction set
    source_row: int | None = None  # line of the source file where the claim starts (CSV row)
    # Problems met while reading this claim (X12xxx syntax findings). A claim
    # that could not be read whole still appears, with these findings.
    read_findings: list = field(default_factory=list)

    def rendering_for(self, line: ServiceLine) -> Provider | None:
        """2420A, else 2310B, else the billing provider (X222A1 rules)."""
        return line.rendering_provider or self.rendering_provider or self.billing_provider

    def diagnosis_at(self, pointer: int) -> Diagnosis | None:
        for dx in self.diagnoses:
            if dx.position == pointer:
                return dx
        return None

    @property
    def dates_of_service(self) -> list[date]:
        return sorted({ln.date_of_service for ln in self.lines if ln.date_of_service})
