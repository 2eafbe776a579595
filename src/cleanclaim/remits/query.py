"""Read stored remits back as model objects (for ``remit show`` and other readers).

``stored_claims(conn, claim_id=None)`` -> list of :class:`StoredClaim` (oldest first):
the RemitClaim rebuilt with its lines, adjustments and remarks, plus what the import
decided (payer, remit date, balance, denial, bucket, matches, reversal links).
``frontend_responses(conn, claim_id)`` -> the 277CA answers about that claim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from . import schema as t
from .model import AckCode, Adjustment, FrontEndResponse, Remark, RemitClaim, RemitLine


@dataclass
class StoredLine:
    line: RemitLine
    denial: bool
    denied_charge: Decimal
    bucket: str | None
    history_line_number: int | None
    match_method: str | None


@dataclass
class StoredClaim:
    row_id: int
    claim: RemitClaim
    payer_name: str | None
    payer_id: str | None
    payee_name: str | None
    remit_date: date | None
    trace_number: str | None
    source: str
    denial: bool
    denied_charge: Decimal
    bucket: str | None
    history_claim_id: int | None
    match_method: str | None
    reversal_of_id: int | None
    correction_of_id: int | None
    lines: list[StoredLine] = field(default_factory=list)


def stored_claims(conn, claim_id: str | None = None, *, limit: int | None = None) -> list[StoredClaim]:
    c, r, f = t.remit_claim, t.remittance, t.remit_file
    query = (sa.select(c, r.c.payer_name, r.c.payer_id, r.c.payee_name, r.c.trace_number, f.c.source)
             .join(r, r.c.id == c.c.remittance_id).join(f, f.c.id == r.c.file_id).order_by(c.c.id))
    if claim_id is not None:
        query = query.where(c.c.claim_id == claim_id)
    if limit is not None:
        query = query.order_by(None).order_by(c.c.id.desc()).limit(limit)
    rows = conn.execute(query).all()
    if limit is not None:
        rows = rows[::-1]
    ids = [row.id for row in rows]
    if not ids:
        return []
    adjustments, remarks, lines = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in conn.execute(sa.select(t.remit_adjustment).where(t.remit_adjustment.c.remit_claim_id.in_(ids))
                          .order_by(t.remit_adjustment.c.position)):
        adjustments[(a.remit_claim_id, a.remit_line_id)].append(Adjustment(a.group_code, a.carc, a.amount, a.quantity))
    for m in conn.execute(sa.select(t.remit_remark).where(t.remit_remark.c.remit_claim_id.in_(ids))
                          .order_by(t.remit_remark.c.id)):
        remarks[(m.remit_claim_id, m.remit_line_id)].append(Remark(m.code, m.source))
    for ln in conn.execute(sa.select(t.remit_line).where(t.remit_line.c.remit_claim_id.in_(ids))
                           .order_by(t.remit_line.c.position)):
        line = RemitLine(
            ln.position, ln.procedure_code, ln.code_qualifier, ln.modifiers.split(), ln.original_code, None,
            (ln.original_modifiers or "").split(), ln.charge, ln.paid, ln.revenue_code, ln.units, ln.original_units,
            ln.service_date, ln.service_date_end, ln.control_number, ln.allowed,
            adjustments[(ln.remit_claim_id, ln.id)], remarks[(ln.remit_claim_id, ln.id)], ln.segment_number)
        lines[ln.remit_claim_id].append(StoredLine(line, ln.denial, ln.denied_charge, ln.bucket,
                                                   ln.history_line_number, ln.match_method))
    if claim_id is not None:  # one claim's remits in the order the payer sent them
        rows = sorted(rows, key=lambda row: (row.remit_date or date.min, row.id))
    out = []
    for row in rows:
        claim = RemitClaim(
            row.position, row.claim_id, row.status_code, row.charge, row.paid, row.patient_responsibility,
            row.filing_indicator, row.payer_claim_control, row.facility_code, row.frequency_code, None,
            row.rendering_npi, row.statement_start, row.statement_end, row.received_date,
            adjustments[(row.id, None)], [sl.line for sl in lines[row.id]], remarks[(row.id, None)],
            row.segment_number)
        out.append(StoredClaim(row.id, claim, row.payer_name, row.payer_id, row.payee_name, row.remit_date,
                               row.trace_number, row.source, row.denial, row.denied_charge, row.bucket,
                               row.history_claim_id, row.match_method, row.reversal_of_id, row.correction_of_id,
                               lines[row.id]))
    return out


def frontend_responses(conn, claim_id: str) -> list[FrontEndResponse]:
    fr, fc, f = t.frontend_response, t.frontend_code, t.remit_file
    rows = conn.execute(sa.select(fr, f.c.source).join(f, f.c.id == fr.c.file_id)
                        .where(fr.c.claim_id == claim_id).order_by(fr.c.id)).all()
    out = []
    for row in rows:
        codes = [AckCode(c.source, c.code, c.claim_status_code, c.entity_code, c.segment_id, c.segment_position,
                         c.loop_id, c.element_position, c.bad_value, c.line_control, c.action_code, c.description)
                 for c in conn.execute(sa.select(fc).where(fc.c.response_id == row.id).order_by(fc.c.position))]
        out.append(FrontEndResponse(
            row.kind, row.position, row.accepted, row.status_code, row.claim_status_code, row.response_date,
            row.sender_name, row.sender_id, row.acknowledged_group_control, row.acknowledged_set_id,
            row.acknowledged_set_control, row.claim_id, row.payer_claim_control, row.billing_npi, row.charge,
            row.service_date, row.service_date_end, codes, row.source))
    return out
