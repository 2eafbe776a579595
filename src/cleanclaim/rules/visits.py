"""VC: visit caps per benefit year (commercial, Medicaid) and the Medicare KX threshold.

Counts come from the claim history (``ctx.history``), the claims checked earlier in this
run (by claim identity, so a claim is never counted twice) and the claim itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from ..model import Claim
from ..policies import policy_for
from ..policies.claimview import (batch_ledger, benefit_year, claim_identity, history_discipline, is_void,
                                  line_discipline, payer_key, replaced_reference, roster_entry)
from .base import Hit, RuleContext, rule

KX_GROUPS = {"PT": "PT/SLP", "SLP": "PT/SLP", "OT": "OT"}
MEDICARE_FILING = ("MA", "MB")


def _claim_key(identity):
    from ..store.types import ClaimKey

    return ClaimKey(*identity) if identity else None


def _visit_key(visit, unit: str):
    return (visit[0], visit[1]) if unit == "date_per_discipline" else (visit[0], "")


def _ledger_for(claim: Claim, ctx: RuleContext):
    """(the run's batch ledger, the claim's identity), once this claim's replacement (REF*F8)
    or void has taken effect in the ledger -- done once per claim for all VC rules."""
    memo = ctx.claim_memo(claim)
    entered = memo.get("vc.ledger")
    if entered is None:
        ledger, identity = batch_ledger(ctx), claim_identity(claim)
        ledger.supersede(identity, replaced_reference(claim))  # later claims of the run
        if is_void(claim) and identity:
            ledger.drop(identity)
        entered = memo["vc.ledger"] = (ledger, identity)
    return entered


@rule("VC001", "visits.cap-exceeded", "error", carc="CO-119")
def visit_cap_exceeded(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A visit beyond the plan's visit cap for the benefit year.

    ## What it checks
    The pack's `visit_caps` in force on each date of service: a visit is one date of service
    per discipline (PT, OT, SLP from GP/GO/GN, else the rendering taxonomy; MT for a massage
    therapist), unless the rule's `visit_unit` is `date`. Visits are counted per patient and
    payer within the benefit year (calendar, or a plan year from `plan_year_start`), from the
    claim history, the claims checked earlier in this run and this claim; a claim seen again
    (same billing NPI + payer + CLM01) replaces its earlier count, a void (frequency 8) counts
    nothing. Each visit whose number in the year is above the cap is reported.

    ## Why payers deny it
    Benefit maximum for this period has been reached: CO-119 (PR-119 when the member pays).

    ## Example
    A commercial plan with 30 PT/OT/SLP visits a year: the 31st date of service in 2026.

    ## Fix
    Ask the plan for an exception or more visits (medical necessity review); otherwise bill
    the patient as the plan's member agreement allows. Check the count against the payer's
    portal: visits at other practices count too.

    ## Authority
    The pack rule named in the finding (e.g. commercial.visit-cap; medicaid-ny ny.pt-visits-2018:
    NY Social Services Law §365-a(2)(h)); the member's Summary of Benefits and Coverage.
    """
    ledger, identity = _ledger_for(claim, ctx)
    policy = policy_for(claim, ctx)
    patient, payer = claim.patient_key, payer_key(claim)
    if is_void(claim):
        return
    mine: dict[tuple, object] = {}
    for ln in claim.lines:
        if ln.date_of_service is not None:
            discipline = line_discipline(policy, claim, ln, ctx)
            if discipline is not None:
                mine.setdefault((ln.date_of_service, discipline), ln)
    caps = policy.rules.get("visit_caps", [])
    try:
        if not caps or not mine:
            return
        history_visits, batch_visits = _other_visits(claim, ctx, policy, caps, mine, identity)
        reported = set()
        for cap in caps:
            disciplines = set(cap.get("disciplines", []))
            unit = cap.get("visit_unit", "date_per_discipline")
            for (dos, discipline), ln in sorted(mine.items(), key=lambda kv: kv[0]):
                if not cap.active(dos) or discipline not in disciplines:
                    continue
                start, end = benefit_year(cap, dos)

                def counted(visits):
                    return {_visit_key(v, unit) for v in visits if start <= v[0] <= end and v[1] in disciplines}

                from_history = counted(history_visits)
                from_batch = counted(batch_visits) - from_history
                from_claim = counted(mine)
                me = _visit_key((dos, discipline), unit)
                # only visits dated before this one: the figures add up to the visit number
                h_before = {v for v in from_history if v < me}
                b_before = {v for v in from_batch if v < me}
                c_before = {v for v in from_claim if v < me} - h_before - b_before
                number = len(h_before | b_before | c_before) + 1
                if number <= cap.get("visits") or (cap.id, me) in reported:
                    continue
                reported.add((cap.id, me))
                year = f"{start.isoformat()}..{end.isoformat()}"
                yield Hit(
                    f"{dos} is {'/'.join(sorted(disciplines))} visit {number} in the benefit year {year}; the "
                    f"{policy.name} pack caps it at {cap.get('visits')} ({cap.id}). Counted before {dos}: "
                    f"{len(h_before)} from history, {len(b_before)} from earlier claims in this run, "
                    f"{len(c_before)} on this claim; + this visit = {number}.{cap.assumed_note}",
                    line=ln.number, severity=cap.severity(),
                    fix="Ask the plan for more visits (medical-necessity exception) before billing, or bill "
                        "the patient as the plan allows.", fix_safety="unsafe", authority=cap.authority,
                    details={"policy": policy.name, "policy_rule": cap.id, "visit_number": number,
                             "cap": cap.get("visits"), "history": len(h_before), "batch": len(b_before),
                             "this_claim": len(c_before)})
    finally:
        if patient and payer and identity:
            ledger.put_visits(patient, payer, identity, mine.keys(), replaced_reference(claim))


