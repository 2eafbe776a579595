"""`cleanclaim remit ...`: import 835/999/277CA files, show stored remits, explain codes."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from .errors import SetupError

DB_HELP = ("History database: a SQLite file or postgresql:// URL (default: $CLEANCLAIM_DB, "
           "config [history] db, else SQLite under the XDG data dir).")
FORMATS = click.Choice(["text", "json"])


def _open(db, existing: bool = False):
    from ..remits.query import open_existing_history
    from ..store import HistoryError, open_history

    try:
        return open_existing_history(db) if existing else open_history(db)
    except HistoryError as exc:  # exit 2: a setup error, not claim findings
        raise SetupError(str(exc)) from None


def _store():
    from ..codesets.store import CodeStore

    return CodeStore.open()


def _money(value) -> str:
    return "-" if value is None else f"{value:,.2f}"


@click.group("remit")
def command() -> None:
    """Payer answers: 835 remittances, 999 and 277CA acknowledgments."""


@command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--db", help=DB_HELP)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def import_cmd(files, db, fmt) -> None:
    """Import 835, 999 and 277CA FILES (kind read from the ST segment), one transaction each.

    A file imported before adds nothing: same bytes, or (835) a transaction set whose
    payer + TRN02 trace number + TRN03 is already stored (a resent or CRLF copy); the
    skipped sets are listed. Balance and code problems are warnings. A file with an error
    (a set without SE, no IEA, an unreadable value) is not imported at all and the exit
    code is 1; a file that is not X12 is skipped and the exit code is 2.
    """
    from ..formats import InputError
    from ..remits.importer import import_file

    store = _store()
    history = _open(db)
    results, failed, refused = [], 0, 0
    try:
        for path in files:
            try:
                results.append(import_file(history, path, store))
                refused += results[-1].refused is not None
            except (InputError, OSError) as exc:
                failed += 1
                click.echo(f"{path}: not imported: {exc}", err=True)
    finally:
        history.close()
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], indent=2, default=str))
    else:
        for r in results:
            click.echo(_import_line(r))
            for what in r.skipped:
                click.echo(f"  duplicate: {what}")
            for p in r.problems:
                click.echo(f"  {p}")
    if failed:
        sys.exit(2)
    if refused:
        sys.exit(1)


def _import_line(r) -> str:
    if r.refused:
        return f"{r.source}: {r.kind} NOT imported: {r.refused}"
    if r.duplicate and r.skipped:
        return f"{r.source}: {r.kind} already imported (every payment, by payer + TRN); nothing added"
    if r.duplicate:
        return f"{r.source}: {r.kind} already imported (same content); nothing added"
    if r.kind == "835":
        balance = "balanced" if not r.unbalanced else f"{r.unbalanced} not balanced"
        return (f"{r.source}: 835, {r.remittances} remittance(s), {r.claims} claim(s) "
                f"({r.matched_claims} matched to recorded claims), {r.lines} line(s), {r.denials} denial(s); {balance}"
                + (f"; {len(r.skipped)} duplicate set(s) skipped" if r.skipped else ""))
    matched = f", {r.matched_claims} matched" if r.kind == "277CA" else ""
    marked = f"; {r.rejected_claims} recorded claim(s) marked front-end rejected" if r.rejected_claims else ""
    return f"{r.source}: {r.kind}, {r.responses} response(s), {r.rejected} rejected{matched}{marked}"


@command.command("show")
@click.argument("claim_id", required=False)
@click.option("--db", help=DB_HELP)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True, help="Claims listed without CLAIM_ID.")
def show(claim_id, db, fmt, limit) -> None:
    """Stored remits: without CLAIM_ID the claims with the latest remit dates (newest
    first) and the payments (BPR amount, TRN check/EFT number, PLB adjustments); with it
    every remit of that claim (CLP01 = CLM01) with its payment, each adjustment explained
    per line, the balance status, and any 999/277CA answer about it. The database must exist."""
    from ..remits.query import frontend_responses, payments, stored_claims

    history = _open(db, existing=True)
    try:
        with history.engine.connect() as conn:
            found = stored_claims(conn, claim_id, limit=None if claim_id else limit)
            acks = frontend_responses(conn, claim_id) if claim_id else []
            paid = {p.remittance_id: p for p in payments(conn, remittance_ids={s.remittance_id for s in found})}
    finally:
        history.close()
    if claim_id and not found and not acks:
        raise click.ClickException(f"no remit or acknowledgment stored for claim {claim_id}")
    store = _store()
    if fmt == "json":
        click.echo(json.dumps({"claims": [_claim_json(s, store) for s in found],
                               "payments": [_payment_json(p) for p in paid.values()],
                               "frontend": [_ack_json(a) for a in acks]}, indent=2, default=str))
        return
    if not claim_id:
        click.echo(f"{'claim':<20} {'status':<6} {'charge':>11} {'paid':>11} {'remit date':<10}  {'denial':<22} "
                   f"{'payment':<22} payer")
        for s in found:
            c = s.claim
            pay = paid.get(s.remittance_id)
            click.echo(f"{c.claim_id[:20]:<20} {c.status_code:<6} {_money(c.charge):>11} {_money(c.paid):>11} "
                       f"{str(s.remit_date or '-'):<10}  {(s.bucket or '-') if s.denial else 'no':<22} "
                       f"{(pay.label if pay else '-')[:22]:<22} {s.payer_name or s.payer_id or '-'}")
        if paid:
            click.echo("\npayments (newest first):")
            for pay in sorted(paid.values(), key=lambda p: (p.remit_date or date.min, p.remittance_id), reverse=True):
                for line in _payment_text(pay):
                    click.echo(line)
        return
    for s in found:
        for line in _claim_text(s, store):
            click.echo(line)
        if s.remittance_id in paid:
            for line in _payment_text(paid[s.remittance_id], indent="  "):
                click.echo(line)
    for a in acks:
        click.echo(_ack_text(a))


def _claim_text(s, store) -> list[str]:
    from ..remits.buckets import BUCKETS
    from ..remits.explain import CLAIM_STATUS, explain_adjustment

    c, on = s.claim, s.remit_date
    status = CLAIM_STATUS.get(c.status_code, "unknown status")
    out = [f"claim {c.claim_id}: {status} (CLP02 {c.status_code}) by {s.payer_name or s.payer_id or 'unknown payer'} "
           f"on {on or 'unknown date'} (payer claim {c.payer_claim_control or '-'}; {s.source})",
           f"  charge {_money(c.charge)}, paid {_money(c.paid)}, patient responsibility "
           f"{_money(c.patient_responsibility)}; "
           + ("balances" if c.balanced else f"does NOT balance (off by {_money(c.balance_difference)})"),
           "  matched to recorded claim" if s.history_claim_id else "  no recorded claim matches CLP01"]
    if s.reversal_of_id:
        out.append(f"  reverses the payment of the {s.reversal_of or 'earlier remit'}")
    if s.correction_of_id:
        out.append(f"  corrects: follows the reversal in the {s.correction_of or 'earlier remit'}")
    if s.denial:
        out.append(f"  DENIAL: {_money(s.denied_charge)} denied; root cause {BUCKETS.get(s.bucket, s.bucket)}")
    for adj in c.adjustments:
        out.append(f"  claim adjustment {explain_adjustment(store, adj, c.remarks, on).text}")
    for r in c.remarks:
        out.append(f"  remark {r.code} ({r.source})")
    for sl in s.lines:
        ln = sl.line
        code = ln.procedure_code + "".join(f"-{m}" for m in ln.modifiers)
        if ln.original_code:
            code += f" (billed as {ln.original_code}" + "".join(f"-{m}" for m in ln.original_modifiers) + ")"
        match = f"our line {sl.history_line_number} by {sl.match_method}" if sl.history_line_number else "unmatched"
        out.append(f"  line {ln.position} {code} {ln.service_date or ''}: charge {_money(ln.charge)}, "
                   f"allowed {_money(ln.allowed)}, paid {_money(ln.paid)}; "
                   + ("balances" if ln.balanced else f"does NOT balance (off by {_money(ln.balance_difference)})")
                   + f"; {match}" + (f"; DENIAL ({BUCKETS.get(sl.bucket, sl.bucket)})" if sl.denial else ""))
        for adj in ln.adjustments:
            out.append(f"    {explain_adjustment(store, adj, [*ln.remarks, *c.remarks], on).text}")
        for r in ln.remarks:
            out.append(f"    remark {r.code} (LQ*HE)")
    return out


def _payment_text(p, indent: str = "") -> list[str]:
    """The deposit: BPR02 by BPR04 with the TRN02 trace number, and every PLB."""
    from ..remits.query import plb_meaning

    sign = "" if p.credit_debit != "D" else " (debit)"
    out = [f"{indent}payment {p.label} (TRN03 {p.trace_originator or '-'}) on {p.payment_date or p.remit_date or '-'}: "
           f"BPR02 {_money(p.payment_amount)}{sign} from {p.payer_name or p.payer_id or 'unknown payer'} "
           f"= claims paid {_money(p.claim_paid_total)} - provider adjustments {_money(p.provider_adjustment_total)}"
           + ("" if p.balanced else f"; does NOT balance (off by {_money(p.balance_difference)})")
           + f" [ST {p.set_control or '-'}, {p.source}]"]
    for a in p.provider_adjustments:
        effect = "taken from the payment" if a.amount > 0 else "added to the payment"
        out.append(f"{indent}  PLB {a.reason_code} {plb_meaning(a.reason_code)}: {_money(a.amount)} ({effect})"
                   + (f", reference {a.reference}" if a.reference else "")
                   + (f", provider {a.provider_id}" if a.provider_id else "")
                   + (f", period ending {a.fiscal_period_end}" if a.fiscal_period_end else ""))
    return out


def _payment_json(p) -> dict:
    from ..remits.query import plb_meaning

    return {"remittance": p.remittance_id, "payer": p.payer_name, "payer_id": p.payer_id,
            "payment_amount": p.payment_amount, "credit_debit": p.credit_debit, "payment_method": p.payment_method,
            "payment_date": p.payment_date, "trace_number": p.trace_number, "trace_originator": p.trace_originator,
            "remit_date": p.remit_date, "claim_paid_total": p.claim_paid_total,
            "provider_adjustment_total": p.provider_adjustment_total, "balanced": p.balanced,
            "set_control": p.set_control, "source": p.source,
            "provider_adjustments": [{"reason_code": a.reason_code, "meaning": plb_meaning(a.reason_code),
                                      "reference": a.reference, "amount": a.amount, "provider_id": a.provider_id,
                                      "fiscal_period_end": a.fiscal_period_end} for a in p.provider_adjustments]}


def _claim_json(s, store) -> dict:
    from ..remits.explain import CLAIM_STATUS, explain_adjustment

    c, on = s.claim, s.remit_date
    return {
        "claim_id": c.claim_id, "status_code": c.status_code, "status": CLAIM_STATUS.get(c.status_code),
        "payer": s.payer_name, "payer_id": s.payer_id, "remit_date": on, "trace_number": s.trace_number,
        "source": s.source, "payer_claim_control": c.payer_claim_control, "charge": c.charge, "paid": c.paid,
        "patient_responsibility": c.patient_responsibility, "balanced": c.balanced,
        "balance_difference": c.balance_difference, "denial": s.denial, "denied_charge": s.denied_charge,
        "bucket": s.bucket, "matched": s.history_claim_id is not None, "match_method": s.match_method,
        "reversal_of": s.reversal_of, "correction_of": s.correction_of, "remittance": s.remittance_id,
        "adjustments": [explain_adjustment(store, a, c.remarks, on).as_dict() for a in c.adjustments],
        "remarks": [{"code": r.code, "source": r.source} for r in c.remarks],
        "lines": [{
            "line": sl.line.position, "code": sl.line.procedure_code, "modifiers": sl.line.modifiers,
            "original_code": sl.line.original_code, "service_date": sl.line.service_date,
            "charge": sl.line.charge, "allowed": sl.line.allowed, "paid": sl.line.paid, "units": sl.line.units,
            "control_number": sl.line.control_number, "balanced": sl.line.balanced,
            "balance_difference": sl.line.balance_difference, "denial": sl.denial,
            "denied_charge": sl.denied_charge, "bucket": sl.bucket, "matched_line": sl.history_line_number,
            "match_method": sl.match_method,
            "adjustments": [explain_adjustment(store, a, [*sl.line.remarks, *c.remarks], on).as_dict()
                            for a in sl.line.adjustments],
            "remarks": [r.code for r in sl.line.remarks]} for sl in s.lines],
    }


def _ack_text(a) -> str:
    state = "accepted" if a.accepted else "REJECTED"
    codes = ", ".join(f"{c.code}:{c.claim_status_code or ''}" + (f":{c.entity_code}" if c.entity_code else "")
                      for c in a.codes if c.source == "STC")
    text = (f"claim {a.claim_id}: {a.kind} {state} by {a.sender_name or a.sender_id or 'unknown sender'} on "
            f"{a.response_date or 'unknown date'} (status {codes or a.status_code}; {a.source})")
    if a.kind == "999":
        text += (f"\n  the 999 answers 837 transaction set ST02 {a.acknowledged_set_control or '(every set)'} of "
                 f"group GS06 {a.acknowledged_group_control or '-'}, the set this claim was sent in")
    return "\n".join([text, *_ack_errors(a)])


def _ack_errors(a) -> list[str]:
    """IK3 segment / IK4 element errors and IK5/AK9 reasons with their 999 TR3 meanings."""
    out = []
    for c in a.codes:
        meaning = c.description or "code not in the 999 TR3 lists cleanclaim ships"
        if c.source == "IK3":
            out.append(f"  segment error: {c.segment_id} (segment {c.segment_position or '?'} of the 837 set"
                       + (f", loop {c.loop_id}" if c.loop_id else "") + f"): IK304 {c.code} {meaning}")
        elif c.source == "IK4":
            element = f"{c.segment_id or ''}{(c.element_position or '?').split(':')[0].zfill(2)}"
            out.append(f"    element error: {element}" + (f" value '{c.bad_value}'" if c.bad_value else "")
                       + f": IK403 {c.code} {meaning}")
        elif c.source in ("IK5", "AK9") and c.code not in ("A", "E", "M", "P", "R", "W", "X"):
            out.append(f"  {c.source} reason {c.code}: {meaning}")
    return out


def _ack_json(a) -> dict:
    return {"kind": a.kind, "claim_id": a.claim_id, "accepted": a.accepted, "status_code": a.status_code,
            "claim_status_code": a.claim_status_code, "sender": a.sender_name, "response_date": a.response_date,
            "source": a.source, "codes": [{k: v for k, v in c.__dict__.items() if v is not None} for c in a.codes]}


@command.command("explain")
@click.argument("carc")
@click.argument("rarcs", nargs=-1)
@click.option("--group", help="Group code (CO, PR, OA, PI, CR); or write CARC as CO-97.")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Check the codes were valid on this date.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def explain_cmd(carc, rarcs, group, on, fmt) -> None:
    """Explain a CARC (with its group, e.g. CO-97) and RARCs in plain words, from the
    shipped X12 CARC/RARC list with its start and stop dates."""
    from ..remits.explain import explain

    from ..formats.x12.remit835 import GROUP_CODES

    if "-" in carc and not group:
        group, carc = carc.split("-", 1)
    if group and group.upper() not in GROUP_CODES:
        raise click.ClickException(f"{group!r} is not a claim adjustment group code (X12: {', '.join(GROUP_CODES)})")
    when: date | None = on.date() if on else None
    result = explain(_store(), group, carc, list(rarcs), on=when)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
        return
    click.echo(result.text)
    for info in (result.carc, *result.remarks):
        if info.known:
            dates = f"from {info.start or '?'}" + (f", stopped {info.end}" if info.end else "")
            click.echo(f"  {info.kind.upper()} {info.code}: {dates} ({info.release})")
