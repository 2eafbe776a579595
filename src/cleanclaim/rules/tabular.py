"""TN: instructional notes of the ICD-10-CM tabular (Excludes1, code first), for every code.

The notes are data from the CDC XML releases; a note written on a chapter, block,
category or subcategory applies to every code below it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from ..codesets.tabular import in_range
from ..model import Claim
from .base import Hit, RuleContext, rule
from .icd10 import claim_dates, release_on


def dotted(code: str) -> str:
    """Z331 -> Z33.1, O2689 -> O26.89; a category (Z3A), block or chapter name stays as it is."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and code[:3].isalnum() and "-" not in code \
        and "." not in code else code


def _names(targets) -> str:
    return ", ".join(a if a == b else f"{a}-{b}" for a, b in targets)


def _release(claim: Claim, ctx: RuleContext):
    memo = ctx.claim_memo(claim)
    if "tn.release" in memo:
        return memo["tn.release"]
    dates = claim_dates(claim, ctx)
    release = release_on(ctx, dates[0]) if dates else None
    found = memo["tn.release"] = release if release is not None and release.era == "icd10" else None
    return found


def _icd10_codes(claim: Claim, ctx: RuleContext | None = None) -> list[tuple[int, str, str]]:
    memo = ctx.claim_memo(claim) if ctx is not None else {}
    found = memo.get("tn.codes")
    if found is None:
        found = memo["tn.codes"] = [(dx.position, dx.code.replace(".", ""), dx.dotted)
                                    for dx in claim.diagnoses if dx.is_icd10]
    return found


