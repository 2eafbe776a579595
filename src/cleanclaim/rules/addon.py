"""AO: add-on codes billed without their primary procedure on the same date of service.

The add-on marker is the Medicare PFS global period "ZZZ" (shipped PFS RVU file). CMS's
NCCI add-on code edit files (Type I/II/III primary-code lists) are NOT shipped, so the
primary code is known only for the initial/add-on pairs of data/timed_codes.tsv
(97129/97130, 90912/90913); for other add-on codes the check is that some non-add-on
code is billed on the claim for that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..model import Claim, ServiceLine
from .base import Hit, RuleContext, rule
from .timed_units import load_timed_codes

AUTHORITY = ("CPT add-on code convention ('List separately in addition to code for primary "
             "procedure'); CMS NCCI Policy Manual for Medicare Services ch. I (add-on codes) and "
             "the CMS NCCI add-on code edits (Type I/II/III); Medicare PFS RVU file global period "
             "ZZZ ('code related to another service, always included in the global period of the "
             "other service')")


def _addon_lines(claim: Claim, ctx: RuleContext) -> tuple[dict, dict]:
    """(add-on lines by date, other codes billed by date); add-on = PFS global ZZZ."""
    addons: dict[date | None, list[ServiceLine]] = {}
    others: dict[date | None, set[str]] = {}
    for line in claim.lines:
        code = (line.procedure_code or "").upper()
        if not code:
            continue
        row = ctx.store.pfs(code) if ctx.store is not None else None
        if row is not None and row.global_days == "ZZZ":
            addons.setdefault(line.date_of_service, []).append(line)
        else:
            others.setdefault(line.date_of_service, set()).add(code)
    return addons, others


def _primaries(ctx: RuleContext) -> dict[str, str]:
    """add-on code -> its initial code, from the pairs of data/timed_codes.tsv."""
    table = (ctx.options or {}).get("timed_codes") or load_timed_codes()
    return {c: t.pool for c, t in table.items() if t.kind == "each_additional_15" and t.pool != c}


def _when(day: date | None) -> str:
    return f" on {day.isoformat()}" if day else ""


@rule("AO001", "addon.primary-missing", severity="error", carc="CO-107")
def addon_without_its_primary(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """An add-on code is billed without its known primary code on the same date of service.

    ## What it checks
    Add-on codes (Medicare PFS global period ZZZ) whose primary code is known from the
    initial/add-on pairs of data/timed_codes.tsv: 97130 needs 97129, 90913 needs 90912.
    The primary must be on the claim for the same date of service.

    ## Why payers deny it
    An add-on code is paid only with its primary procedure by the same practitioner on the
    same day; alone it is denied (CO-107 related or qualifying service not identified,
    RARC N122 add-on code cannot be billed by itself).

    ## Example
    97130-GO x2 on 2026-06-01 with no 97129.

    ## Fix
    Bill the first 15 minutes on 97129 x1 and the rest on 97130. Unsafe: it changes what is
    billed.

    ## Authority
    CPT 97130 "each additional 15 minutes (List separately in addition to code for primary
    procedure)"; CMS NCCI add-on code edits (Type I: 97130 with primary 97129); NCCI Policy
    Manual ch. I; PFS global ZZZ.
    """
    addons, others = _addon_lines(claim, ctx)
    if not addons:
        return
    primaries = _primaries(ctx)
    for day, lines in addons.items():
        billed = others.get(day, set())
        for line in lines:
            primary = primaries.get(line.procedure_code.upper())
            if primary is None or primary in billed:
                continue
            yield Hit(
                message=(f"{line.procedure_code} (line {line.number}) is an add-on code (PFS global"
                         f" ZZZ) billed without its primary code {primary}{_when(day)}"),
                line=line.number,
                fix=(f"bill {primary} x1 for the first 15 minutes and {line.procedure_code} for each"
                     f" further 15 minutes, same date and discipline modifier (if {primary} is on"
                     " another claim of the same provider for that date, this line is paid with it)"),
                authority=AUTHORITY + f"; primary {primary} from the CPT initial/each-additional pair",
                fix_safety="unsafe",
            )


@rule("AO002", "addon.no-primary-on-date", severity="warning", carc="CO-107")
def addon_alone_on_date(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """An add-on code is the only kind of code billed on its date of service.

    ## What it checks
    Add-on codes (Medicare PFS global period ZZZ) whose primary-code list is not shipped
    (the CMS add-on code edit file is not in the data): a warning when the claim has no
    other, non-add-on code on that date of service. Codes with a known primary pair are
    checked by AO001 instead.

    ## Why payers deny it
    An add-on code is paid only with its primary procedure by the same practitioner on the
    same day (CO-107, RARC N122).

    ## Example
    97811 (acupuncture, each additional 15 minutes) alone, without 97810 or 97813.

    ## Fix
    Bill the primary procedure on the same date (for 97811: 97810 or 97813), or confirm it
    is on another claim of the same provider for that date.

    ## Authority
    CPT add-on convention; CMS NCCI Policy Manual ch. I and the CMS NCCI add-on code edits
    (Type I/II/III primary lists, not shipped); PFS global ZZZ.
    """
    addons, others = _addon_lines(claim, ctx)
    if not addons:
        return
    primaries = _primaries(ctx)
    for day, lines in addons.items():
        if others.get(day):
            continue
        for line in lines:
            if line.procedure_code.upper() in primaries:
                continue  # AO001 names the primary
            yield Hit(
                message=(f"{line.procedure_code} (line {line.number}) is an add-on code (PFS global"
                         f" ZZZ) and no primary procedure is billed on this claim{_when(day)}; the"
                         " CMS add-on code edit file is not shipped, so which primary it needs is"
                         " not checked"),
                line=line.number,
                fix=("bill the primary procedure the add-on code belongs to on the same date (see the"
                     " CPT descriptor 'List separately in addition to code for primary procedure'),"
                     " or confirm it is on another claim of the same provider for that date"),
                authority=AUTHORITY,
            )
