"""TU: units of 15-minute timed therapy codes against the minutes (8-minute / midpoint rule).

Minutes come from ``ServiceLine.minutes``. Lines are taken together per date of service,
rendering provider and therapy discipline (GP / GO / GN plan of care): that is the
"single day" whose timed minutes §20.2 adds up. Medicare and Medicaid use the CMS
8-minute rule, other payers the CPT midpoint rule; ``ctx.options["unit_method"]``
("cms-8-minute" | "cpt-midpoint") overrides. The math lives in :mod:`.minutes`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib import resources

from ..model import Claim, ServiceLine
from .base import Hit, RuleContext, rule
from .minutes import CMS_8_MINUTE, METHODS, UnitDistribution, distribute, method_for_payer

TIMED_CODES_RESOURCE = "data/timed_codes.tsv"
DISCIPLINE_MODIFIERS = ("GP", "GO", "GN")  # PT, OT, SLP plan of care
KINDS = ("each_15", "initial_15", "each_additional_15")


@dataclass(frozen=True)
class TimedCode:
    """A 15-minute timed code from data/timed_codes.tsv."""

    code: str
    kind: str  # each_15 | initial_15 | each_additional_15
    pool: str  # the code its minutes are counted under (97130 -> 97129)
    descriptor: str
    source: str


def parse_timed_codes(text: str, where: str = TIMED_CODES_RESOURCE) -> dict[str, TimedCode]:
    """Rows of the timed-code table; '#' lines are the header comment."""
    rows = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.startswith("#")]
    if not rows:
        raise ValueError(f"{where}: no rows")
    header_no, header = rows[0]
    expected = ["code", "kind", "pool", "descriptor", "source"]
    if header.split("\t") != expected:
        raise ValueError(f"{where} line {header_no}: header must be {' / '.join(expected)}")
    table: dict[str, TimedCode] = {}
    for number, line in rows[1:]:
        fields = next(csv.reader(io.StringIO(line), delimiter="\t"))
        if len(fields) != 5:
            raise ValueError(f"{where} line {number}: expected 5 tab-separated fields, got {len(fields)}")
        code, kind, pool, descriptor, source = (f.strip() for f in fields)
        if kind not in KINDS:
            raise ValueError(f"{where} line {number}: unknown kind {kind!r} for {code}")
        if code in table:
            raise ValueError(f"{where} line {number}: {code} listed twice")
        table[code] = TimedCode(code, kind, pool, descriptor, source)
    for entry in table.values():
        if entry.pool not in table:
            raise ValueError(f"{where}: {entry.code} pools under {entry.pool}, which is not listed")
    return table


@lru_cache(maxsize=1)
def load_timed_codes() -> dict[str, TimedCode]:
    """The packaged timed-code table (read once)."""
    text = resources.files("cleanclaim").joinpath(TIMED_CODES_RESOURCE).read_text(encoding="utf-8")
    return parse_timed_codes(text)


def unit_method_for(claim: Claim, ctx: RuleContext) -> str:
    """ctx.options["unit_method"] wins; else the policy pack's unit_method; else
    medicare/medicaid -> CMS, others -> CPT."""
    method = (ctx.options or {}).get("unit_method")
    if method:
        if method not in METHODS:
            raise ValueError(f"unit_method {method!r}: expected one of {', '.join(METHODS)}")
        return method
    try:  # the payer's policy pack (unit_method), when it names one
        from ..policies import policy_for

        method = policy_for(claim, ctx).unit_method(claim.dates_of_service[0] if claim.dates_of_service else None)
    except Exception:  # noqa: BLE001 - no usable pack: the payer-type default below
        method = None
    if method in METHODS:
        return method
    return method_for_payer(ctx.payer_type_for(claim))


def addon_code(initial: str, table: dict[str, TimedCode]) -> str | None:
    """The "each additional 15 minutes" code of an initial code (97129 -> 97130), else None."""
    if initial not in table or table[initial].kind != "initial_15":
        return None
    return next((t.code for t in table.values() if t.pool == initial and t.kind == "each_additional_15"), None)


def split_pairs(units: dict[str, int], table: dict[str, TimedCode]) -> dict[str, int]:
    """Units per billed code: a pooled pair's first unit stays on the initial code (reported
    once per day), the rest go to its add-on: {"97129": 3} -> {"97129": 1, "97130": 2}."""
    out: dict[str, int] = {}
    for key, count in units.items():
        addon = addon_code(key, table)
        if addon is None:
            out[key] = out.get(key, 0) + count
        else:
            out[key] = out.get(key, 0) + min(count, 1)
            out[addon] = out.get(addon, 0) + max(count - 1, 0)
    return out


def render_units(units: dict[str, int], table: dict[str, TimedCode]) -> str:
    """"97110 x2, 97140 x1"; a pooled pair shows its add-on ("97129 x1, 97130 x2")."""
    parts = [f"{code} x{count}" for code, count in split_pairs(units, table).items() if count > 0]
    return ", ".join(parts) or "no timed units"


@dataclass
class ServiceDay:
    """Timed lines of one date of service, rendering provider and discipline."""

    date_of_service: date | None
    rendering_npi: str | None
    discipline: str | None
    lines: list[ServiceLine] = field(default_factory=list)

    @property
    def label(self) -> str:
        day = self.date_of_service.isoformat() if self.date_of_service else "the claim's date"
        return day + (f" ({self.discipline})" if self.discipline else "")


def service_days(claim: Claim, table: dict[str, TimedCode]) -> list[ServiceDay]:
    """Timed lines grouped by date, rendering NPI and discipline.

    A timed line whose date could not be read (its reader reported it) makes every day
    of the claim uncertain: no day is checked rather than a day checked with minutes missing.
    """
    days: dict[tuple, ServiceDay] = {}
    if any(ln.date_of_service is None and ln.procedure_code in table for ln in claim.lines) and \
            len(claim.lines) > 1:
        return []
    for line in claim.lines:
        if line.procedure_code not in table:
            continue  # untimed services never add minutes
        provider = claim.rendering_for(line)
        npi = provider.npi if provider else None
        discipline = next((m for m in line.modifiers if m in DISCIPLINE_MODIFIERS), None)
        key = (line.date_of_service, npi, discipline)
        days.setdefault(key, ServiceDay(*key)).lines.append(line)
    return list(days.values())


def _line_minutes(line: ServiceLine) -> int | None:
    if line.minutes is not None:
        return line.minutes
    if line.unit_basis == "MJ" and line.units is not None and line.units == int(line.units):
        return int(line.units)  # SV103 = MJ: the quantity is minutes
    return None


@dataclass
class DayCheck:
    """What the minutes allow for one service day against what was billed."""

    day: ServiceDay
    method: str
    by_key: dict[str, list[ServiceLine]]
    missing_minutes: list[ServiceLine]
    distribution: UnitDistribution | None = None
    billed: dict[str, Decimal] | None = None  # None: some line has no units in UN
    closest: dict[str, int] | None = None

    @cached_property
    def allowed(self) -> list[dict[str, int]]:
        return self.distribution.allowed() if self.distribution else []

    def always_zero(self, key: str) -> bool:
        return bool(self.allowed) and all(vec.get(key, 0) == 0 for vec in self.allowed)


def check_days(claim: Claim, ctx: RuleContext) -> list[DayCheck]:
    """The day checks of a claim (worked out once per claim; the TU rules only read them)."""
    memo = ctx.claim_memo(claim)
    checks = memo.get("tu.check_days")  # the table and the method are fixed for a claim
    if checks is None:
        table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
        if not any(line.procedure_code in table for line in claim.lines):
            if (ctx.options or {}).get("unit_method"):
                unit_method_for(claim, ctx)  # still refuses an unknown --unit-method
            checks = []
        else:
            checks = _check_days(claim, table, unit_method_for(claim, ctx), ctx.memo("tu.distribute"))
        memo["tu.check_days"] = checks
    return checks


def _check_days(claim: Claim, table: dict[str, TimedCode], method: str, known: dict) -> list[DayCheck]:
    checks = []
    for day in service_days(claim, table):
        by_key: dict[str, list[ServiceLine]] = {}
        for line in day.lines:
            by_key.setdefault(table[line.procedure_code].pool, []).append(line)
        missing = [ln for ln in day.lines if _line_minutes(ln) is None]
        check = DayCheck(day, method, by_key, missing)
        if not missing:
            timed = tuple((table[ln.procedure_code].pool, _line_minutes(ln)) for ln in day.lines)
            distribution = known.get((method, timed))
            if distribution is None:  # the same minutes recur: the distribution is read-only
                distribution = known[method, timed] = distribute(method, list(timed))
            check.distribution = distribution
            if all(ln.units is not None and ln.unit_basis == "UN" for ln in day.lines):
                check.billed = {
                    key: sum((ln.units for ln in lines), Decimal(0)) for key, lines in by_key.items()
                }
                check.closest = min(
                    check.allowed,
                    key=lambda vec: sum(1 for k in by_key if vec.get(k, 0) != check.billed[k]),
                )
        checks.append(check)
    return checks


def _summary(check: DayCheck, table: dict[str, TimedCode]) -> str:
    dist = check.distribution
    if check.method == CMS_8_MINUTE:
        return f"{dist.total_minutes} timed minutes = {dist.total_units} unit{'s' if dist.total_units != 1 else ''}"
    per_code = "; ".join(f"{ln.code} {ln.minutes} min = {ln.units}" for ln in dist.lines)
    return f"per code: {per_code}"


def _fix_text(check: DayCheck, table: dict[str, TimedCode]) -> str:
    options = " or ".join(render_units(vec, table) for vec in check.allowed)
    omitted = [k for k in check.by_key if check.always_zero(k)]
    text = f"bill {options} ({_summary(check, table)})"
    if omitted:
        text += f"; omit {', '.join(omitted)}"
    return text


def _fmt(units: Decimal) -> str:
    return str(int(units)) if units == int(units) else str(units)


def _mismatch_message(check: DayCheck, codes: str, billed: Decimal, allowed: int, minutes: int,
                      direction: str) -> str:
    """"4 units billed for 40 timed minutes on 2026-09-16; the 8-minute rule allows 3: ..."."""
    dist = check.distribution
    per_code = (f"{codes} billed x{_fmt(billed)} for {minutes} min, {direction} units than the minutes"
                f" allow (x{allowed})")
    if check.method == CMS_8_MINUTE:
        total = sum(check.billed.values(), Decimal(0))
        return (f"{_fmt(total)} unit{'s' if total != 1 else ''} billed for {dist.total_minutes} timed"
                f" minutes on {check.day.label}; the 8-minute rule allows {dist.total_units}: {per_code}")
    return (f"{codes} on {check.day.label} billed x{_fmt(billed)} for {minutes} timed minutes; the CPT"
            f" midpoint rule allows x{allowed}: {direction} units than the minutes allow")


@rule("TU001", "timed-units.minutes-mismatch", severity="error", carc="CO-151")
def units_match_minutes(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Units billed for 15-minute timed codes don't match what the minutes allow.

    ## What it checks
    Per date of service, rendering provider and discipline, the units billed for each
    15-minute timed code (data/timed_codes.tsv) against the units the documented minutes
    allow: for Medicare and Medicaid the CMS 8-minute rule (all timed minutes added, the
    chart gives the total, full 15-minute units first, the rest to the largest leftover
    minutes), for other payers the CPT midpoint rule code by code. When leftover minutes
    tie, every choice the manual allows passes.

    ## Why payers deny it
    Units above what the time supports are denied or recouped on review with CO-151
    (the information submitted does not support this many services): an error. §20.2
    sets the most units the minutes allow; units below it are not a denial reason but
    revenue lost for good: a warning. A MAC compares the units with the treatment
    minutes in the record.

    ## Example
    Medicare, 2026-03-05: 97110 33 minutes billed x3 and 97140 7 minutes billed x1.
    40 timed minutes = 3 units: 97110 x2, 97140 x1 (97140's 7 minutes beat 97110's 3
    leftover minutes, §20.2 Example 3).

    ## Fix
    Bill the allowed distribution, e.g. "bill 97110 x2, 97140 x1 (40 timed minutes = 3
    units)". Unsafe: it changes what is billed.

    ## Authority
    CMS Claims Processing Manual 100-04 ch.5 §20.2 "Counting Minutes for Timed Codes in
    15 Minute Units" (Examples 1-4); CPT time rule ("a unit of time is attained when the
    midpoint is passed") for payers that follow CPT.
    """
    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    for check in check_days(claim, ctx):
        if check.billed is None or check.closest is None:
            continue
        for key, lines in check.by_key.items():
            if check.always_zero(key):
                continue  # TU002: the line should go
            billed, allowed = check.billed[key], check.closest.get(key, 0)
            if billed == allowed:
                continue
            codes = "/".join(dict.fromkeys(ln.procedure_code for ln in lines))
            minutes = sum(_line_minutes(ln) for ln in lines)
            over = billed > allowed
            direction = "more" if over else "fewer"
            yield Hit(
                message=_mismatch_message(check, codes, billed, allowed, minutes, direction),
                line=lines[0].number,
                # §20.2 sets the most units the minutes support: more is denied/recouped (error);
                # fewer is never a denial reason, only revenue left unbilled (warning).
                severity=None if over else "warning",
                fix=_fix_text(check, table),
                authority=check.distribution.authority,
                fix_safety="unsafe",
                details={
                    "method": check.method,
                    "total_minutes": check.distribution.total_minutes,
                    "total_units": check.distribution.total_units,
                    "billed": {k: _fmt(v) for k, v in check.billed.items()},
                    "allowed": [dict(vec) for vec in check.allowed],
                },
            )


