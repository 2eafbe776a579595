"""Import 835, 999 and 277CA files into the history store.

One transaction per file: the file row, every remittance/claim/line/adjustment/remark/
PLB (or front-end response), the claim matches, and the allowed amounts written back to
``claim_lines`` either all land or none do.

Nothing of a file with an error (a set not closed by SE, a missing IEA, an amount or
date that cannot be read, a seventh CAS triplet...) is stored: ``ImportResult.refused``
says why, and the problems name the file and segment. Storing part of it would make the
corrected file look like a duplicate (same TRN) and lose the rest.

Duplicates: a file whose bytes were imported before (same SHA-256) adds nothing. An 835
transaction set is one payment, identified by its payer and TRN (TRN02 check/EFT trace
number, TRN03 payer identifier, 005010X221A1 1000A/TRN): a set whose payer + TRN02 +
TRN03 is already stored -- the same ERA resent with a new ISA13, CRLF line ends, or
inside another file -- is skipped and listed in ``ImportResult.skipped``; a file whose
every set is a duplicate adds nothing (``duplicate``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from ..formats.x12.errors import X12InputError
from ..formats.x12.transactions import file_chunks
from ..store.schema import claim_lines, claims
from . import schema as t
from .buckets import claim_denial, line_denial
from .explain import lookup
from .match import claims_of_set, link_reversal, link_waiting_reversal, match_claim, match_response
from .model import FrontEndResponse, Problem, RemitClaim, Remittance

ZERO = Decimal(0)


@dataclass
class ImportResult:
    source: str
    kind: str  # 835 | 999 | 277CA
    duplicate: bool = False
    file_id: int | None = None
    remittances: int = 0
    claims: int = 0
    lines: int = 0
    denials: int = 0
    responses: int = 0
    rejected: int = 0
    rejected_claims: int = 0  # recorded claims a rejection names (999: every claim of the rejected set)
    matched_claims: int = 0
    unmatched_claims: int = 0
    unbalanced: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # duplicate transaction sets, described
    refused: str | None = None  # why nothing of the file was stored

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "problems"}
        d["imported"] = self.refused is None and not self.duplicate
        d["problems"] = [p.as_dict() for p in self.problems]
        return d


def sniff_kind(path: Path | str) -> str:
    """'835' | '999' | '277CA' from the first ST (ST01, and ST03 X214 for a 277CA)."""
    from ..formats.x12.envelope import SegmentStream

    head = next(file_chunks(path))[:65536]
    stream = SegmentStream([head])
    for els in stream:
        if els[0] == "ST":
            kind = els[1].strip() if len(els) > 1 else ""
            if kind == "277":
                return "277CA"
            if kind in ("835", "999"):
                return kind
            raise X12InputError(str(path), None, "ST", f"transaction set {kind!r} is not an 835, 999 or 277CA")
    if stream.unreadable is not None or not stream.started:
        raise X12InputError(str(path), 1, None, "not an X12 file: it does not start with an ISA segment")
    raise X12InputError(str(path), None, "ST", "no ST transaction set in the first 64 KB")


def content_hash(path: Path | str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


_LIMITS: dict[str, tuple[dict[str, int], dict[str, tuple[Decimal, bool]]]] = {}


def _limits(table: sa.Table):
    known = _LIMITS.get(table.name)
    if known is None:
        widths = {c.name: c.type.length for c in table.columns if getattr(c.type, "length", None)}
        numbers = {c.name: (Decimal(10) ** (c.type.precision - (c.type.scale or 0)), c.nullable)
                   for c in table.columns if isinstance(c.type, sa.Numeric) and c.type.precision}
        known = _LIMITS[table.name] = (widths, numbers)
    return known


def _fit(table: sa.Table, values: dict, result: ImportResult, where: str) -> dict:
    """Values made to fit their columns (bad input must not abort the import), each with
    an RM004 warning: text cut to the column width; an amount too large for Numeric(12, 2)
    stored as NULL (or the largest value when the column cannot be NULL)."""
    widths, numbers = _limits(table)
    for name, length in widths.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > length:
            values[name] = value[:length]
            result.problems.append(Problem("RM004", "warning", f"{where}: {table.name}.{name} is longer than "
                                           f"{length} characters; stored cut to {length}", result.source))
    for name, (limit, nullable) in numbers.items():
        value = values.get(name)
        if value is not None and abs(value) >= limit:
            values[name] = None if nullable else (limit - Decimal("0.01")).copy_sign(value)
            result.problems.append(Problem("RM004", "warning", f"{where}: {table.name}.{name} {value} is too large "
                                           "to store; stored " + ("empty" if nullable else "at the limit"),
                                           result.source))
    return values


def _insert(conn, table: sa.Table, values: dict, result: ImportResult, where: str) -> int:
    # insert() with parameters (not .values()): one compiled statement per table, reused
    return conn.execute(table.insert(), _fit(table, values, result, where)).inserted_primary_key[0]


class _RollBack(Exception):
    pass


def import_file(history, path: Path | str, store, *, kind: str | None = None) -> ImportResult:
    """Read and store one file in one transaction. ``history``: a store History (or
    anything with ``begin()`` giving a Connection in a transaction).

    A file with an error-severity problem is rolled back whole (``result.refused``);
    a file whose every set was imported before is rolled back too (``result.duplicate``)."""
    path = Path(path)
    kind = kind or sniff_kind(path)
    digest, size = content_hash(path)
    result = ImportResult(str(path), kind)
    try:
        _import(history, path, store, kind, digest, size, result)
    except _RollBack:
        result.file_id = None
        result.matched_claims = result.unmatched_claims = 0
    return result


def _import(history, path: Path, store, kind: str, digest: str, size: int, result: ImportResult) -> None:
    with history.begin() as conn:
        existing = conn.execute(sa.select(t.remit_file.c.id).where(t.remit_file.c.content_hash == digest)).first()
        if existing is not None:
            result.duplicate, result.file_id = True, existing.id
            return
        file_id = _insert(conn, t.remit_file, dict(
            content_hash=digest, kind=kind, source=str(path), byte_size=size,
            imported_at=datetime.now(timezone.utc), problems=[]), result, "file")
        result.file_id = file_id
        if kind == "835":
            from ..formats.x12.remit835 import iter_835

            seen: dict[tuple, str] = {}
            for item in iter_835(path, store):
                if isinstance(item, Remittance):
                    earlier = _already_stored(conn, item, seen)
                    result.problems.extend(item.problems)
                    if earlier:
                        result.skipped.append(earlier)
                    elif not result.errors:
                        insert_remittance(conn, file_id, item, store, result)
                else:
                    result.problems.append(item)
        else:
            from ..formats.x12.acks import iter_acks

            position = 0
            for item in iter_acks(path):
                if isinstance(item, FrontEndResponse):
                    position += 1
                    if not result.errors:
                        insert_response(conn, file_id, item, position, result)
                else:
                    result.problems.append(item)
        if result.errors:
            first = result.errors[0]
            result.refused = (f"{len(result.errors)} error(s), first: {first}; nothing of the file is stored, "
                              "correct it and import it again")
            raise _RollBack
        if result.skipped and not result.remittances:
            result.duplicate = True
            raise _RollBack
        conn.execute(t.remit_file.update().where(t.remit_file.c.id == file_id)
                     .values(problems=[p.as_dict() for p in result.problems]))


def _trace_key(remit: Remittance) -> tuple | None:
    """payer + TRN02 + TRN03 (+ BPR02): one payment (None when the set has no TRN02)."""
    if not remit.trace_number:
        return None
    return (remit.payer.id or remit.payer.name or "", remit.trace_number, remit.trace_originator or "",
            remit.payment_amount)


def _already_stored(conn, remit: Remittance, seen: dict[tuple, str]) -> str | None:
    """A description of the stored (or earlier in this file) set with the same payer + TRN, else None."""
    key = _trace_key(remit)
    if key is None:
        return None
    what = (f"transaction set {remit.set_control} (payer {remit.payer.name or remit.payer.id or '?'}, "
            f"TRN02 {remit.trace_number}, TRN03 {remit.trace_originator or '-'}, "
            f"paid {remit.payment_amount if remit.payment_amount is not None else '-'}, "
            f"{len(remit.claims)} claim(s))")
    if key in seen:
        return f"{what} repeats transaction set {seen[key]} of this file; skipped"
    seen[key] = remit.set_control or "?"
    r, f = t.remittance, t.remit_file
    payer = r.c.payer_id if remit.payer.id else r.c.payer_name
    rows = conn.execute(
        sa.select(f.c.source, f.c.imported_at, r.c.set_control, r.c.payment_amount).join(f, f.c.id == r.c.file_id)
        .where(r.c.trace_number == remit.trace_number, payer == key[0],
               sa.func.coalesce(r.c.trace_originator, "") == key[2]).order_by(r.c.id)).all()
    same = [row for row in rows if row.payment_amount == remit.payment_amount]
    if rows and not same:
        remit.problems.append(Problem(
            "RM005", "warning", f"TRN02 {remit.trace_number} of this payer is already stored with payment "
            f"{rows[0].payment_amount} ({rows[0].source}); this set pays {remit.payment_amount}: imported as a "
            "different payment -- ask the payer whether the trace number was reused", remit.source,
            None, "TRN", None, None, remit.set_control))
    if not same:
        return None
    row = same[0]
    when = row.imported_at.strftime("%Y-%m-%d %H:%M") if row.imported_at else "?"
    return f"{what} was imported before (set {row.set_control} of {row.source}, {when}); skipped"


def insert_remittance(conn, file_id: int, remit: Remittance, store, result: ImportResult) -> int:
    """Insert one remittance with its claims, lines, adjustments, remarks and PLBs."""
    result.remittances += 1
    remit_id = _insert(conn, t.remittance, dict(
        file_id=file_id, interchange_control=remit.interchange_control, group_control=remit.group_control,
        set_control=remit.set_control, payer_name=remit.payer.name, payer_id=remit.payer.id,
        payee_name=remit.payee.name, payee_id_qualifier=remit.payee.id_qualifier, payee_id=remit.payee.id,
        payee_npi=remit.payee.npi, handling_code=remit.handling_code, payment_amount=remit.payment_amount,
        credit_debit=remit.credit_debit, payment_method=remit.payment_method, payment_date=remit.payment_date,
        trace_number=remit.trace_number, trace_originator=remit.trace_originator,
        production_date=remit.production_date, remit_date=remit.remit_date,
        claim_paid_total=remit.claim_paid_total, provider_adjustment_total=remit.provider_adjustment_total,
        balanced=remit.balanced, balance_difference=remit.balance_difference,
    ), result, f"transaction set {remit.set_control}")
    if remit.provider_adjustments:
        conn.execute(t.remit_provider_adjustment.insert(), [_fit(t.remit_provider_adjustment,
            {"remittance_id": remit_id, "position": i, "provider_id": p.provider_id,
             "fiscal_period_end": p.fiscal_period_end, "reason_code": p.reason_code, "reference": p.reference,
             "amount": p.amount}, result, "PLB") for i, p in enumerate(remit.provider_adjustments, 1)])
    last_reversal: dict[str, int] = {}
    for claim in remit.claims:
        claim_row = insert_claim(conn, remit_id, remit, claim, store, result)
        if claim.is_reversal:
            last_reversal[claim.claim_id] = claim_row
        elif claim.claim_id in last_reversal:
            conn.execute(t.remit_claim.update().where(t.remit_claim.c.id == claim_row)
                         .values(correction_of_id=last_reversal.pop(claim.claim_id)))
    if not remit.balanced:
        result.unbalanced += 1
    return remit_id


def insert_claim(conn, remit_id: int, remit: Remittance, claim: RemitClaim, store, result: ImportResult) -> int:
    on = remit.remit_date
    match = match_claim(conn, remit, claim)
    decision = claim_denial(claim)
    result.claims += 1
    result.denials += decision.denied
    if match.history_claim_id is not None:
        result.matched_claims += 1
    else:
        result.unmatched_claims += 1
    result.unbalanced += not claim.balanced
    adj = decision.adjustment
    reversed_row = link_reversal(conn, claim)
    if reversed_row is not None:
        _check_reversal_date(conn, reversed_row, on, claim, remit, result, "takes back")
    claim_row = _insert(conn, t.remit_claim, dict(
        remittance_id=remit_id, position=claim.position, segment_number=claim.segment_number,
        claim_id=claim.claim_id, status_code=claim.status_code, charge=claim.charge, paid=claim.paid,
        patient_responsibility=claim.patient_responsibility, filing_indicator=claim.filing_indicator,
        payer_claim_control=claim.payer_claim_control, facility_code=claim.facility_code,
        frequency_code=claim.frequency_code, patient_key=claim.patient_key, rendering_npi=claim.rendering_npi,
        statement_start=claim.statement_start, statement_end=claim.statement_end,
        received_date=claim.received_date, remit_date=on, reversal=claim.is_reversal,
        reversal_of_id=reversed_row, history_claim_id=match.history_claim_id,
        match_method=match.method, balanced=claim.balanced, balance_difference=claim.balance_difference,
        denial=decision.denied, denied_charge=decision.denied_charge, bucket=decision.bucket,
        denial_group=adj.group if adj else None, denial_carc=adj.carc if adj else None,
    ), result, f"claim {claim.claim_id[:38]}")
    waiting = link_waiting_reversal(conn, claim, claim_row, remit_id)
    if waiting is not None:
        _check_reversal_date(conn, waiting, on, claim, remit, result, "is taken back by")
    adjustments = _adjustment_rows(claim_row, None, claim.adjustments, store, on, result)
    remarks = _remark_rows(claim_row, None, claim.remarks, store, on, result)
    if match.history_claim_id is not None and claim.payer_claim_control and not claim.is_reversal:
        conn.execute(claims.update().where(claims.c.id == match.history_claim_id,
                                           claims.c.payer_claim_number.is_(None))
                     .values(payer_claim_number=claim.payer_claim_control))
    line_values, allowed = [], []
    for line in claim.lines:
        result.lines += 1
        d = line_denial(line, claim)
        stored_line, method = match.lines.get(line.position, (None, None))
        adj = d.adjustment
        line_values.append(_fit(t.remit_line, dict(
            remit_claim_id=claim_row, position=line.position, segment_number=line.segment_number,
            code_qualifier=line.code_qualifier, procedure_code=line.procedure_code,
            modifiers=" ".join(line.modifiers), original_code=line.original_code,
            original_modifiers=" ".join(line.original_modifiers) if line.original_code else None,
            charge=line.charge, paid=line.paid, revenue_code=line.revenue_code, units=line.units,
            original_units=line.original_units, service_date=line.service_date,
            service_date_end=line.service_date_end, control_number=line.control_number, allowed=line.allowed,
            history_line_number=stored_line, match_method=method, balanced=line.balanced,
            balance_difference=line.balance_difference, denial=d.denied, denied_charge=d.denied_charge,
            bucket=d.bucket, denial_group=adj.group if adj else None, denial_carc=adj.carc if adj else None,
        ), result, f"claim {claim.claim_id[:38]} line {line.position}"))
        if stored_line is not None and line.allowed is not None and not claim.is_reversal:
            allowed.append({"b_claim": match.history_claim_id, "b_line": stored_line, "b_allowed": line.allowed})
    if line_values:
        # one statement for the claim's lines; ids come back in parameter order
        ids = conn.execute(t.remit_line.insert().returning(t.remit_line.c.id, sort_by_parameter_order=True),
                           line_values).scalars().all()
        for line, line_row in zip(claim.lines, ids):
            adjustments += _adjustment_rows(claim_row, line_row, line.adjustments, store, on, result)
            remarks += _remark_rows(claim_row, line_row, line.remarks, store, on, result)
    if adjustments:
        conn.execute(t.remit_adjustment.insert(), adjustments)
    if remarks:
        conn.execute(t.remit_remark.insert(), remarks)
    if allowed:
        conn.execute(claim_lines.update().where(claim_lines.c.claim_id == sa.bindparam("b_claim"),
                                                claim_lines.c.line_number == sa.bindparam("b_line"))
                     .values(allowed_cents=sa.bindparam("b_allowed")), allowed)
    return claim_row


def _check_reversal_date(conn, other_row: int, on, claim: RemitClaim, remit: Remittance, result: ImportResult,
                         verb: str) -> None:
    """RM013: a reversal (CLP02 22) dated before the payment it takes back."""
    other = conn.execute(sa.select(t.remit_claim.c.remit_date).where(t.remit_claim.c.id == other_row)).scalar()
    if other is None or on is None:
        return
    reversal, payment = (on, other) if claim.is_reversal else (other, on)
    if reversal < payment:
        result.problems.append(Problem(
            "RM013", "warning", f"claim {claim.claim_id}: this remit of {on} {verb} the remit of {other}, but the "
            f"reversal ({reversal}) is dated before the payment it reverses ({payment}); linked, check with the payer",
            remit.source, claim.segment_number, "CLP",
            remit.file_segment + claim.segment_number - 1 if remit.file_segment and claim.segment_number else None,
            claim.claim_id, remit.set_control))


_KNOWN: dict[tuple, bool] = {}


def _known(store, kind: str, code: str, on) -> bool:
    key = (id(store), kind, code, on)
    known = _KNOWN.get(key)
    if known is None:
        if len(_KNOWN) > 10000:
            _KNOWN.clear()
        info = lookup(store, kind, code, on)
        known = _KNOWN[key] = info.known and info.valid is not False
    return known


def _adjustment_rows(claim_row, line_row, adjustments, store, on, result) -> list[dict]:
    return [_fit(t.remit_adjustment, {
        "remit_claim_id": claim_row, "remit_line_id": line_row, "position": i, "group_code": a.group,
        "carc": a.carc, "amount": a.amount, "quantity": a.quantity, "known": _known(store, "carc", a.carc, on)},
        result, "CAS") for i, a in enumerate(adjustments, 1)]


def _remark_rows(claim_row, line_row, remarks, store, on, result) -> list[dict]:
    return [_fit(t.remit_remark, {
        "remit_claim_id": claim_row, "remit_line_id": line_row, "source": r.source, "code": r.code,
        "known": _known(store, "rarc", r.code, on)}, result, r.source) for r in remarks]


def insert_response(conn, file_id: int, r: FrontEndResponse, position: int, result: ImportResult) -> int:
    """Store one response. A 999 answers an 837 transaction set (AK1 GS06 + AK2 ST02): it is
    stored once per recorded claim of that set (``claim_envelope``, migration m0101), so a
    rejected set marks each of its claims front-end rejected."""
    if r.kind == "999" and not r.claim_id:
        sent = claims_of_set(conn, r.acknowledged_group_control, r.acknowledged_set_control, r.response_date)
        if sent:
            result.responses += 1
            result.rejected += not r.accepted
            charges = dict(conn.execute(sa.select(claims.c.id, claims.c.total_charge_cents)
                                        .where(claims.c.id.in_([row for row, _ in sent]))).all())
            result.claims += len(sent)
            result.matched_claims += len(sent)
            result.rejected_claims += len(sent) * (not r.accepted)
            row = None
            for claim_row, clm01 in sent:
                row = _store_response(conn, file_id, replace(r, claim_id=clm01, charge=charges.get(claim_row)),
                                      position, claim_row, "999 GS06+ST02", result)
            return row
        if not r.accepted:
            where = (f"837 set ST02 {r.acknowledged_set_control}" if r.acknowledged_set_control else "every 837 set")
            result.problems.append(Problem(
                "RM006", "warning", f"the 999 rejects {where} of group GS06 {r.acknowledged_group_control or '?'}, "
                "but no recorded claim was sent in it: record the 837 with check --record before importing its 999 "
                "to mark its claims rejected", result.source))
    history_claim_id, method = match_response(conn, r)
    result.responses += 1
    result.rejected += not r.accepted
    if r.claim_id:
        result.claims += 1
        result.matched_claims += history_claim_id is not None
        result.unmatched_claims += history_claim_id is None
        result.rejected_claims += not r.accepted
    return _store_response(conn, file_id, r, position, history_claim_id, method, result)


def _store_response(conn, file_id: int, r: FrontEndResponse, position: int, history_claim_id, method,
                    result: ImportResult) -> int:
    row = _insert(conn, t.frontend_response, dict(
        file_id=file_id, kind=r.kind, position=position, response_date=r.response_date,
        sender_name=r.sender_name, sender_id=r.sender_id, acknowledged_group_control=r.acknowledged_group_control,
        acknowledged_set_id=r.acknowledged_set_id, acknowledged_set_control=r.acknowledged_set_control,
        claim_id=r.claim_id, payer_claim_control=r.payer_claim_control, billing_npi=r.billing_npi,
        charge=r.charge, service_date=r.service_date, service_date_end=r.service_date_end,
        status_code=r.status_code, claim_status_code=r.claim_status_code, accepted=r.accepted,
        history_claim_id=history_claim_id, match_method=method,
    ), result, f"response {position}")
    if r.codes:
        conn.execute(t.frontend_code.insert(), [
            _fit(t.frontend_code, {"response_id": row, "position": i, **c.__dict__}, result, c.source)
            for i, c in enumerate(r.codes, 1)])
    return row
