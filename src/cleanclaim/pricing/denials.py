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


# Denials that correcting the claim cannot cure: the service is not payable by this payer
# (not covered, over the plan's visit or dollar cap, filed too late, already billed). Others
# (a missing GP, a pointer, an NCCI modifier, a missing authorisation number ...) are fixed
# before the claim goes out, so later claims of the run are priced as if they were.
NOT_PAYABLE = frozenset({"CV001", "VC001", "VC003", "HX001", "HX002", "HX005"})


def not_payable(finding) -> bool:
    """Whether the finding denies the service whatever is corrected on the claim (CR001 for a
    provider type the payer never pays, e.g. a massage therapist billing Medicare, SSA §1861(s))."""
    details = getattr(finding, "details", None) or {}
    return finding.code in NOT_PAYABLE or bool(details.get("not_payable"))


def apply_denials(price: ClaimPrice, findings, batch=None, patient_key: str | None = None) -> None:
    """Zero the expected payment of lines that error findings deny; keep the corrected figure.

    A line denied only by findings the biller can correct keeps its place in the run: its
    Part B deductible and its MPPR unit stay counted, so later claims are priced as they will
    be once it is corrected and sent (check runs before submission). A line no correction
    can make payable (see :func:`not_payable`) pays $0.00 if corrected too; the deductible it
    would have used is given back to the run, and a claim so denied in full leaves the run's
    MPPR day (its units are never paid).
    """
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return
    claim_errors = [f for f in errors if f.line is None]
    claim_codes = sorted({f.code for f in claim_errors})
    by_line: dict[int, list] = {}
    for f in errors:
        if f.line is not None:
            by_line.setdefault(f.line, []).append(f)
    given_back: dict[int, Decimal] = {}
    lost = []
    for lp in price.lines:
        denying = claim_errors + by_line.get(lp.line, [])
        codes = sorted({f.code for f in denying})
        if not codes:
            continue
        lp.denied_by = codes
        if lp.expected_paid is None:
            continue
        never = sorted({f.code for f in denying if not_payable(f)})
        lost.append(bool(never))
        paid = lp.expected_paid
        lp.expected_paid = Decimal("0.00")
        if never:
            lp.if_corrected = Decimal("0.00")
            lp.notes.append(f"expected paid $0.00: {', '.join(never)} makes the service not payable by this "
                            f"payer; correcting the claim does not change that (${paid} only if it were payable)")
            if lp.deductible and lp.date_of_service is not None:
                year = lp.date_of_service.year
                given_back[year] = given_back.get(year, Decimal(0)) + lp.deductible
        else:
            lp.if_corrected = paid
            lp.notes.append(f"expected paid $0.00 as billed: error finding(s) {', '.join(codes)} deny payment; "
                            f"${paid} expected once corrected (later claims are priced as if it is)")
    if claim_codes:
        price.notes.append(f"claim denied as billed: error finding(s) {', '.join(claim_codes)}; the figures "
                           f"'if corrected' assume they are fixed")
    if (batch is not None and patient_key and lost and all(lost)
            and all(lp.denied_by for lp in price.lines)):
        # a claim no correction makes payable pays no unit: it takes no MPPR full unit from later claims
        claim_no = (price.claim_id or "").strip()
        for key in [k for k in batch.seen if k[1] == patient_key]:
            batch.seen[key].pop(claim_no, None)
            batch.full_units.get(key, {}).pop(claim_no, None)
    if batch is not None and patient_key:
        for year, amount in given_back.items():
            key = (patient_key, year)
            if key in batch.deductible_left:
                batch.deductible_left[key] += amount
