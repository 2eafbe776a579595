"""PA: prior authorisation -- REF*G1 present when the pack requires it, and (with a history
holding imported authorisations) matching one: payer, patient, codes, dates, units left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from ..model import Claim
from ..policies import policy_for
from ..policies.claimview import claim_identity, payer_key
from .base import Hit, RuleContext, rule


@rule("PA001", "prior-auth.missing", "error", carc="CO-197 / CO-15")
def prior_auth_missing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A code the pack requires prior authorisation for, on a claim with no REF*G1.

    ## What it checks
    Each line's code against the pack's `prior_auth` rules (`required: true`) in force on its
    date; the claim must carry the authorisation number in 2300 REF*G1.

    ## Why payers deny it
    CO-197 (precertification/authorization/notification absent) or CO-15 (the authorization
    number is missing or invalid).

    ## Example
    97140 manual therapy to a commercial plan whose policy lists 97140 for precertification,
    with no REF*G1.

    ## Fix
    Put the payer's authorisation number in REF*G1; if none was obtained, ask the payer for a
    retro-authorisation before billing.

    ## Authority
    The pack rule named in the finding (commercial.auth-manual-therapy-massage); X12 837P
    2300 REF*G1 (prior authorization).
    """
    if claim.prior_authorization:
        return
    policy = policy_for(claim, ctx)
    for ln in claim.lines:
        found = policy.prior_auth(ln.procedure_code, ln.date_of_service)
        if found is not None:
            yield Hit(f"{ln.procedure_code} needs prior authorisation under the {policy.name} pack "
                      f"({found.id}) and the claim has no REF*G1.{found.assumed_note}", line=ln.number,
                      severity=found.severity(),
                      fix="Add the payer's authorisation number (2300 REF*G1).", fix_safety="unsafe",
                      authority=found.authority, details={"policy": policy.name, "policy_rule": found.id})


