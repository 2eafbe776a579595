"""What pricing returns: one LinePrice per service line, a ClaimPrice per claim.

Money is Decimal, rounded to cents. Any figure may be None with a note saying why
(no fee schedule, ZIP needs ZIP+4, status code not payable, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class LinePrice:
    """The expected payment of one service line."""

    line: int  # ServiceLine.number
    code: str
    modifiers: list[str] = field(default_factory=list)
    units: Decimal | None = None
    allowed: Decimal | None = None  # after MPPR, non-par and CQ/CO
    expected_paid: Decimal | None = None  # what the payer is expected to pay
    method: str = "none"  # medicare-pfs | fee-schedule | none
    locality: str | None = None  # "13282-99 REST OF NEW YORK"
    explanation: str = ""  # how the figures were reached, with the sources
    notes: list[str] = field(default_factory=list)  # why a figure is missing, assumptions
    # Medicare detail (None for other methods)
    fee_per_unit: Decimal | None = None  # the PFS amount for one full unit
    mppr_units: int = 0  # units paid with the 50% PE reduction
    mppr_reduction: Decimal | None = None  # dollars taken off by MPPR
    deductible: Decimal | None = None  # deductible applied to this line
    coinsurance: Decimal | None = None
    sequestration: Decimal | None = None  # CO-253
    pe_setting: str | None = None  # facility | non-facility
    release: str | None = None  # RVU/GPCI release that priced the line
    control_number: str | None = None  # REF*6R, to match the 835 SVC line (underpayment)
    date_of_service: date | None = None
    charge: Decimal | None = None  # the line's billed charge (SV102)
    # check --price: error findings that deny the line as billed -> expected_paid is $0.00 and
    # if_corrected keeps what it would pay once they are fixed (None: no denying finding)
    if_corrected: Decimal | None = None
    denied_by: list[str] = field(default_factory=list)  # finding codes, e.g. ["CR001"]

    def to_dict(self) -> dict:
        def money(v):
            return None if v is None else str(v)

        return {
            "line": self.line, "code": self.code, "modifiers": self.modifiers,
            "units": None if self.units is None else str(self.units),
            "allowed": money(self.allowed), "expected_paid": money(self.expected_paid),
            "method": self.method, "locality": self.locality,
            "fee_per_unit": money(self.fee_per_unit), "mppr_units": self.mppr_units,
            "mppr_reduction": money(self.mppr_reduction), "deductible": money(self.deductible),
            "coinsurance": money(self.coinsurance), "sequestration": money(self.sequestration),
            "pe_setting": self.pe_setting, "release": self.release,
            "control_number": self.control_number,
            "date_of_service": None if self.date_of_service is None else self.date_of_service.isoformat(),
            "charge": money(self.charge), "expected_if_corrected": money(self.if_corrected),
            "denied_by": self.denied_by,
            "explanation": self.explanation, "notes": self.notes,
        }


@dataclass
class ClaimPrice:
    """Expected payment of a claim: its lines and totals (None when no line could be priced)."""

    claim_id: str
    payer_type: str
    lines: list[LinePrice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # claim-level assumptions

    @staticmethod
    def _sum(values) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, Decimal("0.00")) if known else None

    @property
    def total_allowed(self) -> Decimal | None:
        return self._sum(ln.allowed for ln in self.lines)

    @property
    def total_expected(self) -> Decimal | None:
        return self._sum(ln.expected_paid for ln in self.lines)

    @property
    def total_if_corrected(self) -> Decimal | None:
        """Expected paid once the denying findings are fixed (None when no line is denied)."""
        if not any(ln.denied_by for ln in self.lines):
            return None
        return self._sum(ln.if_corrected if ln.denied_by else ln.expected_paid for ln in self.lines)

    @property
    def complete(self) -> bool:
        """Every line has an expected payment (else the totals leave some lines out)."""
        return all(ln.expected_paid is not None for ln in self.lines)

    def to_dict(self) -> dict:
        total_allowed, total_expected = self.total_allowed, self.total_expected
        if_corrected = self.total_if_corrected
        return {
            "claim_id": self.claim_id, "payer_type": self.payer_type,
            "total_allowed": None if total_allowed is None else str(total_allowed),
            "total_expected": None if total_expected is None else str(total_expected),
            "total_expected_if_corrected": None if if_corrected is None else str(if_corrected),
            "complete": self.complete, "notes": self.notes,
            "lines": [ln.to_dict() for ln in self.lines],
        }
