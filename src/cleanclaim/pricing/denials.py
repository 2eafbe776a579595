"""`check --price`: what a claim pays AS BILLED when check finds errors that deny it.

An error finding means the payer denies (or rejects) the line, or the whole claim when the
finding names no line: CR001 (an LMT or PTA as Medicare's rendering provider: no benefit /
not payable), VC001 over a payer-enforced visit cap (CO-119), MN001 (no covered diagnosis),
NCCI and MUE edits, PFS status... Such a line's expected paid is $0.00, as the remittance
would show it, and `if_corrected` keeps the figure it would pay once the errors are fixed
(shown next to it). Warnings and info findings do not change the figures.
"""

from __future__ import annotations

from decimal import Decimal

from .model import ClaimPrice


def apply_denials(price: ClaimPrice, findings, batch=None, patient_key: str | None = None) -> None:
    """Zero the expected payment of lines that error findings deny; keep the corrected figure.

    The Part B deductible a denied line would have used is given back to the run's batch, so
    the patient's later claims see it still unmet (a denied line meets no deductible); a claim
    denied in full is taken out of the run's MPPR day (its units are not paid).
    """
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return
    claim_codes = sorted({f.code for f in errors if f.line is None})
    by_line: dict[int, set[str]] = {}
    for f in errors:
        if f.line is not None:
            by_line.setdefault(f.line, set()).add(f.code)
    given_back: dict[int, Decimal] = {}
    for lp in price.lines:
        codes = sorted(set(claim_codes) | by_line.get(lp.line, set()))
        if not codes:
            continue
        lp.denied_by = codes
        if lp.expected_paid is None:
            continue
        lp.if_corrected, lp.expected_paid = lp.expected_paid, Decimal("0.00")
        lp.notes.append(f"expected paid $0.00 as billed: error finding(s) {', '.join(codes)} deny payment; "
                        f"${lp.if_corrected} expected once corrected")
        if lp.deductible and lp.date_of_service is not None:
            given_back[lp.date_of_service.year] = given_back.get(lp.date_of_service.year, Decimal(0)) + lp.deductible
    if claim_codes:
        price.notes.append(f"claim denied as billed: error finding(s) {', '.join(claim_codes)}; the figures "
                           f"'if corrected' assume they are fixed")
    if batch is not None and patient_key and all(lp.denied_by for lp in price.lines):
        # a claim denied in full pays no unit: it takes no MPPR full unit from later claims
        claim_no = (price.claim_id or "").strip()
        for key in [k for k in batch.seen if k[1] == patient_key]:
            batch.seen[key].pop(claim_no, None)
            batch.full_units.get(key, {}).pop(claim_no, None)
    if batch is not None and patient_key:
        for year, amount in given_back.items():
            key = (patient_key, year)
            if key in batch.deductible_left:
                batch.deductible_left[key] += amount
