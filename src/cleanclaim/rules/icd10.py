"""DX: ICD-10-CM codes must exist and be billable on the date of service.

The release in force on the date decides (CDC/CMS: a fiscal year's release governs
Oct 1 - Sep 30; an April release adds codes from Apr 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..model import Claim, Diagnosis
from .base import Hit, RuleContext, rule

ICD10_START = date(2015, 10, 1)
GUIDELINE_BILLABLE = (
    "ICD-10-CM Official Guidelines for Coding and Reporting, Section I.B.1 / I.A.2 "
    "(a code is invalid if it has not been coded to the full number of characters required)"
)


def dates_for(claim: Claim, dx: Diagnosis) -> list[date]:
    """The dates of service of the lines that point to this diagnosis (else every line date)."""
    pointed = {ln.date_of_service for ln in claim.lines
               if ln.date_of_service and dx.position in ln.diagnosis_pointers}
    return sorted(pointed) or claim.dates_of_service


def _release_text(release) -> str:
    return (f"CDC ICD-10-CM tabular, {release.label} "
            f"(in force {release.effective_from.isoformat()} to {release.effective_to.isoformat()})")


def claim_dates(claim: Claim, ctx: RuleContext) -> list[date]:
    """claim.dates_of_service, worked out once per claim (several rules read it)."""
    memo = ctx.claim_memo(claim)
    found = memo.get("dates")
    if found is None:
        found = memo["dates"] = claim.dates_of_service
    return found


def release_on(ctx: RuleContext, dos: date):
    """The ICD-10-CM release governing a date of service (looked up once per run and date)."""
    memo = ctx.memo("icd.release")
    found = memo.get(dos)
    if found is None:
        found = memo[dos] = ctx.store.icd_release(dos)
    return found


def _icd10_checks(claim: Claim, ctx: RuleContext) -> list[tuple[Diagnosis, date, object]]:
    """(diagnosis, date of service, release) for every ICD-10 diagnosis on ICD-10-era dates."""
    memo = ctx.claim_memo(claim)
    found = memo.get("dx.checks")
    if found is None:
        found = memo["dx.checks"] = [
            (dx, dos, release_on(ctx, dos))
            for dx in claim.diagnoses if dx.is_icd10
            for dos in dates_for(claim, dx) if dos >= ICD10_START]
    return found


def _first_line(claim: Claim, dx: Diagnosis) -> int | None:
    for ln in claim.lines:
        if dx.position in ln.diagnosis_pointers:
            return ln.number
    return None


@rule("DX001", "icd10.code-not-in-release", "error", carc="CO-16 / M76")
def code_not_in_release(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An ICD-10-CM code that does not exist in the release in force on the date of service.

    ## What it checks
    Each ICD-10-CM diagnosis (qualifier ABK/ABF) is looked up in the CDC ICD-10-CM
    release that governs the date of service of the lines pointing to it.

    ## Why payers deny it
    A code that is not in the code set on the date of service is rejected at the front
    end (277CA A7:255) or denied CO-16 with RARC M76 (missing/incomplete/invalid diagnosis).

    ## Example
    M54.52 does not exist (M54.5- has M54.50, M54.51 and M54.59 only): the claim is
    rejected.

    ## Fix
    Code to the highest specificity in the release in force on the date of service;
    check the tabular for the code's valid extensions.

    ## Authority
    CDC ICD-10-CM tabular list, release in force on the date of service; HIPAA code-set
    rule 45 CFR 162.1002 (the code set valid at the time the service is provided).
    """
    for dx, dos, release in _icd10_checks(claim, ctx):
        if ctx.store.icd_code(dx.code.replace(".", ""), release.release_id) is None:
            yield Hit(
                f"{dx.dotted} is not an ICD-10-CM code in the {release.label} release "
                f"(date of service {dos.isoformat()}).",
                line=_first_line(claim, dx),
                fix="Use a code that exists in the release in force on the date of service.",
                authority=_release_text(release),
                details={"code": dx.dotted, "release": release.release_id},
            )
            break


