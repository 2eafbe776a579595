"""price_claim: the expected payment of one claim (Medicare PFS or a payer fee schedule)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from . import rates, yearly
from .fee_schedule import FeeSchedule
from .locality import find_locality
from .model import ClaimPrice, LinePrice, cents
from .mppr import DayUnits, PricingBatch, assign, history_top
from .options import PricingOptions
from .payer_share import apply_medicare_share, remaining_deductible
from .pfs import NOT_PAID, NOT_PRICED, PAYABLE, pfs_row, release_note, unit_fee


def payer_type_of(claim, options: PricingOptions) -> str:
    from ..rules.base import RuleContext

    return RuleContext(store=None, as_of=date.today(), payer_type=options.payer_type).payer_type_for(claim)


def _options(config) -> PricingOptions:
    return config if isinstance(config, PricingOptions) else PricingOptions.from_config(config)


def price_claim(claim, store, *, config=None, history=None, batch: PricingBatch | None = None) -> ClaimPrice:
    """Expected payment of `claim`.

    config: a Config (its [pricing] section), PricingOptions, or None (the user's config file).
    history: a cleanclaim.store History for MPPR across the provider's other claims that day.
    batch: a PricingBatch shared by the claims of one run (MPPR across them); updated here.
    """
    options = _options(config)
    payer_type = payer_type_of(claim, options)
    if claim.frequency_code == "8":
        price = ClaimPrice(claim.claim_id, payer_type, [_new_line(ln) for ln in claim.lines])
        price.notes.append("void claim (frequency 8): it cancels the original, nothing is paid on it")
        return price
    # a replacement is not reduced by the original it replaces in this run: the batch leaves out
    # the claim its REF*F8 names (PricingBatch.prior), and drops it once the replacement is priced
    if payer_type == "medicare":
        return _price_medicare(claim, store, options, history, batch)
    return _price_fee_schedule(claim, options, payer_type)


def fee_schedule_gap(claim, options: PricingOptions) -> str | None:
    """Why a non-Medicare claim has no allowed amounts: no fee schedule for its payer (None: has one,
    or Medicare, priced from the PFS). Used by VC003 to say a dollar cap was not checked."""
    options = _options(options)
    if payer_type_of(claim, options) == "medicare":
        return None
    payer = claim.payer.payer_id or claim.payer.name or "(no payer ID or name)"
    if not options.fee_schedules:
        return f"no fee schedule for payer {payer} (give one with --fee-schedule FILE or [pricing] fee_schedules)"
    schedule = FeeSchedule.load(list(options.fee_schedules))
    keys = {k.strip().upper() for k in (claim.payer.payer_id or "", claim.payer.name or "") if k.strip()}
    if not keys & schedule.payers():
        return f"no fee schedule rows for payer {payer} in {', '.join(schedule.files)}"
    return None


def price_claims(claims, store, *, config=None, history=None):
    """Price a run of claims in order, sharing one PricingBatch (MPPR and deductible across them).

    Two passes: the first collects each claim's highest-PE therapy unit per provider, patient
    and day, so in the second a claim whose day has a higher unit on a LATER claim of the run
    is reduced in full (MPPR is per day, not per claim: Pub. 100-04 ch.5 §10.7) and the day's
    total equals a one-claim bill of the same units.
    """
    options, claims = _options(config), list(claims)
    preview = PricingBatch()
    for claim in claims:
        price_claim(claim, store, config=options, history=history, batch=preview)
    replaced_by: dict[str, set[str]] = {}
    for claim in claims:
        if _replaces(claim):
            replaced_by.setdefault(_replaces(claim), set()).add((claim.claim_id or "").strip())
    batch = PricingBatch(upcoming=preview.seen, replaced_by=replaced_by)
    for claim in claims:
        yield price_claim(claim, store, config=options, history=history, batch=batch)


def _line_dos(claim, line) -> date | None:
    return line.date_of_service or (claim.dates_of_service[0] if claim.dates_of_service else None)


# Medicare liability modifiers (CMS 100-04 ch.1 §60; ch.30 §40.3.6): GY and GZ lines are denied,
# GA lines (ABN on file) are processed as usual and paid when found reasonable and necessary.
LIABILITY_DENIED = {
    "GY": "statutorily excluded or not a Medicare benefit, Medicare denies the line "
          "(CMS 100-04 ch.1 §60.1.1; the patient may be billed)",
    "GZ": "expected to be denied as not reasonable and necessary with no ABN on file, Medicare denies the line "
          "and the provider is liable (CMS 100-04 ch.1 §60; ch.30 §40.3.6)",
}
GA_NOTE = ("GA: ABN on file -- priced as payable; if Medicare denies it as not reasonable and necessary the "
           "patient is liable (CMS 100-04 ch.1 §60; ch.30 §40.3.6)")


def _new_line(line) -> LinePrice:
    return LinePrice(line.number, line.procedure_code, list(line.modifiers), line.units,
                     control_number=line.control_number, date_of_service=line.date_of_service,
                     charge=line.charge)


# The allowed amount is the lesser of the billed charge and the fee schedule amount.
LESSER_OF_MEDICARE = ("Medicare allows the lesser of the actual charge and the fee schedule amount "
                      "(SSA §1833(a)(1)(N); 42 CFR 414.21; CMS 100-04 ch.12 §20)")
LESSER_OF_CONTRACT = ("payer contracts usually allow the lesser of the billed charge and the contracted "
                      "rate (check your contract's payment terms)")


def _lesser_of_charge(lp: LinePrice, schedule_amount: Decimal, rule: str) -> None:
    """Cap lp.allowed (already the schedule amount) at the line's billed charge, with a note."""
    if lp.charge is None or lp.charge >= schedule_amount:
        return
    lp.allowed = cents(max(lp.charge, Decimal("0")))
    lp.explanation += f"; lesser of charge ${lp.charge} and fee schedule ${schedule_amount} = ${lp.allowed}"
    lp.notes.append(f"charge ${lp.charge} is below the fee schedule amount ${schedule_amount}: allowed "
                    f"${lp.allowed}, as {rule}")


def _whole_units(line) -> int | None:
    if line.units is None or line.unit_basis == "MJ" or line.units != line.units.to_integral_value():
        return None
    return int(line.units)


def _price_fee_schedule(claim, options: PricingOptions, payer_type: str) -> ClaimPrice:
    price = ClaimPrice(claim.claim_id, payer_type)
    payer_keys = [claim.payer.payer_id or "", claim.payer.name or ""]
    payer_label = claim.payer.payer_id or claim.payer.name or "(no payer ID or name)"
    if not options.fee_schedules:
        why = (f"no fee schedule for {payer_type} claims: no estimate (give one with --fee-schedule FILE "
               "or [pricing] fee_schedules)")
        price.notes.append(why)
        price.lines = [_new_line(ln) for ln in claim.lines]
        for lp in price.lines:
            lp.notes.append(why)
        return price
    schedule = FeeSchedule.load(list(options.fee_schedules))
    for line in claim.lines:
        lp = _new_line(line)
        price.lines.append(lp)
        dos, units = _line_dos(claim, line), _whole_units(line)
        if dos is None or units is None:
            lp.notes.append("no date of service" if dos is None else "units are not a whole number of services")
            continue
        row = schedule.lookup(payer_keys, line.procedure_code, line.modifiers, dos)
        if row is None:
            lp.notes.append(f"no fee schedule row for payer {payer_label}, code {line.procedure_code} on "
                            f"{dos.isoformat()} ({', '.join(schedule.files)})")
            continue
        lp.method = "fee-schedule"
        lp.allowed = cents(row.amount * units)
        lp.explanation = (f"fee schedule {row.source}: {units} x ${row.amount} = ${lp.allowed}"
                          + (f" (modifier {row.modifier} row)" if row.modifier else ""))
        _lesser_of_charge(lp, lp.allowed, LESSER_OF_CONTRACT)
        lp.expected_paid = lp.allowed
        lp.notes.append("member cost share (deductible, copay, coinsurance) is not known: expected paid "
                        "is the contracted allowed amount")
    return price


def _price_medicare(claim, store, options, history, batch) -> ClaimPrice:
    price = ClaimPrice(claim.claim_id, "medicare")
    days = [d for d in (_line_dos(claim, ln) for ln in claim.lines) if d is not None]
    # the locality (ZIP5 + GPCI) of the claim's first date of service's year; RVUs per line's year
    where = find_locality(claim, yearly.for_year(store, min(days) if days else None), options.localities)
    if where.problem is None:
        price.notes.append(f"locality {where.label} from ZIP {where.zip_code} of the {where.source} "
                           f"({where.zip_row.release}; {where.gpci.release})")
    else:
        price.notes.append(where.problem)
    billing_npi = claim.billing_provider.npi if claim.billing_provider else None
    fees, dos_of, therapy_days = {}, {}, defaultdict(list)
    for line in claim.lines:
        lp = _new_line(line)
        price.lines.append(lp)
        lp.method = "medicare-pfs"
        lp.locality = where.label
        dos = _line_dos(claim, line)
        row = pfs_row(yearly.for_year(store, dos), line.procedure_code, line.modifiers)
        if dos is None:
            lp.notes.append("no date of service: cannot choose the conversion factor")
            continue
        dos_of[line.number] = dos
        if row is None:
            lp.notes.append(f"{line.procedure_code} is not in the Medicare PFS relative value file: not priced")
            continue
        denied = LIABILITY_DENIED.keys() & set(line.modifiers)
        if denied:
            modifier = sorted(denied)[0]
            lp.allowed = Decimal("0.00")
            lp.explanation = f"{modifier}: {LIABILITY_DENIED[modifier]}: expected $0.00"
            lp.notes.append(f"{modifier} line: Medicare denies it; not priced from the PFS")
            continue
        if "GA" in line.modifiers:
            lp.notes.append(GA_NOTE)
        if row.status in NOT_PAID:
            lp.allowed = Decimal("0.00")
            lp.explanation = (f"PFS status {row.status} ({NOT_PAID[row.status]}): Medicare allows $0.00 "
                              f"for this line ({row.release})")
            continue
        if row.status not in PAYABLE:
            lp.notes.append(f"PFS status {row.status}: " + NOT_PRICED.get(row.status, "not priced from RVUs"))
            continue
        if where.gpci is None:
            lp.notes.append(where.problem)
            continue
        units = _whole_units(line)
        if units is None:
            lp.notes.append("units missing or not a whole number of services: not priced")
            continue
        fee = unit_fee(row, where.gpci, dos, line.modifiers, line.place_of_service or claim.place_of_service,
                       options.apm_participant, options.conversion_factors)
        if fee is None:
            first, last = rates.conversion_factor_years()
            lp.notes.append(f"no PFS conversion factor on file for {dos.isoformat()} (shipped: {first}-{last}): "
                            f"set [pricing] conversion_factor_{dos.year} in the config, or import CMS's "
                            f"{dos.year} PPRRVU file (cleanclaim data import-pfs)")
            continue
        fees[line.number] = (fee, units)
        lp.fee_per_unit, lp.pe_setting = fee.full, fee.setting
        lp.release = f"{row.release}; {where.gpci.release}"
        lp.explanation = (f"PFS {fee.setting} rate ({fee.setting_why}): {fee.formula} per unit "
                          f"(CF {fee.cf.label}; {row.release}; {where.gpci.release})")
        note = release_note(row, where.gpci, dos)
        if note:
            lp.notes.append(note)
        if row.status == "T":
            lp.notes.append("status T: paid only when no other PFS service is billed that day")
        if fee.therapy and units:
            therapy_days[dos].append(DayUnits(line.number, units, fee.pe_rank))
    reduced = _mppr(claim, store, where, billing_npi, therapy_days, history, batch, price, fees)
    _allowed(price, fees, reduced, options, dos_of)
    if any(lp.allowed is not None for lp in price.lines):
        year = min(dos_of.values()).year
        remaining, how = remaining_deductible(options.deductible_remaining, year)
        key = (claim.patient_key, year)
        if batch is not None and claim.patient_key and key in batch.deductible_left:
            remaining = batch.deductible_left[key]
            how += f"; ${remaining} of it left after earlier claims of this run"
        price.notes.append(how)
        left = apply_medicare_share(price.lines, dos_of, remaining)
        if batch is not None and claim.patient_key and remaining:
            batch.deductible_left[key] = left
    if not options.participating:
        price.notes.append("non-participating provider: allowed is 95% of the fee schedule; on an "
                           "unassigned claim Medicare pays the beneficiary, not the provider")
    return price


def _mppr(claim, store, where, billing_npi, therapy_days, history, batch, price, fees) -> dict[int, int]:
    reduced: dict[int, int] = {}
    scope_said = False
    for dos, day_units in sorted(therapy_days.items()):
        if sum(du.units for du in day_units) < 2 and history is None and batch is None:
            continue
        key = (billing_npi or "", claim.patient_key or "", dos)
        tops, sources = [], []
        if claim.patient_key and batch is not None:
            prior = batch.prior(key, (claim.claim_id or "").strip(), _replaces(claim))
            if prior is not None:
                tops.append(prior)
                sources.append("earlier claim in this run")
        if claim.patient_key and history is not None:
            top, problem = history_top(history, claim, dos, yearly.for_year(store, dos),
                                       Decimal(repr(where.gpci.pe)), billing_npi,
                                       exclude_claim=_identity(claim), replaces=_replaces(claim))
            if problem:
                price.notes.append(problem)
            elif top is not None:
                tops.append(top)
                sources.append("claim history")
        if not scope_said:
            scope_said = True
            seen = ["this claim"] + (["earlier claims of this run"] if batch is not None else []) + \
                (["the claim history"] if history is not None else [])
            if not claim.patient_key:
                seen = ["this claim (no patient key to match other claims)"]
            price.notes.append("MPPR across " + ", ".join(seen) + " (same provider, patient and day)"
                               + ("" if history is not None else "; no claim history was given, so claims "
                                  "billed outside this run that day are not seen"))
        claim_no = (claim.claim_id or "").strip()
        later = batch.later(key, claim_no, _replaces(claim)) if batch is not None and claim.patient_key else None
        prior_top = max(tops) if tops else None
        outcome = assign(day_units, prior_top, " and ".join(sources), later)
        note = outcome.note
        if batch is not None and claim.patient_key and outcome.full_line is not None:
            # this claim holds the day's full unit: units an earlier claim of the run was priced
            # with in full (its top was lower) are reduced by the MAC in their turn
            overpaid = batch.earlier_full(key, claim_no, _replaces(claim))
            if overpaid:
                extra = sum((dollars for *_x, dollars in overpaid), Decimal("0"))
                which = ", ".join(f"{number} line {line} {code}" for number, line, code, _d in overpaid)
                note += (f"; the earlier claim(s) of this run that day were priced with a unit in full "
                         f"({which}): the MAC reduces that unit too, so the day's total is ${extra} less "
                         f"than the figures shown for those claims")
                batch.full_units[key] = {}
            fee = fees.get(outcome.full_line)
            if fee is not None:
                code = next((ln.procedure_code for ln in claim.lines if ln.number == outcome.full_line), "")
                batch.full_units.setdefault(key, {})[claim_no] = (outcome.full_line, code,
                                                                   fee[0].full - fee[0].reduced)
        if note and (sum(outcome.reduced.values()) or prior_top is not None or later is not None
                     or note != outcome.note):
            price.notes.append(f"MPPR {dos.isoformat()}: {note}")
        reduced.update(outcome.reduced)
        if batch is not None and claim.patient_key:
            batch.add(key, [du.pe_rank for du in day_units], claim_no, _replaces(claim))
    return reduced


def _identity(claim):
    """The claim's history key (billing NPI + payer + CLM01): its own stored version is not 'another claim'."""
    from ..store import claim_key

    return claim_key(claim)


def _replaces(claim):
    """REF*F8 of a replacement/void: the claim it names is not "another claim that day" (837P CLM05-3)."""
    from ..store.keys import replaced_reference

    return replaced_reference(claim)


def _allowed(price: ClaimPrice, fees, reduced, options: PricingOptions, dos_of) -> None:
    mppr_rate = rates.mppr()[0]
    for lp in price.lines:
        if lp.line not in fees:
            continue
        fee, units = fees[lp.line]
        cut = reduced.get(lp.line, 0)
        base = fee.full * (units - cut) + fee.reduced * cut
        lp.mppr_units = cut
        lp.mppr_reduction = (fee.full - fee.reduced) * cut if cut else Decimal("0.00")
        if cut:
            lp.explanation += (f"; MPPR: {cut} of {units} unit(s) at ${fee.reduced} ({mppr_rate.value * 100:.0f}% "
                               f"of PE; {mppr_rate.label})")
        terms = [f"{n} x ${amount}" for n, amount in ((units - cut, fee.full), (cut, fee.reduced)) if n]
        amount, steps = base, [" + ".join(terms)]
        if not options.participating:
            nonpar = rates.non_participating()
            amount *= nonpar.value
            steps.append(f"x {nonpar.value} (non-participating; {nonpar.label})")
        assistant = rates.therapy_assistant(dos_of[lp.line])
        if assistant and assistant[1] & set(lp.modifiers):
            amount *= assistant[0].value
            steps.append(f"x {assistant[0].value} ({'/'.join(sorted(assistant[1] & set(lp.modifiers)))}: "
                         f"therapy assistant; {assistant[0].label})")
        lp.allowed = cents(amount)
        lp.explanation += "; allowed " + " ".join(steps) + f" = ${lp.allowed}"
        _lesser_of_charge(lp, lp.allowed, LESSER_OF_MEDICARE)
