"""RF: referral / order -- is a referring provider or referral number on the claim when the
payer's pack requires one?"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from ..policies import policy_for
from ..policies.claimview import rendering_taxonomy
from .base import Hit, RuleContext, rule

WHAT = {"referring_provider": "a referring/ordering provider (2310A NM1*DN)",
        "referral_number": "a referral number (REF*9F)"}


@rule("RF001", "referral.missing", "error", carc="CO-197 / N54")
def referral_missing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The pack requires a referral or order for a code and the claim carries none.

    ## What it checks
    For each line, the pack's `referral` rule for the code (and, when the rule names
    taxonomies, the rendering provider's taxonomy) on its date. When one applies, the claim
    must carry what the rule accepts: a referring provider with an NPI (2310A NM1*DN) or a
    referral number (REF*9F). One finding per claim names every line concerned. Medicare
    needs none for therapy (the certified plan of care is kept on file).

    ## Why payers deny it
    CO-197 (precertification/authorization/notification absent) or N54/N286 (missing or
    invalid referring provider).

    ## Example
    Medicaid physical therapy with no ordering practitioner; massage by an LMT billed to a
    commercial plan without a physician referral.

    ## Fix
    Add the ordering/referring practitioner in loop 2310A (NM1*DN with NPI) or the payer's
    referral number in REF*9F, from the order on file.

    ## Authority
    The pack rule named in the finding (e.g. medicaid.therapy-order: 42 CFR 440.110, 455.440).
    """
    has = {"referring_provider": bool(claim.referring_provider and claim.referring_provider.npi),
           "referral_number": bool(claim.referral_number)}
    policy = policy_for(claim, ctx)
    missing: dict[str, list] = {}
    rules = {}
    for ln in claim.lines:
        taxonomy, _ = rendering_taxonomy(claim, ln, ctx)
        found = policy.referral(ln.procedure_code, taxonomy, ln.date_of_service)
        if found is None:
            continue
        accepts = found.get("accepts") or list(WHAT)
        if not any(has[a] for a in accepts):
            missing.setdefault(found.id, []).append(ln)
            rules[found.id] = found
    for rule_id, lines in missing.items():
        found = rules[rule_id]
        accepts = found.get("accepts") or list(WHAT)
        codes = ", ".join(f"{ln.procedure_code} (line {ln.number})" for ln in lines)
        yield Hit(f"{codes}: the {policy.name} pack requires {' or '.join(WHAT[a] for a in accepts)} "
                  f"({rule_id}); the claim has none.{found.assumed_note}", line=lines[0].number,
                  severity=found.severity(),
                  fix="Add " + " or ".join(WHAT[a] for a in accepts) + " from the order/referral on file.",
                  fix_safety="unsafe", authority=found.authority,
                  details={"policy": policy.name, "policy_rule": rule_id, "lines": [ln.number for ln in lines]})
