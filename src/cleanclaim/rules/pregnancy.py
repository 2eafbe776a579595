"""PG: ICD-10-CM chapter 15 (pregnancy, childbirth and the puerperium) conventions.

Trimesters are read from each code's own tabular title, never from a list: a code
whose title names no trimester (O26.86, O99.89-) is not checked for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Claim, Diagnosis
from .base import Hit, RuleContext, rule
from .icd10 import claim_dates, release_on

TRIMESTER_WORDS = re.compile(r"\b(first|second|third|unspecified) trimester\b", re.I)
TRIMESTER_RANK = {"first": 1, "second": 2, "third": 3}
TRIMESTER_NAME = {1: "first", 2: "second", 3: "third"}
PREGNANCY_STATE = re.compile(r"^(Z331|Z3A\d\d|Z34\d*)$")
GUIDELINE_TRIMESTER = ("ICD-10-CM Official Guidelines I.C.15.a.3 and the chapter 15 trimester note "
                       "(1st trimester: less than 14 weeks 0 days; 2nd: 14 weeks 0 days to less than "
                       "28 weeks 0 days; 3rd: 28 weeks 0 days until delivery)")


def weeks_from_z3a(code: str) -> tuple[int | None, int | None]:
    """(weeks, trimester) from a Z3A code: Z3A.01 < 8 weeks, Z3A.49 > 42 weeks, Z3A.00 unknown.

    The weeks are a bound for Z3A.01 (7 = "less than 8 weeks") and Z3A.49 (43 = "greater than
    42 weeks"); messages quote the tabular title, never these numbers.
    """
    if not re.fullmatch(r"Z3A\d\d", code):
        return None, None
    n = int(code[3:])
    if n == 0:
        return None, None
    weeks = 7 if n == 1 else 43 if n == 49 else n
    return weeks, 1 if weeks < 14 else 2 if weeks < 28 else 3


def _release(claim: Claim, ctx: RuleContext):
    dates = claim_dates(claim, ctx)
    return release_on(ctx, dates[0]) if dates else None


def _titles(claim: Claim, ctx: RuleContext, release) -> dict[str, str]:
    titles = {}
    for dx in claim.diagnoses:
        found = ctx.store.icd_code(dx.code.replace(".", ""), release.release_id)
        if found is not None:
            titles[dx.code.replace(".", "")] = found.description
    return titles


def _chapter15(dx: Diagnosis) -> bool:
    return dx.is_icd10 and dx.code.startswith("O")


def same_code_other_trimester(ctx: RuleContext, code: str, title: str, trimester: int, release) -> str | None:
    """The sibling code whose title differs only in naming `trimester` (O26.893 -> O26.892)."""
    key = TRIMESTER_WORDS.sub("#", title).lower()
    for candidate in ctx.store.icd_children(code[:3], release.release_id, billable_only=True):
        if len(candidate.code) != len(code) or candidate.code == code:
            continue
        match = TRIMESTER_WORDS.search(candidate.description)
        if (match and match.group(1).lower() == TRIMESTER_NAME[trimester]
                and TRIMESTER_WORDS.sub("#", candidate.description).lower() == key):
            return candidate.dotted
    return None


@rule("PG001", "pregnancy.chapter15-not-first", "warning", carc="CO-16 / M76")
def chapter15_not_first(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A claim with a chapter-15 (O) code that lists another diagnosis first.

    ## What it checks
    When any O00-O9A code is on the claim, the first-listed diagnosis is a chapter-15 code.

    ## Why payers deny it
    Payers and reviewers read the first-listed code as the reason for the visit; a
    pregnancy-related condition coded after a symptom code contradicts the guidelines and
    draws CO-16/M76 or medical-necessity denials.

    ## Example
    M54.50, O26.893, Z3A.30 for pregnancy-related low back pain: list O26.893 first.

    ## Fix
    Sequence the chapter-15 code first (and keep the symptom code as a secondary
    diagnosis where it adds detail), then point the lines to it.

    ## Authority
    ICD-10-CM Official Guidelines Section I.C.15.a.1 (chapter 15 codes have sequencing
    priority over codes from other chapters).
    """
    if not claim.diagnoses or not any(_chapter15(dx) for dx in claim.diagnoses):
        return
    first = claim.diagnoses[0]
    if not _chapter15(first) and not first.code.startswith("Z3A"):  # Z3A first: PG002
        o_code = next(dx for dx in claim.diagnoses if _chapter15(dx))
        yield Hit(f"{first.dotted} is listed first, but {o_code.dotted} (chapter 15) is on the claim.",
                  fix=f"List {o_code.dotted} first.", fix_safety="unsafe",
                  authority="ICD-10-CM Official Guidelines I.C.15.a.1")


@rule("PG002", "pregnancy.z3a-first", "error", carc="CO-16 / M76")
def z3a_first(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A Z3A (weeks of gestation) code listed first.

    ## What it checks
    Z3A codes are never the first-listed diagnosis.

    ## Why payers deny it
    Z3A only adds the weeks of gestation to a chapter-15 code ("use additional code"); as
    the first diagnosis it gives no reason for the service: CO-16 / M76 or CO-11.

    ## Example
    Z3A.30, O26.893.

    ## Fix
    List the chapter-15 code first and Z3A after it.

    ## Authority
    ICD-10-CM Tabular, chapter 15 note "Use additional code from category Z3A, Weeks of
    gestation"; Official Guidelines I.C.15.a.1 and I.C.21.c.11.
    """
    if claim.diagnoses and claim.diagnoses[0].code.startswith("Z3A"):
        yield Hit(f"{claim.diagnoses[0].dotted} (weeks of gestation) is listed first.",
                  fix="List the chapter-15 code first; Z3A is an additional code.", fix_safety="unsafe",
                  authority="ICD-10-CM Tabular chapter 15 'use additional code' note; Guideline I.C.15.a.1")


@rule("PG003", "pregnancy.trimester-mismatch", "error", carc="CO-16 / CO-11")
def trimester_mismatch(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A chapter-15 code whose trimester disagrees with the Z3A weeks of gestation.

    ## What it checks
    For each chapter-15 code whose tabular title names a trimester, the trimester must be
    the one the Z3A code implies: first < 14 weeks, second 14 to < 28 weeks, third
    >= 28 weeks. "Unspecified trimester" with known weeks is reported too (warning).

    ## Why payers deny it
    Conflicting diagnoses: CO-11 (diagnosis inconsistent) or CO-16.

    ## Example
    27 weeks 6 days: Z3A.27 with O26.893 (third) is wrong; O26.892 (second) is right.
    28 weeks 0 days: Z3A.28 with O26.892 is wrong; O26.893.

    ## Fix
    Use the code for the trimester the weeks of gestation fall in.

    ## Authority
    ICD-10-CM Official Guidelines I.C.15.a.3 and the chapter 15 trimester definitions.
    """
    z3a = [dx for dx in claim.diagnoses if dx.code.startswith("Z3A")]
    release = _release(claim, ctx)
    if not z3a or release is None:
        return
    weeks, trimester = weeks_from_z3a(z3a[0].code.replace(".", ""))
    if trimester is None:
        return
    titles = _titles(claim, ctx, release)
    for dx in claim.diagnoses:
        code = dx.code.replace(".", "")
        title = titles.get(code, "")
        match = TRIMESTER_WORDS.search(title) if _chapter15(dx) else None
        if not match:
            continue
        named = match.group(1).lower()
        if TRIMESTER_RANK.get(named) == trimester:
            continue
        better = same_code_other_trimester(ctx, code, title, trimester, release)
        fix = f"Use {better} ({TRIMESTER_NAME[trimester]} trimester)." if better else \
              f"Use the {TRIMESTER_NAME[trimester]}-trimester code of this condition, if it has one."
        severity = "warning" if named == "unspecified" else None
        gestation = titles.get(z3a[0].code.replace(".", "")) or f"{weeks} weeks"  # the tabular title
        yield Hit(f"{dx.dotted} ({title}) names the {named} trimester, but {z3a[0].dotted} "
                  f"({gestation[0].lower()}{gestation[1:]}) is in the {TRIMESTER_NAME[trimester]} trimester.",
                  severity=severity, fix=fix, fix_safety="unsafe", authority=GUIDELINE_TRIMESTER,
                  details={"gestation": gestation, "trimester": trimester, "suggested": better})


@rule("PG004", "pregnancy.state-is-not-a-reason", "error", carc="CO-50 / CO-11")
def pregnancy_state_only(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Only pregnancy-state codes (Z33.1, Z34.-, Z3A.-) as the reason for services.

    ## What it checks
    A claim whose diagnoses are all pregnancy-state codes: Z33.1 (pregnant state,
    incidental), Z34.- (supervision of normal pregnancy), Z3A.- (weeks of gestation).

    ## Why payers deny it
    Being pregnant is not a condition that therapy treats: no medical necessity (CO-50)
    or diagnosis inconsistent with the procedure (CO-11).

    ## Example
    97124 and 97140 for a pregnant patient with Z33.1 as the only diagnosis.

    ## Fix
    Code the condition treated (e.g. O26.89- pregnancy-related condition with the
    symptom code such as M54.50 low back pain, or O99.89- with the musculoskeletal code)
    and point the lines to it.

    ## Authority
    ICD-10-CM Official Guidelines Section IV.G (first-list the condition chiefly
    responsible for the service) and I.C.15.a.1 (Z33.1 only when the pregnancy is
    incidental to the encounter).
    """
    codes = [dx.code.replace(".", "") for dx in claim.diagnoses]
    if codes and claim.lines and all(PREGNANCY_STATE.match(c) for c in codes):
        yield Hit(f"The only diagnoses ({', '.join(dx.dotted for dx in claim.diagnoses)}) state a "
                  "pregnancy, not a condition treated.",
                  fix="Add and point to the condition treated (pregnancy-related O-code plus symptom code).",
                  fix_safety="unsafe", authority="ICD-10-CM Official Guidelines IV.G; I.C.15.a.1")


@rule("PG005", "pregnancy.weeks-missing", "info")
def weeks_missing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A chapter-15 code without a Z3A weeks-of-gestation code.

    ## What it checks
    A claim with an O00-O9A code (other than the puerperal/postpartum ones) and no Z3A.

    ## Why payers deny it
    Rarely denied by itself, but the trimester of the O-code cannot be verified, and the
    tabular asks for Z3A when the weeks are known.

    ## Example
    O26.893 alone.

    ## Fix
    Add the Z3A code for the completed weeks documented in the note.

    ## Authority
    ICD-10-CM Tabular, chapter 15 note "Use additional code from category Z3A, Weeks of
    gestation, to identify the specific week of the pregnancy, if known".
    """
    if any(_chapter15(dx) for dx in claim.diagnoses) and not any(
        dx.code.startswith("Z3A") for dx in claim.diagnoses
    ):
        yield Hit("A chapter-15 code is billed without a Z3A weeks-of-gestation code.",
                  fix="Add the Z3A code for the documented weeks of gestation, if known.",
                  authority="ICD-10-CM Tabular chapter 15 'use additional code from category Z3A' note")
