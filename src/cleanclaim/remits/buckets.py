"""What counts as a denial, and its root-cause bucket (issue 5).

A *denial* is a claim with CLP02 = 4, or a line paid 0 or reduced by an adjustment that
is not contractual and not patient responsibility (PR-1 deductible, PR-2 coinsurance,
PR-3 copay), nor CO-253 (Medicare sequestration, see NOT_DENIALS). Contractual, from
the CARC texts of the shipped X12 list: CO-45 "Charge exceeds fee schedule/maximum
allowable or contracted/legislated fee arrangement."; CO-42 "Charges exceed our fee
schedule or maximum allowable amount. (Use CARC 45)" (stopped 2007, still sent);
CO-A2 "Contractual adjustment." (stopped 2008, still sent); CO-24 "Charges are covered
under a capitation agreement/managed care plan." (paid by the capitation, not denied).
OA-23 "The impact of prior payer(s) adjudication including payments and/or adjustments"
on a claim this payer processed as secondary or tertiary (CLP02 2, 3, 20, 21) is the
primary payer's share, not a denial by this payer.
"Reduced by" means a positive CAS amount; reversals (CLP02 = 22) are never denials.
A claim-level CAS that qualifies makes the claim a denial (the whole claim charge
counts). Dollars denied = the billed charge of
the denied lines (the claim charge when CLP02 = 4).

The bucket comes from data/denial_buckets.tsv: CARC -> bucket, read from each code's
description in the shipped X12 CARC/RARC list (the ``basis`` column quotes it). When the
CARC is generic (16, 96, 226, 234, 252) a mapped RARC on the line or claim decides.
Unmapped codes: group PR -> patient_responsibility, otherwise ``other``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from .model import Adjustment, Remark, RemitClaim, RemitLine

BUCKETS = {
    "coverage": "Coverage or non-covered service",
    "authorization": "Authorisation",
    "medical_necessity": "Medical necessity or documentation",
    "credentialing": "Credentialing or provider",
    "coding_bundling": "Coding or bundling (NCCI)",
    "billing_error": "Missing information or billing error",
    "eligibility": "Eligibility",
    "timely_filing": "Timely filing",
    "duplicate": "Duplicate",
    "patient_responsibility": "Patient responsibility",
    "other": "Other (no bucket for the code)",
}
# Issue 5: CO-45 and PR-1/2/3 are not denials. One addition, shared with DENIALS
# (remits.analytics.NOT_A_DENIAL): CO-253 "Sequestration - reduction in federal payment",
# the legislated 2% cut on every Medicare payment (Budget Control Act of 2011), which would
# otherwise make every paid Medicare claim a denial.
NOT_DENIALS = frozenset({("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("CO", "253"),
                         ("CO", "42"), ("CO", "A2"), ("CO", "24")})
CONTRACTUAL = frozenset({("CO", "45"), ("CO", "42"), ("CO", "A2"), ("CO", "24")})
# CLP02: processed as secondary / tertiary (with or without forwarding), 005010X221A1 2100 CLP02
LATER_PAYER_STATUS = frozenset({"2", "3", "20", "21"})
ZERO = Decimal(0)


@dataclass(frozen=True)
class BucketRule:
    kind: str  # carc | rarc
    code: str
    bucket: str
    generic: bool
    basis: str  # the code's description in the CARC/RARC list


@cache
def bucket_table() -> dict[tuple[str, str], BucketRule]:
    text = resources.files("cleanclaim").joinpath("data/denial_buckets.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    table = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["bucket"] not in BUCKETS:
            raise ValueError(f"denial_buckets.tsv: unknown bucket {row['bucket']!r} for {row['code']}")
        table[(row["kind"], row["code"])] = BucketRule(row["kind"], row["code"], row["bucket"],
                                                        row["generic"] == "yes", row["basis"])
    return table


def is_denial_adjustment(adj: Adjustment, claim_status: str | None = None) -> bool:
    """True for a positive adjustment that is not contractual, PR-1/2/3 or CO-253, nor
    OA-23 (prior payer's adjudication) on a claim processed as secondary/tertiary."""
    if adj.amount <= 0 or (adj.group, adj.carc) in NOT_DENIALS:
        return False
    return not (adj.carc == "23" and adj.group == "OA" and claim_status in LATER_PAYER_STATUS)


def bucket_for(adj: Adjustment, remarks: list[Remark] | tuple = ()) -> tuple[str, str]:
    """(bucket, why) for one adjustment and the remark codes that go with it."""
    table = bucket_table()
    rule = table.get(("carc", adj.carc))
    if rule is None or rule.generic:
        for remark in remarks:
            by_remark = table.get(("rarc", remark.code))
            if by_remark is not None:
                return by_remark.bucket, f"RARC {remark.code}: {by_remark.basis}"
    if rule is not None:
        return rule.bucket, f"CARC {adj.carc}: {rule.basis}"
    if adj.group == "PR":
        return "patient_responsibility", f"group PR (patient responsibility); CARC {adj.carc} is not mapped"
    return "other", f"CARC {adj.carc} is not mapped to a bucket"


@dataclass
class DenialDecision:
    denied: bool
    denied_charge: Decimal
    adjustment: Adjustment | None = None  # the adjustment that decided it (largest qualifying)
    bucket: str | None = None
    why: str = ""


def _decide(adjustments: list[Adjustment], remarks, charge: Decimal | None, forced: bool,
            status: str | None = None) -> DenialDecision:
    qualifying = [a for a in adjustments if is_denial_adjustment(a, status)]
    if not qualifying and not forced:
        return DenialDecision(False, ZERO)
    pool = qualifying or [a for a in adjustments if a.amount > 0 and (a.group, a.carc) not in CONTRACTUAL]
    if not pool:
        return DenialDecision(True, charge or ZERO, None, "other", "CLP02 = 4 (denied) with no adjustment reason")
    decisive = max(pool, key=lambda a: a.amount)
    bucket, why = bucket_for(decisive, remarks)
    return DenialDecision(True, charge or ZERO, decisive, bucket, why)


def line_denial(line: RemitLine, claim: RemitClaim) -> DenialDecision:
    """Is this line a denial (issue 5 definition)? Claim remarks count with line remarks."""
    if claim.is_reversal:
        return DenialDecision(False, ZERO)
    return _decide(line.adjustments, [*line.remarks, *claim.remarks], line.charge, claim.is_denied,
                   claim.status_code)


def claim_denial(claim: RemitClaim) -> DenialDecision:
    """The claim's denial: CLP02 = 4, a denied line, or a qualifying claim-level CAS."""
    if claim.is_reversal:
        return DenialDecision(False, ZERO)
    if claim.is_denied:
        every = claim.all_adjustments
        return _decide(every, claim.remarks, claim.charge, True, claim.status_code)
    lines = [(ln, line_denial(ln, claim)) for ln in claim.lines]
    denied = [(ln, d) for ln, d in lines if d.denied]
    own = _decide(claim.adjustments, claim.remarks, claim.charge, False, claim.status_code)
    if own.denied:
        if claim.lines:
            own.why += " (claim-level adjustment: the whole claim charge counts)"
        return own
    if not denied:
        return DenialDecision(False, ZERO)
    first = max(denied, key=lambda pair: pair[1].adjustment.amount if pair[1].adjustment else ZERO)[1]
    total = sum((ln.charge or ZERO for ln, _ in denied), ZERO)
    return DenialDecision(True, total, first.adjustment, first.bucket, first.why)
