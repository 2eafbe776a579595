"""Denial analytics over the history store: what was denied, why, and what came back.

Reads the remit tables (``remits.schema``, filled by ``cleanclaim remit import``) and,
when present, the claims STORE recorded with ``check --record``. Definitions (issue 5):

- a *denial* is a claim with CLP02 = 4, or a line paid 0 or reduced by an adjustment
  that is not CO-45 and not PR-1/2/3 (the ``denial`` columns set at import);
- *dollars denied* = the billed charge of the denied lines;
- a claim's *first pass* is its first 835 answer that is not a reversal (CLP02 22); it
  is *first-pass paid* when that answer denies nothing;
- *recovered* = what a later answer for the same claim (a correction, an appeal
  decision) paid on a line the first pass denied;
- a front-end rejection (277CA/999 not accepted) never reaches an 835 and counts as a
  denied submission of its own (bucket ``front-end rejection``).

Nothing here prints patient identifiers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

ZERO = Decimal("0.00")
FRONT_END = "front-end rejection"
# Legislated reductions that are not denials even though they are neither CO-45 nor
# PR-1/2/3: CARC 253 "Sequestration - reduction in federal payment" (the 2% Part B cut).
NOT_A_DENIAL = frozenset({("CO", "253")})


@dataclass
class LineAnswer:
    """One SVC of an 835 answer, with the adjustments and remarks under it."""

    position: int
    code: str  # as billed: SVC06 when the payer changed the code, else SVC01
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None
    units: Decimal | None
    service_date: date | None
    control_number: str | None
    denial: bool
    denied_charge: Decimal
    bucket: str | None
    group: str | None
    carc: str | None
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    history_line_number: int | None = None

    def key(self) -> tuple:
        return (self.control_number,) if self.control_number else (self.code, self.service_date)


@dataclass
class ClaimAnswer:
    """One CLP of an 835: the payer's answer to one claim on one date."""

    remit_claim_id: int
    claim_id: str
    payer_name: str
    payer_id: str
    remit_date: date | None
    status: str
    charge: Decimal
    paid: Decimal
    reversal: bool
    denial: bool
    denied_charge: Decimal
    bucket: str | None
    group: str | None
    carc: str | None
    payer_claim_control: str | None
    rendering_npi: str | None
    history_claim_id: int | None
    lines: list[LineAnswer] = field(default_factory=list)
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def payer(self) -> str:
        return self.payer_name or self.payer_id or "unknown payer"


@dataclass
class Rejection:
    """A claim rejected at the front end (277CA or 999 not accepted)."""

    claim_id: str | None
    sender: str
    response_date: date | None
    charge: Decimal
    status: str | None
    claim_status_code: str | None
    description: str | None
    kind: str


@dataclass
class CheckRecord:
    """One claim as `check --record` saw it before it went out."""

    claim_id: str
    payer: str
    checked_on: date | None
    clean: bool
    rechecked: bool = False  # checked again from its file (the store did not keep the outcome)


@dataclass
class Dataset:
    answers: list[ClaimAnswer]
    rejections: list[Rejection]
    checks: list[CheckRecord]


