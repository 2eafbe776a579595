"""X12: envelope and syntax problems met while reading an 837P file.

The X12 reader (cleanclaim.formats.x12) finds these problems; it stores them in
``claim.read_findings`` (or yields them file-level when they belong to no claim).
Each rule here replays the reader's findings of its own code, so ``--select`` and
``--ignore`` work on X12 codes like on any other rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from .base import REGISTRY, Hit, rule

TR3 = "ASC X12 005010X222A1 Health Care Claim: Professional (837P) TR3"

# Default fix and authority per code; the reader may give a more precise fix.
DEFAULTS: dict[str, tuple[str, str]] = {
    "X12001": (
        "Write the ISA with every element at its fixed length (106 characters including the "
        "segment terminator, no space before the terminator).",
        "ASC X12 005010 interchange control structure: ISA fixed-length elements; "
        f"{TR3}, appendix 'EDI Control Directory' (ISA).",
    ),
    "X12002": (
        "Regenerate the envelope so SE01 counts every segment from ST to SE inclusive and "
        "SE02 repeats ST02.",
        f"ASC X12 005010 SE01 Number of Included Segments, SE02 = ST02; {TR3}, SE segment; "
        "999 acknowledgment IK5 (R).",
    ),
    "X12003": (
        "Regenerate the envelope: GE01 = number of ST sets in the group, GE02 = GS06, "
        "IEA01 = number of GS groups, IEA02 = ISA13.",
        "ASC X12 005010 GE01/GE02 and IEA01/IEA02; "
        f"{TR3}, appendix 'EDI Control Directory' (GS/GE, ISA/IEA); 999 AK9 / TA1.",
    ),
    "X12004": (
        "Resend the complete file: every ST needs its SE, every GS its GE, every ISA its IEA.",
        "ASC X12 005010 control structures: ST/SE, GS/GE, ISA/IEA pairs.",
    ),
    "X12005": (
        "Correct the segment named in the message (element value, date format CCYYMMDD, "
        "numeric amount) in the billing system and regenerate the claim.",
        f"{TR3}, segment and element definitions of the loop named in the message.",
    ),
    "X12006": (
        "Use the delimiters the ISA declares: ISA16 is the component separator, ISA11 the "
        "repetition separator; do not mix in other characters.",
        "ASC X12 005010 delimiters are defined by position in the ISA (ISA element "
        f"separator, ISA11, ISA16, segment terminator); {TR3}, appendix 'ASC X12 Nomenclature'.",
    ),
    "X12007": (
        "Put the segment in its loop inside an ST/SE transaction set (ISA > GS > ST > ... > SE).",
        f"{TR3}, transaction set listing (loop and segment order).",
    ),
    "X12011": (
        "Give every interchange its own ISA13 control number (the sender increments it for each "
        "interchange sent, never reusing one within a file or a recent period).",
        "ASC X12 005010 ISA13 Interchange Control Number; TA1 interchange acknowledgment TA105 "
        "code 025 'Duplicate Interchange Control Number'.",
    ),
    "X12008": (
        "Send the ICD-10-CM code without the decimal point (M5450, not M54.50).",
        f"{TR3}, 2300 HI segment: 'Do not transmit the decimal points in the diagnosis codes'.",
    ),
    "X12009": (
        "Split the batch so that each ST/SE transaction set carries at most 5000 CLM segments.",
        f"{TR3}, section 1 business usage: limit of 5000 CLM segments per transaction set.",
    ),
    "X12010": (
        "Send professional claims as 837P: ST01 = 837, ST03 / GS08 = 005010X222A1.",
        f"{TR3}, ST segment (ST03 implementation convention reference) and GS08.",
    ),
}


def x12_finding(
    code: str,
    message: str,
    claim_id: str | None = None,
    *,
    line: int | None = None,
    severity: str | None = None,
    fix: str | None = None,
    **details,
) -> Finding:
    """A Finding of an X12 code, as the reader reports it (claim-level or file-level)."""
    default_fix, authority = DEFAULTS[code]
    hit = Hit(message, line=line, fix=fix or default_fix, authority=authority, severity=severity)
    hit.details.update({k: v for k, v in details.items() if v is not None})
    hit.fix_safety = "safe" if code in ("X12001", "X12002", "X12003", "X12006", "X12008") else None
    return REGISTRY[code].finding(hit, claim_id)


def _replay(claim, code: str) -> Iterator[Hit]:
    for f in claim.read_findings:
        if getattr(f, "code", None) == code:
            yield Hit(
                f.message,
                line=f.line,
                fix=f.fix,
                authority=f.authority,
                severity=f.severity,
                fix_safety=f.fix_safety,
                carc=f.carc,
                details=dict(f.details),
            )


@rule("X12001", "x12.isa-fixed-length")
def isa_fixed_length(claim, ctx):
    """The ISA interchange header is not exactly 106 characters.

    ## What it checks
    The ISA segment is fixed-length: 16 elements of fixed widths, 106 characters
    including the segment terminator. The delimiters are read from fixed positions
    (element separator at 4, ISA11 repetition separator, ISA16 component separator,
    terminator at 106). A shorter or longer ISA (trimmed sender IDs, a space before the
    terminator) is reported; when the delimiters can still be told apart, the claims
    are read anyway and each one carries this finding.

    ## Why payers deny it
    The clearinghouse cannot find the delimiters: the whole interchange is rejected with
    a TA1 (interchange acknowledgment, e.g. TA105 code 022 invalid control structure)
    before any claim is looked at.

    ## Example
    `ISA*00*NA*00*NA*ZZ*SUB*ZZ*RCV*240105*1200*^*00501*000000001*0*P*:~` is 68
    characters: ISA02/ISA04 must be 10 wide, ISA06/ISA08 15 wide (space padded).

    ## Fix
    Pad every ISA element to its fixed width; no space before the terminator.

    ## Authority
    ASC X12 005010 interchange control structure (ISA fixed-length elements);
    005010X222A1 TR3, appendix 'EDI Control Directory'.
    """
    return _replay(claim, "X12001")


@rule("X12002", "x12.se-count-mismatch")
def se_count_mismatch(claim, ctx):
    """SE01 does not count the segments of the transaction set, or SE02 differs from ST02.

    ## What it checks
    SE01 must equal the number of segments from ST to SE inclusive; SE02 must repeat
    the ST02 control number. Every claim of the transaction set carries the finding.

    ## Why payers deny it
    The front end answers with a 999 acknowledgment rejecting the whole transaction set
    (IK5*R*4: IK502 code 4 'number of included segments does not match actual
    count'): none of its claims enters adjudication.

    ## Example
    `ST*837*0001~BHT*...~NM1*41*...~PER*...~SE*4*0001~` declares 4 segments but
    the set has 5.

    ## Fix
    Regenerate the envelope from the claim data; never hand-edit segments without
    recounting SE01.

    ## Authority
    ASC X12 005010 SE segment (SE01 Number of Included Segments, SE02 Transaction Set
    Control Number); 999 Implementation Acknowledgment IK5.
    """
    return _replay(claim, "X12002")


@rule("X12003", "x12.envelope-count-mismatch")
def envelope_count_mismatch(claim, ctx):
    """GE01/IEA01 counts or GE02/IEA02 control numbers do not match their headers.

    ## What it checks
    GE01 must count the ST sets of the group and GE02 repeat GS06; IEA01 must count the
    GS groups of the interchange and IEA02 repeat ISA13. These belong to no single claim
    and are reported file-level.

    ## Why payers deny it
    A GE mismatch rejects the functional group in the 999 (AK9*R, AK905 code 5 for a
    wrong GE01); an IEA mismatch rejects the interchange with a TA1 (TA105 001 control
    numbers differ, 021 wrong number of groups). No claim of the group is processed.

    ## Example
    `GS*HC*...*1*X*005010X222A1~ST...SE~GE*2*1~` declares 2 transaction sets, has 1.

    ## Fix
    Regenerate the envelope so the trailers count what they close.

    ## Authority
    ASC X12 005010 GE and IEA segments; 005010X222A1 TR3, appendix 'EDI Control Directory'.
    """
    return _replay(claim, "X12003")


@rule("X12004", "x12.truncated")
def truncated(claim, ctx):
    """The file ends (or a new envelope starts) before SE, GE or IEA closes what is open.

    ## What it checks
    Every ST needs an SE, every GS a GE, every ISA an IEA. A file cut off in transfer
    leaves a transaction set open; its claims are still read and each carries this
    finding, so nothing silently disappears.

    ## Why payers deny it
    The interchange is incomplete: the clearinghouse rejects it (TA1 or 999 R) and the
    claims of the open transaction set are never received.

    ## Example
    A file whose last segment is `DTP*472*D8*20240105~`, with no SE, GE or IEA.

    ## Fix
    Resend the complete file; check the transfer did not cut it.

    ## Authority
    ASC X12 005010 control structures (ST/SE, GS/GE, ISA/IEA).
    """
    return _replay(claim, "X12004")


@rule("X12005", "x12.unreadable-segment")
def unreadable_segment(claim, ctx):
    """A segment of the claim cannot be read: bad date, bad amount, missing required element.

    ## What it checks
    Values the claim needs must be well-formed: CLM01 present, CLM02/SV102 numeric
    amounts, SV104 numeric units, DTP dates CCYYMMDD (D8) or CCYYMMDD-CCYYMMDD (RD8),
    SV107 pointers 1-12. The claim is still reported, with the segment number and id.

    ## Why payers deny it
    The 999 rejects the transaction set for an invalid data element (IK4 element error,
    e.g. IK403 code 8 invalid date, 6 invalid character), or the 277CA rejects the claim
    at the front end; it is never adjudicated.

    ## Example
    `DTP*472*D8*20240230~` (30 February), `SV1*HC:97110*ABC*UN*1***1~`.

    ## Fix
    Correct the value in the billing system and regenerate the claim.

    ## Authority
    ASC X12 005010 data element types (R decimal, DT date); 005010X222A1 TR3 segment
    definitions of the 2300/2400 loops.
    """
    return _replay(claim, "X12005")


@rule("X12006", "x12.inconsistent-delimiter", severity="warning")
def inconsistent_delimiter(claim, ctx):
    """A composite element uses a separator other than the ISA16 component separator.

    ## What it checks
    Composite elements (CLM05, HI, SV101, SV107) must be split by the component
    separator declared in ISA16. When another character (often '>' while ISA16 is ':')
    splits them, the reader warns and reads the parts anyway.

    ## Why payers deny it
    A strict translator reads `HC>98940` as one value: the procedure code is invalid
    and the 999 rejects the set (IK4 invalid code value) or the 277CA rejects the claim.

    ## Example
    ISA16 is ':' but the claim has `SV1*HC>98940*145.50*UN*1.00***1~`.

    ## Fix
    Generate every composite with the ISA16 separator.

    ## Authority
    ASC X12 005010 delimiter definition by ISA position; 005010X222A1 TR3, appendix
    'ASC X12 Nomenclature' (delimiters).
    """
    return _replay(claim, "X12006")


@rule("X12007", "x12.segment-out-of-place")
def segment_out_of_place(claim, ctx):
    """A segment appears where the 837P structure has no place for it.

    ## What it checks
    Segments outside an ST/SE set, an ST outside a GS group, a service line (SV1)
    before any CLM, or a segment id that is not an X12 segment id.

    ## Why payers deny it
    The 999 rejects the transaction set (IK304 code 1 unrecognized segment ID, 2
    unexpected segment); its claims are not processed.

    ## Example
    `SV1*HC:99213*40*UN*1***1~` before the first `CLM` of the set.

    ## Fix
    Regenerate the file with the loops in TR3 order.

    ## Authority
    005010X222A1 TR3 transaction set listing (loop and segment order).
    """
    return _replay(claim, "X12007")


@rule("X12008", "x12.diagnosis-decimal-point", severity="warning")
def diagnosis_decimal_point(claim, ctx):
    """A diagnosis code in HI carries a decimal point.

    ## What it checks
    HI diagnosis codes (ABK/ABF/BK/BF) are sent without the decimal point. The reader
    removes it and warns.

    ## Why payers deny it
    Payers match the code as sent: `M54.50` is not on the code list and the 277CA
    rejects the claim (A7 invalid diagnosis code) or the payer denies it (CO-16).

    ## Example
    `HI*ABK:M54.50~`

    ## Fix
    Send `HI*ABK:M5450~`.

    ## Authority
    005010X222A1 TR3, 2300 HI Health Care Diagnosis Code: do not transmit the decimal point.
    """
    return _replay(claim, "X12008")


@rule("X12009", "x12.transaction-set-too-large", severity="warning")
def transaction_set_too_large(claim, ctx):
    """A transaction set carries more than 5000 claims.

    ## What it checks
    The TR3 limits an ST/SE set to 5000 CLM segments. Past that, the reader streams the
    claims out without holding them, so an SE01 problem found later is reported
    file-level.

    ## Why payers deny it
    Clearinghouses may reject oversize sets at the front end (999 R) or split them,
    delaying every claim in them.

    ## Example
    One ST/SE with 12,000 CLM segments.

    ## Fix
    Batch at most 5000 claims per transaction set.

    ## Authority
    005010X222A1 TR3, section 1 business usage (5000 CLM per transaction set).
    """
    return _replay(claim, "X12009")


@rule("X12010", "x12.not-837p")
def not_837p(claim, ctx):
    """The transaction set is not an 837 Professional (X222).

    ## What it checks
    ST01 must be 837 and ST03 (or GS08) the 005010X222 implementation convention.
    Other transaction sets (835, 837I X223, 837D X224) are skipped, reported file-level.

    ## Why payers deny it
    A professional payer front end rejects the group (999 AK9 R) or routes it wrongly.

    ## Example
    `ST*835*0001~` or `ST*837*0001*005010X223A2~` in a file checked as 837P.

    ## Fix
    Check the right file; send professional claims as 005010X222A1.

    ## Authority
    005010X222A1 TR3, ST segment (ST01, ST03) and GS08.
    """
    return _replay(claim, "X12010")


@rule("X12011", "x12.duplicate-interchange-control")
def duplicate_interchange_control(claim, ctx):
    """Two interchanges in one file carry the same ISA13 control number.

    ## What it checks
    Each ISA of a file has its own interchange control number (ISA13). The second (and any
    later) interchange with a number already used in the file is reported, on each of its
    claims.

    ## Why payers deny it
    The receiver takes the repeat for a resend of an interchange it already has: the
    interchange is rejected with a TA1 (TA105 code 025, duplicate interchange control
    number) and none of its claims is processed.

    ## Example
    Two `ISA*...*000000001*0*P*:~` interchanges appended into one file.

    ## Fix
    Regenerate the second interchange with the next control number.

    ## Authority
    ASC X12 005010 ISA13 Interchange Control Number; TA1 TA105 code 025.
    """
    return _replay(claim, "X12011")


# These rules only replay claim.read_findings: the engine skips them for a claim read whole.
for _func in (isa_fixed_length, se_count_mismatch, envelope_count_mismatch, truncated,
              unreadable_segment, inconsistent_delimiter, segment_out_of_place,
              diagnosis_decimal_point, transaction_set_too_large, not_837p, duplicate_interchange_control):
    _func.replays_read_findings = True
