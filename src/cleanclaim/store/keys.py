"""Claim identity without the database layer (rules import this on every check)."""

from __future__ import annotations

import re

from ..model import Claim, Payer
from .types import ClaimKey


NO_PAYER_KEY = "NO PAYER GIVEN"  # a claim with no payer id, name or filing indicator


def payer_key(payer: Payer | None = None, *, payer_id: str | None = None, name: str | None = None,
              fallback: bool = True) -> str | None:
    """Payer id (NM109 of 2010BB) if there is one, else the normalised payer name; None if neither.

    Normalised: upper case, runs of anything but letters and digits become one space.
    For a claim's ``payer`` with neither (a CSV with only payer_type), ``fallback`` gives the
    filing indicator as "SBR09 MB", else NO_PAYER_KEY, so claim identity and cross-claim checks
    (HX001 duplicates, HX004 MUE across claims) still run: CARC 18 is "same patient, date and
    service" whatever the payer label (trial 9 N6).
    """
    if payer is not None:
        payer_id, name = payer.payer_id, payer.name
    if payer_id and payer_id.strip():
        return payer_id.strip().upper()
    if name and name.strip():
        found = re.sub(r"[^A-Z0-9]+", " ", name.upper()).strip()
        if found:
            return found
    if payer is not None and fallback:
        indicator = re.sub(r"[^A-Z0-9]+", "", (payer.claim_filing_indicator or "").upper())
        return f"SBR09 {indicator}" if indicator else NO_PAYER_KEY
    return None


def claim_key(claim: Claim) -> ClaimKey | None:
    """The claim's identity, or None when the billing NPI, payer or CLM01 is missing."""
    npi = claim.billing_provider.npi if claim.billing_provider else None
    payer = payer_key(claim.payer)
    number = (claim.claim_id or "").strip()
    if not (npi and payer and number):
        return None
    return ClaimKey(npi.strip(), payer, number)


def replaced_reference(claim: Claim) -> str | None:
    """REF*F8 of a replacement (CLM05-3 = 7) or void (8): the claim that stops counting at once.

    X12 837P TR3 (005010X222A1) 2300 CLM05-3 and REF*F8: the payer's claim control number
    (or, before any 835, the original CLM01) of the claim being replaced or voided.
    """
    if (claim.frequency_code or "1").strip() not in ("7", "8"):
        return None
    ref = (claim.original_reference or "").strip()
    return ref or None


def exclusion(claim: Claim) -> dict:
    """Keyword arguments for the history queries: leave out the claim itself and the claim it
    replaces or voids (``History.service_lines(patient, **exclusion(claim))``)."""
    return {"exclude_claim": claim_key(claim), "replaces": replaced_reference(claim)}


# CPT category I (5 digits), category II/III, PLA and MAAA (4 digits + F, T, U, M: AMA CPT),
# HCPCS level II (a letter A-V + 4 digits: CMS HCPCS). "9714O" (letter O) is none of them.
# `history import-auths` and the policy-pack schema both check codes with it.
PROCEDURE_CODE = re.compile(r"\d{5}|\d{4}[FTUM]|[A-V]\d{4}")