@rule("PA002", "prior-auth.no-match", "error", carc="CO-15 / CO-198")
def prior_auth_no_match(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """REF*G1 that matches no stored authorisation, or one that does not cover the lines.

    ## What it checks
    With a history holding imported authorisations (`cleanclaim history import-auths`) for
    this patient and payer: REF*G1 names one of them; every line whose code needs
    authorisation (or that the authorisation lists) falls in its codes and date range; and
    the units billed fit in the units remaining, counted in date-of-service order (recorded
    claims and the earlier claims of this run): authorised
    minus the larger of the payer's reported use and the units of recorded claims dated
    before the line (this claim excluded; a replacement's original too), so a later or
    over-limit claim never uses up an earlier visit's units and a re-check gives the same
    answer. REF*G1 matches regardless of case. Nothing is checked
    without a history, or when none is stored for the patient and payer.

    ## Why payers deny it
    CO-15 (authorization number invalid for the service), CO-198 (precertification exceeded).

    ## Example
    REF*G1 AUTH123 authorises 12 units of 97140 to 30 June; a 2 July line, or the 13th unit.

    ## Fix
    Use the right authorisation number; ask the payer to extend the dates or add units
    before billing; bill the units not authorised only as the payer allows.

    ## Authority
    The payer's authorisation letter (imported); X12 837P 2300 REF*G1; CARC 15 and 198.
    """
    if ctx.history is None or not claim.patient_key or not claim.prior_authorization:
        return
    key = payer_key(claim)
    if key is None:
        return
    identity = claim_identity(claim)
    from ..store.types import ClaimKey

    from ..policies.claimview import replaced_reference

    auths = ctx.history.authorizations(claim.patient_key, key,
                                       exclude_claim=ClaimKey(*identity) if identity else None,
                                       replaces=replaced_reference(claim))
    number = claim.prior_authorization.strip()
    if not auths:
        if hasattr(ctx.history, "authorization_elsewhere") and \
                ctx.history.authorization_elsewhere(claim.patient_key, key, number):
            yield Hit(f"REF*G1 {number} is stored for another patient with payer {key}, not this one: an "
                      "authorisation covers only the member it was issued for.",
                      fix="Use this patient's own authorisation number (or get one before billing).",
                      fix_safety="unsafe", authority="Payer authorisation (imported); X12 837P 2300 REF*G1; CARC 15")
        return
    auth = next((a for a in auths if a.number.strip().upper() == number.upper()), None)
    if auth is None:
        yield Hit(f"REF*G1 {number} matches none of the {len(auths)} authorisation(s) stored for this "
                  f"patient with payer {key}.", fix="Use the number on the payer's authorisation letter.",
                  fix_safety="unsafe", authority="Payer authorisation (imported); X12 837P 2300 REF*G1; CARC 15")
        return
    auth = _with_run(auth, claim, ctx, key, identity, replaced_reference(claim))
    policy = policy_for(claim, ctx)
    units = Decimal(0)  # units of this claim's earlier lines (date order) under the authorisation
    claim_number = (claim.claim_id or "").strip()
    for ln in sorted(claim.lines, key=lambda ln: (ln.date_of_service or date.min, ln.number)):
        needs = policy.prior_auth(ln.procedure_code, ln.date_of_service) is not None
        listed = not auth.codes or ln.procedure_code in auth.codes
        if not (needs or (auth.codes and listed)):
            continue
        if ln.date_of_service is None or not auth.covers(ln.procedure_code, ln.date_of_service):
            why = ("is not among its codes (" + ", ".join(auth.codes) + ")") if not listed else \
                f"is outside its dates {auth.start.isoformat()}..{auth.end.isoformat()}"
            yield Hit(f"Authorisation {number}: line {ln.number} ({ln.procedure_code}, "
                      f"{ln.date_of_service}) {why}.", line=ln.number,
                      fix="Get the authorisation extended or amended before billing this line.",
                      fix_safety="unsafe", authority="Payer authorisation (imported); CARC 15 / 198")
            continue
        units += ln.units or Decimal(0)
        if auth.units_authorized is None:
            continue
        # Units are used up in date-of-service order: claims dated later (or the over-limit one)
        # never take units from an earlier visit, so a re-check gives the same answer.
        before, used_by = auth.billed_before(ln.date_of_service, claim_number, ln.number)
        used = max(Decimal(auth.units_used), before)
        if used + units > auth.units_authorized:
            by = ", ".join(used_by) if used_by else "no recorded claim"
            reported = f"; the payer reported {auth.units_used} used" if auth.units_used else ""
            left = max(Decimal(auth.units_authorized) - used, Decimal(0))
            yield Hit(f"Authorisation {auth.number} authorises {auth.units_authorized} unit(s) "
                      f"({auth.start.isoformat()}..{auth.end.isoformat()}); {_n(before)} used before "
                      f"{ln.date_of_service} ({by}){reported}, so {_n(left)} left; this claim bills {_n(units)} "
                      f"up to line {ln.number}.", line=ln.number,
                      fix="Ask the payer for more units before billing, or bill only the units authorised.",
                      fix_safety="unsafe", authority="Payer authorisation (imported); CARC 198",
                      details={"authorized": auth.units_authorized, "used_before": str(before),
                               "used_by": used_by, "units_left": str(left)})


def _with_run(auth, claim: Claim, ctx: RuleContext, payer: str, identity, replaces):
    """The authorisation with the units of earlier claims of this run added (a run without
    --record); a claim both recorded and in the run counts once, in its run version."""
    ledger = ctx.options.get("run_ledger")
    if ledger is None:
        return auth
    from dataclasses import replace

    from ..store.types import ClaimKey

    run = [ln for ln in ledger.service_lines(claim.patient_key, payer_key=payer,
                                             exclude_claim=ClaimKey(*identity) if identity else None,
                                             replaces=replaces)
           if (ln.prior_authorization or "").strip().upper() == auth.number.strip().upper()
           and ln.dos is not None and auth.covers(ln.code, ln.dos)]
    if not run:
        return auth
    in_run = {ln.claim.claim_number for ln in run}
    billed = [b for b in auth.billed if b[1] not in in_run]
    billed += [(ln.dos, ln.claim.claim_number, ln.line_number, ln.units or Decimal(0)) for ln in run]
    billed.sort()
    return replace(auth, billed=tuple(billed), units_billed=sum((b[3] for b in billed), Decimal(0)))


def _n(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"