@rule("TU002", "timed-units.zero-unit-line", severity="error", carc="CO-16")
def zero_unit_line(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """A timed line whose documented minutes earn no unit: the line should not be there.

    ## What it checks
    A 15-minute timed code whose minutes earn 0 units under every allowed distribution:
    a service under 8 minutes on its own (CPT midpoint rule), a day whose timed minutes
    total under 8, or a short service that loses the last unit to larger leftover minutes
    under the 8-minute rule.

    ## Why payers deny it
    A service line with 0 units (SV104 = 0) is rejected at the front end (X12 837P SV104
    must be greater than zero); billed with 1 unit it is denied or recouped with CO-16 and
    RARC M53 (missing/incomplete/invalid days or units of service) or CO-151.

    ## Example
    Medicare: 97140 for 7 minutes and no other timed service that day: 7 minutes is under
    the 8-minute threshold, 0 units.

    ## Fix
    Omit the line (keep the minutes in the treatment note). Unsafe: it changes what is
    billed.

    ## Authority
    CMS 100-04 ch.5 §20.2 ("providers should not bill for services performed for less than
    8 minutes"); X12 005010X222A1 SV104 (service unit count) greater than zero.
    """
    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    for check in check_days(claim, ctx):
        if check.distribution is None:
            continue
        for key, lines in check.by_key.items():
            if not check.always_zero(key):
                continue
            minutes = sum(_line_minutes(ln) for ln in lines)
            for line in lines:
                yield Hit(
                    message=(
                        f"{line.procedure_code} on {check.day.label}: {minutes} timed minutes earn"
                        f" no unit ({_summary(check, table)}); a line with 0 units is rejected"
                    ),
                    line=line.number,
                    fix=f"omit line {line.number} ({line.procedure_code}); {_fix_text(check, table)}",
                    authority=check.distribution.authority + "; X12 837P SV104 > 0",
                    fix_safety="unsafe",
                    details={"rarc": "M53", "method": check.method, "minutes": minutes},
                )


@rule("TU003", "timed-units.split-code", severity="warning", carc="OA-18")
def split_timed_code(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The same timed code on two or more lines for one date of service.

    ## What it checks
    A 15-minute timed code reported on more than one line for the same date of service,
    rendering provider and discipline. Its minutes count once (they are added) and its
    units belong on one line.

    ## Why payers deny it
    Medicare contractors reject timed codes not reported on a single line per date of
    service (First Coast, claims received on and after April 19, 2021); other payers deny
    the second line as a duplicate (OA-18, exact duplicate claim/service).

    ## Example
    97110 x1 on line 1 and 97110 x1 on line 3, both 2026-03-05.

    ## Fix
    Report 97110 once for the date with the total units (x2), and delete the other line.
    Unsafe: it changes the claim's lines.

    ## Authority
    CMS 100-04 ch.5 §20.2 (units per code per day from the day's total minutes); First
    Coast Service Options, "Counting units for therapy services" (single line per date of
    service, effective April 19, 2021).
    """
    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    for check in check_days(claim, ctx):
        seen: dict[str, list[ServiceLine]] = {}
        for line in check.day.lines:
            seen.setdefault(line.procedure_code, []).append(line)
        for code, lines in seen.items():
            if len(lines) < 2:
                continue
            key = table[code].pool
            if check.distribution is not None and table[code].kind == "each_15":
                total = f"x{check.closest.get(key, 0)}" if check.closest else (
                    "/".join(f"x{vec.get(key, 0)}" for vec in check.allowed)
                )
                basis = f" ({_summary(check, table)})"
            else:
                units = [ln.units for ln in lines]
                total = f"x{_fmt(sum(units, Decimal(0)))}" if None not in units else "the total units"
                basis = ""
            numbers = ", ".join(str(ln.number) for ln in lines)
            # never propose more units than the MUE in force allows (MU001 denies the line whole)
            mue = ctx.store.mue(code, ctx.ncci_program(claim), lines[0].date_of_service) \
                if lines[0].date_of_service and ctx.store is not None else None
            proposed = [int(x) for x in re.findall(r"x(\d+)(?![.\d])", total)]
            if mue is not None and proposed and max(proposed) > mue.units:
                total = (f"at most x{mue.units} (the MUE; the minutes would give {total}, but units over "
                         f"the MUE deny the line whole: bill only what the record supports)")
            for line in lines[1:]:
                yield Hit(
                    message=f"{code} is reported on lines {numbers} for {check.day.label}",
                    line=line.number,
                    fix=f"report {code} once for {check.day.label} with {total}{basis}; delete line {line.number}",
                    authority="CMS 100-04 ch.5 §20.2; First Coast: timed codes on a single line per date of service",
                    fix_safety="unsafe",
                )


@rule("TU004", "timed-units.no-minutes", severity="info")
def timed_without_minutes(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Timed codes billed with no minutes, beside timed codes that have them.

    ## What it checks
    On a day where some 15-minute timed lines carry treatment minutes (CSV minutes column,
    X12 SV103 = MJ, or a note), a timed line that carries none: the units cannot be
    checked against the 8-minute or midpoint rule. The other timed lines of that day are
    not checked either, since the 8-minute rule adds the whole day's minutes. A day with
    no minutes at all (a plain 837P) is not reported: there is nothing to check against.

    ## Why payers deny it
    Nothing is denied for the missing minutes on the claim itself, but on medical review
    units the record's timed minutes do not support are recouped (CO-151). Medicare
    requires the total timed code treatment minutes in the record.

    ## Example
    97110 x2 and 97140 x1 with no minutes.

    ## Fix
    Supply the minutes per timed code (for the check only: the 837P still reports units).

    ## Authority
    CMS 100-04 ch.5 §20.2; CMS Medicare Benefit Policy Manual 100-02 ch.15 §220.3
    (treatment notes record the total timed code treatment minutes).
    """
    for check in check_days(claim, ctx):
        if len(check.missing_minutes) == len(check.day.lines):
            continue  # no minutes known that day: nothing to check against
        for line in check.missing_minutes:
            units = f" x{_fmt(line.units)}" if line.units is not None else ""
            yield Hit(
                message=(
                    f"{line.procedure_code}{units} on {check.day.label} has no minutes: its units"
                    " cannot be checked against the timed-code rule"
                ),
                line=line.number,
                fix="give the treatment minutes of each timed code (e.g. a minutes column)",
                authority="CMS 100-04 ch.5 §20.2",
            )


@rule("TU005", "timed-units.initial-code-over-one", severity="error", carc="CO-151")
def initial_code_over_one(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """An "initial 15 minutes" code billed for more than one unit on a date of service.

    ## What it checks
    Codes of an initial/add-on pair in data/timed_codes.tsv (97129/97130 cognitive
    function, 90912/90913 biofeedback training): the initial code takes one unit per day,
    every further 15 minutes goes on the add-on code. The units of the initial code on
    one date of service are added across lines.

    ## Why payers deny it
    The initial code's MUE is 1 (MAI 2, "Code Descriptor / CPT Instruction"): units over
    it are denied (CO-151, MUE). The further time is lost unless it is billed on the
    add-on code.

    ## Example
    97129-GO x3 for 40 minutes of cognitive therapy.

    ## Fix
    Bill 97129 x1 and 97130 x2. Unsafe: it changes what is billed.

    ## Authority
    CPT descriptors of 97129 ("initial 15 minutes") and 97130 ("each additional 15
    minutes"), as the Medicare PFS short descriptors "1st 15 min" / "ea addl 15 min";
    CMS NCCI practitioner MUE 97129 = 1, 90912 = 1 (MAI 2).
    """
    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    days: dict[tuple, list[ServiceLine]] = {}
    for line in claim.lines:
        if addon_code(line.procedure_code, table) is not None and line.units is not None:
            days.setdefault((line.procedure_code, line.date_of_service), []).append(line)
    for (code, day), lines in days.items():
        total = sum((ln.units for ln in lines), Decimal(0))
        if total <= 1 or total != int(total):
            continue
        addon = addon_code(code, table)
        extra = int(total) - 1
        when = f" on {day.isoformat()}" if day else ""
        yield Hit(
            message=(f"{code} is the initial 15 minutes, reported once per day, but is billed"
                     f" x{_fmt(total)}{when}; each additional 15 minutes is {addon}"),
            line=lines[0].number,
            fix=f"bill {code} x1 and {addon} x{extra} (with the same discipline modifier)",
            authority=(f"CPT {code} initial 15 minutes / {addon} each additional 15 minutes"
                       " (PFS short descriptors); CMS NCCI MUE " + code + " = 1"),
            fix_safety="unsafe",
        )
