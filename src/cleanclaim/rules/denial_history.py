"""DH: what this payer denied before (the practice's own 835 history) fed back into checks.

Silent without a history store (``check --db``) or without remits in it. Reads the
first-pass outcome of every claim the payer answered on or before the check date
(``remits.denial_index``) and a small calibrated risk model trained on them
(``remits.risk``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..model import Claim
from .base import Hit, RuleContext, rule

LAST = 10  # claims looked at per payer and code
MIN_DENIED = 3  # at least this many denials ...
MIN_SHARE = 0.5  # ... and at least this share of the last claims
RISK_THRESHOLD = 0.5  # DH002 fires at or above this calibrated probability
AUTHORITY = ("The practice's own remittance history (ASC X12 005010X221A1 835: CLP02 status, CAS group "
             "code and CARC, LQ*HE RARC) as imported by `cleanclaim remit import`; CARC text from the "
             "X12 Claim Adjustment Reason Code list")

ADVICE = {
    "medical_necessity": "Check that the diagnoses pointed to support the service and that the note documents "
                         "why it was needed; attach records or ask the payer for its policy before sending.",
    "coding_bundling": "Check the code pair against NCCI and the payer's bundling policy; bill the "
                       "comprehensive code or add a modifier only when the services were distinct.",
    "authorization": "Confirm a prior authorisation covers this service, date and unit count (REF*G1).",
    "credentialing": "Confirm the rendering provider is enrolled and credentialed with this payer on the date.",
    "coverage": "Check the patient's benefit plan covers the service; get a signed waiver/ABN if it does not.",
    "eligibility": "Verify eligibility (270/271) for the date of service before sending.",
    "timely_filing": "Send within the payer's filing limit; keep proof of timely submission.",
    "duplicate": "Check the claim was not already sent; send a corrected claim (frequency 7) instead of a copy.",
    "patient_responsibility": "Collect the patient's share or confirm the benefit before the visit.",
}
DEFAULT_ADVICE = "Read the denials listed and fix their cause before sending, or expect the same answer."


def _index(ctx: RuleContext):
    if ctx.history is None:  # no store, no denial history (and no database layer to load)
        return None
    from ..remits.denial_index import index_for

    index = index_for(ctx)
    return index if index is not None and len(index) else None


def _payer_label(claim: Claim) -> str:
    return claim.payer.name or claim.payer.payer_id or "this payer"


def _flagged(ctx: RuleContext, claim: Claim) -> set[int]:
    return ctx.claim_memo(claim).setdefault("dh_flagged", set())


@rule("DH001", "denial-history.payer-denies-code", "warning")
def payer_denies_code(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """This payer denied this procedure code on most of its last claims with it.

    ## What it checks
    For each line, the payer's last 10 claims with the same procedure code in the
    practice's own 835 history (first answer to each claim). Warns when at least 3 of
    them, and at least half, were denials (CLP02 = 4, or the line zero-paid or reduced
    by an adjustment other than CO-45 and PR-1/2/3), naming the usual group code + CARC.

    ## Why payers deny it
    Payers apply the same policy edit to the same code every time: a code this payer
    denied 8 times out of 10 will be denied again unless something changes.

    ## Example
    ACME denied 97124 with CO-50 (not medically necessary) on 8 of its last 10 claims;
    a new ACME claim bills 97124.

    ## Fix
    Fix the cause the denials name (the advice depends on the root-cause bucket), or
    hold the line until the payer's policy is known. The finding lists the claims.

    ## Authority
    The practice's own remittance history (X12 005010X221A1 835 CLP/CAS/LQ), with CARC
    and RARC text from the X12 code lists; denial definition as in issue 5.
    """
    index = _index(ctx)
    if index is None:
        return
    for ln in claim.lines:
        last = index.last_claims(claim.payer, ln.procedure_code, LAST, exclude_claim=claim.claim_id)
        denied = [o for o in last if o.denied]
        if len(denied) < MIN_DENIED or len(denied) < MIN_SHARE * len(last):
            continue
        reasons = Counter(f"{o.group}-{o.carc}" if o.carc else "CLP02 4" for o in denied)
        reason, times = reasons.most_common(1)[0]
        buckets = Counter(o.bucket for o in denied if o.bucket)
        bucket = buckets.most_common(1)[0][0] if buckets else None
        carc = reason.split("-", 1)[-1]
        meaning = ctx.store.adjustment_code("carc", carc) if reason != "CLP02 4" and ctx.store else None
        _flagged(ctx, claim).add(ln.number)
        risk = _risk(ctx, index, claim, ln)
        yield Hit(
            f"{_payer_label(claim)} denied {ln.procedure_code} on {len(denied)} of its last {len(last)} claims "
            f"with it ({reason} {times} time{'s' if times != 1 else ''}"
            + (f": {meaning.description.rstrip('.')}" if meaning else "") + ")"
            + (f"; denial risk {risk[0]:.0%}" if risk else "") + ".",
            line=ln.number, fix=ADVICE.get(bucket or "", DEFAULT_ADVICE), authority=AUTHORITY,
            carc=reason if reason != "CLP02 4" else None,
            details={"payer": _payer_label(claim), "code": ln.procedure_code, "denied": len(denied),
                     "claims": len(last), "reason": reason, "bucket": bucket,
                     "risk": round(risk[0], 3) if risk else None,
                     "evidence": [{"claim_id": o.claim_id, "remit_date": o.remit_date.isoformat() if o.remit_date
                                   else None, "denied": o.denied, "reason": f"{o.group}-{o.carc}" if o.carc else None}
                                  for o in last]})


def _risk(ctx: RuleContext, index, claim: Claim, ln) -> tuple[float, list[dict]] | None:
    """(calibrated denial probability, evidence) for one line, or None without a model."""
    from ..remits.denial_index import payer_keys
    from ..remits.risk import features, model_for

    model = model_for(ctx, index)
    if model is None:
        return None
    payer = next((k for k in sorted(payer_keys(claim.payer)) if f"payer={k}" in model.vocabulary), None)
    if payer is None:
        return None
    rendering = claim.rendering_for(ln)
    names = features(payer, ln.procedure_code, ln.modifiers, rendering.npi if rendering else None,
                     bool(claim.prior_authorization), float(ln.units or 1))
    return model.score(names)


@rule("DH002", "denial-history.risk", "warning")
def denial_risk(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A line the practice's own denial-risk model scores at 50% or more.

    ## What it checks
    A calibrated logistic-regression model trained on the practice's first-pass 835
    outcomes (features: payer, code, payer x code, modifiers, rendering provider,
    prior authorisation present, units) scores each line; at 50% or more the line is
    flagged with its score and the features that raised it, each with how often the
    history denied lines that had it. Lines DH001 already flagged are not repeated.
    Needs at least 30 first-pass lines with both denials and payments.

    ## Why payers deny it
    Combinations matter: a payer may pay a code from one provider and deny it from
    another who is not credentialed, or deny it without an authorisation number.

    ## Example
    SUNRISE MEDICAID PLAN with rendering NPI 1245319599: 4 of 4 lines denied (CO-B7);
    a new claim from that provider scores 80%.

    ## Fix
    Look at the evidence features: fix the one that applies (enrolment, authorisation,
    modifier, code) before sending.

    ## Authority
    The practice's own remittance history (X12 005010X221A1 835); model and calibration
    in src/cleanclaim/remits/risk.py (Platt scaling, out-of-fold Brier score reported).
    """
    index = _index(ctx)
    if index is None:
        return
    from ..remits.risk import model_for

    model = model_for(ctx, index)
    flagged = _flagged(ctx, claim)
    for ln in claim.lines:
        if model is None:
            return
        if ln.number in flagged:
            continue
        scored = _risk(ctx, index, claim, ln)
        if scored is None:
            return
        prob, evidence = scored
        if prob < RISK_THRESHOLD or not evidence:
            continue
        why = "; ".join(f"{e['feature']}: {e['denied']} of {e['lines']} denied" for e in evidence)
        yield Hit(f"Denial risk {prob:.0%} for {ln.procedure_code} with {_payer_label(claim)} ({why}).",
                  line=ln.number, fix="Check the evidence features against the denials they come from "
                  "(`cleanclaim denials report`) and fix the cause before sending.",
                  authority=AUTHORITY,
                  details={"risk": round(prob, 3), "evidence": evidence, "trained_on": model.trained_on,
                           "base_rate": round(model.base_rate, 3), "brier": round(model.brier, 4),
                           "brier_base_rate": round(model.brier_base, 4)})
