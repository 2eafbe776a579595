"""HX: edits across claims (from the claim history) and claim-frequency edits.

The cross-claim rules need a history (``check --db`` / ``--record``); without one they
find nothing. They compare the claim with the recorded claims that still count (not
replaced or voided) of the same patient and payer, never with the claim's own earlier
version (same billing NPI + payer + CLM01) nor, for a replacement, with the claim its
REF*F8 names. Timely filing and REF*F8 need no history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from ..model import Claim, ServiceLine
from .base import Hit, RuleContext, rule
from .modifiers import NCCI_ASSOCIATED, is_evaluation_management
from .ncci import authority as ptp_authority
from .ncci import decisive_row

REPEAT_MODIFIERS = frozenset({"76", "77", "91"})  # repeat procedure / repeat test: not a duplicate
DUPLICATE_AUTHORITY = ("CMS Medicare Claims Processing Manual 100-04 ch. 1 §120 (detection of duplicate "
                       "claims: exact duplicate claims and lines are denied); CARC 18 'Exact duplicate "
                       "claim/service'")
PTP_ACROSS = ("CMS NCCI PTP edits apply when a provider reports both codes of a pair for the same "
              "beneficiary on the same date of service, on one claim or on separate claims (CMS "
              "'Medicare NCCI Procedure to Procedure (PTP) Edits'; NCCI Policy Manual ch. I)")
MUE_ACROSS = ("MUEs with MAI 2 or 3 are date-of-service edits: all units of the code for the same "
              "beneficiary, provider and date count together, across lines and claims (CMS NCCI MUE; "
              "NCCI Policy Manual for Medicare Services ch. I section V)")
MEDICARE_TIMELY = ("42 CFR 424.44(a)(1): claims must be filed no later than 12 months (1 calendar year) "
                   "after the date of service; CMS 100-04 ch. 1 §70 and §70.1 (the line 'From' date counts "
                   "on professional claims; a February 29 service must be filed by February 28); CARC 29")
F8_AUTHORITY = ("ASC X12 005010X222A1 837P TR3, loop 2300 REF (REF01 = F8, Payer Claim Control Number): "
                "'Required when CLM05-3 (Claim Frequency Code) indicates this claim is a replacement or "
                "void to a previously adjudicated claim. If not required by this implementation guide, "
                "do not send.' (X12 RFI 2110 confirms a receiver may not require it on other claims)")


# --- what several rules share -----------------------------------------------------------

def _identity(claim: Claim):
    from ..store.keys import claim_key

    return claim_key(claim)


def _payer_key(claim: Claim) -> str | None:
    from ..store.keys import payer_key

    return payer_key(claim.payer)


def history_lines(claim: Claim, ctx: RuleContext) -> list:
    """Recorded lines of the patient with this payer on the claim's dates (memoised per claim).

    Excludes the claim's own earlier version and, on a replacement or void, the claim REF*F8
    names (matched on the payer's claim number or CLM01).
    """
    ledger = ctx.options.get("run_ledger")  # earlier claims of this run (store/run_ledger.py)
    if (ctx.history is None and ledger is None) or not claim.patient_key:
        return []
    memo = ctx.claim_memo(claim)
    if "history.lines" not in memo:
        dates = claim.dates_of_service
        found = []
        payer = _payer_key(claim)
        if dates and payer:
            query = dict(payer_key=payer, start=dates[0], end=dates[-1], exclude_claim=_identity(claim))
            found = ctx.history.service_lines(claim.patient_key, **query) if ctx.history is not None else []
            if ledger is not None:
                run = ledger.service_lines(claim.patient_key, **query)
                in_run = {h.claim for h in run}  # this run's version of a claim replaces the stored one
                found = [h for h in found if h.claim not in in_run and not ledger.replaced(h)] + run
            ref = (claim.original_reference or "").strip()
            if ref and (claim.frequency_code or "").strip() in ("7", "8"):
                found = [h for h in found if ref not in (h.claim.claim_number, h.payer_claim_number)]
        memo["history.lines"] = found
    return memo["history.lines"]


def _rendering_npi(claim: Claim, line: ServiceLine) -> str | None:
    provider = claim.rendering_for(line)
    return provider.npi if provider else None


def _billing_npi(claim: Claim) -> str | None:
    return claim.billing_provider.npi if claim.billing_provider else None


def _same_service(claim: Claim, line: ServiceLine, hist) -> bool:
    return (hist.dos == line.date_of_service and hist.code == line.procedure_code
            and hist.modifier_set == line.modifier_set and hist.rendering_npi == _rendering_npi(claim, line)
            and hist.claim.billing_npi == _billing_npi(claim))


def _is_void(claim: Claim) -> bool:
    return (claim.frequency_code or "").strip() == "8"


def _duplicates(claim: Claim, ctx: RuleContext) -> dict[int, list]:
    """Line number -> recorded lines it duplicates (lines with 76/77/91 never do)."""
    if _is_void(claim):
        return {}
    recorded = history_lines(claim, ctx)
    found = {}
    for ln in claim.lines:
        if ln.date_of_service is None or ln.modifier_set & REPEAT_MODIFIERS:
            continue
        same = [h for h in recorded if _same_service(claim, ln, h)]
        if same:
            found[ln.number] = same
    return found


def _whole_duplicate_of(claim: Claim, ctx: RuleContext):
    """The recorded claim every line of this claim duplicates, else None."""
    dups = _duplicates(claim, ctx)
    if not claim.lines or len(dups) != len(claim.lines):
        return None
    common = set.intersection(*({h.claim for h in dups[ln.number]} for ln in claim.lines))
    return min(common) if common else None


def _describe_claim(key) -> str:
    return f"claim {key.claim_number}"


# --- duplicates ------------------------------------------------------------------------

@rule("HX001", "history.duplicate-claim", "error", carc="CO-18")
def duplicate_claim(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Every line of the claim is already on one recorded claim: an exact duplicate claim.

    ## What it checks
    With a claim history, each line is compared with the recorded lines that still count
    for the same patient and payer: same billing NPI, rendering NPI, date of service,
    procedure code and modifiers. When one recorded claim (with another CLM01) holds them
    all, the claim is a duplicate. The claim's own earlier version (same billing NPI,
    payer and CLM01) is never compared, and neither is the claim a replacement's REF*F8
    names. Void claims (CLM05-3 = 8) are not checked.

    ## Why payers deny it
    Claims systems deny exact duplicates automatically (CARC 18, "Exact duplicate
    claim/service"), with no appeal rights; repeated duplicate submissions are treated
    as abuse.

    ## Example
    Claim B1 for 97140-GP on 2025-03-03 for the patient recorded earlier on claim A1
    with the same line: B1 is denied CO-18.

    ## Fix
    Do not resend a claim that is already with the payer; check its status (276/277).
    To change it, send a replacement (CLM05-3 = 7) with REF*F8 = the payer's claim number.

    ## Authority
    CMS Medicare Claims Processing Manual 100-04 ch. 1 §120 (detection of duplicate
    claims); CARC 18.
    """
    ledger = ctx.options.get("run_ledger")
    if ctx.options.get("run_identities") is not None:  # a check run: same identity and services
        again = earlier_with_identity(claim, ctx) == _services_signature(claim)
    else:
        again = ledger is not None and ledger.seen(claim.patient_key, _identity(claim))
    if again and (claim.frequency_code or "1").strip() == "1":
        yield Hit(f"Claim {claim.claim_id} appears twice in this run (same billing provider, payer and "
                  "CLM01): the payer denies the second copy as a duplicate.",
                  fix="Send each claim once: remove the second copy (or, if it is a correction, send it as a "
                      "replacement, CLM05-3 = 7, with REF*F8 = the payer's claim number).",
                  fix_safety="unsafe", authority=DUPLICATE_AUTHORITY,
                  details={"duplicate_of": claim.claim_id})
        return
    other = _whole_duplicate_of(claim, ctx)
    if other is None:
        return
    yield Hit(f"Every line of this claim is already on {_describe_claim(other)} (recorded, or earlier in "
              "this run; same provider, "
              "patient, payer, dates, codes and modifiers): an exact duplicate claim.",
              fix=f"Do not send it again; if {_describe_claim(other)} needs a change, send a replacement "
                  "(CLM05-3 = 7) with REF*F8 = the payer's claim control number of the original.",
              fix_safety="unsafe", authority=DUPLICATE_AUTHORITY,
              details={"duplicate_of": other.claim_number})


RUN_IDENTITIES_MAX = 200_000  # identities remembered in one run (the oldest are dropped)


def _services_signature(claim: Claim) -> tuple[int, int]:
    """What CARC 18 compares, hashed: the patient and each line's date of service and service."""
    return (hash(claim.patient_key), hash(frozenset(
        (ln.date_of_service, ln.procedure_code, tuple(sorted(ln.modifier_set))) for ln in claim.lines)))


def earlier_with_identity(claim: Claim, ctx: RuleContext) -> tuple[int, int] | None:
    """The services signature of a claim earlier in this run with the same identity (billing
    NPI + payer + CLM01), else None. ``ctx.options["run_identities"]`` (an OrderedDict that
    `check` sets, with or without --record) holds the run's identities; one claim is entered
    once, whichever HX rule asks first."""
    seen = ctx.options.get("run_identities")
    if seen is None:
        return None
    memo = ctx.claim_memo(claim)
    if "hx.earlier_identity" not in memo:
        key = _identity(claim)
        earlier = None
        if key is not None and claim.lines:
            earlier = seen.pop(key, None)
            seen[key] = _services_signature(claim)
            if len(seen) > RUN_IDENTITIES_MAX:
                seen.popitem(last=False)
        memo["hx.earlier_identity"] = earlier
    return memo["hx.earlier_identity"]


@rule("HX008", "history.claim-number-reused", "warning")
def claim_number_reused(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The claim's CLM01 was used earlier in this run, or in the history, for a different claim.

    ## What it checks
    Two claims of one run with the same identity (billing NPI, payer and CLM01) whose
    patient or services (date of service, code, modifiers) differ; or, with a claim
    history, a recorded claim with the claim's identity for another patient or with no
    date of service in common (a re-check -- same patient, a date in common -- is not). The same identity with
    the same services is an exact duplicate (HX001). Replacements and voids (CLM05-3 = 7/8)
    reuse the identity on purpose and are not reported.

    ## Why payers deny it
    Reusing CLM01 is allowed (the TR3 recommends the patient account number or a claim
    number) and is not a duplicate: CARC 18 needs the same patient, date of service and
    service. But statuses (277CA) and remittances (835 CLP01) come back by CLM01, so two
    live claims with one number are matched to the wrong claim; and a claim history keyed by
    billing NPI + payer + CLM01 (cleanclaim's, with `--record`) holds one claim per identity:
    `--record` keeps the recorded claim and does not record the reused number.

    ## Example
    PM1001 for 2026-09-14 and PM1001 for 2026-09-21, same patient, in one file.

    ## Fix
    Give each claim its own patient control number (e.g. the account number with a visit
    suffix). If the later claim corrects the earlier one, send it as a replacement
    (CLM05-3 = 7).

    ## Authority
    ASC X12 005010X222A1 837P TR3 2300 CLM01 (patient control number: "the two recommended
    identifiers are either the Patient Account Number or the Claim Number"); CARC 18
    (exact duplicate: same patient, date of service and service).
    """
    if (claim.frequency_code or "1").strip() in ("7", "8"):
        return
    earlier = earlier_with_identity(claim, ctx)
    if earlier is not None and earlier != _services_signature(claim):
        other = "another patient's claim" if earlier[0] != hash(claim.patient_key) else \
            "a claim with other dates or services"
        where = "earlier in this run"
        keeps = ("check --record keeps the earlier claim and does not record this one" if earlier[0] != hash(
            claim.patient_key) else "check --record keeps only one of them")
    else:  # the history: a claim recorded in an earlier run under this identity
        key = _identity(claim) if ctx.history is not None else None
        found = ctx.history.identity_conflict(key, claim) if key is not None else None
        if not found:
            return
        other = "another patient's claim" if found == "another patient" else "a claim with other dates of service"
        where = "recorded in the claim history"
        keeps = "check --record keeps the recorded claim and does not record this one"
    yield Hit(f"Claim {claim.claim_id} reuses the CLM01 of {other} {where} (same billing provider and payer). "
              "Not an exact duplicate (CARC 18 needs the same patient, date and service), but 277CA/835 "
              f"answers come back by CLM01, and the history keys claims by billing NPI + payer + CLM01: {keeps}.",
              fix="Give each claim its own patient control number (CLM01); if this claim corrects the earlier "
                  "one, send it as a replacement (CLM05-3 = 7).",
              fix_safety="unsafe",
              authority="ASC X12 005010X222A1 837P TR3 2300 CLM01; CMS 100-04 ch. 1 §120 (only CLM05-3 = 7/8 "
                        "replaces or voids a claim); CARC 18 (same patient, date and service)")


@rule("HX002", "history.duplicate-line", "error", carc="CO-18")
def duplicate_line(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A line repeats a service already on a recorded claim (same provider, patient, date, code).

    ## What it checks
    With a claim history: a line whose billing NPI, rendering NPI, date of service,
    procedure code and modifiers match a recorded line of another claim of the same
    patient and payer that still counts. Lines carrying 76, 77 or 91 (repeat procedure
    or test) are not duplicates. When the whole claim is a duplicate, HX001 reports it
    instead.

    ## Why payers deny it
    The later line is denied as an exact duplicate (CARC 18). For timed therapy codes,
    units of one service on one day belong on one line: a second claim for more units of
    97110 on the same day is denied, not added.

    ## Example
    97110-GP x1 on 2025-03-03 was billed on claim A1; claim B1 bills 97110-GP x1 again for
    the same date, patient and therapist: B1 line 1 is denied CO-18.

    ## Fix
    If the service is the same, remove the line. If units were missed, send a replacement
    of the first claim (CLM05-3 = 7, REF*F8) with all units on one line. If it really was
    a second, separate session, use the modifier that says so (76/77, or 59/X for a
    distinct service) only when the documentation supports it.

    ## Authority
    CMS Medicare Claims Processing Manual 100-04 ch. 1 §120; CARC 18.
    """
    if _whole_duplicate_of(claim, ctx) is not None:
        return
    for number, same in sorted(_duplicates(claim, ctx).items()):
        ln = next(x for x in claim.lines if x.number == number)
        where = ", ".join(sorted({f"{_describe_claim(h.claim)} line {h.line_number}" for h in same}))
        yield Hit(f"{ln.procedure_code}{_mods(ln.modifiers)} on {ln.date_of_service.isoformat()} (line {number}) "
                  f"is already billed for this patient by the same provider on {where}.",
                  line=number,
                  fix="Remove the line if it is the same service; for missed units, replace the first claim "
                      "(CLM05-3 = 7, REF*F8) with all units on one line.",
                  fix_safety="unsafe", authority=DUPLICATE_AUTHORITY,
                  details={"duplicate_of": sorted({h.claim.claim_number for h in same})})


def _mods(modifiers) -> str:
    return "".join(f"-{m}" for m in modifiers)


# --- NCCI across claims ----------------------------------------------------------------

def _bypassed(col1_mods: set[str], col2_code: str, col2_mods: set[str]) -> bool:
    """NCCI-associated modifiers on the pair (an E/M column-2 code counts only 24/25/57)."""
    if is_evaluation_management(col2_code):
        return bool(col2_mods & {"24", "25", "57"})
    return bool((col1_mods | col2_mods) & NCCI_ASSOCIATED)


@rule("HX003", "history.ncci-ptp-across-claims", "error", carc="CO-97 / CO-236")
def ptp_across_claims(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An NCCI PTP pair split across this claim and a recorded claim (same provider, patient, date).

    ## What it checks
    With a claim history: each line is paired with the recorded lines of the same
    patient and payer on the same date of service by the same rendering NPI. The NCCI
    practitioner PTP row in force on that date decides: modifier indicator 0, or 1
    without an NCCI-associated modifier on either line, is an edit. When this claim's
    line is the column-2 code it is an error (the line is denied); when this claim holds
    the column-1 code and the recorded claim the column-2 code, it is a warning (the
    earlier line is recouped or this line's payment reduced).

    ## Why payers deny it
    CMS applies PTP edits by provider, beneficiary and date, not by claim: splitting the
    pair over two claims does not avoid the edit. The column-2 code is denied CO-97
    ("already adjudicated") / CO-236.

    ## Example
    97140-GP billed on claim A1 for 2024-08-05; claim B1 for the same patient, therapist
    and day bills 97124-GP. NCCI 97140/97124 has modifier indicator 0: B1's 97124 is denied.

    ## Fix
    Bill all of a day's services on one claim. If the column-2 service was truly
    distinct (indicator 1), append XS/XU (or 59) when the documentation shows it and
    replace the claim; for indicator 0, remove the column-2 line.

    ## Authority
    CMS "Medicare NCCI Procedure to Procedure (PTP) Edits"; NCCI PTP practitioner table;
    NCCI Policy Manual for Medicare Services ch. I.
    """
    recorded = history_lines(claim, ctx)
    if not recorded or _is_void(claim):
        return
    program = ctx.ncci_program(claim)
    for ln in claim.lines:
        dos = ln.date_of_service
        npi = _rendering_npi(claim, ln)
        for h in recorded:
            if h.dos != dos or h.rendering_npi != npi or h.code == ln.procedure_code:
                continue
            # A pair listed in both column orders: the one decisive row applies (as on one claim).
            rows = [(e, side) for e, side in ((ctx.store.ptp_edit(h.code, ln.procedure_code, dos, program), "recorded"),
                                              (ctx.store.ptp_edit(ln.procedure_code, h.code, dos, program), "this"))
                    if e is not None]
            if not rows:
                continue
            edit, side = min(rows, key=decisive_row)
            # This line is column 2 to a recorded column-1 code: this line is denied.
            if side == "recorded" and _applies(edit, h.modifier_set, ln.procedure_code, ln.modifier_set):
                yield Hit(f"{ln.procedure_code} (line {ln.number}) is column 2 to {h.code} already billed on "
                          f"{_describe_claim(h.claim)} for the same patient, provider and date "
                          f"({dos.isoformat()}; NCCI PTP modifier indicator {edit.modifier_indicator}).",
                          line=ln.number, fix=_fix(edit), fix_safety="unsafe",
                          authority=f"{ptp_authority(edit)}. {PTP_ACROSS}",
                          details={"column1": edit.column1, "column2": edit.column2,
                                   "other_claim": h.claim.claim_number})
            # A recorded line is column 2 to this line: the earlier payment is at risk.
            if side == "this" and _applies(edit, ln.modifier_set, h.code, h.modifier_set):
                yield Hit(f"{ln.procedure_code} (line {ln.number}) is column 1 to {h.code} already billed on "
                          f"{_describe_claim(h.claim)} for the same patient, provider and date "
                          f"({dos.isoformat()}; NCCI PTP modifier indicator {edit.modifier_indicator}): the "
                          f"{h.code} payment is recouped or this line's payment reduced by it.",
                          line=ln.number, severity="warning", fix=_fix(edit), fix_safety="unsafe",
                          authority=f"{ptp_authority(edit)}. {PTP_ACROSS}",
                          details={"column1": edit.column1, "column2": edit.column2,
                                   "other_claim": h.claim.claim_number})


def _applies(edit, col1_mods: set[str], col2_code: str, col2_mods: set[str]) -> bool:
    if edit is None or edit.modifier_indicator == "9":
        return False
    if edit.modifier_indicator == "0":
        return True
    return not _bypassed(col1_mods, col2_code, col2_mods)


def _fix(edit) -> str:
    if edit.modifier_indicator == "0":
        return (f"Bill the day's services on one claim and leave out {edit.column2}: no modifier makes it "
                f"payable with {edit.column1} on the same day.")
    return (f"If {edit.column2} was a distinct session, region or time block, append XS/XU (or 59) to it "
            f"when the documentation shows that and replace the claim; otherwise leave {edit.column2} out.")


# --- MUE across claims -----------------------------------------------------------------

@rule("HX004", "history.mue-across-claims", "error", carc="CO-151 / N362")
def mue_across_claims(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Units of a date-of-service MUE code (MAI 2/3) over the limit once recorded claims are added.

    ## What it checks
    With a claim history: for each code whose practitioner MUE has adjudication
    indicator 2 or 3, the units on this claim for one date and rendering NPI plus the
    units recorded on other claims of the same patient and payer for that code, date
    and provider. Reported only when this claim alone is within the MUE (MU001 reports
    a claim over it on its own).

    ## Why payers deny it
    MAI 2/3 MUEs are date-of-service edits: the payer adds every unit for the day,
    whatever claim it came on, and denies the line that goes over (CO-151, RARC N362).
    MAI 2 cannot be appealed; MAI 3 can, with records.

    ## Example
    97124 has a practitioner MUE of 4 (MAI 3, 2024 Q3). 3 units were billed on claim A1
    for 2024-08-05; claim B1 bills 2 more for the same day and therapist: 5 > 4, B1's
    line is denied.

    ## Fix
    Bill only the units the documentation supports for the whole day; to add units to a
    claim already sent, replace it (CLM05-3 = 7, REF*F8) rather than sending a second one.

    ## Authority
    CMS NCCI Medically Unlikely Edits (practitioner), MAI definitions; NCCI Policy Manual
    for Medicare Services ch. I section V.
    """
    recorded = history_lines(claim, ctx)
    if not recorded or _is_void(claim):
        return
    groups: dict[tuple, list[ServiceLine]] = defaultdict(list)
    for ln in claim.lines:
        if ln.date_of_service is not None:
            groups[(ln.procedure_code, ln.date_of_service, _rendering_npi(claim, ln))].append(ln)
    for (code, dos, npi), lines in groups.items():
        mue = ctx.store.mue(code, ctx.ncci_program(claim), dos)  # the table in force on the date of service
        if mue is None or mue.mai not in (2, 3):
            continue
        here = sum((ln.units or Decimal(0) for ln in lines), Decimal(0))
        before = [h for h in recorded if h.code == code and h.dos == dos and h.rendering_npi == npi]
        earlier = sum((h.units or Decimal(0) for h in before), Decimal(0))
        if here > mue.units or here + earlier <= mue.units:
            continue
        claims_text = ", ".join(sorted({_describe_claim(h.claim) for h in before}))
        for ln in lines:
            yield Hit(f"{code} on {dos.isoformat()}: {here:g} unit(s) here + {earlier:g} on {claims_text} = "
                      f"{here + earlier:g}, over the MUE of {mue.units} (MAI {mue.mai}: a date-of-service edit "
                      "across claims).", line=ln.number,
                      fix=f"Bill at most {mue.units} unit(s) of {code} for the whole day; to change units "
                          "already billed, replace that claim (CLM05-3 = 7, REF*F8).",
                      fix_safety="unsafe",
                      authority=f"{mue.release}: {mue.code} MUE {mue.units}, MAI {mue.mai}. {MUE_ACROSS}",
                      details={"mue": mue.units, "mai": mue.mai, "units_here": float(here),
                               "units_recorded": float(earlier)})


# --- timely filing ---------------------------------------------------------------------

def medicare_filing_deadline(dos: date) -> date:
    """The last day to file: 1 calendar year after the date of service (Feb 29 -> Feb 28)."""
    try:
        return dos.replace(year=dos.year + 1)
    except ValueError:
        return date(dos.year + 1, 2, 28)


NEXT_WORKDAY = ("CMS 100-04 ch. 1 §70: 'Whenever the last day for timely filing of a claim falls on a Saturday, "
                "Sunday, legal holiday, or other day ... that is a non-work-day for Federal employees, the claim "
                "will be considered timely if it is filed on the next workday'; legal holidays: 5 U.S.C. 6103")


def filing_window(last_day: date, next_workday_rule: bool) -> tuple[date, str]:
    """(the day a filing is still timely, why it differs from ``last_day`` or '')."""
    if not next_workday_rule:
        return last_day, ""
    from ..policies.workdays import next_workday, non_workday_reason

    reason = non_workday_reason(last_day)
    if reason is None:
        return last_day, ""
    extended = next_workday(last_day)
    return extended, (f" ({reason}), so a claim filed on the next workday, {extended.isoformat()}, "
                      "was still timely")


def _pack_limit(claim: Claim, ctx: RuleContext, dos: date):
    """The payer pack's timely_filing rule in force on ``dos`` (None: no pack API or no rule)."""
    try:
        from ..policies.loader import policy_for
    except ImportError:
        return None
    policy = policy_for(claim, ctx)
    found = policy.section("timely_filing", dos)
    if not found or not found[-1].get("days"):
        return None
    return found[-1]


@rule("HX005", "history.timely-filing", "error", carc="CO-29")
def timely_filing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A line's date of service is past the payer's filing limit on the check date (--as-of).

    ## What it checks
    Each line's date of service (the "From" date) against the filing limit, taking the
    check date (--as-of, else today) as the day the claim is filed. Medicare: 12 months,
    i.e. 1 calendar year after the date of service (a February 29 service by February
    28); when that last day is a Saturday, Sunday or federal holiday (5 U.S.C. 6103,
    observed dates included), a claim filed on the next workday is timely. Other payers:
    the number of days in the payer's policy pack (timely_filing; the next-workday rule
    only when the rule says next_workday: true), an error when the pack is the payer's
    own policy (enforcement: payer), a warning for an assumed default.
    Replacement and void claims (CLM05-3 = 7/8) are not checked: their limits are those
    of reopenings and adjustments.

    ## Why payers deny it
    A claim received after the limit is denied CO-29 ("The time limit for filing has
    expired"); for Medicare the denial is not an initial determination and cannot be
    appealed, and the beneficiary may not be billed.

    ## Example
    Medicare, date of service 2025-03-12, checked 2026-03-13: the last day was
    2026-03-12 (a Thursday), so the line is denied CO-29. For a service on 2024-03-01
    the last day, 2025-03-01, is a Saturday: filed Monday 2025-03-03 it is timely,
    filed 2025-03-04 it is late.

    ## Fix
    File at once if a 100-04 ch. 1 §70.7 exception applies (administrative error,
    retroactive entitlement or disenrollment) and document it; otherwise the service
    cannot be billed to the payer or the patient.

    ## Authority
    42 CFR 424.44; CMS Medicare Claims Processing Manual 100-04 ch. 1 §70 (next workday
    when the last day is not a federal workday); 5 U.S.C. 6103 (legal public holidays);
    the payer's timely-filing limit in its policy pack.
    """
    if (claim.frequency_code or "1").strip() in ("7", "8"):
        return
    medicare = ctx.payer_type_for(claim) == "medicare"
    for ln in claim.lines:
        dos = ln.date_of_service
        if dos is None:
            continue
        if medicare:
            deadline, authority, severity = medicare_filing_deadline(dos), MEDICARE_TIMELY, None
            limit, next_workday_rule, note = "12 months (1 calendar year)", True, ""
        else:
            pack_rule = _pack_limit(claim, ctx, dos)
            if pack_rule is None:
                continue
            days = int(pack_rule.get("days"))
            deadline, severity, limit = dos + timedelta(days=days), pack_rule.severity(None), f"{days} days"
            authority, note = pack_rule.authority, pack_rule.assumed_note
            next_workday_rule = bool(pack_rule.get("next_workday", False))
        filed_by, extended = filing_window(deadline, next_workday_rule)
        if ctx.as_of <= filed_by:
            continue
        if extended:
            authority = f"{authority}; {NEXT_WORKDAY}"
        fix = ("File now only if an exception applies (e.g. CMS 100-04 ch. 1 §70.7: administrative "
               "error, retroactive entitlement) and keep the proof; otherwise write the line off "
               "(the patient may not be billed for it).")
        if next_workday_rule and (ctx.as_of - filed_by).days <= 7:
            # 100-04 ch.1 §70 also extends to days closed by Executive order, which no calendar
            # computes (e.g. a national day of mourning): just past the deadline, say so first.
            fix = (f"First check whether {filed_by.isoformat()} or the days after it were a Federal "
                   "non-workday by Executive order (e.g. a national day of mourning): the next workday "
                   "after such a closure is still timely (CMS 100-04 ch. 1 §70). " + fix)
        yield Hit(f"Line {ln.number}: date of service {dos.isoformat()} is past the filing limit of {limit}; "
                  f"the last day to file was {deadline.isoformat()}{extended} (checked as of "
                  f"{ctx.as_of.isoformat()}).{note}",
                  line=ln.number, severity=severity, fix=fix,
                  fix_safety="unsafe", authority=authority,
                  details={"deadline": deadline.isoformat(), "timely_through": filed_by.isoformat(),
                           "date_of_service": dos.isoformat()})


# --- REF*F8 ----------------------------------------------------------------------------

@rule("HX006", "history.payer-claim-number", "error", carc="CO-16")
def payer_claim_number(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A replacement or void (CLM05-3 = 7/8) without REF*F8, or REF*F8 on an original claim.

    ## What it checks
    CLM05-3 = 7 (replacement of prior claim) or 8 (void/cancel of prior claim) needs the
    2300 REF*F8 Payer Claim Control Number of the claim it changes. REF*F8 on any other
    claim is reported as a warning (the TR3 says: do not send). With a claim history, a
    REF*F8 that names no recorded claim of the same billing provider and payer (by the
    payer's claim number from an imported 835, or CLM01) is a warning: the original cannot be
    taken out of visits, units and duplicate checks here, so it may be counted with this claim.

    ## Why payers deny it
    Without the payer's claim number the payer cannot find the claim to replace or void:
    the claim is rejected at the front end (277CA) or denied as unprocessable (CO-16), or
    processed as a new claim and denied as a duplicate (CO-18).

    ## Example
    CLM*PM1002*125***11:B:7*Y*A*Y*Y with no REF*F8: the replacement is rejected.

    ## Fix
    Add REF*F8 with the payer's claim control number (ICN/DCN) from the 835 (CLP07) or
    277 of the original claim; on an original claim, remove REF*F8.

    ## Authority
    ASC X12 005010X222A1 (837P) loop 2300 REF*F8 situational rule; CLM05-3 claim
    frequency codes (NUBC).
    """
    frequency = (claim.frequency_code or "1").strip()
    has_ref = bool((claim.original_reference or "").strip())
    if frequency in ("7", "8") and not has_ref:
        what = "replacement" if frequency == "7" else "void"
        yield Hit(f"CLM05-3 = {frequency} ({what} of a prior claim) but there is no REF*F8 with the payer's "
                  "claim control number of the claim it changes.",
                  fix="Add REF*F8 = the payer's claim control number (835 CLP07 / 277 of the original claim).",
                  fix_safety="unsafe", authority=F8_AUTHORITY)
    elif has_ref and ctx.history is not None and hasattr(ctx.history, "referenced_claim"):
        key = _identity(claim)
        ref = claim.original_reference.strip()
        ledger = ctx.options.get("run_ledger")
        in_run = ledger is not None and any(
            h.claim.claim_number == ref for h in ledger.service_lines(claim.patient_key or "", payer_key=key.payer_key)
        ) if key is not None else False
        if key is not None and not in_run and ctx.history.referenced_claim(key, ref) is None:
            yield Hit(f"REF*F8 {ref} names no recorded claim of this billing provider and payer (neither a "
                      "payer claim number from an imported 835 nor a CLM01): the original was not found, so "
                      "it still counts here (visits, authorised units, duplicates) alongside this claim.",
                      severity="warning",
                      fix="Check REF*F8 against the 835 (CLP07) or 277 of the original claim; import the 835 "
                          "(`cleanclaim remit import`) so the payer's claim number is known.",
                      fix_safety="unsafe", authority=F8_AUTHORITY)
    elif has_ref and frequency not in ("7", "8"):
        yield Hit(f"REF*F8 is sent on a claim with CLM05-3 = {frequency}: it is only for replacement (7) "
                  "or void (8) claims.", severity="warning",
                  fix="Remove REF*F8, or set CLM05-3 to 7/8 if this claim replaces or voids the original.",
                  fix_safety="unsafe", authority=F8_AUTHORITY)


# --- a voided or replaced claim sent again --------------------------------------------------

RESENT_AUTHORITY = ("ASC X12 005010X222A1 837P TR3, 2300 CLM05-3 claim frequency type code (NUBC): 1 original, "
                    "7 replacement of prior claim, 8 void/cancel of prior claim -- a void eliminates the prior "
                    "claim, a replacement takes its place; neither is undone by sending the original again. CMS "
                    "100-04 ch. 1 §120: claims matching one already in history are denied as duplicates (CARC 18)")


def _same_file(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    from pathlib import Path

    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


@rule("HX007", "history.resent-superseded-claim", "warning", carc="CO-18")
def resent_superseded_claim(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An original claim (CLM05-3 = 1) sent again after it was voided or replaced.

    ## What it checks
    With a claim history (or earlier in the same run): this claim's identity (billing NPI,
    payer and CLM01) belongs to a claim that a void (CLM05-3 = 8) cancelled or a
    replacement (7) superseded, and this claim is an original again. A recorded void or
    replacement from the same file as this claim is not reported (a re-check of that
    batch, which holds the original before its void); one earlier in the same run is.

    ## Why payers deny it
    A void cancels the claim for good and a replacement becomes the claim of record: sending
    the original again does not bring it back. The payer processes it as a new claim, and
    when its services match a claim it already holds (the replacement, or the voided claim
    under the payer's duplicate edits) it denies them as duplicates (CO-18). In the history
    the claim stays void (or replaced), so its services are not counted toward visits,
    authorised units or the KX threshold.

    ## Example
    BA2005 was recorded, then voided by BA2005V (CLM05-3 = 8, REF*F8 BA2005); BA2005 is
    sent again unchanged with CLM05-3 = 1.

    ## Fix
    If the services are billable after all, send them as a new original claim with a new
    CLM01 (CLM05-3 = 1, no REF*F8); if the void was meant, do not send this claim. To
    change a replaced claim, send another replacement (7) with REF*F8 = the payer's claim
    number of the claim of record.

    ## Authority
    ASC X12 005010X222A1 837P TR3 2300 CLM05-3 (claim frequency codes 1, 7, 8); CMS
    100-04 ch. 1 §120 (duplicate claims); CARC 18.
    """
    if (claim.frequency_code or "1").strip() not in ("", "1"):
        return
    key = _identity(claim)
    if key is None:
        return
    ledger = ctx.options.get("run_ledger")
    found = ledger.superseded(key) if ledger is not None and hasattr(ledger, "superseded") else None
    if found is None and ctx.history is not None and hasattr(ctx.history, "superseded"):
        found = ctx.history.superseded(key)
        if found is not None and _same_file(found[1], claim.source):
            return  # the void/replacement is in this very file: a re-check of the batch, not a resend
    if found is None:
        return
    status, _source, by_claim = found
    by = f" by claim {by_claim}" if by_claim and by_claim != key.claim_number else ""
    if status == "void":
        message = (f"Claim {key.claim_number} was voided{by} (CLM05-3 = 8) and is sent again as an original: a "
                   "void cannot be undone by resending the claim. The payer takes this as a new claim and may "
                   "deny its services as duplicates of the voided claim (CO-18); here it stays void, so its "
                   "services are not counted (visits, authorised units, KX).")
        fix = ("If the services are billable after all, send them on a new original claim with a new CLM01 "
               "(CLM05-3 = 1, no REF*F8); if the void was meant, do not send this claim.")
    else:
        message = (f"Claim {key.claim_number} was replaced{by} (CLM05-3 = 7) and is sent again as an original: "
                   "the replacement is the claim of record. The payer takes this as a new claim and denies "
                   "services it already holds on the replacement as duplicates (CO-18); here the original "
                   "stays replaced and is not counted.")
        fix = ("Do not send the original again; to change the claim, send another replacement (CLM05-3 = 7) "
               "with REF*F8 = the payer's claim number of the claim of record.")
    yield Hit(message, fix=fix, fix_safety="unsafe", authority=RESENT_AUTHORITY,
              details={"status": status, "superseded_by": by_claim})