@rule("TN001", "tabular.excludes1-conflict", "error", carc="CO-11 / CO-16")
def excludes1_conflict(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Two diagnoses that an Excludes1 note says are never coded together.

    ## What it checks
    For every pair of diagnoses, the Excludes1 notes of each code and of every level above
    it (subcategory, category, block, chapter) in the release in force.

    ## Why payers deny it
    Mutually exclusive diagnoses: CO-11 (diagnosis inconsistent) or CO-16 with M76.

    ## Example
    Z33.1 (pregnant state, incidental) with O26.893: Z33.1's Excludes1 names complications
    of pregnancy (O00-O9A). Z34.- with any chapter-15 code likewise.

    ## Fix
    Keep the code that describes the encounter; drop the excluded one. The one exception
    (Guideline I.A.12.a): two conditions that are truly unrelated may both be reported.

    ## Authority
    ICD-10-CM Official Guidelines Section I.A.12.a (Excludes1); CDC ICD-10-CM tabular
    (XML release) notes.
    """
    release = _release(claim, ctx)
    if release is None:
        return
    codes = _icd10_codes(claim, ctx)
    if len(codes) < 2:
        return
    memo = ctx.memo("tn.excludes1")
    key = (release.release_id, tuple(codes))
    found = memo.get(key)
    if found is None:  # the same diagnosis lists recur across a batch
        found = memo[key] = list(_excludes1_hits(codes, release, ctx))
    for message, fix, authority, codes_shown, owner in found:
        yield Hit(message, fix=fix, fix_safety="unsafe", authority=authority,
                  details={"codes": list(codes_shown), "note_owner": owner})


def _excludes1_hits(codes, release, ctx: RuleContext):
    """(message, fix, authority, codes, note owner) of each Excludes1 conflict."""
    reported: set[frozenset] = set()
    for (pa, a, da), (pb, b, db) in combinations(codes, 2):
        for owner_code, other, other_dotted, owner_dotted in ((a, b, db, da), (b, a, da, db)):
            key = frozenset((a, b))
            if key in reported:
                break
            for note in ctx.store.icd_notes(owner_code, release.release_id, kinds=("excludes1",)):
                hit = next((t for t in note.targets if in_range(other, *t)), None)
                if hit:
                    reported.add(key)
                    yield (f"{owner_dotted} and {other_dotted} are coded together, but {dotted(note.owner)}'s "
                           f"Excludes1 note excludes \"{note.text}\".",
                           f"Keep the code that describes the encounter and remove the other "
                           f"({owner_dotted} or {other_dotted}).",
                           f"ICD-10-CM tabular ({note.release_id or release.label}) Excludes1 "
                           f"at {dotted(note.owner)}; Official Guidelines I.A.12.a",
                           (owner_dotted, other_dotted), note.owner)
                    break


@rule("TN002", "tabular.code-first-sequence", "error", carc="CO-16 / M76")
def code_first_sequence(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A code with a "code first" note listed before the condition it says to code first.

    ## What it checks
    When a diagnosis carries (itself or above it) a "code first" note and a code named by
    that note is also on the claim, the named code is listed before it.

    ## Why payers deny it
    Manifestation and "code first" codes cannot lead: CO-16 / M76, or medical necessity
    read from the wrong code.

    ## Example
    O99.89- style notes, or G99.2 (myelopathy in diseases classified elsewhere) listed
    before the underlying disease. A Z3A code listed first (its note says to code the
    obstetric condition first) is reported once, by PG002, not again here.

    ## Fix
    Sequence the underlying condition first.

    ## Authority
    ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation convention, "code first");
    CDC ICD-10-CM tabular notes.
    """
    release = _release(claim, ctx)
    if release is None:
        return
    codes = _icd10_codes(claim, ctx)
    if len(codes) < 2:
        return
    # A Z3A code listed first is PG002's finding (Z3A is never first); its "code first"
    # note would report the same fact again.
    first = claim.diagnoses[0]
    skip = first.position if first.code.startswith("Z3A") else None
    memo = ctx.memo("tn.code_first")
    key = (release.release_id, tuple(codes), skip)
    found = memo.get(key)
    if found is None:  # the same diagnosis lists recur across a batch
        found = memo[key] = list(_code_first_hits(codes, release, ctx, skip))
    for message, fix, authority in found:
        yield Hit(message, fix=fix, fix_safety="unsafe", authority=authority)


def _code_first_hits(codes, release, ctx: RuleContext, skip: int | None = None):
    """(message, fix, authority) of each code listed before what its note says to code first."""
    for pos, code, shown in codes:
        if pos == skip:
            continue
        for note in ctx.store.icd_notes(code, release.release_id, kinds=("code_first",)):
            named = [(p, d) for p, c, d in codes if c != code and any(in_range(c, *t) for t in note.targets)]
            # Satisfied when ANY code the note names precedes this one (O26.893, Z3A.30, O26.892).
            if named and not any(p < pos for p, _ in named):
                owner = dotted(note.owner)
                yield (f"{named[0][1]} should be listed before {shown} (\"code first\" note at "
                       f"{owner}: {note.text}).",
                       f"Move {named[0][1]} ahead of {shown}.",
                       f"ICD-10-CM tabular code-first note at {owner}; Guideline I.A.13")
                break


@rule("TN003", "tabular.manifestation-first", "error", carc="CO-16 / M76")
def manifestation_first(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A manifestation code ("in diseases classified elsewhere") listed first.

    ## What it checks
    The first-listed diagnosis's tabular title does not contain "in diseases classified
    elsewhere".

    ## Why payers deny it
    Manifestation codes may never be first-listed: CO-16 / M76.

    ## Example
    G63 (polyneuropathy in diseases classified elsewhere) as the first diagnosis.

    ## Fix
    List the underlying condition first.

    ## Authority
    ICD-10-CM Official Guidelines I.A.13.
    """
    release = _release(claim, ctx)
    if release is None or not claim.diagnoses or not claim.diagnoses[0].is_icd10:
        return
    first = claim.diagnoses[0]
    found = ctx.store.icd_code(first.code.replace(".", ""), release.release_id)
    if found and "in diseases classified elsewhere" in found.description.lower():
        yield Hit(f"{first.dotted} ({found.description}) is a manifestation code listed first.",
                  fix="List the underlying condition first.", fix_safety="unsafe",
                  authority="ICD-10-CM Official Guidelines I.A.13")
