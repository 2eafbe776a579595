"""Gather what an appeal of one denied claim needs: the denial, the claim, the note, the rules.

:func:`find_case` reads the store (the payer's answers to the claim, the claim as
recorded) and the claim file it was recorded from (diagnoses are not stored; a file
that is no longer there is named in ``case.warnings``), and finds the visit note when
a notes folder is given. It refuses (``AppealError``) what should not be appealed
(``appeal_rules``): lines a later answer already paid, a denial without appeal rights
(MA130, CO-16), a medical-necessity denial that `check` predicted from the claim or
note, an open takeback; ``force=True`` writes the packet anyway with the reason in
``case.warnings``. ``appeal_letter`` turns the case into the packet's Markdown;
``appeal_pdf`` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from .analytics import ClaimAnswer, LineAnswer, denied_lines, load, tracks
from .appeal_rules import (REOPENING, Deadline, contradicting_findings, deadline, no_appeal_rights,
                           recovered_later)


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
    policy_refs: list[str] = field(default_factory=list)  # the payer's own published policy (packs)
    general_refs: list[str] = field(default_factory=list)  # authorities behind cleanclaim's assumed defaults
    warnings: list[str] = field(default_factory=list)  # for the biller (and stderr): missing file, --force
    deadline: Deadline | None = None
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
              store=None, force: bool = False) -> AppealCase:
    """The appealable denial of ``claim_id`` (optionally for one payer) with its context."""
    data = load(history)
    wanted = [t for t in tracks(data.answers) if t.claim_id == claim_id
              and (payer is None or payer.upper() in (t.payer.upper(), (t.answers[0].payer_id or "").upper()))]
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
        takeback = open_takeback(wanted)
        if takeback:
            raise AppealError(f"claim {claim_id!r}: {takeback}")
        raise AppealError(f"claim {claim_id!r} has no denial to appeal (every answer paid it)")
    track, answer = denied[0]
    lines = denied_lines(answer)
    bucket = next((ln.bucket for ln in lines if ln.bucket), None) or answer.bucket or "other"
    case = AppealCase(claim_id, answer, lines, bucket, _filing_indicator(history, answer),
                      earlier=[a for a in track.answers if a is not answer])
    _refuse_recovered(case, track, force)
    rights = no_appeal_rights(case.lines, answer)
    if rights:
        advice = ("; to correct a Medicare Part B claim: " + REOPENING) if case.payer_type == "medicare" \
            and "CARC 16" in rights else ""
        _refuse(case, force, f"claim {claim_id!r}: no appeal letter: {rights}{advice}")
    case.stored = _stored_claim(history, answer, claim_id)
    files = [str(p) for p in claim_files]
    if not files and case.stored and case.stored.source:
        source = case.stored.source
        if Path(source).is_file():
            files = [source]
        else:
            case.warnings.append(
                f"the claim file `check --record` recorded this claim from ({source}) is not found"
                + (" (a relative path, read from the current folder)" if not Path(source).is_absolute() else "")
                + ": the practice name, diagnoses, rendering provider and billed lines are left out of the "
                  "letter and `check` could not be run on the claim; pass the file with --claims FILE")
    if files:
        from .underpayment import claims_from_files

        case.claim = claims_from_files(files).get(claim_id)
        if case.claim is None:
            case.warnings.append(f"claim {claim_id} is not in {', '.join(files)}: the practice name, diagnoses, "
                                 "rendering provider and billed lines are left out of the letter")
    if notes:
        case.note = find_note(notes, claim_id)
    case.accepted_on = _accepted_on(history, claim_id)
    case.deadline = deadline(case.payer_type, answer.remit_date)
    if case.claim is not None:
        case.policy_refs, case.general_refs = policy_references(case, store)
        case.findings = check_findings(case.claim, store, note=case.note, history=history)
    elif case.stored is not None:  # the file is gone: what `check --record` found when it recorded it
        case.findings = recorded_findings(history, case.stored)
    if case.findings:
        against = contradicting_findings(case.findings, case.bucket, case.lines)
        if against:
            said = "; ".join(f"{f.code}: {f.message}" for f in against)
            _refuse(case, force, f"claim {claim_id!r}: `cleanclaim check` finds on the claim as sent what the "
                                 f"payer denied ({said}); an appeal would argue against what the claim as sent "
                                 "shows: correct the claim (e.g. diagnoses, documentation, authorisation number, "
                                 "modifiers or units) and send it again" + (" (Medicare Part B: " + REOPENING + ")"
                                                    if case.payer_type == "medicare" else "")
                                 + ", or accept the denial")
    return case


def _refuse(case: AppealCase, force: bool, reason: str) -> None:
    if not force:
        raise AppealError(reason + " (--force writes the packet anyway)")
    case.warnings.append("written with --force although " + reason)


def _refuse_recovered(case: AppealCase, track, force: bool) -> None:
    """Drop the lines a later answer paid; refuse when none is left (a duplicate payment risk)."""
    paid = recovered_later(track, case.answer, case.lines)
    if not paid:
        return
    said = ", ".join(f"line {ln.position} {ln.code} paid ${amount:,.2f} on {later.remit_date}"
                     for ln, later, amount in paid)
    reason = (f"claim {case.claim_id!r}: the {case.answer.remit_date} denial was reprocessed since ({said}): "
              "appealing a line already paid asks the payer to pay it twice")
    left = [ln for ln in case.lines if all(ln is not p for p, _, _ in paid)]
    if left:
        case.lines = left
        case.warnings.append(reason + "; those lines are left out of this packet")
        return
    _refuse(case, force, reason + "; nothing is left to appeal")


def open_takeback(wanted) -> str | None:
    """A reversal (CLP02 22) no later adjudication replaced: the payer took the money back."""
    for t in wanted:
        last = t.open_takeback()
        if last is not None:
            return (f"{t.payer} reversed its payment on {last.remit_date} (CLP02 22, ${abs(last.paid):,.2f} taken "
                    "back) and has not paid a corrected claim since: an open recoupment (takeback), not a denial "
                    "this packet answers; check that remittance's PLB adjustments and ask the payer why (dispute "
                    "the recoupment, or send a corrected claim)")
    return None


def recorded_findings(history, stored: StoredClaim) -> list:
    """The error findings `check --record` kept for the claim (migration m0200), as Findings
    without message text (the code names the rule: `cleanclaim rules CODE`)."""
    from ..findings import Finding

    with history.engine.connect() as conn:
        if "claim_checks" not in sa.inspect(conn).get_table_names():
            return []
        row = conn.execute(sa.text(
            "SELECT k.codes, k.checked_at FROM claim_checks k JOIN claims c ON c.id = k.claim_row "
            "WHERE c.billing_npi = :npi AND c.payer_key = :payer AND c.claim_number = :number"),
            {"npi": stored.billing_npi, "payer": stored.payer_key, "number": stored.claim_number}).first()
    if row is None or not row[0]:
        return []
    out = []
    for item in row[0].split():
        code, _, line = item.partition(":")
        out.append(Finding(code, "error", f"found by `check --record` on {str(row[1])[:10]} (the claim file is "
                                          "gone: message not kept)", line=int(line) if line.isdigit() else None))
    return out


def check_findings(claim, store, note=None, history=None) -> list:
    """The error and warning findings `check` reports on the claim as it was sent, with the
    claim history (visit caps and KX count the patient's other recorded claims; the claim's
    own recorded version is left out); the DOC rules read the visit note when one is linked."""
    try:
        from ..engine import Checker

        options = {"note_text": note.text} if note is not None and getattr(note, "text", None) else None
        kwargs = {"as_of": date.today(), "ignore": ["DH"], "options": options}
        checker = Checker(store=store, **kwargs) if store is not None else Checker(**kwargs)
        checker.ctx.history = history
        return [f for f in checker.check(claim).findings if f.severity in ("error", "warning")]
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


def policy_references(case: AppealCase, store=None) -> tuple[list[str], list[str]]:
    """(payer policy citations, other authorities) of the pack rules (POLICY) that bear on the
    denied lines. Only a payer pack's own rule (enforcement: payer, not the base pack) is the
    plan's policy; cleanclaim's assumed defaults and base rules give only their citation."""
    try:
        from ..policies import default_packs
    except ImportError:
        return [], []
    claim = case.claim
    try:
        policy = default_packs().for_claim(claim)
    except Exception:  # a pack problem must not stop the letter; the references just lack it
        return [], []
    refs: list[str] = []
    general: list[str] = []
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
            if r is None:
                continue
            into = general if (getattr(r, "assumed", False) or getattr(r, "pack", "base") == "base") else refs
            if r.citation not in into:
                into.append(r.citation)
    return refs, [g for g in general if g not in refs]
