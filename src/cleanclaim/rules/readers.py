"""CSV and FHIR: problems met while reading a claim from those formats.

The readers attach these findings to the claim (claim.read_findings); the rules here
pass them on, so --select/--ignore and `cleanclaim rule` work for them as for any rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim
from .base import Hit, RuleContext, rule


def _passthrough(claim: Claim, code: str) -> Iterator[Hit]:
    for f in claim.read_findings:
        if f.code == code:
            yield Hit(f.message, line=f.line, fix=f.fix, authority=f.authority, severity=f.severity)


@rule("CSV001", "csv.row-unreadable", "error")
def csv_row_unreadable(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A CSV row of this claim could not be read whole.

    ## What it checks
    Each row's required columns (claim_id, date_of_service, procedure_code, units) and the
    shape of dates, numbers, pointers and codes. The claim is still reported, with what
    could be read.

    ## Why payers deny it
    A claim built from a half-read row goes out wrong or not at all; fix the row first.

    ## Example
    `date_of_service` = `15/03/2026` (day first) instead of `03/15/2026` or `2026-03-15`.

    ## Fix
    Correct the named row and column (see docs/formats.md for the columns).

    ## Authority
    cleanclaim CSV claim format (docs/formats.md).
    """
    yield from _passthrough(claim, "CSV001")


@rule("CSV002", "csv.column-not-read", "warning")
def csv_column_not_read(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A CSV header cell that names no cleanclaim column (file-level): its values are not read.

    ## What it checks
    Every header cell, after normalising its spelling (case, spaces, punctuation,
    `Modifier 1` = `modifier1`, `DX 1` = `dx1`), names a column of docs/formats.md; one
    warning for the file names the cells that do not, and cells that mean the same column.

    ## Why payers deny it
    A column that is not read is data that never reaches the claim: a modifier or a
    diagnosis in an unread column goes out missing (e.g. no GP: CO-4; no diagnosis: CO-16).

    ## Example
    A header `Claim ID,DOS,CPT,Therapy Mod,Units`: `Therapy Mod` is not read.

    ## Fix
    Rename the column to one in docs/formats.md (e.g. `modifier1`, `dx1`) if it holds claim
    data; otherwise the warning can be ignored.

    ## Authority
    cleanclaim CSV claim format (docs/formats.md, "Header names").
    """
    yield from _passthrough(claim, "CSV002")


@rule("FHIR001", "fhir.resource-invalid", "error")
def fhir_resource_invalid(claim: Claim, ctx: RuleContext) -> Iterator[Hit]:
    """A FHIR Claim resource failed validation against the R4 (R4B) model.

    ## What it checks
    Each Claim resource validates with fhir.resources' R4B models; the claim is still
    reported with what could be read.

    ## Why payers deny it
    An invalid resource cannot be converted to an 837P or accepted by a FHIR endpoint.

    ## Example
    `item[0].quantity.value` = "two".

    ## Fix
    Correct the element the message names.

    ## Authority
    HL7 FHIR R4 Claim resource (http://hl7.org/fhir/R4/claim.html).
    """
    yield from _passthrough(claim, "FHIR001")


# These rules only replay claim.read_findings: the engine skips them for a claim read whole.
csv_row_unreadable.replays_read_findings = True
csv_column_not_read.replays_read_findings = True
fhir_resource_invalid.replays_read_findings = True
