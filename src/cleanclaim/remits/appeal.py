"""Gather what an appeal of one denied claim needs: the denial, the claim, the note, the rules.

:func:`find_case` reads the store (the payer's answers to the claim, the claim as
recorded) and the claim file it was recorded from (diagnoses are not stored), and
finds the visit note when a notes folder is given. ``appeal_letter`` turns the case
into the packet's Markdown; ``appeal_pdf`` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from .analytics import ClaimAnswer, LineAnswer, denied_lines, load, tracks


class AppealError(ValueError):
    """No appealable denial for the claim asked (the message says what was found)."""


@dataclass
class StoredClaim:
    """The claim as `check --record` stored it (identity, patient key, dates, source file)."""

    billing_npi: str
    payer_key: str
    claim_number: str
    patient_key: str | None
    birth_date: date | None
    prior_authorization: str | None
    source: str | None
    frequency_code: str | None


@dataclass
class AppealCase:
    claim_id: str
    answer: ClaimAnswer  # the answer appealed (latest adjudication with a denial)
    lines: list[LineAnswer]  # its denied lines
    bucket: str
    filing_indicator: str | None
    stored: StoredClaim | None = None
    claim: object | None = None  # model.Claim read again from its file, when found
    note: object | None = None  # notes.Note linked to the claim, when found
    accepted_on: date | None = None  # 277CA/999 acceptance date (proof of timely filing)
    policy_refs: list[str] = field(default_factory=list)
    earlier: list[ClaimAnswer] = field(default_factory=list)  # other answers to the claim
    findings: list = field(default_factory=list)  # `check` errors on the claim as sent (biller notes)

    @property
    def payer(self) -> str:
        return self.answer.payer

    @property
    def denied_total(self) -> Decimal:
        return sum((ln.denied_charge or ln.charge for ln in self.lines), Decimal("0.00"))

    @property
    def payer_type(self) -> str:
        indicator = (self.filing_indicator or (self.claim.payer.claim_filing_indicator if self.claim else "")
                     or "").upper()
        return {"MA": "medicare", "MB": "medicare", "MC": "medicaid"}.get(indicator, "commercial")


def find_case(history, claim_id: str, *, payer: str | None = None, claim_files=(), notes=None,
              store=None) -> AppealCase:
    """The appealable denial of ``claim_id`` (optionally for one payer) with its context."""
    data = load(history)
    wanted = [t for t in tracks(data.answers) if t.claim_id == claim_id
              and (payer is None or payer.upper() in (t.payer.upper(), (t.first.payer_id or "").upper()))]
    if not wanted:
        rejected = [r for r in data.rejections if r.claim_id == claim_id]
        if rejected:
            r = rejected[-1]
            raise AppealError(f"claim {claim_id!r} was rejected at the front end ({r.kind} "
                              f"{r.status or ''}:{r.claim_status_code or ''} on {r.response_date}"
                              + (f": {r.description}" if r.description else "") + "); a rejected claim "
                              "never reached adjudication: correct it and send it again (no appeal)")
        raise AppealError(f"no 835 answer for claim {claim_id!r}" + (f" from {payer!r}" if payer else "")
                          + " in the store; import the payer's 835 first (`cleanclaim remit import`)")
    denied = [(t, a) for t in wanted for a in reversed(t.adjudications) if denied_lines(a) or a.denial]
    if not denied:
        raise AppealError(f"claim {claim_id!r} has no denial to appeal (every answer paid it)")
    track, answer = denied[0]
    lines = denied_lines(answer)
    bucket = next((ln.bucket for ln in lines if ln.bucket), None) or answer.bucket or "other"
    case = AppealCase(claim_id, answer, lines, bucket, _filing_indicator(history, answer),
                      earlier=[a for a in track.answers if a is not answer])
    case.stored = _stored_claim(history, answer, claim_id)
    files = [str(p) for p in claim_files] or ([case.stored.source] if case.stored and case.stored.source
                                              and Path(case.stored.source).is_file() else [])
    if files:
        from .underpayment import claims_from_files

        case.claim = claims_from_files(files).get(claim_id)
    if notes:
        case.note = find_note(notes, claim_id)
    case.accepted_on = _accepted_on(history, claim_id)
    if case.claim is not None:
        case.policy_refs = policy_references(case, store)
        case.findings = check_findings(case.claim, store)
    return case


def check_findings(claim, store) -> list:
    """The error findings `check` reports on the claim as it was sent (history rules off)."""
    try:
        from ..engine import Checker

        checker = Checker(store=store, as_of=date.today(), ignore=["DH"]) if store is not None else \
            Checker(as_of=date.today(), ignore=["DH"])
        return [f for f in checker.check(claim).findings if f.severity == "error"]
    except Exception:  # advisory only: the packet is written without them
        return []


def _filing_indicator(history, answer: ClaimAnswer) -> str | None:
    from . import schema as rs

    with history.engine.connect() as conn:
        return conn.execute(sa.select(rs.remit_claim.c.filing_indicator)
                            .where(rs.remit_claim.c.id == answer.remit_claim_id)).scalar()


def _stored_claim(history, answer: ClaimAnswer, claim_id: str) -> StoredClaim | None:
    with history.engine.connect() as conn:
        if "claims" not in sa.inspect(conn).get_table_names():
            return None
        cols = ("billing_npi, payer_key, claim_number, patient_key, patient_birth_date, prior_authorization, "
                "source, frequency_code")
        row = None
        if answer.history_claim_id:
            row = conn.execute(sa.text(f"SELECT {cols} FROM claims WHERE id = :id"),
                               {"id": answer.history_claim_id}).first()
        if row is None:
            row = conn.execute(sa.text(f"SELECT {cols} FROM claims WHERE claim_number = :c ORDER BY id DESC"),
                               {"c": claim_id}).first()
    if row is None:
        return None
    birth = row[4]
    if isinstance(birth, str):
        birth = date.fromisoformat(birth)
    return StoredClaim(row[0], row[1], row[2], row[3], birth, row[5], row[6], row[7])


def _accepted_on(history, claim_id: str) -> date | None:
    from . import schema as rs

    with history.engine.connect() as conn:
        if "frontend_response" not in sa.inspect(conn).get_table_names():
            return None
        return conn.execute(sa.select(sa.func.min(rs.frontend_response.c.response_date)).where(
            rs.frontend_response.c.claim_id == claim_id, rs.frontend_response.c.accepted.is_(True))).scalar()


def find_note(notes, claim_id: str):
    """The note linked to ``claim_id`` in a notes file or folder (front matter or file name)."""
    try:
        from ..notes import read_notes
    except ImportError:
        return None
    for note in read_notes(notes):
        linked = str(note.meta.get("claim_id") or "") or Path(note.source or "").stem
        if linked == claim_id:
            return note
    return None


def policy_references(case: AppealCase, store=None) -> list[str]:
    """Citations of the payer policy rules (POLICY's packs) that bear on the denied lines."""
    try:
        from ..policies import default_packs
    except ImportError:
        return []
    claim = case.claim
    try:
        policy = default_packs().for_claim(claim)
    except Exception:  # a pack problem must not stop the letter; the references just lack it
        return []
    refs: list[str] = []
    for ln in case.lines:
        on = ln.service_date
        taxonomy = None
        rendering = claim.rendering_for(claim.lines[0]) if claim.lines else None
        if rendering is not None:
            taxonomy = rendering.taxonomy
        rules = []
        try:
            if case.bucket in ("medical_necessity", "coverage"):
                rules += [policy.coverage(ln.code, on)] + list(policy.diagnosis_requirements(ln.code, on))
            if case.bucket == "authorization":
                rules.append(policy.prior_auth(ln.code, on))
            if case.bucket == "credentialing":
                rules.append(policy.credential(ln.code, taxonomy, on))
            if case.bucket == "coverage":
                rules += list(policy.visit_caps(on))
        except Exception:
            continue
        for r in rules:
            if r is not None and r.authority not in refs:
                refs.append(r.authority)
    return refs