def _other_visits(claim, ctx, policy, caps, mine, identity) -> tuple[set, set]:
    """(visits from history, visits from earlier claims of this run), each {(dos, discipline)}."""
    patient, payer = claim.patient_key, payer_key(claim)
    if not (patient and payer):
        return set(), set()
    windows = [benefit_year(cap, dos) for cap in caps for (dos, _d) in mine]
    start, end = min(w[0] for w in windows), max(w[1] for w in windows)
    history_by_claim: dict = {}
    if ctx.history is not None:
        for hl in ctx.history.service_lines(patient, payer_key=payer, start=start, end=end,
                                            exclude_claim=_claim_key(identity), replaces=replaced_reference(claim)):
            if batch_ledger(ctx).replaced_in_run(hl):
                continue
            taxonomy = None
            if not hl.modifier_set & {"GP", "GO", "GN"} and hl.rendering_npi:
                entry = roster_entry(ctx, hl.rendering_npi)
                taxonomy = entry.taxonomy if entry else None
            discipline = history_discipline(hl.modifiers, taxonomy)
            if hl.dos is not None and discipline is not None:
                history_by_claim.setdefault(tuple(hl.claim), set()).add((hl.dos, discipline))
    batch = batch_ledger(ctx).other_visits(patient, payer, identity, replaced_reference(claim))
    # A claim both recorded and seen in this run counts once (its run version wins).
    for key in batch:
        history_by_claim.pop(tuple(key), None)
    history = set().union(*history_by_claim.values()) if history_by_claim else set()
    batch_visits = set().union(*batch.values()) if batch else set()
    return history, batch_visits


def is_evaluation_and_management(code: str) -> bool:
    """CPT E/M section 99202-99499: physician/NPP services, never on CMS's therapy code list."""
    return code.isdigit() and len(code) == 5 and "99202" <= code <= "99499"


def is_therapy_service(ctx: RuleContext | None, code: str) -> bool:
    """A service the therapy threshold counts (with GP/GO/GN): "always therapy" (PFS MULT PROC
    indicator 5), or another code billed under a therapy plan of care ("sometimes therapy");
    E/M codes never (CMS 100-04 ch.5 §10.2-§20; 100-02 ch.15 §220)."""
    # CMS's "sometimes therapy" list is not shipped: any other code billed with GP/GO/GN counts.
    return not is_evaluation_and_management(code)


