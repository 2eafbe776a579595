"""The payer's answer as the billing world sees it: remittances (835) and front-end
responses (999, 277CA). Readers build these; explain/buckets/match/importer read them.

Amounts are Decimal as sent (a reversal, CLP02 = 22, carries negative amounts).
Balancing (X12 005010X221A1, section 1.10.2): a line's charge minus its adjustments is
its payment; a claim's charge minus claim- and line-level adjustments is its payment;
BPR02 is the sum of CLP04 minus the sum of PLB amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet: group code (CO/PR/OA/PI/CR), CARC, amount, quantity."""

    group: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None
    segment_number: int | None = field(default=None, compare=False)  # the CAS, within its set

    @property
    def label(self) -> str:
        return f"{self.group}-{self.carc}"


@dataclass(frozen=True)
class Remark:
    """A RARC from MOA/MIA (claim) or LQ*HE (line)."""

    code: str
    source: str  # MOA | MIA | LQ
    segment_number: int | None = field(default=None, compare=False)  # the MOA/MIA/LQ, within its set


@dataclass
class Problem:
    """A read or balance problem. Never fatal; ``severity`` error means data was lost."""

    code: str  # RM001.. (see formats/x12/remit835.py)
    severity: str  # error | warning
    message: str
    source: str = ""
    segment_number: int | None = None  # within the transaction set (ST = 1)
    segment_id: str | None = None
    file_segment: int | None = None
    claim_id: str | None = None
    set_control: str | None = None  # ST02 of the transaction set

    def __str__(self) -> str:
        where = self.source
        if self.segment_number is not None:
            where += f": segment {self.segment_number}"
            if self.segment_id:
                where += f" ({self.segment_id})"
            if self.set_control:
                where += f" of ST {self.set_control}"
            if self.file_segment is not None:
                where += f", file segment {self.file_segment}"
        elif self.file_segment is not None:
            where += f": file segment {self.file_segment}"
            if self.segment_id:
                where += f" ({self.segment_id})"
        return f"{where}: {self.severity}: {self.message} [{self.code}]"

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _sum(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


@dataclass
class RemitLine:
    """One SVC (2110 loop)."""

    position: int
    procedure_code: str
    code_qualifier: str = "HC"
    modifiers: list[str] = field(default_factory=list)
    original_code: str | None = None  # SVC06-2 when the payer changed the code
    original_qualifier: str | None = None
    original_modifiers: list[str] = field(default_factory=list)
    charge: Decimal | None = None  # SVC02
    paid: Decimal | None = None  # SVC03
    revenue_code: str | None = None  # SVC04
    units: Decimal | None = None  # SVC05 (None: not sent, 1 by the TR3 default)
    original_units: Decimal | None = None  # SVC07
    service_date: date | None = None  # DTM*472 or DTM*150
    service_date_end: date | None = None  # DTM*151
    control_number: str | None = None  # REF*6R
    allowed: Decimal | None = None  # AMT*B6
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)  # LQ*HE
    segment_number: int | None = None

    @property
    def adjustment_total(self) -> Decimal:
        return _sum(a.amount for a in self.adjustments)

    @property
    def balance_difference(self) -> Decimal:
        """SVC02 - adjustments - SVC03 (0 when the line balances)."""
        return (self.charge or ZERO) - self.adjustment_total - (self.paid or ZERO)

    @property
    def balanced(self) -> bool:
        return self.balance_difference == 0

    @property
    def submitted_code(self) -> str:
        """The code as billed: SVC06 when the payer changed it, else SVC01."""
        return self.original_code or self.procedure_code


