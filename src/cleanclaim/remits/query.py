"""Read stored remits back as model objects (for ``remit show`` and other readers).

``stored_claims(conn, claim_id=None)`` -> list of :class:`StoredClaim` (one claim's
remits: oldest first; the latest claims: newest remit date first): the RemitClaim rebuilt
with its lines, adjustments and remarks, plus what the import decided (payer, remit date,
balance, denial, bucket, matches, reversal links shown as claim id + remit date).
``payments(conn, ...)`` -> :class:`StoredPayment` per 835 transaction set: BPR payment,
TRN check/EFT trace number and the PLB provider adjustments, to reconcile a deposit.
``frontend_responses(conn, claim_id)`` -> the 999/277CA answers about that claim.
``open_existing_history(url)`` -> History for read-only commands: a database that does
not exist is an error (HistoryError), never a new empty one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from . import schema as t
from .model import AckCode, Adjustment, FrontEndResponse, ProviderAdjustment, Remark, RemitClaim, RemitLine

# PLB03-1 provider adjustment reason codes (X12 835 005010X221A1, 2000 PLB03-1 code list; a
# positive PLB amount is taken from the payment, a negative one is added to it).
PLB_REASONS = {
    "50": "Late charge", "51": "Interest penalty charge", "72": "Authorized return", "90": "Early payment allowance",
    "B2": "Rebate", "BD": "Bad debt adjustment", "CS": "Adjustment", "CT": "Capitation payment",
    "E3": "Withholding", "FB": "Forwarding balance", "IR": "Internal Revenue Service withholding",
    "J1": "Nonreimbursable", "L3": "Penalty", "L6": "Interest owed", "LE": "Levy",
    "OB": "Offset for affiliated providers", "TL": "Third party liability", "WO": "Overpayment recovery",
    "WU": "Unspecified recovery",
}


def open_existing_history(url: str | None = None):
    """The history database for a command that only reads it (remit show, denials report,
    appeal): ``store.open_history`` semantics, but a SQLite file (or its directory) that
    does not exist raises ``store.HistoryError`` naming it instead of creating an empty one."""
    from pathlib import Path

    from ..store import HistoryError, open_history, resolve_url

    resolved = resolve_url(url)
    parsed = sa.engine.make_url(resolved)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            where = "its directory does not exist" if not path.parent.is_dir() else "the file does not exist"
            raise HistoryError(f"{path}: no such history database ({where}); give --db an existing database, "
                               "or record claims (check --record) and import remits (remit import) first")
    return open_history(url)


@dataclass
class StoredPayment:
    """One stored 835 transaction set as a deposit: BPR, TRN and PLB."""

    remittance_id: int
    source: str
    set_control: str | None
    payer_name: str | None
    payer_id: str | None
    handling_code: str | None  # BPR01
    payment_amount: Decimal | None  # BPR02
    credit_debit: str | None  # BPR03
    payment_method: str | None  # BPR04 ACH, CHK, NON...
    payment_date: date | None  # BPR16
    trace_number: str | None  # TRN02 check or EFT trace number
    trace_originator: str | None  # TRN03
    remit_date: date | None
    claim_paid_total: Decimal  # sum of CLP04
    provider_adjustment_total: Decimal  # sum of PLB amounts
    balanced: bool
    balance_difference: Decimal
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)

    @property
    def label(self) -> str:
        method = {"ACH": "EFT", "CHK": "check", "NON": "no payment", "BOP": "financial institution option",
                  "FWT": "wire"}.get(self.payment_method or "", self.payment_method or "payment")
        return f"{method} {self.trace_number or '(no TRN02)'}"


def plb_meaning(code: str) -> str:
    return PLB_REASONS.get(code, "see the 835 TR3 PLB03-1 code list")


def payments(conn, *, remittance_ids=None, since: date | None = None) -> list[StoredPayment]:
    """Stored payments (newest remit date first), each with its PLB adjustments."""
    r, f, p = t.remittance, t.remit_file, t.remit_provider_adjustment
    query = sa.select(r, f.c.source).join(f, f.c.id == r.c.file_id)
    if remittance_ids is not None:
        ids = list(remittance_ids)
        if not ids:
            return []
        query = query.where(r.c.id.in_(ids))
    if since is not None:
        query = query.where(r.c.remit_date >= since)
    rows = conn.execute(query.order_by(r.c.remit_date.desc(), r.c.id.desc())).all()
    plbs = defaultdict(list)
    if rows:
        for row in conn.execute(sa.select(p).where(p.c.remittance_id.in_([x.id for x in rows]))
                                .order_by(p.c.remittance_id, p.c.position)):
            plbs[row.remittance_id].append(ProviderAdjustment(row.provider_id, row.fiscal_period_end, row.reason_code,
                                                               row.reference, row.amount))
    return [StoredPayment(x.id, x.source, x.set_control, x.payer_name, x.payer_id, x.handling_code, x.payment_amount,
                          x.credit_debit, x.payment_method, x.payment_date, x.trace_number, x.trace_originator,
                          x.remit_date, x.claim_paid_total, x.provider_adjustment_total, x.balanced,
                          x.balance_difference, plbs[x.id]) for x in rows]


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
    remittance_id: int | None = None
    reversal_of: str | None = None  # "CLAIM paid on DATE": the payment this reversal takes back
    correction_of: str | None = None  # "CLAIM reversed on DATE": the reversal this claim corrects


def stored_claims(conn, claim_id: str | None = None, *, limit: int | None = None) -> list[StoredClaim]:
    c, r, f = t.remit_claim, t.remittance, t.remit_file
    query = (sa.select(c, r.c.payer_name, r.c.payer_id, r.c.payee_name, r.c.trace_number, f.c.source)
             .join(r, r.c.id == c.c.remittance_id).join(f, f.c.id == r.c.file_id).order_by(c.c.id))
    if claim_id is not None:
        query = query.where(c.c.claim_id == claim_id)
    if limit is not None:  # the latest remits by remit date (not by import order)
        query = query.order_by(None).order_by(c.c.remit_date.desc(), c.c.id.desc()).limit(limit)
    rows = conn.execute(query).all()
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
    linked = {x for row in rows for x in (row.reversal_of_id, row.correction_of_id) if x is not None}
    names = {}
    if linked:
        names = {x.id: f"{x.claim_id} remit of {x.remit_date or 'unknown date'}" for x in conn.execute(
            sa.select(c.c.id, c.c.claim_id, c.c.remit_date).where(c.c.id.in_(linked)))}
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
                               lines[row.id], row.remittance_id, names.get(row.reversal_of_id),
                               names.get(row.correction_of_id)))
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
