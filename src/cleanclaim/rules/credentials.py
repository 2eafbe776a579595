"""CR: credentials -- may the rendering provider's taxonomy bill this code to this payer; is
the NPI on the practice's roster and in the payer's network (roster from the history store)?"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from ..policies import policy_for
from ..policies.model import code_specificity
from ..policies.claimview import payer_key, rendering_taxonomy, roster_entry
from .base import Hit, RuleContext, rule


def _rendering_npis(claim: Claim) -> Iterator[tuple]:
    """(first line, NPI) for each distinct rendering NPI of the claim (2420A, else 2310B, else billing)."""
    seen = set()
    for ln in claim.lines:
        provider = claim.rendering_for(ln)
        npi = provider.npi if provider else None
        if npi and npi not in seen:
            seen.add(npi)
            yield ln, npi


@rule("CR001", "credentials.taxonomy-not-allowed", "error", carc="CO-185 / CO-170")
def taxonomy_not_allowed(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The rendering provider's NUCC taxonomy may not bill the code to this payer.

    ## What it checks
    The rendering provider's taxonomy (PRV of 2420A/2310B, else the billing provider's,
    else the imported roster) against the pack's `credentials` rules for the line's code on
    its date. `allowed: false` is an error; a taxonomy no rule names, for a code the pack
    lists allowed provider types for, is a warning. The finding says where the taxonomy came
    from (2420A/2310B PRV, the billing provider's PRV when there is no rendering provider, or
    the roster). With no taxonomy anywhere, an info finding says credentials were not checked.

    ## Why payers deny it
    The rendering provider is not eligible to be paid for the service: CO-185 (rendering
    provider not eligible), CO-170 (payment denied when performed by this provider type).

    ## Example
    A massage therapist (225700000X) billing 97124 to Medicare: massage therapists have no
    Medicare benefit category. A PT assistant (225200000X) named as rendering provider.

    ## Fix
    Assistants: bill under the supervising therapist's NPI with CQ (PTA) or CO (OTA) on the
    lines they furnished (over 10% of the service). LMTs: Medicare cannot be billed; bill
    the patient, or have a PT/OT furnish massage inside the plan of care.

    ## Authority
    The pack rule named in the finding (e.g. medicare.massage-therapists-not-payable: SSA
    §1861(s); medicare.assistants-bill-under-therapist: SSA §1834(v), CMS 100-04 ch.5 §20.1).
    """
    policy = policy_for(claim, ctx)
    not_checked = set()  # providers already reported as not checked (once per claim each)
    for ln in claim.lines:
        rules = policy.for_code("credentials", ln.procedure_code, ln.date_of_service)
        if not rules:
            continue
        taxonomy, source = rendering_taxonomy(claim, ln, ctx)
        if taxonomy is None:
            if id(claim.rendering_for(ln)) in not_checked:
                continue
            not_checked.add(id(claim.rendering_for(ln)))
            provider = claim.rendering_for(ln)
            npi = provider.npi if provider is not None and provider.npi else "none"
            billing = claim.billing_provider
            if billing is not None and billing.taxonomy and provider is not billing:
                missing = (f"the claim gives no taxonomy (PRV) for the rendering provider (NPI {npi}); the billing "
                           f"provider's taxonomy ({billing.taxonomy}, 2000A PRV) names the group, not who rendered "
                           "the service, and no roster entry gives one")
            else:
                missing = (f"the claim gives no taxonomy (PRV) for the rendering or billing provider (NPI {npi}) "
                           "and no roster entry gives one")
            yield Hit(f"Credentials not checked for {ln.procedure_code}: the {policy.name} pack limits who may "
                      f"bill it, but {missing}.", line=ln.number, severity="info",
                      fix="Send the provider's taxonomy (2000A/2310B/2420A PRV), or import the roster "
                          "(`cleanclaim history import-roster`) and check with --db.", fix_safety="safe",
                      authority=rules[-1].authority, details={"policy": policy.name, "not_checked": True})
            continue
        found = policy.credential(ln.procedure_code, taxonomy, ln.date_of_service)
        if found is not None and found.get("allowed"):
            continue
        described = _describe(ctx, taxonomy)
        if found is None:
            # Only codes the pack lists provider types for (not a catch-all rule such as
            # "LMTs may bill nothing else") make an unlisted taxonomy worth a warning.
            listed = [r for r in rules if r.get("allowed")
                      and code_specificity(ln.procedure_code, r.get("codes", ["ALL"])) >= 2]
            if not listed:
                continue
            yield Hit(f"{_whose(source)} taxonomy {described} ({source}) is not among the provider types the "
                      f"{policy.name} pack lists for {ln.procedure_code}.", line=ln.number, severity="warning",
                      fix="Check the provider's enrolment/credentialing with the payer, or add a credentials "
                          "rule for this taxonomy to your pack.", fix_safety="unsafe",
                      authority=listed[-1].authority,
                      details={"policy": policy.name, "taxonomy": taxonomy})
            continue
        if found.get("allowed"):
            continue
        if found.get("bill_under"):
            mods = "/".join(found.get("modifiers", []))
            fix = f"Bill under {found.get('bill_under')}" + (f" with {mods} on the line" if mods else "") + "."
        else:
            fix = "Not payable by this payer for this provider type: do not bill it to the plan."
        note = f" {found.get('note').strip()}" if found.get("note") else ""
        yield Hit(f"{_whose(source)} taxonomy {described} ({source}) may not bill {ln.procedure_code} to "
                  f"{policy.name} ({found.id}).{note}{found.assumed_note}", line=ln.number, fix=fix,
                  fix_safety="unsafe", severity=found.severity(),
                  authority=found.authority, details={"policy": policy.name, "policy_rule": found.id,
                                                      "not_payable": not found.get("bill_under")})