@dataclass
class RemitClaim:
    """One CLP (2100 loop)."""

    position: int
    claim_id: str  # CLP01 = the 837 CLM01
    status_code: str  # CLP02
    charge: Decimal | None = None
    paid: Decimal | None = None
    patient_responsibility: Decimal | None = None
    filing_indicator: str | None = None
    payer_claim_control: str | None = None  # CLP07
    facility_code: str | None = None
    frequency_code: str | None = None
    patient_key: str | None = None  # NM1*QC NM109: opaque, never printed
    rendering_npi: str | None = None
    statement_start: date | None = None
    statement_end: date | None = None
    received_date: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)  # claim-level CAS
    lines: list[RemitLine] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)  # MOA / MIA
    segment_number: int | None = None

    @property
    def is_reversal(self) -> bool:
        return self.status_code == "22"

    @property
    def is_denied(self) -> bool:
        return self.status_code == "4"

    @property
    def all_adjustments(self) -> list[Adjustment]:
        return self.adjustments + [a for ln in self.lines for a in ln.adjustments]

    @property
    def balance_difference(self) -> Decimal:
        """CLP03 - claim and line adjustments - CLP04 (0 when the claim balances)."""
        return (self.charge or ZERO) - _sum(a.amount for a in self.all_adjustments) - (self.paid or ZERO)

    @property
    def balanced(self) -> bool:
        return self.balance_difference == 0


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB reason/amount pair (positive amounts reduce the payment)."""

    provider_id: str | None
    fiscal_period_end: date | None
    reason_code: str  # PLB03-1 (WO, L6, FB, 72, ...)
    reference: str | None  # PLB03-2
    amount: Decimal


@dataclass
class Party:
    name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None

    @property
    def npi(self) -> str | None:
        return self.id if self.id_qualifier == "XX" else None


@dataclass
class Remittance:
    """One 835 transaction set (ST..SE): one payment (or notice) from one payer to one payee."""

    source: str = ""
    interchange_control: str | None = None
    group_control: str | None = None
    set_control: str | None = None
    file_segment: int | None = None  # the ST's segment number in the file (ISA = 1)
    payer: Party = field(default_factory=Party)  # N1*PR (+ REF*2U)
    payee: Party = field(default_factory=Party)  # N1*PE
    payee_tax_id: str | None = None  # REF*TJ
    handling_code: str | None = None  # BPR01
    payment_amount: Decimal | None = None  # BPR02
    credit_debit: str | None = None
    payment_method: str | None = None
    payment_date: date | None = None  # BPR16
    trace_number: str | None = None  # TRN02
    trace_originator: str | None = None  # TRN03
    production_date: date | None = None  # DTM*405
    claims: list[RemitClaim] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def remit_date(self) -> date | None:
        return self.payment_date or self.production_date

    @property
    def claim_paid_total(self) -> Decimal:
        return _sum(c.paid for c in self.claims)

    @property
    def provider_adjustment_total(self) -> Decimal:
        return _sum(p.amount for p in self.provider_adjustments)

    @property
    def balance_difference(self) -> Decimal:
        """BPR02 - (sum CLP04 - sum PLB) (0 when the payment balances)."""
        return (self.payment_amount or ZERO) - (self.claim_paid_total - self.provider_adjustment_total)

    @property
    def balanced(self) -> bool:
        return self.balance_difference == 0


@dataclass
class AckCode:
    """One code of a front-end response (IK3/IK4 error, IK5/AK9 status, STC)."""

    source: str  # IK3 | IK4 | IK5 | AK9 | STC
    code: str
    claim_status_code: str | None = None
    entity_code: str | None = None
    segment_id: str | None = None
    segment_position: int | None = None
    loop_id: str | None = None
    element_position: str | None = None
    bad_value: str | None = None
    line_control: str | None = None
    action_code: str | None = None
    description: str | None = None


@dataclass
class FrontEndResponse:
    """A 999 answer about one 837 transaction set, or a 277CA answer about one claim."""

    kind: str  # 999 | 277CA
    position: int
    accepted: bool
    status_code: str | None = None  # IK501 / AK901 / first STC01-1
    claim_status_code: str | None = None  # first STC01-2
    response_date: date | None = None
    sender_name: str | None = None
    sender_id: str | None = None
    acknowledged_group_control: str | None = None
    acknowledged_set_id: str | None = None
    acknowledged_set_control: str | None = None
    claim_id: str | None = None  # 277CA 2200D TRN02 = CLM01
    payer_claim_control: str | None = None
    billing_npi: str | None = None
    charge: Decimal | None = None
    service_date: date | None = None
    service_date_end: date | None = None
    codes: list[AckCode] = field(default_factory=list)
    source: str = ""
