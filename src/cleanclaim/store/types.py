"""What history queries return (plain dataclasses; no patient data beyond the key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple


class ClaimKey(NamedTuple):
    """A claim's identity: billing provider NPI + payer key + CLM01 (not CLM01 alone)."""

    billing_npi: str
    payer_key: str
    claim_number: str


@dataclass(frozen=True)
class HistoryLine:
    """One service line of a recorded claim that still counts (not replaced or voided)."""

    claim: ClaimKey
    line_number: int
    dos: date | None
    code: str
    modifiers: tuple[str, ...]
    units: Decimal | None
    charge: Decimal | None
    rendering_npi: str | None
    allowed: Decimal | None = None  # from an 835, when one was matched
    place_of_service: str | None = None
    control_number: str | None = None  # REF*6R
    frequency_code: str = "1"
    payer_claim_number: str | None = None  # the payer's ICN (835 CLP07), when known
    prior_authorization: str | None = None  # the claim's REF*G1
    claim_filing_indicator: str | None = None  # the claim's SBR09 (MB = Medicare Part B)
    recorded_at: datetime | None = None  # when the claim was recorded (checked before sending)

    @property
    def modifier_set(self) -> set[str]:
        return set(self.modifiers)


@dataclass(frozen=True)
class Authorization:
    """An imported prior authorisation (what REF*G1 refers to)."""

    number: str
    payer_key: str
    codes: tuple[str, ...]  # empty: any code
    start: date
    end: date
    units_authorized: int | None  # None: not limited by units
    units_used: int  # as the payer reported it on import
    units_billed: Decimal = Decimal(0)  # units on recorded claims carrying this REF*G1
    source: str | None = None
    # the recorded lines behind units_billed, in date-of-service order: (dos, CLM01, line, units)
    billed: tuple[tuple[date, str, int, Decimal], ...] = ()

    def billed_before(self, dos: date, claim_number: str = "", line: int = 0) -> tuple[Decimal, list[str]]:
        """Units recorded claims used before this service (date of service, then CLM01 and line
        on the same day: a stable order, so re-checking a file gives the same answer), and
        which claims used them ("A1 2")."""
        used, claims = Decimal(0), {}
        for b_dos, b_claim, b_line, b_units in self.billed:
            if (b_dos, b_claim, b_line) < (dos, claim_number, line):
                used += b_units
                claims[b_claim] = claims.get(b_claim, Decimal(0)) + b_units
        return used, [f"{c} {u.normalize():f}" for c, u in claims.items()]

    def covers(self, code: str, dos: date) -> bool:
        return self.start <= dos <= self.end and (not self.codes or code in self.codes)

    @property
    def units_remaining(self) -> Decimal | None:
        """Authorised minus the larger of payer-reported and recorded use (None: no unit limit)."""
        if self.units_authorized is None:
            return None
        return Decimal(self.units_authorized) - max(Decimal(self.units_used), self.units_billed)


@dataclass(frozen=True)
class RosterEntry:
    """A provider from the imported roster."""

    npi: str
    name: str | None
    taxonomy: str | None  # NUCC code, e.g. 225100000X
    credential: str | None  # PT, PTA, OT, OTA, SLP, LMT, MD, DO, NP, PA, ...
    in_network: tuple[str, ...]  # payer keys the provider is contracted with
    source: str | None = None

    def is_in_network(self, payer_key: str) -> bool:
        return payer_key in self.in_network
