"""DOC014-DOC016: the visit note against the claim -- minutes against units, modifier
59/XS/XU/XE against separate regions or time blocks, the note's date against the dates of
service. Registered through :mod:`.documentation` (the DOC family)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..model import Claim
from typing import TYPE_CHECKING

from .base import Hit, RuleContext, rule
from .documentation import _analysis, is_therapy_code

if TYPE_CHECKING:
    from ..notes.elements import Elements


SEPARATE_SITE_MODIFIERS = ("59", "XS", "XU", "XE")


@rule("DOC014", "documentation.minutes-units", severity="error", carc="CO-151")
def minutes_units(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Units billed for timed codes differ from what the note's minutes allow.

    ## What it checks
    The minutes the note documents per timed code, through the payer's unit method
    (Medicare/Medicaid: CMS 8-minute rule on the day's total; others: CPT midpoint rule
    per code), against the units on the claim.

    ## Why payers deny it
    On review the payer counts the note's minutes, not the claim's; units above them
    are recouped (CO-151).

    ## Example
    Note: "97124 effleurage/petrissage 30 min"; claim: 97124 x3. 30 minutes = 2 units.

    ## Fix
    Bill the units the documented minutes allow, or correct the note if the minutes are
    wrong. Unsafe: it changes what is billed.

    ## Authority
    CMS 100-04 ch.5 §20.2 (counting minutes for timed codes); CMS 100-02 ch.15 §220.3.E.
    """
    elements, _, _ = _analysis(claim, ctx)
    if elements is None:
        return
    from ..notes.checks import A_UNITS
    from .minutes import distribute, units_for_minutes, CMS_8_MINUTE
    from .timed_units import load_timed_codes, render_units, unit_method_for

    table = load_timed_codes()
    timed = [ln for ln in claim.lines if ln.procedure_code in table and ln.unit_basis == "UN"
             and ln.units is not None]
    if not timed:
        return
    method = unit_method_for(claim, ctx)
    billed: dict[str, Decimal] = {}
    for ln in timed:
        pool = table[ln.procedure_code].pool
        billed[pool] = billed.get(pool, Decimal(0)) + ln.units
    documented: dict[str, int] = {}
    for code, minutes in elements.minutes_by_code.items():
        if code in table:
            documented[table[code].pool] = documented.get(table[code].pool, 0) + minutes
    if len(billed) == 1 and not documented:
        total = elements.total_minutes or elements.session_minutes
        if total:
            documented = {next(iter(billed)): total}
    if set(billed) <= set(documented):
        distribution = distribute(method, [(code, documented[code]) for code in billed])
        allowed = distribution.allowed()
        if any(all(Decimal(vec.get(k, 0)) == billed[k] for k in billed) for vec in allowed):
            return
        closest = min(allowed, key=lambda vec: sum(1 for k in billed if vec.get(k, 0) != billed[k]))
        minutes = ", ".join(f"{k} {documented[k]} min" for k in billed)
        for ln in timed:
            pool = table[ln.procedure_code].pool
            if closest.get(pool, 0) != billed[pool]:
                yield Hit(f"note documents {minutes}: {distribution.method} allows "
                          f"{render_units(closest, table)}; claim bills {ln.procedure_code} x{ln.units}",
                          line=ln.number, fix=f"Bill {render_units(closest, table)} or correct the note's minutes.",
                          authority=A_UNITS, fix_safety="unsafe",
                          details={"documented_minutes": documented, "allowed": closest})
    elif method == CMS_8_MINUTE and elements.total_minutes:
        allowed_total = units_for_minutes(elements.total_minutes)
        billed_total = sum(billed.values())
        if billed_total > allowed_total:
            yield Hit(f"note documents {elements.total_minutes} total timed minutes = {allowed_total} "
                      f"units (CMS 8-minute rule); claim bills {billed_total} timed units",
                      line=timed[0].number, fix="Bill the units the total timed minutes allow.",
                      authority=A_UNITS, fix_safety="unsafe")


