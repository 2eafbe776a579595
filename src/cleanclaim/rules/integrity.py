"""CL: claim integrity: pointers, NPIs, duplicates, units and charges, dates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from ..model import Claim
from .base import Hit, RuleContext, payer_type_basis, rule
from .npi import npi_is_valid

TR3 = "ASC X12 005010X222A1 837P TR3"


def _unread(claim: Claim) -> set[int]:
    """Lines whose reader already reported a value it could not read (no double reporting)."""
    return {f.line for f in claim.read_findings if f.line and f.severity == "error"}


def _unread_diagnoses(claim: Claim) -> set[int]:
    """Diagnosis positions the reader reported as unreadable (they stay empty on the claim)."""
    return {f.details["diagnosis"] for f in claim.read_findings
            if f.severity == "error" and isinstance(getattr(f, "details", None), dict)
            and f.details.get("diagnosis")}


def unread_whole(claim: Claim) -> bool:
    """Nothing of the claim could be read: no line and a reader error (an unparsable NDJSON
    line, a misaligned only row). Rules then have nothing to judge beyond that error."""
    return not claim.lines and any(f.severity == "error" for f in claim.read_findings)
PROCEDURE_CODE = re.compile(r"^(\d{4}[0-9A-Z]|[A-V]\d{4})$")


@rule("CL001", "claim.pointer-invalid", "error", carc="CO-16 / M81")
def pointer_invalid(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A diagnosis pointer that is missing, out of 1-12, points nowhere, or one of more than 4.

    ## What it checks
    Every service line points to 1 to 4 diagnoses (SV107), each pointer 1-12 and naming a
    diagnosis present on the claim (HI), with no pointer repeated.

    ## Why payers deny it
    Front-end rejection, or CO-16 with RARC M81 (diagnosis must be linked to the service).

    ## Example
    Two diagnoses on the claim and a line pointing to 3.

    ## Fix
    Point the line to the diagnoses that support it (the primary reason first).

    ## Authority
    ASC X12 005010X222A1 837P TR3, loop 2400 SV107 (composite diagnosis code pointer:
    up to 4 pointers, values 1-12, each to an HI code).
    """
    unread_dx = _unread_diagnoses(claim)  # the reader reported them: not again here
    for ln in claim.lines:
        pointers = ln.diagnosis_pointers
        if not pointers:
            yield Hit(f"Line {ln.number} ({ln.procedure_code}) points to no diagnosis.", line=ln.number,
                      fix="Add a diagnosis pointer (SV107-1) to the diagnosis the service treats.",
                      fix_safety="unsafe", authority=f"{TR3}, 2400 SV107-1 (required)")
            continue
        if len(pointers) > 4:
            yield Hit(f"Line {ln.number} has {len(pointers)} diagnosis pointers; at most 4 are allowed.",
                      line=ln.number, fix="Keep the 4 most relevant pointers, the primary one first.",
                      fix_safety="unsafe", authority=f"{TR3}, 2400 SV107-1..4")
        repeated = [p for p, n in Counter(pointers).items() if n > 1] if len(set(pointers)) < len(pointers) else ()
        if repeated:
            yield Hit(f"Line {ln.number} repeats pointer {repeated[0]}.", line=ln.number,
                      fix="Remove the repeated pointer.", fix_safety="safe", authority=f"{TR3}, 2400 SV107")
        for p in pointers:
            if not 1 <= p <= 12:
                yield Hit(f"Line {ln.number} pointer {p} is outside 1-12.", line=ln.number,
                          fix="Use pointers 1-12.", fix_safety="unsafe", authority=f"{TR3}, 2400 SV107")
            elif claim.diagnosis_at(p) is None and p not in unread_dx:
                yield Hit(f"Line {ln.number} points to diagnosis {p}, but the claim has "
                          f"{len(claim.diagnoses)} diagnos{'is' if len(claim.diagnoses) == 1 else 'es'}.",
                          line=ln.number, fix="Point to a diagnosis on the claim or add the diagnosis.",
                          fix_safety="unsafe", authority=f"{TR3}, 2400 SV107 / 2300 HI")