@rule("VC002", "visits.kx-needed", "error", carc="CO-96 / N640")
def kx_needed(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A Medicare therapy line above the year's KX threshold without the KX modifier.

    ## What it checks
    Medicare therapy lines (GP/GN: PT and SLP combined; GO: OT) -- "always therapy" codes
    (PFS MULT PROC indicator 5) and other codes billed under the therapy plan of care, never
    E/M codes (99202-99499, physician/NPP services) -- add their allowed amount
    (priced with `cleanclaim.pricing`, after MPPR and CQ/CO) to the patient's year-to-date
    allowed therapy amount: the history's figure (an imported year-to-date figure, e.g. from
    the eligibility response, plus allowed amounts of recorded Medicare lines, priced when the
    remittance is not in yet) plus the claims checked earlier in this run. Every line at or
    after the point where the total passes the pack's threshold for the year ($2,330 in 2024,
    $2,410 in 2025, $2,480 in 2026) must carry KX. The finding says which figures were used.
    A therapy line that cannot be priced (e.g. no ZIP: no Medicare locality) while the year
    is not over the threshold gets a warning that the check could not run, and why. A year
    with no kx_thresholds rule in the packs (e.g. 2027 before a pack adds it) gets one info
    finding per claim saying VC002 was not checked -- never a guessed amount.

    ## Why payers deny it
    Above the threshold, lines without KX are denied as not medically necessary (CO-96 with
    RARC N640: exceeds the therapy threshold).

    ## Example
    $2,450 of PT allowed so far in 2026 and a $60 97110-GP line: $2,510 is over $2,480.

    ## Fix
    If the services are medically necessary and the record shows it, append KX to the lines
    above the threshold; otherwise give the patient an ABN before the visit (GA).

    ## Authority
    The pack's kx_thresholds rule for the year (SSA §1833(g); CMS PFS final rule for the year;
    CMS 100-04 ch.5 §10.3).
    """
    ledger, identity = _ledger_for(claim, ctx)
    if ctx.payer_type_for(claim) != "medicare":
        return
    policy = policy_for(claim, ctx)
    if is_void(claim):
        return
    therapy, unknown = [], {}  # unknown: (year, group) -> lines with no threshold in the packs
    for ln in sorted(claim.lines, key=lambda ln: (ln.date_of_service or date.min, ln.number)):
        discipline = line_discipline(policy, claim, ln, ctx) if ln.modifier_set & {"GP", "GO", "GN"} \
            and is_therapy_service(ctx, ln.procedure_code) else None
        if ln.date_of_service is not None and discipline in KX_GROUPS:
            threshold = policy.kx_threshold(ln.date_of_service.year, discipline)
            if threshold is not None:
                therapy.append((ln, KX_GROUPS[discipline], threshold))
            else:
                unknown.setdefault((ln.date_of_service.year, KX_GROUPS[discipline]), []).append(ln)
    if unknown:  # never a guessed amount: CMS sets the threshold each year (SSA §1833(g)(7))
        yield _threshold_unknown(policy, unknown)
    if not therapy:
        return
    allowed, price_note = _allowed(claim, ctx)
    unchecked = []  # lines not priced while the year is under the threshold: the check cannot run
    try:
        yield from _kx_lines(claim, ctx, therapy, allowed, price_note, policy, identity, unchecked)
    finally:
        if claim.patient_key and identity:
            ledger.put_therapy(claim.patient_key, identity,
                               [(ln.date_of_service, group, allowed.get(ln.number)) for ln, group, _t in therapy
                                if allowed.get(ln.number) is not None], replaced_reference(claim))
    if unchecked:  # say so rather than pass them silently
        numbers = ", ".join(str(ln.number) for ln in unchecked)
        yield Hit(f"The Medicare therapy KX threshold could not be checked for line{'s' if len(unchecked) > 1 else ''}"
                  f" {numbers}: {price_note or 'the allowed amount is unknown'}; without the allowed amount the"
                  " year-to-date therapy total is not known.",
                  line=unchecked[0].number if len(unchecked) == 1 else None, severity="warning",
                  fix="Give the billing or service facility ZIP (ZIP+4 where a ZIP spans localities) so the"
                      " line can be priced, or check the patient's year-to-date therapy amount (eligibility"
                      " response) and append KX above the threshold.",
                  authority=therapy[0][2].authority,
                  details={"policy": policy.name, "pricing": price_note, "checked": False})


def _threshold_unknown(policy, unknown: dict) -> Hit:
    """One info per claim: Medicare therapy lines in a year with no kx_thresholds rule."""
    what = "; ".join(f"{group} in {year} (line{'s' if len(lns) > 1 else ''} {', '.join(str(ln.number) for ln in lns)})"
                     for (year, group), lns in sorted(unknown.items()))
    years = sorted({year for year, _g in unknown})
    return Hit(f"The Medicare therapy KX threshold for {', '.join(map(str, years))} is not in the policy packs"
               f" ({policy.name}): VC002 not checked for {what}.",
               severity="info",
               fix="Add a kx_thresholds rule for the year (amount from the CMS PFS final rule) in a pack"
                   " (--policies DIR or [policies] dirs), or check the patient's year-to-date therapy amount"
                   " and append KX above the threshold.",
               authority="SSA §1833(g)(7) (the KX threshold is updated each year by CMS); CMS 100-04 ch.5 §10.3",
               details={"policy": policy.name, "checked": False, "years": years})


def _kx_lines(claim, ctx, therapy, allowed, price_note, policy, identity, unchecked) -> Iterator[Hit]:
    """VC002 per line: the running year-to-date total against the threshold."""
    running: dict = {}
    for ln, group, threshold in therapy:
        year = ln.date_of_service.year
        if (group, year) not in running:
            running[group, year] = _prior_ytd(claim, ctx, group, year, ln.date_of_service, identity)
        total, sources = running[group, year]
        limit = Decimal(str(threshold.get("amount")))
        amount = allowed.get(ln.number)
        if amount is None and total <= limit:
            if "KX" not in ln.modifier_set:  # not priced (the pricing note says why), year not over yet
                unchecked.append(ln)
            continue
        total += amount or Decimal(0)
        running[group, year] = (total, sources)
        if total > limit and "KX" not in ln.modifier_set:
            line_amount = f"${amount:,.2f}" if amount is not None else "not priced"
            yield Hit(
                f"Medicare {group} therapy allowed in {year} reaches ${total:,.2f} with line {ln.number} "
                f"({ln.procedure_code}, {line_amount}), over the ${limit:,.0f} threshold "
                f"({threshold.id}); the line has no KX. Year-to-date used: {sources}.",
                line=ln.number, fix=f"Append KX to line {ln.number} if the therapy is medically necessary "
                                    "and documented; else an ABN (GA) before the visit.",
                fix_safety="unsafe", authority=threshold.authority,
                details={"policy": policy.name, "policy_rule": threshold.id, "year_to_date": str(total),
                         "threshold": str(limit), "sources": sources, "pricing": price_note})


def _pricing_options(ctx, payer_type: str):
    cache = ctx.memo("policy.pricing")
    if payer_type not in cache:
        try:
            from ..pricing import PricingOptions

            cache[payer_type] = PricingOptions.from_config(  # + check --fee-schedule files
                payer_type=payer_type, fee_schedules=tuple(ctx.options.get("fee_schedules", ())))
        except Exception:  # noqa: BLE001 - pricing unavailable or its config unreadable: no dollars
            cache[payer_type] = None
    return cache[payer_type]


def _allowed(claim: Claim, ctx, payer_type: str = "medicare") -> tuple[dict, str]:
    """{line number: allowed} from cleanclaim.pricing, and a note when it cannot price."""
    options = _pricing_options(ctx, payer_type)
    if options is None:
        return {}, "pricing unavailable: no dollar figures, KX not checked"
    from ..pricing import price_claim

    price = price_claim(claim, ctx.store, config=options)
    found = {lp.line: lp.allowed for lp in price.lines if lp.allowed is not None}
    missing = [lp for lp in price.lines if lp.allowed is None]
    if not missing:
        return found, ""
    why = next((n for lp in missing for n in lp.notes if n), "")  # e.g. no ZIP for the locality
    return found, (f"line{'s' if len(missing) > 1 else ''} {', '.join(str(lp.line) for lp in missing)}"
                   f" not priced" + (f" ({why})" if why else ""))


def _prior_ytd(claim, ctx, group: str, year: int, dos: date, identity) -> tuple[Decimal, str]:
    """Allowed amount so far this year before this claim: history + earlier claims of the run."""
    total, parts, in_history = Decimal(0), [], set()
    patient = claim.patient_key
    if patient and ctx.history is not None:
        found = ctx.history.therapy_ytd(patient, year, group, exclude_claim=_claim_key(identity),
                                        replaces=replaced_reference(claim), through=dos)
        figure_date = None  # the imported figure's as-of date: lines in it are not added again
        if found is not None:
            total += found[0]
            parts.append(f"history {found[1]}")
            m = re.search(r"imported [\d.]+ as of (\d{4}-\d{2}-\d{2})", found[1])
            if m:
                figure_date = date.fromisoformat(m.group(1))
        unpriced = []
        for hl in ctx.history.service_lines(patient, start=date(year, 1, 1), end=date(year, 12, 31),
                                            exclude_claim=_claim_key(identity), replaces=replaced_reference(claim)):
            if batch_ledger(ctx).replaced_in_run(hl):
                continue
            in_history.add(tuple(hl.claim))
            medicare = (hl.claim_filing_indicator or "").upper() in MEDICARE_FILING
            if (medicare and hl.allowed is None and hl.dos and hl.dos.year == year and hl.dos <= dos
                    and (figure_date is None or after_figure(hl, figure_date))
                    and not is_evaluation_and_management(hl.code)
                    and KX_GROUPS.get(history_discipline(hl.modifiers) or "") == group):
                unpriced.append(hl)
        if unpriced:
            priced = _price_history(claim, ctx, unpriced)
            total += priced
            parts.append(f"{len(unpriced)} recorded line(s) without a remittance priced from the PFS: "
                         f"${priced:,.2f}")
    if patient:
        batch = Decimal(0)
        for key, amounts in batch_ledger(ctx).other_therapy(patient, identity, replaced_reference(claim)).items():
            if tuple(key) in in_history:
                continue
            batch += sum((a for d, g, a in amounts if g == group and d.year == year and d <= dos), Decimal(0))
        if batch:
            total += batch
            parts.append(f"earlier claims in this run ${batch:,.2f}")
    return total, ("; ".join(parts) if parts else "no history or earlier claims: this claim alone")


def after_figure(line, as_of: date) -> bool:
    from ..store.queries import after_figure as outside

    return outside(line, as_of)


def _price_history(claim: Claim, ctx, lines) -> Decimal:
    """Price recorded Medicare lines that have no allowed amount yet, at this claim's locality."""
    return sum((a for a in _price_lines(claim, ctx, lines, "medicare") if a is not None), Decimal(0))


