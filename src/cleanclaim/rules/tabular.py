"""TN: instructional notes of the ICD-10-CM tabular (Excludes1, code first), for every code.

The notes are data from the CDC XML releases; a note written on a chapter, block,
category or subcategory applies to every code below it.
"""

from __future__ import annotations

import re
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


# Guideline I.A.13: "In most cases the manifestation codes will have in the code title, 'in
# diseases classified elsewhere'". The tabular writes it several ways: "in other diseases ...",
# "in other chronic diseases ...", "in conditions classified elsewhere", "in bacterial diseases ...".
# "as the cause of diseases classified elsewhere" (B95-B97), "due to ..." and "presenting with ..."
# are not manifestation titles.
MANIFESTATION_TITLE = re.compile(r"\bin\b[^,;()]*?\bclassified elsewhere", re.IGNORECASE)


def manifestation_basis(code: str, release_id: str, store) -> tuple[str, str, str | None] | None:
    """Why a code is a manifestation code, from the tabular: (owner code, its title, its
    "code first" note or None), or None when it is not one.

    A code whose own title says "in ... classified elsewhere" is one. A code below a category
    or subcategory titled so (D63.0 under D63 "Anemia in chronic diseases classified elsewhere")
    is one when the tabular gives it (or a code above it) a "code first" note, as it does for
    the manifestation codes; without such a note it is not (M14.6- Charcot's joint under M14).
    """
    code_first = next((n for n in store.icd_notes(code, release_id, kinds=("code_first",))
                       if "-" not in n.owner), None)
    note_text = code_first.text if code_first else None
    for length in range(len(code), 2, -1):
        found = store.icd_code(code[:length], release_id)
        if found is None or not MANIFESTATION_TITLE.search(found.description):
            continue
        if length == len(code) or code_first is not None:
            return found.code, found.description, note_text
        return None
    return None


@rule("TN003", "tabular.manifestation-first", "error", carc="CO-16 / M76")
def manifestation_first(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A manifestation code ("in diseases classified elsewhere") listed first.

    ## What it checks
    The first-listed diagnosis is a manifestation code: its tabular title says "in ...
    classified elsewhere" in any of the tabular's forms ("in diseases", "in other diseases",
    "in other chronic diseases", "in conditions", "in other conditions classified
    elsewhere"), or it sits under a category or subcategory titled so and the tabular gives
    it a "code first" note (D63.0 under D63).

    ## Why payers deny it
    Manifestation codes may never be first-listed: CO-16 / M76.

    ## Example
    G63 (polyneuropathy in diseases classified elsewhere), F02.80 (dementia in other
    diseases classified elsewhere) or D63.8 (anemia in other chronic diseases classified
    elsewhere) as the first diagnosis.

    ## Fix
    List the underlying condition first (the code's "code first" note names examples).

    ## Authority
    ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation convention); CDC
    ICD-10-CM tabular titles and "code first" notes.
    """
    release = _release(claim, ctx)
    if release is None or not claim.diagnoses or not claim.diagnoses[0].is_icd10:
        return
    first = claim.diagnoses[0]
    memo = ctx.memo("tn.manifestation")
    key = (first.code.replace(".", ""), release.release_id)
    if key not in memo:
        memo[key] = manifestation_basis(key[0], release.release_id, ctx.store)
    basis = memo[key]
    if basis is None:
        return
    owner, title, note = basis
    own = owner == key[0]
    why = f"({title})" if own else f"(under {dotted(owner)}, {title})"
    fix = "List the underlying condition first"
    fix += f" (the tabular says: code first {note.strip(' ,:')})." if note else "."
    yield Hit(f"{first.dotted} {why} is a manifestation code listed first.",
              fix=fix, fix_safety="unsafe",
              authority=f"ICD-10-CM Official Guidelines I.A.13; ICD-10-CM tabular ({release.label}) title of "
                        f"{dotted(owner)}")
