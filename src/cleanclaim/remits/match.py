"""Tie a remit to the claim we sent, and its lines to our lines; link reversals.

Claim: CLP01 = CLM01 (``claims.claim_number``), narrowed by the payee NPI (N1*PE XX =
the billing NPI) and then the payer key when several stored claims share the number;
void claims are left out. Still ambiguous -> no match (never a guess).

Line, in this order, each stored line used once:
1. ``control_number``: REF*6R = the 837 REF*6R;
2. ``code_date``: the code as billed (SVC06 when the payer changed it, else SVC01),
   the modifiers and the date of service;
3. ``code_date_no_mods``: code and date only, for payers that drop modifiers.

Reversals (CLP02 = 22) are linked to the payment they take back: the latest earlier
remit of the same CLP01 that is not a reversal, has opposite charge and payment, is not
reversed yet, and (when both have one) the same CLP07; when the payment arrives in a
later import than its reversal, the link is made then. A CLP that follows a reversal of
the same CLP01 in the same file is its correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..store.claims import payer_key
from ..store.schema import claim_lines, claims
from .model import RemitClaim, RemitLine, Remittance
from .schema import claim_envelope, remit_claim, remittance


# Built once: the same statements for every CLP (SQLAlchemy reuses the compiled form).
_CLAIMS_BY_NUMBER = (
    sa.select(claims.c.id, claims.c.billing_npi, claims.c.payer_key, claims.c.status)
    .where(claims.c.claim_number == sa.bindparam("number"), claims.c.status != "void")
    .order_by(claims.c.id)
)
_LINES_OF_CLAIM = (
    sa.select(claim_lines.c.line_number, claim_lines.c.procedure_code, claim_lines.c.modifiers,
              claim_lines.c.dos, claim_lines.c.control_number)
    .where(claim_lines.c.claim_id == sa.bindparam("claim")).order_by(claim_lines.c.line_number)
)


@dataclass
class ClaimMatch:
    history_claim_id: int | None
    method: str | None  # claim_id+npi | claim_id+payer | claim_id | ambiguous | None
    lines: dict[int, tuple[int, str]]  # remit line position -> (stored line_number, method)


def match_claim(conn, remit: Remittance, claim: RemitClaim) -> ClaimMatch:
    rows = conn.execute(_CLAIMS_BY_NUMBER, {"number": claim.claim_id}).all()
    method = "claim_id"
    npi = remit.payee.npi
    if len(rows) > 1 and npi:
        narrowed = [r for r in rows if r.billing_npi == npi]
        if narrowed:
            rows, method = narrowed, "claim_id+npi"
    elif rows and npi and all(r.billing_npi == npi for r in rows):
        method = "claim_id+npi"
    if len(rows) > 1:
        keys = {payer_key(payer_id=remit.payer.id), payer_key(name=remit.payer.name)} - {None}
        narrowed = [r for r in rows if r.payer_key in keys]
        if narrowed:
            rows, method = narrowed, "claim_id+payer"
    if len(rows) > 1:
        active = [r for r in rows if r.status == "active"]
        if len(active) == 1:
            rows = active
    if not rows:
        return ClaimMatch(None, None, {})
    if len(rows) > 1:
        return ClaimMatch(None, "ambiguous", {})
    claim_row = rows[0].id
    stored = conn.execute(_LINES_OF_CLAIM, {"claim": claim_row}).all()
    return ClaimMatch(claim_row, method, match_lines(claim, stored))


def match_lines(claim: RemitClaim, stored) -> dict[int, tuple[int, str]]:
    """Remit line position -> (stored line number, method). ``stored`` rows have
    line_number, procedure_code, modifiers (space-separated), dos, control_number."""
    free = list(stored)
    found: dict[int, tuple[int, str]] = {}

    def take(line: RemitLine, method: str, test) -> None:
        for row in free:
            if test(row):
                found[line.position] = (row.line_number, method)
                free.remove(row)
                return

    def day(line: RemitLine) -> date | None:
        return line.service_date or claim.statement_start

    passes = [
        ("control_number", lambda ln: lambda r: bool(ln.control_number) and r.control_number == ln.control_number),
        ("code_date", lambda ln: lambda r: r.procedure_code == ln.submitted_code
         and r.modifiers.split() == (ln.original_modifiers if ln.original_code else ln.modifiers)
         and (day(ln) is None or r.dos == day(ln))),
        ("code_date_no_mods", lambda ln: lambda r: r.procedure_code == ln.submitted_code
         and (day(ln) is None or r.dos == day(ln))),
    ]
    for method, make in passes:
        for line in claim.lines:
            if line.position not in found:
                take(line, method, make(line))
    return found


def link_reversal(conn, claim: RemitClaim) -> int | None:
    """The remit_claim id of the payment this reversal takes back, or None."""
    if not claim.is_reversal or claim.charge is None or claim.paid is None:
        return None
    reversed_already = sa.select(remit_claim.c.reversal_of_id).where(remit_claim.c.reversal_of_id.is_not(None))
    query = (
        sa.select(remit_claim.c.id, remit_claim.c.payer_claim_control)
        .where(remit_claim.c.claim_id == claim.claim_id, remit_claim.c.reversal.is_(False),
               remit_claim.c.charge == -claim.charge, remit_claim.c.paid == -claim.paid,
               remit_claim.c.id.not_in(reversed_already))
        .order_by(remit_claim.c.id.desc())
    )
    rows = conn.execute(query).all()
    if claim.payer_claim_control:
        same = [r for r in rows if r.payer_claim_control == claim.payer_claim_control]
        if same:
            return same[0].id
    return rows[0].id if rows else None


def link_waiting_reversal(conn, claim: RemitClaim, claim_row: int, remit_id: int) -> int | None:
    """A reversal imported before the payment it takes back (files imported out of order):
    link it to this payment now. Only reversals from other files qualify (a correction
    in the reversal's own file is not the payment it reverses). Returns the reversal id."""
    if claim.is_reversal or claim.charge is None or claim.paid is None:
        return None
    this_file = sa.select(remittance.c.file_id).where(remittance.c.id == remit_id).scalar_subquery()
    rows = conn.execute(
        sa.select(remit_claim.c.id, remit_claim.c.payer_claim_control)
        .join(remittance, remittance.c.id == remit_claim.c.remittance_id)
        .where(remit_claim.c.claim_id == claim.claim_id, remit_claim.c.reversal.is_(True),
               remit_claim.c.reversal_of_id.is_(None), remit_claim.c.charge == -claim.charge,
               remit_claim.c.paid == -claim.paid, remittance.c.file_id != this_file)
        .order_by(remit_claim.c.id)
    ).all()
    same = [r for r in rows if claim.payer_claim_control and r.payer_claim_control == claim.payer_claim_control]
    chosen = (same or rows or [None])[0]
    if chosen is None:
        return None
    conn.execute(remit_claim.update().where(remit_claim.c.id == chosen.id).values(reversal_of_id=claim_row))
    return chosen.id


def match_response(conn, response) -> tuple[int | None, str | None]:
    """A 277CA claim response -> (claims.id, method): TRN02 = CLM01, narrowed by the
    billing NPI (2100C NM1*85). 999 responses are per transaction set: not matched."""
    if not response.claim_id:
        return None, None
    query = sa.select(claims.c.id, claims.c.billing_npi).where(
        claims.c.claim_number == response.claim_id, claims.c.status != "void")
    rows = conn.execute(query).all()
    method = "claim_id"
    if response.billing_npi and len(rows) > 1:
        rows = [r for r in rows if r.billing_npi == response.billing_npi]
        method = "claim_id+npi"
    if len(rows) == 1:
        return rows[0].id, method
    return None, "ambiguous" if rows else None


def record_envelopes(conn, path, recorded: list[tuple[str, int]]) -> int:
    """Store the 837 envelope (ISA13, GS02, GS06, GS04, ST02) of claims just recorded from
    ``path``: ``recorded`` is (CLM01, claims.id) in file order. Not an X12 file: nothing."""
    from collections import defaultdict, deque

    from ..formats.x12.transactions import claim_envelopes

    try:
        with open(path, "rb") as fh:
            if fh.read(3) != b"ISA":
                return 0
    except OSError:
        return 0
    by_clm = defaultdict(deque)
    for clm01, ctx in claim_envelopes(path):
        by_clm[clm01].append(ctx)
    by_row: dict[int, dict] = {}  # claims.id -> its envelope; a CLM01 sent twice under one
    for clm01, claim_row in recorded:  # identity is one recorded claim: the later copy's envelope
        if by_clm[clm01]:
            ctx = by_clm[clm01].popleft()
            by_row[claim_row] = {"claim_id": claim_row, "sender_id": ctx.sender[:15] or None,
                                 "interchange_control": ctx.interchange_control[:9] or None,
                                 "group_control": ctx.group_control[:9], "set_control": ctx.set_control[:9],
                                 "group_date": ctx.group_date[:8] or None}
    rows = list(by_row.values())
    if rows:
        conn.execute(claim_envelope.delete().where(claim_envelope.c.claim_id.in_([r["claim_id"] for r in rows])))
        conn.execute(claim_envelope.insert(), rows)
    return len(rows)


def claims_of_set(conn, group_control: str | None, set_control: str | None, before=None) -> list[tuple[int, str]]:
    """(claims.id, CLM01) of the recorded claims sent in 837 set GS06/ST02 (every set of
    the group when ``set_control`` is None): those of the
    latest submission with that pair (GS04 on or before ``before`` when given)."""
    if not group_control:
        return []
    query = (sa.select(claims.c.id, claims.c.claim_number, claim_envelope.c.group_date,
                       claim_envelope.c.interchange_control)
             .join(claim_envelope, claim_envelope.c.claim_id == claims.c.id)
             .where(claim_envelope.c.group_control == group_control).order_by(claims.c.id))
    if set_control:  # None: the AK9 of a group with no AK2 answers every set of the group
        query = query.where(claim_envelope.c.set_control == set_control)
    rows = conn.execute(query).all()
    if before is not None:
        day = before.strftime("%Y%m%d")
        rows = [r for r in rows if not r.group_date or r.group_date <= day] or rows
    if not rows:
        return []
    latest = max((r.group_date or "", r.interchange_control or "") for r in rows)
    return [(r.id, r.claim_number) for r in rows if (r.group_date or "", r.interchange_control or "") == latest]