@rule("DOC015", "documentation.separate-site", severity="error", carc="CO-236")
def separate_site(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """Modifier 59/XS/XU/XE billed but the note shows no separate region or time block.

    ## What it checks
    A therapy line with 59, XS, XU or XE: the note must show the two services on
    different body regions (the regions in the sentences naming each code's technique
    differ), at separate clock times ("10:00-10:15"), or say so ("separate region").

    ## Why payers deny it
    59/X{EPSU} bypass an NCCI edit only for a distinct site or encounter; on review
    a note that shows both services on the same region in one block turns the bypass
    into an overpayment.

    ## Example
    97140-59 with 97530; note: "MFR and functional training, low back, 30 min".

    ## Fix
    Document the separate regions or time blocks, or remove the modifier and the
    bundled line. Unsafe: it changes what is billed.

    ## Authority
    CMS NCCI Policy Manual ch.I §E (modifiers 59 and X{EPSU}); CMS MLN fact sheet
    "Proper Use of Modifiers 59 & -X{EPSU}".
    """
    elements, _, _ = _analysis(claim, ctx)
    if elements is None:
        return
    from ..notes.checks import A_NCCI
    for ln in claim.lines:
        modifier = next((m for m in ln.modifiers if m in SEPARATE_SITE_MODIFIERS), None)
        if not modifier or not is_therapy_code(ln.procedure_code):
            continue
        others = [o for o in claim.lines if o is not ln and o.date_of_service == ln.date_of_service
                  and is_therapy_code(o.procedure_code) and o.procedure_code != ln.procedure_code]
        if not others or _separate(elements, ln.procedure_code, [o.procedure_code for o in others]):
            continue
        yield Hit(f"{ln.procedure_code}-{modifier}: the note shows no region or time block separate "
                  f"from {', '.join(sorted({o.procedure_code for o in others}))}",
                  line=ln.number, fix="Document the separate regions or times, or drop the modifier "
                  "and the bundled service.", authority=A_NCCI, fix_safety="unsafe")


def _separate(elements: Elements, code: str, others: list[str]) -> bool:
    if len(elements.clock_ranges) >= 2 or elements.separate_words:
        return True
    mine = regions_for_code(elements, code)
    theirs = set().union(*(regions_for_code(elements, o) for o in others))
    return bool(mine) and bool(theirs) and bool(mine - theirs)


def regions_for_code(elements: Elements, code: str) -> set[tuple[str, str | None]]:
    """Regions named in the sentences/lines that carry the code's techniques or number."""
    note = elements.note
    anchors = [t.span.start for t in elements.techniques_for(code)]
    anchors += [s.start for s in elements.codes_mentioned if s.label == code]
    spans = []
    for offset in anchors:
        sentence = note.sentence_at(offset)
        line_start = note.text.rfind("\n", 0, offset) + 1
        line_end = note.text.find("\n", offset)
        line_end = len(note.text) if line_end < 0 else line_end
        spans.append((min(sentence.start, line_start), max(sentence.end, line_end)))
    return {(r.region, r.laterality) for r in elements.regions_mentioned
            if any(a <= r.span.start < b for a, b in spans)}


@rule("DOC016", "documentation.note-date", severity="warning", carc="CO-252")
def note_date(claim: Claim, ctx: RuleContext) -> Iterable[Hit]:
    """The linked note is dated on a day that is not a date of service of the claim.

    ## What it checks
    The note's date (front matter `date:`, or the DocumentReference period/date) against
    the claim's dates of service, when the note was linked by claim id.

    ## Why payers deny it
    The treatment note must be the record of the day billed; a note from another day does
    not support the service and the line is denied as undocumented.

    ## Example
    Claim PM1001 for 2026-09-14; `PM1001.md` has `date: 2026-09-07`.

    ## Fix
    Link the note of the day billed, or correct the date of service.

    ## Authority
    CMS 100-02 ch.15 §220.3.E (the treatment note records the date of treatment).
    """
    elements, _, _ = _analysis(claim, ctx)
    if elements is None:
        return
    day = elements.note.meta.get("date")
    dates = claim.dates_of_service
    if day and dates and day not in dates:
        yield Hit(f"note {elements.note.source} is dated {day.isoformat()}; the claim's dates of service "
                  f"are {', '.join(d.isoformat() for d in dates)}",
                  fix="Link the note of the day billed, or correct the date of service.",
                  authority="CMS 100-02 ch.15 §220.3.E")