def _price_lines(claim: Claim, ctx, lines, payer_type: str | None = None) -> list:
    """Allowed amount (or None) of each recorded line, priced as if on a copy of this claim."""
    from copy import copy

    from ..model import ServiceLine

    shadow = copy(claim)
    shadow.lines = [ServiceLine(number=i, procedure_code=hl.code, modifiers=list(hl.modifiers), units=hl.units,
                                charge=hl.charge, date_of_service=hl.dos,
                                place_of_service=hl.place_of_service or "11")
                    for i, hl in enumerate(lines, start=1)]
    allowed, _note = _allowed(shadow, ctx, payer_type or ctx.payer_type_for(claim))
    return [allowed.get(i) for i in range(1, len(lines) + 1)]


@rule("VC003", "visits.dollar-cap-exceeded", "error", carc="CO-119")
def dollar_cap_exceeded(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A line that takes the benefit year's therapy dollars over the plan's maximum.

    ## What it checks
    The pack's `dollar_caps` in force on each date of service: per patient, payer and benefit
    year (calendar, or a plan year from `plan_year_start`), the `basis` amounts (`allowed`,
    the default, priced with `cleanclaim.pricing`: a payer fee schedule or the Medicare PFS;
    or `charge`) of the lines of the cap's disciplines, from the claim history (remittance
    allowed amounts, else priced), the claims checked earlier in this run (by claim
    identity, never twice) and this claim, in date order. Lines that cannot be priced are
    not added, and the finding says how many. A non-Medicare claim with no fee schedule for
    its payer (`check --fee-schedule FILE` or `[pricing] fee_schedules`) gets an info
    finding that the cap was not checked, instead of silence.

    ## Why payers deny it
    Benefit maximum for this period has been reached: CO-119 (PR-119 when the member pays).

    ## Example
    A plan paying $1,500 of rehabilitation a calendar year: $1,460 allowed so far and a
    $90 visit.

    ## Fix
    Ask the plan about an exception; otherwise tell the patient before the visit that the
    service is over the plan's maximum and bill as the member agreement allows.

    ## Authority
    The pack rule named in the finding (the plan's Summary of Benefits and Coverage, 45 CFR
    147.200).
    """
    ledger, identity = _ledger_for(claim, ctx)
    policy = policy_for(claim, ctx)
    caps = policy.rules.get("dollar_caps", [])
    patient, payer = claim.patient_key, payer_key(claim)
    if is_void(claim):
        return
    if not caps:
        return
    mine = []
    for ln in sorted(claim.lines, key=lambda ln: (ln.date_of_service or date.min, ln.number)):
        discipline = line_discipline(policy, claim, ln, ctx)
        if ln.date_of_service is not None and discipline is not None:
            mine.append((ln, discipline))
    allowed, _note = _allowed(claim, ctx, ctx.payer_type_for(claim))
    try:
        for cap in caps:
            disciplines, basis = set(cap.get("disciplines", [])), cap.get("basis", "allowed")
            limit = Decimal(str(cap.get("amount")))
            unpriced = [ln.number for ln, d in mine if basis == "allowed" and d in disciplines
                        and cap.active(ln.date_of_service) and allowed.get(ln.number) is None]
            gap = _fee_schedule_gap(claim, ctx) if unpriced else None
            if gap:  # a cap that cannot be counted is said, not skipped silently
                yield Hit(f"Dollar cap {cap.id} (${limit:,.2f}, {policy.name} pack) not checked for line(s) "
                          f"{', '.join(map(str, unpriced))}: {gap}.", line=unpriced[0] if len(unpriced) == 1
                          else None, severity="info", authority=cap.authority,
                          fix="Give the payer's fee schedule with --fee-schedule FILE or [pricing] fee_schedules.",
                          details={"policy": policy.name, "policy_rule": cap.id, "not_checked": True})
            priors: dict = {}
            running = Decimal(0)
            for ln, discipline in mine:
                if not cap.active(ln.date_of_service) or discipline not in disciplines:
                    continue
                start, end = benefit_year(cap, ln.date_of_service)
                if start not in priors:
                    priors[start] = _prior_amounts(claim, ctx, cap, start, end, identity)
                earlier, unpriced, sources = priors[start]
                before = sum((a for d, a in earlier if d <= ln.date_of_service), Decimal(0))
                amount = allowed.get(ln.number) if basis == "allowed" else ln.charge
                if amount is None:
                    continue
                running += amount
                total = before + running
                if total > limit:
                    yield Hit(
                        f"{'/'.join(sorted(disciplines))} {basis} amounts in the benefit year "
                        f"{start.isoformat()}..{end.isoformat()} reach ${total:,.2f} with line {ln.number} "
                        f"(${amount:,.2f}), over the {policy.name} pack's ${limit:,.2f} maximum ({cap.id}). "
                        f"Counted: {sources}" + (f"; {unpriced} earlier line(s) could not be priced" if unpriced
                                                 else "") + ".",
                        line=ln.number, fix="Ask the plan about an exception, or tell the patient before the "
                                            "visit and bill as the member agreement allows.",
                        fix_safety="unsafe", authority=cap.authority,
                        details={"policy": policy.name, "policy_rule": cap.id, "total": str(total),
                                 "maximum": str(limit)})
    finally:
        if patient and payer and identity:
            ledger.put_amounts(patient, payer, identity,
                               [(ln.date_of_service, d, allowed.get(ln.number), ln.charge) for ln, d in mine],
                               replaced_reference(claim))


def _fee_schedule_gap(claim: Claim, ctx) -> str | None:
    options = _pricing_options(ctx, ctx.payer_type_for(claim))
    if options is None:
        return "pricing unavailable"
    from ..pricing.api import fee_schedule_gap

    return fee_schedule_gap(claim, options)


def _prior_amounts(claim, ctx, cap, start: date, end: date, identity) -> tuple[list, int, str]:
    """([(dos, amount)], lines not priced, what was counted) of other claims in the window."""
    patient, payer = claim.patient_key, payer_key(claim)
    if not (patient and payer):
        return [], 0, "this claim alone (no patient or payer to match other claims)"
    disciplines, basis = set(cap.get("disciplines", [])), cap.get("basis", "allowed")
    found, unpriced, in_history, to_price = [], 0, set(), []
    if ctx.history is not None:
        for hl in ctx.history.service_lines(patient, payer_key=payer, start=start, end=end,
                                            exclude_claim=_claim_key(identity), replaces=replaced_reference(claim)):
            if batch_ledger(ctx).replaced_in_run(hl):
                continue
            in_history.add(tuple(hl.claim))
            taxonomy = None
            if not hl.modifier_set & {"GP", "GO", "GN"} and hl.rendering_npi:
                entry = roster_entry(ctx, hl.rendering_npi)
                taxonomy = entry.taxonomy if entry else None
            if hl.dos is None or history_discipline(hl.modifiers, taxonomy) not in disciplines:
                continue
            amount = hl.charge if basis == "charge" else hl.allowed
            if amount is None and basis == "allowed":
                to_price.append(hl)
            elif amount is not None:
                found.append((hl.dos, amount))
        if to_price:
            priced = _price_lines(claim, ctx, to_price)
            unpriced += sum(1 for a in priced if a is None)
            found += [(hl.dos, a) for hl, a in zip(to_price, priced) if a is not None]
    history_total = sum((a for _d, a in found), Decimal(0))
    batch = []
    for key, rows in batch_ledger(ctx).other_amounts(patient, payer, identity, replaced_reference(claim)).items():
        if tuple(key) in in_history:
            continue
        for dos, discipline, allowed_amount, charge in rows:
            if start <= dos <= end and discipline in disciplines:
                amount = charge if basis == "charge" else allowed_amount
                if amount is None:
                    unpriced += 1
                else:
                    batch.append((dos, amount))
    batch_total = sum((a for _d, a in batch), Decimal(0))
    return found + batch, unpriced, (f"${history_total:,.2f} from history, ${batch_total:,.2f} from earlier "
                                     "claims in this run")


# These rules count what earlier claims of the same run contributed (the batch ledger), so
# their results depend on seeing every claim of a file in order in one process. An engine
# that splits a file across processes should keep a run with these rules in one process.
for _func in (visit_cap_exceeded, kx_needed, dollar_cap_exceeded):
    _func.needs_run_order = True