def _d(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def _mods(text: str | None) -> list[str]:
    return [m for m in (text or "").split() if m]


def load(history, since: date | None = None) -> Dataset:
    """Every 835 answer, front-end rejection and check record in the store (since a date)."""
    from . import schema as rs

    with history.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        if "remit_claim" not in names:
            return Dataset([], [], _checks(conn, names, since))
        q = (sa.select(rs.remit_claim, rs.remittance.c.payer_name, rs.remittance.c.payer_id)
             .join(rs.remittance, rs.remit_claim.c.remittance_id == rs.remittance.c.id)
             .order_by(rs.remit_claim.c.remit_date, rs.remit_claim.c.id))
        if since:
            q = q.where(rs.remit_claim.c.remit_date >= since)
        answers: dict[int, ClaimAnswer] = {}
        for r in conn.execute(q).mappings():
            answers[r["id"]] = ClaimAnswer(
                r["id"], r["claim_id"], r["payer_name"] or "", r["payer_id"] or "", r["remit_date"],
                r["status_code"], _d(r["charge"]), _d(r["paid"]), bool(r["reversal"]), bool(r["denial"]),
                _d(r["denied_charge"]), r["bucket"], r["denial_group"], r["denial_carc"],
                r["payer_claim_control"], r["rendering_npi"], r["history_claim_id"])
        lines: dict[int, LineAnswer] = {}
        ids = list(answers)
        for chunk in _chunks(ids):
            for r in conn.execute(sa.select(rs.remit_line).where(rs.remit_line.c.remit_claim_id.in_(chunk))
                                  .order_by(rs.remit_line.c.position)).mappings():
                code = r["original_code"] or r["procedure_code"] or ""  # as billed (SVC06 when changed)
                mods = _mods(r["original_modifiers"]) if r["original_code"] else _mods(r["modifiers"])
                ln = LineAnswer(r["position"], code, mods, _d(r["charge"]),
                                _d(r["paid"]), None if r["allowed"] is None else _d(r["allowed"]),
                                r["units"], r["service_date"], r["control_number"], bool(r["denial"]),
                                _d(r["denied_charge"]), r["bucket"], r["denial_group"], r["denial_carc"],
                                history_line_number=r["history_line_number"])
                lines[r["id"]] = ln
                answers[r["remit_claim_id"]].lines.append(ln)
            for r in conn.execute(sa.select(rs.remit_adjustment).where(
                    rs.remit_adjustment.c.remit_claim_id.in_(chunk)).order_by(rs.remit_adjustment.c.position)).mappings():
                item = (r["group_code"], r["carc"], _d(r["amount"]))
                target = lines.get(r["remit_line_id"]) if r["remit_line_id"] else answers[r["remit_claim_id"]]
                if target is not None:
                    target.adjustments.append(item)
            for r in conn.execute(sa.select(rs.remit_remark).where(
                    rs.remit_remark.c.remit_claim_id.in_(chunk)).order_by(rs.remit_remark.c.id)).mappings():
                target = lines.get(r["remit_line_id"]) if r["remit_line_id"] else answers[r["remit_claim_id"]]
                if target is not None:
                    target.remarks.append(r["code"])
        rejections = []
        if "frontend_response" in names:
            fq = sa.select(rs.frontend_response).where(rs.frontend_response.c.accepted.is_(False))
            if since:
                fq = fq.where(rs.frontend_response.c.response_date >= since)
            for r in conn.execute(fq.order_by(rs.frontend_response.c.id)).mappings():
                codes = conn.execute(sa.select(rs.frontend_code.c.description).where(
                    rs.frontend_code.c.response_id == r["id"])).scalars().all()
                rejections.append(Rejection(r["claim_id"], r["sender_name"] or r["sender_id"] or "",
                                            r["response_date"], _d(r["charge"]), r["status_code"],
                                            r["claim_status_code"], next((c for c in codes if c), None),
                                            r["kind"]))
        for a in answers.values():
            _sequestration_is_not_a_denial(a)
        return Dataset(list(answers.values()), rejections, _checks(conn, names, since))


def _qualifies(group: str, carc: str, amount: Decimal) -> bool:
    return amount > 0 and (group, carc) not in {("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), *NOT_A_DENIAL}


def _sequestration_is_not_a_denial(a: ClaimAnswer) -> None:
    """Clear a denial flag that only a legislated reduction (CO-253) raised on a paid line."""
    if a.reversal or a.status == "4":
        return
    for ln in a.lines:
        if ln.denial and ln.paid > 0 and not any(_qualifies(*adj) for adj in ln.adjustments):
            ln.denial, ln.denied_charge, ln.bucket, ln.group, ln.carc = False, ZERO, None, None, None
    if a.denial and not any(ln.denial for ln in a.lines) and not any(_qualifies(*adj) for adj in a.adjustments):
        a.denial, a.denied_charge, a.bucket, a.group, a.carc = False, ZERO, None, None, None
    elif a.denial:
        a.denied_charge = sum((ln.denied_charge for ln in a.lines if ln.denial), ZERO) or a.denied_charge


def from_remittances(remits, rejections: list[Rejection] | None = None) -> Dataset:
    """A Dataset straight from read 835s (no store): REMIT's denial rules, same definitions."""
    from .buckets import claim_denial, line_denial

    answers = []
    for remit in remits:
        for c in remit.claims:
            d = claim_denial(c)
            a = ClaimAnswer(len(answers) + 1, c.claim_id, remit.payer.name or "", remit.payer.id or "",
                            remit.remit_date, c.status_code, _d(c.charge), _d(c.paid), c.is_reversal, d.denied,
                            _d(d.denied_charge), d.bucket, d.adjustment.group if d.adjustment else None,
                            d.adjustment.carc if d.adjustment else None, c.payer_claim_control,
                            c.rendering_npi, None,
                            adjustments=[(x.group, x.carc, _d(x.amount)) for x in c.adjustments],
                            remarks=[r.code for r in c.remarks])
            for ln in c.lines:
                ld = line_denial(ln, c)
                a.lines.append(LineAnswer(
                    ln.position, ln.submitted_code,
                    list(ln.original_modifiers) if ln.original_code else list(ln.modifiers), _d(ln.charge), _d(ln.paid),
                    None if ln.allowed is None else _d(ln.allowed), ln.units, ln.service_date, ln.control_number,
                    ld.denied, _d(ld.denied_charge), ld.bucket, ld.adjustment.group if ld.adjustment else None,
                    ld.adjustment.carc if ld.adjustment else None,
                    [(x.group, x.carc, _d(x.amount)) for x in ln.adjustments], [r.code for r in ln.remarks]))
            _sequestration_is_not_a_denial(a)
            answers.append(a)
    return Dataset(answers, rejections or [], [])


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def recheck_recorded(history, store, since: date | None = None, skip: set[str] | None = None) -> list[CheckRecord]:
    """Pre-submission clean/not clean of every recorded claim, by checking it again.

    Used for the claims whose check outcome the store does not hold (recorded before
    migration m0200, or through the API; ``skip``: CLM01s it holds): each is read again from
    the file `check --record` stored it from (when that file still exists) and checked
    as of the day it was recorded, without a history (the DH rules would otherwise see
    the claim's own later answers). Dated by the claim's first date of service.
    """
    from ..engine import Checker
    from ..formats import InputError, iter_claims
    from ..model import Claim

    with history.engine.connect() as conn:
        if "claims" not in sa.inspect(conn).get_table_names():
            return []
        rows = conn.execute(sa.text(
            "SELECT claim_number, payer_key, source, first_dos, recorded_at FROM claims "
            "WHERE status = 'active' AND source IS NOT NULL")).all()
    wanted: dict[str, dict[str, tuple]] = defaultdict(dict)
    for number, payer, source, first_dos, recorded_at in rows:
        first_dos = date.fromisoformat(first_dos) if isinstance(first_dos, str) else first_dos
        if (since and first_dos and first_dos < since) or (skip and number in skip):
            continue
        wanted[source][number] = (payer, first_dos, recorded_at)
    checkers: dict[date, Checker] = {}
    out = []
    for source, claims in sorted(wanted.items()):
        try:
            items = list(iter_claims(source))
        except (InputError, OSError, ValueError):
            continue
        for item in items:
            if not isinstance(item, Claim) or item.claim_id not in claims:
                continue
            payer, first_dos, recorded_at = claims.pop(item.claim_id)
            if isinstance(recorded_at, str):
                recorded_at = datetime.fromisoformat(recorded_at)
            day = recorded_at.date() if isinstance(recorded_at, datetime) else (recorded_at or date.today())
            if day not in checkers:
                checkers[day] = Checker(store=store, as_of=day)  # no history: DH/HX cross-claim rules stay quiet
            result = checkers[day].check(item)
            out.append(CheckRecord(item.claim_id, payer, first_dos, result.status == "clean", rechecked=True))
    return out


def _stored_checks(conn, since: date | None) -> list[CheckRecord]:
    """What `check --record` found on each active recorded claim (migration m0200), dated by the
    claim's first date of service like the re-check."""
    rows = conn.execute(sa.text(
        "SELECT k.claim_number, k.payer_key, c.first_dos, k.clean FROM claim_checks k "
        "JOIN claims c ON c.id = k.claim_row WHERE c.status = 'active'")).all()
    out = []
    for number, payer, first_dos, clean in rows:
        first_dos = date.fromisoformat(first_dos) if isinstance(first_dos, str) else first_dos
        if since and first_dos and first_dos < since:
            continue
        out.append(CheckRecord(number, payer, first_dos, bool(clean)))
    return out


def _checks(conn, names: set[str], since: date | None) -> list[CheckRecord]:
    """Pre-submission check outcomes recorded by `check --record` (table claim_checks, m0200)."""
    if "claim_checks" in names and "claims" in names:
        return _stored_checks(conn, since)
    for table in ("check_results", "checks"):
        if table not in names:
            continue
        t = sa.Table(table, sa.MetaData(), autoload_with=conn)
        cols = t.c.keys()
        clean_col = next((c for c in ("clean", "is_clean") if c in cols), None)
        status_col = next((c for c in ("status",) if c in cols), None)
        when_col = next((c for c in ("checked_at", "checked_on", "recorded_at", "as_of") if c in cols), None)
        id_col = next((c for c in ("claim_number", "claim_id") if c in cols), None)
        if not id_col or not (clean_col or status_col):
            continue
        out = []
        for r in conn.execute(sa.select(t)).mappings():
            when = r[when_col] if when_col else None
            if isinstance(when, datetime):
                when = when.date()
            if since and when and when < since:
                continue
            clean = bool(r[clean_col]) if clean_col else str(r[status_col]).lower() == "clean"
            out.append(CheckRecord(str(r[id_col]), str(r.get("payer_key") or ""), when, clean))
        return out
    return []


# ----------------------------------------------------------------------------- tracks

@dataclass
class ClaimTrack:
    """Every answer to one claim (payer + CLP01), in date order."""

    payer: str
    claim_id: str
    answers: list[ClaimAnswer]

    @property
    def adjudications(self) -> list[ClaimAnswer]:
        return [a for a in self.answers if not a.reversal]

    @property
    def first(self) -> ClaimAnswer | None:
        return self.adjudications[0] if self.adjudications else None

    @property
    def latest(self) -> ClaimAnswer | None:
        return self.adjudications[-1] if self.adjudications else None

    def open_takeback(self) -> ClaimAnswer | None:
        """The last reversal (CLP02 22) when no adjudication came after it: the payer took its
        payment back and has not paid a corrected claim (an open recoupment)."""
        reversals = [a for a in self.answers if a.reversal]
        if not reversals:
            return None
        last = reversals[-1]
        after = [a for a in self.adjudications
                 if (a.remit_date or date.min, a.remit_claim_id) > (last.remit_date or date.min, last.remit_claim_id)]
        return None if after else last

    def recovered(self) -> list[tuple[LineAnswer, Decimal]]:
        """(first-pass denied line, paid later) for lines a later answer paid."""
        first, latest = self.first, self.latest
        if first is None or latest is first:
            return []
        later = {ln.key(): ln for ln in latest.lines}
        out = []
        for ln in first.lines:
            if ln.denial:
                again = later.get(ln.key()) or later.get((ln.code, ln.service_date))
                if again is not None and again.paid > 0:
                    out.append((ln, again.paid))
        return out


def tracks(answers: list[ClaimAnswer]) -> list[ClaimTrack]:
    grouped: dict[tuple[str, str], list[ClaimAnswer]] = defaultdict(list)
    for a in answers:
        grouped[(a.payer, a.claim_id)].append(a)
    return [ClaimTrack(p, c, sorted(items, key=lambda a: (a.remit_date or date.min, a.remit_claim_id)))
            for (p, c), items in sorted(grouped.items())]


def denied_lines(answer: ClaimAnswer) -> list[LineAnswer]:
    """The lines an answer denies (all of them when CLP02 = 4)."""
    if answer.status == "4":
        return list(answer.lines)
    return [ln for ln in answer.lines if ln.denial]


def denied_dollars(answer: ClaimAnswer) -> Decimal:
    if answer.denied_charge:
        return answer.denied_charge
    return sum((ln.denied_charge or ln.charge for ln in denied_lines(answer)), ZERO)


def month(day: date | None) -> str:
    return day.strftime("%Y-%m") if day else "unknown"


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