@rule("DX002", "icd10.code-not-billable", "error", carc="CO-16 / M76")
def code_not_billable(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An ICD-10-CM category or subcategory that is not billable on the date of service.

    ## What it checks
    The diagnosis exists in the release in force on the date of service but has
    children there: it is a header, not a billable code.

    ## Why payers deny it
    Non-billable headers are invalid diagnosis codes: front-end rejection or CO-16 / M76.

    ## Example
    M54.5 (low back pain) was billable until 2021-09-30. From 2021-10-01 (FY2022) it is a
    subcategory: use M54.50, M54.51 or M54.59.

    ## Fix
    Replace the header with its billable child that the documentation supports.

    ## Authority
    ICD-10-CM Official Guidelines Section I.B.1 (code to the highest number of characters
    available); CDC ICD-10-CM tabular list of the release in force on the date of service.
    """
    for dx, dos, release in _icd10_checks(claim, ctx):
        found = ctx.store.icd_code(dx.code.replace(".", ""), release.release_id)
        if found is None or found.billable:
            continue
        children = ctx.store.icd_children(dx.code.replace(".", ""), release.release_id, billable_only=True)
        shown = ", ".join(f"{c.dotted} ({c.description})" for c in children[:8])
        more = f" and {len(children) - 8} more" if len(children) > 8 else ""
        yield Hit(
            f"{found.dotted} is a header, not a billable code, on {dos.isoformat()} "
            f"({release.label}).",
            line=_first_line(claim, dx),
            fix=f"Use a billable code: {shown}{more}." if children else "Use a billable code below it.",
            fix_safety="unsafe",
            authority=f"{GUIDELINE_BILLABLE}; {_release_text(release)}",
            details={"code": found.dotted, "children": [c.dotted for c in children]},
        )
        break


@rule("DX004", "icd10.release-window", "info")
def release_window(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The date of service falls where the exact ICD-10-CM release is not loaded, or in the ICD-9 era.

    ## What it checks
    Whether the ICD-10-CM release that governs each date of service is loaded; if not,
    the nearest later release is used (and a newer release is needed for dates after the
    newest one). Dates before 2015-10-01 are ICD-9-CM era: ICD-10 validity does not apply.

    ## Why payers deny it
    It is not a denial by itself: it tells you how far to trust the DX findings.

    ## Example
    A 2022-03-01 date of service: the FY2022 release is not loaded, FY2024 is used.

    ## Fix
    Import the release in force (`cleanclaim data import-icd10 FILE`).

    ## Authority
    CMS/CDC ICD-10-CM annual (October 1) and April 1 updates; HIPAA 45 CFR 162.1002.
    """
    seen: set[str] = set()
    for dos in claim_dates(claim, ctx):
        release = release_on(ctx, dos)
        if release.era == "icd9" or dos < ICD10_START:
            text = ("Dates of service before 2015-10-01 are ICD-9-CM era: "
                    "ICD-10-CM validity does not apply.")
            fix = "None needed for ICD-10-CM; check the ICD-9-CM codes against the ICD-9-CM code set."
            severity = "info"
        elif release.note:
            text = f"Date of service {dos.isoformat()}: {release.note}"
            fix = ("For exact validity on this date, import the ICD-10-CM release in force then "
                   "(`cleanclaim data import-icd10 FILE`, the CDC order file).")
            severity = release.note_severity or "info"
        else:
            continue
        if text in seen:
            continue
        seen.add(text)
        yield Hit(text, severity=severity, fix=fix, authority="CMS/CDC ICD-10-CM release schedule")


@rule("DX005", "icd10.qualifier-date-mismatch", "error", carc="CO-16 / M76")
def qualifier_date_mismatch(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """ICD-9-CM qualifiers on an ICD-10 date of service, or ICD-10-CM before 2015-10-01.

    ## What it checks
    HI qualifiers BK/BF (ICD-9-CM) on lines dated on or after 2015-10-01, and ABK/ABF
    (ICD-10-CM) on lines dated before it.

    ## Why payers deny it
    HIPAA requires the code set in force on the date of service: front-end rejection.

    ## Example
    `HI*BK:7245~` with a 2024 date of service.

    ## Fix
    Code the diagnosis in ICD-10-CM (qualifiers ABK/ABF) for dates from 2015-10-01.

    ## Authority
    45 CFR 162.1002(c)(2)-(3): ICD-10-CM for services on or after October 1, 2015.
    """
    dates = claim_dates(claim, ctx)
    if not dates or not claim.diagnoses:
        return
    icd9 = [dx for dx in claim.diagnoses if not dx.is_icd10]
    icd10 = [dx for dx in claim.diagnoses if dx.is_icd10]
    if icd9 and dates[-1] >= ICD10_START:
        yield Hit(
            f"ICD-9-CM diagnosis qualifier ({icd9[0].qualifier}) on a date of service on or after 2015-10-01.",
            fix="Report ICD-10-CM codes with qualifiers ABK/ABF.",
            fix_safety="unsafe",
            authority="45 CFR 162.1002(c)(3)",
        )
    if icd10 and dates[0] < ICD10_START:
        yield Hit(
            "ICD-10-CM diagnosis qualifier on a date of service before 2015-10-01.",
            fix="Report ICD-9-CM codes (qualifiers BK/BF) for services before 2015-10-01.",
            fix_safety="unsafe",
            authority="45 CFR 162.1002(c)(2)",
        )