def _whose(source: str) -> str:
    return "Billing provider" if source.startswith("billing") else "Rendering"


def _describe(ctx: RuleContext, taxonomy: str) -> str:
    row = ctx.store.taxonomy(taxonomy)
    return f"{taxonomy} {row.display_name}" if row is not None else taxonomy


@rule("CR002", "credentials.npi-not-on-roster", "warning", carc="CO-185")
def npi_not_on_roster(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A rendering NPI that is not on the imported provider roster (needs a claim history).

    ## What it checks
    With a history store (`--db`) that holds a roster (`cleanclaim history import-roster`),
    every rendering NPI on the claim is on it. Without a history, or with an empty roster,
    nothing is checked.

    ## Why payers deny it
    An unknown rendering provider is usually one not credentialed with the payer yet:
    CO-185 / N290 (missing or invalid rendering provider).

    ## Example
    A new therapist's NPI on a claim before credentialing finished.

    ## Fix
    Add the provider to the roster, or bill under a credentialed provider who furnished the
    service.

    ## Authority
    The payer's participation agreement (credentialing); X12 837P 2310B/2420A NM109 (rendering
    provider NPI); CARC 185, RARC N290.
    """
    if ctx.history is None:
        return
    for ln, npi in _rendering_npis(claim):
        if roster_entry(ctx, npi) is None and _roster_has_rows(ctx):
            yield Hit(f"Rendering NPI {npi} is not on the provider roster.", line=ln.number,
                      fix="Import the provider into the roster (with taxonomy and networks) or correct the NPI.",
                      fix_safety="unsafe", authority="Payer participation agreement; CARC 185 / RARC N290")


def _roster_has_rows(ctx: RuleContext) -> bool:
    cache = ctx.memo("policy.roster-count")
    if "n" not in cache:
        counts = getattr(ctx.history, "counts", None)
        cache["n"] = (counts() or {}).get("provider_roster", 1) if counts else 1
    return bool(cache["n"])


@rule("CR003", "credentials.out-of-network", "warning", carc="CO-242")
def out_of_network(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The rendering provider is on the roster but not in this payer's network.

    ## What it checks
    With a history roster, the rendering provider's in-network payer keys include this
    claim's payer key (payer id, else payer name).

    ## Why payers deny it
    Out-of-network services are denied or paid at the out-of-network benefit (CO-242,
    services not provided by network/primary care providers).

    ## Example
    A therapist contracted with Medicare only, billing a commercial plan.

    ## Fix
    Bill under an in-network provider who furnished the service, or tell the patient before
    the visit that out-of-network benefits apply.

    ## Authority
    The payer's participation agreement; CARC 242.
    """
    if ctx.history is None or ctx.payer_type_for(claim) == "medicare":
        return
    key = payer_key(claim)
    if key is None:
        return
    for ln, npi in _rendering_npis(claim):
        entry = roster_entry(ctx, npi)
        if entry is not None and not entry.is_in_network(key):
            yield Hit(f"Rendering NPI {npi} is not in network with payer {key} per the roster.", line=ln.number,
                      fix="Bill under an in-network provider, or update the roster if the contract is in force.",
                      fix_safety="unsafe", authority="Payer participation agreement; CARC 242")


@rule("CR004", "credentials.assistant-modifier-discipline", "error", carc="CO-4")
def assistant_modifier_discipline(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """CQ or CO that does not match the line's therapy discipline (Medicare).

    ## What it checks
    On Medicare lines, the assistant modifiers of the pack (`modifiers` of kind `assistant`:
    CQ for a physical therapist assistant, CO for an occupational therapy assistant) go with
    the plan of care of their discipline: CQ with GP, CO with GO; never both, never with GN.

    ## Why payers deny it
    The modifier combination is invalid: CO-4 (procedure code inconsistent with the modifier).

    ## Example
    97530-GO-CQ: an OT plan-of-care service furnished by an OT assistant needs CO, not CQ.

    ## Fix
    Use CQ with GP (PTA) or CO with GO (OTA), as the assistant who furnished more than 10% of
    the service was.

    ## Authority
    The pack's medicare.mod-cq / medicare.mod-co (SSA §1834(v); CMS 100-04 ch.5 §20.1).
    """
    if ctx.payer_type_for(claim) != "medicare":
        return
    policy = policy_for(claim, ctx)
    discipline_of = {"GP": "PT", "GO": "OT", "GN": "SLP"}
    for ln in claim.lines:
        assistants = policy.modifiers("assistant", ln.date_of_service)
        used = [m for m in ln.modifiers if m in assistants]
        if not used:
            continue
        disciplines = {discipline_of[m] for m in ln.modifiers if m in discipline_of}
        wrong = [m for m in used if assistants[m].get("discipline") not in disciplines]
        if len(used) > 1 or wrong:
            rule_ = assistants[(wrong or used)[0]]
            want = ", ".join(f"{m} with G{'P' if r.get('discipline') == 'PT' else 'O'}" for m, r in assistants.items())
            yield Hit(f"{ln.procedure_code} carries {'/'.join(used)} with "
                      f"{'/'.join(sorted(m for m in ln.modifiers if m in discipline_of)) or 'no discipline modifier'}.",
                      line=ln.number, fix=f"Use {want}: the assistant's discipline and the plan of care agree.",
                      fix_safety="unsafe", authority=rule_.authority)
