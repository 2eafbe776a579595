"""MN: medical necessity -- does a pointed diagnosis meet the code's requirement in the pack?"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Claim
from ..policies import icd_matches, policy_for
from .base import Hit, RuleContext, rule
from .icd10 import ICD10_START, release_on  # once, not per pointed diagnosis

PREGNANCY_STATE = re.compile(r"^(Z331|Z3A\d\d|Z34\d*)$")  # what PG004 reports on its own


def _matches(ctx: RuleContext, code: str, patterns) -> bool:
    """icd_matches, worked out once per (code, patterns) in a run (the same few codes and
    pack requirements recur on every claim of a batch)."""
    try:
        key = (code, tuple(patterns))
        cache = ctx.memo("mn.icd_matches")
        found = cache.get(key)
    except TypeError:  # a pattern that cannot be a key: ask every time
        return icd_matches(code, patterns)
    if found is None:
        found = cache[key] = icd_matches(code, patterns)
    return found


def _in_code_set(ctx: RuleContext, dx, dos) -> bool:
    """False for an ICD-10-CM code the release in force on ``dos`` does not hold (DX001
    reports it once; MN001 does not judge a code that does not exist)."""
    if dos is None or not dx.is_icd10 or dos < ICD10_START or ctx.store is None:
        return True
    release = release_on(ctx, dos)
    return release is None or ctx.store.icd_code(dx.code, release.release_id) is not None


@rule("MN001", "necessity.no-covered-diagnosis", "error", carc="CO-50 / CO-11")
def no_covered_diagnosis(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A line whose pointed diagnoses do not meet the code's covered-diagnosis requirement.

    ## What it checks
    For each line whose code has a `diagnosis_requirements` rule in the claim's policy pack
    (in force on the date of service), at least one diagnosis the line points to must
    match the rule's ICD-10-CM prefixes or ranges (`any_of`) and not be one the pack
    calls not sufficient (`not_sufficient`, e.g. Z33.1, Z3A.-). Lines whose pointers
    reach no diagnosis (CL001) and claims whose diagnoses are all pregnancy-state codes
    (PG004) are left to those rules -- the latter only when PG004 runs too (with
    `--select MN` alone, MN001 reports them).

    ## Why payers deny it
    The service is not reasonable and necessary for the condition billed: CO-50, or CO-11
    (diagnosis inconsistent with the procedure).

    ## Example
    97124 (massage) pointing to Z33.1 (pregnant state, incidental) and F41.9 (anxiety):
    neither is a musculoskeletal, neurological, injury or symptom diagnosis.

    ## Fix
    Code the condition treated (e.g. O26.893 with M54.50 low back pain) and point the line
    to it; if the service treated no such condition, it is not billable to the plan.

    ## Authority
    The policy pack rule named in the finding (base.therapy-needs-treated-condition:
    ICD-10-CM Official Guidelines IV.A-D, IV.G and I.C.15.a.1; CMS 100-02 ch.15 §220.2).
    """
    codes = [dx.code for dx in claim.diagnoses]
    pg004_runs = "PG004" in ctx.options.get("rule_codes", ("PG004",))  # e.g. not with --select MN
    if not claim.lines or (pg004_runs and codes and all(PREGNANCY_STATE.match(c) for c in codes)):
        return
    policy = policy_for(claim, ctx)
    for ln in claim.lines:
        requirements = policy.diagnosis_requirements(ln.procedure_code, ln.date_of_service)
        pointed = [dx for p in ln.diagnosis_pointers if (dx := claim.diagnosis_at(p)) is not None
                   and _in_code_set(ctx, dx, ln.date_of_service)]  # a code not in it: DX001's
        if not requirements or not pointed:
            continue
        for req in requirements:
            ok = [dx for dx in pointed if _matches(ctx, dx.code, req.get("any_of", []))
                  and not _matches(ctx, dx.code, req.get("not_sufficient", []))]
            if ok:
                continue
            elsewhere = [dx for dx in claim.diagnoses if dx not in pointed
                         and _matches(ctx, dx.code, req.get("any_of", []))
                         and not _matches(ctx, dx.code, req.get("not_sufficient", []))]
            listed = ", ".join(dx.dotted for dx in pointed)
            if elsewhere:
                fix = (f"Point line {ln.number} to {elsewhere[0].dotted} (diagnosis "
                       f"{elsewhere[0].position}) if it is the condition this service treated.")
            else:
                fix = ("Code and point to the condition treated (musculoskeletal, neurological, injury or "
                       "symptom code; in pregnancy the chapter 15 O-code, e.g. O26.89-, with the symptom code).")
            yield Hit(f"{ln.procedure_code} points to {listed}: none meets the {policy.name} pack's "
                      f"covered-diagnosis requirement ({req.id}).{req.assumed_note}", line=ln.number, fix=fix,
                      severity=req.severity(),
                      fix_safety="unsafe", authority=req.authority,
                      details={"policy": policy.name, "policy_rule": req.id})
            break
