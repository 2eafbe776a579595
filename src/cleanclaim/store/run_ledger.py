"""Claims checked earlier in the same run, for the cross-claim edits without a database.

A batch often carries the same claim twice, or one visit split over two claims: payers deny
the second as a duplicate (CO-18) or apply NCCI/MUE across the claims of one provider,
patient and day. The HX rules read recorded claims from the history store; this ledger
gives them the claims of the current run too, in memory, with the same replacement and
void semantics as recording (frequency 7 replaces, 8 voids the claim REF*F8 names).

Memory stays bounded: the ledger keeps the most recent ``max_patients`` patients (a batch
is usually grouped by date or patient, so what a claim is compared with is near it).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from ..model import Claim
from .keys import claim_key
from .types import ClaimKey, HistoryLine

MAX_PATIENTS = 50_000


class RunLedger:
    def __init__(self, max_patients: int = MAX_PATIENTS) -> None:
        self.max_patients = max_patients
        # patient key -> claim identity -> its lines (latest version only)
        self._patients: OrderedDict[str, dict[ClaimKey, list[HistoryLine]]] = OrderedDict()
        # (billing NPI, payer key, REF*F8) a replacement/void of this run named: the recorded claim
        # it names no longer counts for the run's later claims either
        self._replaced: set[tuple[str, str, str]] = set()
        # (billing NPI, payer key, CLM01) -> ('void' | 'replaced', source, CLM01 of the claim that did it)
        self._superseded: dict[tuple[str, str, str], tuple[str, str | None, str]] = {}

    def add(self, claim: Claim) -> None:
        """Remember a checked claim (replacing an earlier version of the same identity)."""
        key = claim_key(claim)
        if key is None or not claim.patient_key:
            return
        claims = self._patients.get(claim.patient_key)
        if claims is None:
            claims = self._patients[claim.patient_key] = {}
            if len(self._patients) > self.max_patients:
                self._patients.popitem(last=False)
        else:
            self._patients.move_to_end(claim.patient_key)
        frequency = (claim.frequency_code or "1").strip()
        ref = (claim.original_reference or "").strip()
        if frequency in ("7", "8") and ref:
            self._replaced.add((key.billing_npi, key.payer_key, ref))
            self._superseded[(key.billing_npi, key.payer_key, ref)] = (
                "void" if frequency == "8" else "replaced", claim.source, key.claim_number)
            for other in [k for k in claims if k.claim_number == ref and k.billing_npi == key.billing_npi]:
                del claims[other]
        elif frequency == "8":  # a void with no REF*F8 cancels its own CLM01
            self._superseded[tuple(key)] = ("void", claim.source, key.claim_number)
        if frequency == "8":
            claims.pop(key, None)
            return
        if frequency != "7" and tuple(key) in self._superseded:
            return  # a voided/replaced claim sent again stays superseded (as recording keeps it)
        claims[key] = [self._line(claim, key, ln, frequency) for ln in claim.lines]

    @staticmethod
    def _line(claim: Claim, key: ClaimKey, ln, frequency: str) -> HistoryLine:
        rendering = claim.rendering_for(ln)
        return HistoryLine(
            claim=key, line_number=ln.number, dos=ln.date_of_service, code=ln.procedure_code,
            modifiers=tuple(ln.modifiers), units=ln.units, charge=ln.charge,
            rendering_npi=rendering.npi if rendering else None,
            place_of_service=ln.place_of_service or claim.place_of_service,
            control_number=ln.control_number, frequency_code=frequency,
            prior_authorization=claim.prior_authorization,
            claim_filing_indicator=claim.payer.claim_filing_indicator)

    def replaced(self, line: HistoryLine) -> bool:
        """Whether a recorded line's claim was replaced or voided by a claim earlier in this run."""
        if not self._replaced:
            return False
        npi, payer, number = line.claim
        return (npi, payer, number) in self._replaced or (
            bool(line.payer_claim_number) and (npi, payer, line.payer_claim_number) in self._replaced)

    def superseded(self, key: ClaimKey | None) -> tuple[str, str | None, str] | None:
        """('void' | 'replaced', source, CLM01 of the claim that did it) when a claim earlier in
        this run voided or replaced the claim with this identity (by CLM01), else None."""
        return self._superseded.get(tuple(key)) if key is not None and self._superseded else None

    def seen(self, patient_key: str | None, key: ClaimKey | None) -> bool:
        """Whether a claim of this identity was checked earlier in the run (and still counts)."""
        return bool(patient_key and key and key in self._patients.get(patient_key, {}))

    def service_lines(self, patient_key: str, *, payer_key: str | None = None, start: date | None = None,
                      end: date | None = None, exclude_claim: ClaimKey | None = None,
                      replaces: str | None = None) -> list[HistoryLine]:
        """Lines of this run's earlier claims of the patient (same filters as History.service_lines;
        ``replaces``: the REF*F8 of a replacement/void being checked, whose claim no longer counts)."""
        found = []
        ref = (replaces or "").strip()
        for key, lines in self._patients.get(patient_key, {}).items():
            if key == exclude_claim or (payer_key is not None and key.payer_key != payer_key):
                continue
            if ref and exclude_claim is not None and key.claim_number == ref \
                    and key.billing_npi == exclude_claim.billing_npi and key.payer_key == exclude_claim.payer_key:
                continue
            for line in lines:
                if line.dos is not None and ((start and line.dos < start) or (end and line.dos > end)):
                    continue
                found.append(line)
        return found


__all__ = ["RunLedger"]