@rule("CL002", "claim.npi-invalid", "error", carc="CO-16 / N290")
def npi_invalid(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """An NPI that is not 10 digits or fails its check digit.

    ## What it checks
    Billing, rendering (claim and line), referring and service-facility NPIs: 10 digits
    whose last digit is the Luhn check digit computed with the 80840 prefix.

    ## Why payers deny it
    Front-end rejection (277CA A7:562 / invalid NPI), or CO-16 with N290 (missing/invalid
    rendering provider identifier).

    ## Example
    1234567890 fails the check digit; 1234567893 passes.

    ## Fix
    Copy the NPI from NPPES; a typo usually breaks the check digit.

    ## Authority
    45 CFR 162.406 (NPI standard); CMS "Requirements for the NPI check digit" (Luhn
    formula with prefix 80840).
    """
    seen: set[tuple[str, str]] = set()
    providers = [(None, claim.billing_provider), (None, claim.rendering_provider),
                 (None, claim.referring_provider), (None, claim.service_facility)]
    providers += [(ln.number, ln.rendering_provider) for ln in claim.lines]
    for line, provider in providers:
        if provider is None or not provider.npi or (provider.role, provider.npi) in seen:
            continue
        seen.add((provider.role, provider.npi))
        if not npi_is_valid(provider.npi):
            role = provider.role.replace("_", " ")
            yield Hit(f"The {role} provider's NPI {provider.npi} fails the NPI format/check digit.",
                      line=line,
                      fix="Correct the NPI from NPPES.", fix_safety="unsafe",
                      authority="45 CFR 162.406; CMS NPI check-digit standard (Luhn, prefix 80840)")


@rule("CL003", "claim.duplicate-line", "error", carc="CO-18")
def duplicate_line(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Two lines with the same code, modifiers, date, units and rendering provider.

    ## What it checks
    Exact duplicate service lines within the claim.

    ## Why payers deny it
    The second line is denied CO-18 (exact duplicate claim/service).

    ## Example
    97140-GP x1 on 2026-03-05 twice.

    ## Fix
    Remove the duplicate, or bill one line with the total units; a repeat procedure
    takes 76/77 (or 91 for a lab test) with documentation.

    ## Authority
    CMS 100-04 ch.1 §120 (duplicate claims); CARC 18.
    """
    seen: dict[tuple, int] = {}
    for ln in claim.lines:
        provider = claim.rendering_for(ln)
        key = (ln.procedure_code, tuple(sorted(ln.modifiers)), ln.date_of_service, ln.units,
               provider.npi if provider else None)
        if key in seen:
            yield Hit(f"Line {ln.number} duplicates line {seen[key]} ({ln.procedure_code}).",
                      line=ln.number, fix="Remove the duplicate or combine the units on one line.",
                      fix_safety="unsafe", authority="CMS 100-04 ch.1 §120; CARC 18")
        else:
            seen[key] = ln.number


@rule("CL004", "claim.units-or-charge-not-positive", "error", carc="CO-16")
def units_or_charge(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """Zero or negative units or charges, or a claim total that is not the sum of its lines.

    ## What it checks
    SV104 units > 0, SV102 charge >= 0 (> 0 for a billed service), and CLM02 equal to the
    sum of SV102.

    ## Why payers deny it
    The front end rejects zero units and unbalanced totals (277CA A7:400 / 178).

    ## Example
    97140 with 0 units: a service under 8 minutes should be left off, not billed as 0.

    ## Fix
    Bill at least 1 unit or remove the line; make CLM02 the sum of the line charges.

    ## Authority
    ASC X12 005010X222A1 837P TR3: SV104 "service unit count" must be > 0; CLM02 "must
    equal the sum of all SV102 amounts".
    """
    unread = _unread(claim)
    for ln in claim.lines:
        if ln.number in unread:
            continue
        if ln.units is None or ln.units <= 0:
            units = "no" if ln.units is None else f"{ln.units:g}"
            yield Hit(f"Line {ln.number} ({ln.procedure_code}) has {units} units.", line=ln.number,
                      fix="Bill at least 1 unit, or remove the line.", fix_safety="unsafe",
                      authority=f"{TR3}, 2400 SV104")
        if ln.charge is None or ln.charge <= 0:
            charge = "no charge" if ln.charge is None else f"a charge of {ln.charge}"
            yield Hit(f"Line {ln.number} ({ln.procedure_code}) has {charge}.",
                      line=ln.number, fix="Enter the practice's charge for the service.",
                      fix_safety="unsafe", authority=f"{TR3}, 2400 SV102")
    if claim.total_charge is not None and claim.lines:
        total = sum((ln.charge or Decimal(0) for ln in claim.lines), Decimal(0))
        if total != claim.total_charge:
            yield Hit(f"Claim total {claim.total_charge} is not the sum of the line charges ({total}).",
                      fix=f"Set the claim total (CLM02) to {total}.", fix_safety="safe",
                      authority=f"{TR3}, 2300 CLM02")


@rule("CL005", "claim.date-of-service-missing-or-future", "error", carc="CO-16 / M52")
def future_date(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A date of service after today (or a line with no date).

    ## What it checks
    Every line has a date of service (DTP*472), and none is after the run's date
    (`--as-of`, default today).

    ## Why payers deny it
    Services cannot be billed before they are given: rejection, or CO-16 with M52
    (incomplete/invalid from date of service).

    ## Example
    A claim built for a visit that was scheduled but has not happened.

    ## Fix
    Bill after the service is rendered, with the real date.

    ## Authority
    ASC X12 005010X222A1 837P TR3, 2400 DTP*472 (required); CMS 100-04 ch.1 §70.
    """
    unread = _unread(claim)
    for ln in claim.lines:
        if ln.date_of_service is None and ln.number not in unread:
            yield Hit(f"Line {ln.number} has no date of service.", line=ln.number,
                      fix="Add the date of service (DTP*472).", fix_safety="unsafe",
                      authority=f"{TR3}, 2400 DTP*472")
        elif ln.date_of_service is not None and ln.date_of_service > ctx.as_of:
            yield Hit(f"Line {ln.number} date of service {ln.date_of_service.isoformat()} is after "
                      f"{ctx.as_of.isoformat()}.", line=ln.number,
                      fix="Bill the service after it is rendered, with its real date.",
                      fix_safety="unsafe", authority=f"{TR3}, 2400 DTP*472")


@rule("CL006", "claim.no-diagnosis", "error", carc="CO-16 / M76")
def no_diagnosis(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A claim with no diagnosis code.

    ## What it checks
    At least one diagnosis (HI principal diagnosis, ABK) is present.

    ## Why payers deny it
    The 837P requires a principal diagnosis: front-end rejection or CO-16 / M76.

    ## Example
    A CSV row without dx1.

    ## Fix
    Add the diagnosis the service treats.

    ## Authority
    ASC X12 005010X222A1 837P TR3, 2300 HI (health care diagnosis code, required).
    """
    if not claim.diagnoses and not _unread_diagnoses(claim) and not unread_whole(claim):
        yield Hit("The claim has no diagnosis code.", fix="Add the principal diagnosis (HI01, ABK).",
                  fix_safety="unsafe", authority=f"{TR3}, 2300 HI")


@rule("CL007", "claim.procedure-code-malformed", "error", carc="CO-16 / M51")
def procedure_code_malformed(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A procedure code that is not a CPT/HCPCS code, or unknown to the Medicare PFS.

    ## What it checks
    SV101-2 has the shape of a CPT (5 characters, 4 digits then a digit or F/T/U/M) or
    HCPCS Level II (a letter A-V and 4 digits) code; a CPT code must be known to the
    shipped Medicare PFS relative value file (an unknown one is a warning: it may be new,
    deleted or carrier-priced). HCPCS Level II codes are priced on other fee schedules
    (DMEPOS, ambulance, drugs) and are not looked up there.

    ## Why payers deny it
    CO-16 / M51 (missing/incomplete/invalid procedure code) or CO-181 (invalid code on the
    date of service).

    ## Example
    "9714" or "97140GP" in the code field.

    ## Fix
    Send the 5-character code in SV101-2 and modifiers in SV101-3..6.

    ## Authority
    HIPAA code sets 45 CFR 162.1002 (CPT, HCPCS); CMS PFS relative value file.
    """
    for ln in claim.lines:
        code = ln.procedure_code
        if not PROCEDURE_CODE.match(code or ""):
            yield Hit(f"Line {ln.number} procedure code {code!r} is not a CPT/HCPCS code.", line=ln.number,
                      fix="Send the 5-character CPT/HCPCS code; modifiers go in their own fields.",
                      fix_safety="unsafe", authority="45 CFR 162.1002")
        elif ln.code_qualifier == "HC" and code[0].isdigit() and ctx.store.pfs(code) is None:
            yield Hit(f"Line {ln.number} code {code} is not in the Medicare PFS relative value file.",
                      line=ln.number, severity="warning",
                      fix="Check the code for the date of service (new, deleted or carrier-priced).",
                      authority="CMS Medicare PFS relative value file (shipped release)")


@rule("CL020", "claim.payer-type-unknown", "warning")
def payer_type_unknown(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The claim does not say which kind of payer it goes to (no SBR09, no --payer).

    ## What it checks
    Without `--payer`, the claim filing indicator (SBR09: MB Medicare Part B, MC Medicaid,
    CI commercial ...) decides which payer's rules apply (GP/GO/GN, the 8-minute rule, KX,
    the policy pack). When it is missing, cleanclaim reads the payer name: one naming
    MEDICARE (and not Medicare Advantage) is checked as Medicare, one naming MEDICAID as
    Medicaid; any other is assumed commercial. This finding says which was assumed.

    ## Why payers deny it
    SBR09 is required in the 837P: the clearinghouse rejects the claim without it; and a
    claim checked against the wrong payer's rules passes with problems its payer denies.

    ## Example
    A CSV with payer_name MEDICARE PART B and no payer_type column; an 837P `SBR*P*18*******~`.

    ## Fix
    Send SBR09 (payer_type column in CSV: MB, MC, CI ...), or run with `--payer`.

    ## Authority
    ASC X12 005010X222A1 837P TR3, loop 2000B SBR09 (claim filing indicator code, required).
    """
    if ctx.payer_type or unread_whole(claim):
        return
    payer_type, basis = payer_type_basis(claim)
    if basis == "SBR09":
        return
    name = claim.payer.name or "(no payer name)"
    assumed = (f"assumed {payer_type} from the payer name {name}" if basis == "payer name"
               else f"assumed commercial (payer name {name} does not say Medicare or Medicaid)")
    yield Hit(f"Payer type unknown: SBR09 missing; {assumed}.",
              fix="Send the claim filing indicator (SBR09 / CSV payer_type: MB, MC, CI ...) or run "
                  "with --payer medicare|medicaid|commercial.",
              fix_safety="unsafe", authority=f"{TR3}, 2000B SBR09 (required)",
              details={"payer_type": payer_type, "basis": basis})


PRINCIPAL_QUALIFIERS = {"ABK": "ICD-10-CM", "BK": "ICD-9-CM"}


@rule("CL021", "claim.principal-diagnosis-missing", "error", carc="CO-16 / MA63")
def principal_diagnosis_missing(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """The first diagnosis is not sent as the principal diagnosis (HI01-1 ABK / BK).

    ## What it checks
    The first HI composite of the claim (HI01) has qualifier ABK (ICD-10-CM principal
    diagnosis) or BK (ICD-9-CM); ABF/BF (other diagnosis) belong in HI02-HI12.

    ## Why payers deny it
    A claim without a principal diagnosis fails the 837P front-end edits (999 / 277CA
    rejection), or is denied CO-16 with MA63 (missing/incomplete/invalid principal diagnosis).

    ## Example
    `HI*ABF:M5450~` as the only diagnosis segment.

    ## Fix
    Send the diagnosis chiefly responsible for the services first, with qualifier ABK.

    ## Authority
    ASC X12 005010X222A1 837P TR3, loop 2300 HI (Health Care Diagnosis Code): HI01-1 code
    list qualifier ABK (principal diagnosis, ICD-10-CM) or BK (ICD-9-CM); ABF/BF in HI02-HI12.
    """
    if not claim.diagnoses or 1 in _unread_diagnoses(claim):
        return  # CL006, or the reader reported the first diagnosis
    first = min(claim.diagnoses, key=lambda d: d.position)
    qualifier = (first.qualifier or "").upper()
    if qualifier not in PRINCIPAL_QUALIFIERS:
        yield Hit(f"The first diagnosis {first.dotted} is sent with qualifier {qualifier or '(none)'}, "
                  "not as the principal diagnosis (ABK); the claim has no principal diagnosis.",
                  fix="Send the principal diagnosis first in HI01 with qualifier ABK (ICD-10-CM).",
                  fix_safety="safe" if qualifier == "ABF" else "unsafe",
                  authority=f"{TR3}, 2300 HI01-1 (ABK principal diagnosis / BK ICD-9-CM)")


@rule("CL022", "claim.no-service-lines", "error", carc="CO-16 / M51")
def no_service_lines(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A claim with no service line.

    ## What it checks
    The claim has at least one service line (837P loop 2400 LX/SV1; a FHIR Claim.item;
    a CSV claim always has one row).

    ## Why payers deny it
    Loop 2400 is required, 1 to 50 per claim, and CLM02 is the sum of the lines' SV102:
    a claim without lines fails the front-end edits (999 / 277CA rejection) or is denied
    CO-16 with M51 (missing procedure code).

    ## Example
    `CLM*PM1007*130***11:B:1*Y*A*Y*Y~` followed by the next claim's HL, with no LX/SV1.

    ## Fix
    Add the service lines (LX, SV1, DTP*472) whose charges add up to CLM02.

    ## Authority
    ASC X12 005010X222A1 837P TR3, loop 2400 Service Line Number (required, repeat 50);
    2300 CLM02 (total claim charge = sum of SV102).
    """
    if claim.lines or any(f.severity == "error" for f in claim.read_findings):
        return  # a claim its reader could not read whole is reported there
    charge = f" (CLM02 total charge {claim.total_charge})" if claim.total_charge else ""
    yield Hit(f"The claim has no service line{charge}: loop 2400 is required (1 to 50 lines).",
              fix="Add the service lines (LX/SV1 with DTP*472; FHIR Claim.item) that make up the charge.",
              fix_safety="unsafe", authority=f"{TR3}, loop 2400 (required, 1..50); 2300 CLM02")


@rule("CL023", "claim.birth-date-after-service", "error", carc="CO-16 / MA39")
def birth_date_after_service(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A patient birth date after a date of service (or after today).

    ## What it checks
    The patient's (or subscriber's, when the subscriber is the patient) birth date, DMG02,
    is not after any line's date of service.

    ## Why payers deny it
    A service cannot be given before the patient was born: the payer cannot match the
    patient, CO-16 with MA39 (missing/incomplete/invalid gender/birth date), or CO-31
    (patient cannot be identified as our insured).

    ## Example
    Birth date 2030-01-01 on a claim for 2026-06-01.

    ## Fix
    Correct the birth date (or the date of service) from the patient's registration.

    ## Authority
    ASC X12 005010X222A1 837P TR3, 2010BA/2010CA DMG02 (date of birth) and 2400 DTP*472.
    """
    born = getattr(claim, "patient_birth_date", None)
    if born is None:
        return
    dates = sorted({ln.date_of_service for ln in claim.lines if ln.date_of_service is not None})
    before = [d for d in dates if d < born]
    if before:
        yield Hit(f"The patient's birth date is after the date of service {before[0].isoformat()}.",
                  fix="Correct the birth date (DMG02) or the date of service from the registration.",
                  fix_safety="unsafe", authority=f"{TR3}, DMG02; 2400 DTP*472")
    elif born > ctx.as_of:
        yield Hit(f"The patient's birth date is after {ctx.as_of.isoformat()} (today).",
                  fix="Correct the birth date (DMG02).", fix_safety="unsafe", authority=f"{TR3}, DMG02")
