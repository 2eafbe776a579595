"""CV: coverage -- is the code covered by this payer on this date (policy pack), and are the
Medicare liability modifiers (GA/GY/GZ) used as the ABN rules say?"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from ..policies import policy_for
from .base import Hit, RuleContext, rule
from .therapy import STATUS_MEANING

LIABILITY = {"GA", "GY", "GZ"}


@rule("CV001", "coverage.not-covered", "error", carc="CO-96 / CO-204")
def not_covered(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A code the payer's policy pack marks not covered on the date of service.

    ## What it checks
    Each line's code against the pack's `coverage` rules in force on its date. A code with
    `covered: false` is reported unless the line carries one of the rule's liability
    modifiers (GA with an ABN, GY statutorily excluded, GZ expected denial). On Medicare,
    codes whose PFS status already makes TH003 report them (B, I, N, R, P) are left to TH003.

    ## Why payers deny it
    Non-covered charge: CO-96 or CO-204 (not covered under the patient's benefit plan). Without
    GA/GY the provider, not the patient, is liable.

    ## Example
    A user pack marks 97124 not covered for a plan; a 97124 line is flagged.

    ## Fix
    Do not bill the plan, or (Medicare) get an ABN signed before the service and append GA,
    or GY for a statutorily excluded service, so the patient can be billed.

    ## Authority
    The pack rule named in the finding (its citation); CMS 100-04 ch.30 §40.3.6 and §50 (ABN,
    GA/GZ); ch.1 §60.1.1 (GY).
    """
    medicare = ctx.payer_type_for(claim) == "medicare"
    policy = policy_for(claim, ctx)
    for ln in claim.lines:
        rule_ = policy.coverage(ln.procedure_code, ln.date_of_service)
        if rule_ is None or rule_.get("covered", True):
            continue
        if ln.modifier_set & set(rule_.get("liability_modifiers", [])):
            continue
        if medicare:
            row = ctx.store.pfs(ln.procedure_code)
            if row is not None and row.status in STATUS_MEANING:
                continue  # TH003 reports it with the PFS status
        mods = "/".join(rule_.get("liability_modifiers", [])) or "none"
        yield Hit(f"{ln.procedure_code} is not covered by the {policy.name} pack on "
                  f"{ln.date_of_service} ({rule_.id}).{rule_.assumed_note}", line=ln.number,
                  severity=rule_.severity(),
                  fix=f"Do not bill the plan, or use the payer's liability modifiers ({mods}) with a "
                      "signed notice so the patient can be billed.",
                  fix_safety="unsafe", authority=rule_.authority,
                  details={"policy": policy.name, "policy_rule": rule_.id})


@rule("CV002", "coverage.liability-modifier-misused", "warning", carc="CO-4")
def liability_modifier_misused(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Medicare GA/GY/GZ used in a way the ABN rules do not allow.

    ## What it checks
    On Medicare lines: GA together with GZ (an ABN either was or was not given), or GY on a
    code the pack says is covered on that date (GY is for statutorily excluded services and
    services that are not a Medicare benefit).

    ## Why payers deny it
    Contradictory liability modifiers make the line unprocessable (CO-4); GY on a covered
    service denies it as excluded (PR-96) when it should have been paid.

    ## Example
    97110-GP-GY for a patient under a certified plan of care.

    ## Fix
    Keep GA only when a valid ABN (CMS-R-131) was signed; GZ when none was; drop GY from
    covered services.

    ## Authority
    CMS 100-04 ch.30 §40.3.6 (GA/GZ) and §50 (ABN); ch.1 §60.1.1 (GY); the pack's modifiers.
    """
    if ctx.payer_type_for(claim) != "medicare":
        return
    policy = policy_for(claim, ctx)
    for ln in claim.lines:
        mods = ln.modifier_set & LIABILITY
        if {"GA", "GZ"} <= mods:
            yield Hit(f"{ln.procedure_code} carries both GA (ABN on file) and GZ (no ABN).", line=ln.number,
                      fix="Keep GA if an ABN was signed before the service, else GZ.", fix_safety="unsafe",
                      authority="CMS 100-04 ch.30 §40.3.6 and §50")
        if "GY" in mods:
            rule_ = policy.coverage(ln.procedure_code, ln.date_of_service)
            if rule_ is not None and rule_.get("covered"):
                yield Hit(f"{ln.procedure_code} carries GY (statutorily excluded) but is covered "
                          f"({rule_.id}).", line=ln.number, fix=f"Remove GY from line {ln.number}.",
                          fix_safety="unsafe", authority=f"CMS 100-04 ch.1 §60.1.1; {rule_.authority}")
