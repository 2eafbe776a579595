"""Underpayments: lines a payer paid, but below what ``cleanclaim.pricing`` expects.

The expected amount is ``price_claim`` on the claim as it was sent (read again from its
file). The payer's allowed amount (AMT*B6) is compared with the expected allowed amount;
without AMT*B6 the paid amount is compared with the expected payment. A line is flagged
for review when it falls short by more than the tolerance (default: 1% of the expected
amount, at least $0.50: rounding and per-unit cents never trip it). A flag is a question
for the payer, not a finding: contracts, deductibles and secondary payers explain some.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from .analytics import ZERO, ClaimTrack, LineAnswer

TOLERANCE_SHARE = Decimal("0.01")
TOLERANCE_MIN = Decimal("0.50")


def claims_from_files(paths: Iterable[str | Path]) -> dict[str, object]:
    """{CLM01: Claim} from claim files (837P, CSV, FHIR); unreadable files are skipped."""
    from ..formats import InputError, expand_paths, iter_claims
    from ..model import Claim

    out: dict[str, Claim] = {}
    for path in expand_paths(list(paths)):
        try:
            for item in iter_claims(path):
                if isinstance(item, Claim):
                    out[item.claim_id] = item
        except (InputError, OSError):
            continue
    return out


def recorded_sources(history) -> list[str]:
    """The claim files `check --record` recorded (those that still exist)."""
    import sqlalchemy as sa

    with history.engine.connect() as conn:
        if "claims" not in sa.inspect(conn).get_table_names():
            return []
        rows = conn.execute(sa.text("SELECT DISTINCT source FROM claims WHERE source IS NOT NULL")).scalars()
        return sorted(s for s in rows if s and Path(s).is_file())


def missing_sources(history) -> dict[str, int]:
    """{claim file: active claims recorded from it} for files `check --record` recorded that are
    not found now (older stores kept the path as given, relative to the folder check ran in)."""
    import sqlalchemy as sa

    with history.engine.connect() as conn:
        if "claims" not in sa.inspect(conn).get_table_names():
            return {}
        rows = conn.execute(sa.text("SELECT source, COUNT(*) FROM claims WHERE source IS NOT NULL "
                                    "AND status = 'active' GROUP BY source")).all()
    return {s: n for s, n in rows if s and not Path(s).is_file()}


def _match(claim, ln: LineAnswer):
    for sent in claim.lines:
        if ln.control_number and sent.control_number == ln.control_number:
            return sent
    for sent in claim.lines:
        if sent.procedure_code == ln.code and sent.date_of_service == ln.service_date:
            return sent
    return None


def find_underpayments(tracks: list[ClaimTrack], claims: dict, store, *, config=None,
                       history=None) -> list[dict]:
    """One row per paid line that the latest answer paid short of the expected amount."""
    try:
        from ..pricing import price_claim
    except ImportError:
        return []
    rows = []
    for t in tracks:
        latest = t.latest
        claim = claims.get(t.claim_id)
        if latest is None or claim is None:
            continue
        try:
            price = price_claim(claim, store, config=config, history=history)
        except Exception as exc:  # pricing is advisory here: one bad claim must not sink the report
            rows.append({"claim_id": t.claim_id, "line": None, "code": None, "payer": t.payer,
                         "allowed": None, "expected": None, "difference": None,
                         "basis": f"not priced: {exc}"})
            continue
        prices = {lp.line: lp for lp in price.lines}
        for ln in latest.lines:
            sent = _match(claim, ln)
            lp = prices.get(sent.number) if sent else None
            if lp is None or ln.paid <= 0:
                continue
            if ln.allowed is not None and lp.allowed is not None:
                got, want, basis = ln.allowed, lp.allowed, "allowed (AMT*B6) vs expected allowed"
            elif lp.expected_paid is not None:
                got, want, basis = ln.paid, lp.expected_paid, "paid vs expected payment"
            else:
                continue
            short = want - got
            if short > max(want * TOLERANCE_SHARE, TOLERANCE_MIN):
                rows.append({"claim_id": t.claim_id, "line": ln.position, "code": ln.code, "payer": t.payer,
                             "remit_date": latest.remit_date.isoformat() if latest.remit_date else None,
                             "allowed": str(got), "expected": str(want), "difference": str(short.quantize(ZERO)),
                             "basis": f"{basis}; {lp.method}" + (f" ({lp.locality})" if lp.locality else ""),
                             "explanation": lp.explanation})
    return rows
