"""Group code + CARC + RARC in plain words, from the shipped CARC/RARC table and its dates.

Descriptions come from ``CodeStore.adjustment_code`` (the X12 CARC/RARC list, June 2024
release). A code is *valid* on the remit date when start <= date < stop (the list's
stop date is the first day the code may no longer be used). A code missing from the
table, or used outside its dates, is a warning (RM020 / RM021), never an error: payers
send newer codes than any shipped table.

The group sentences paraphrase X12's Claim Adjustment Group Code definitions
(x12.org/codes/claim-adjustment-group-codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .buckets import BUCKETS, CONTRACTUAL, bucket_for, is_denial_adjustment
from .model import Adjustment, Problem, Remark, Remittance

GROUP_MEANING = {
    "CO": "The provider writes this amount off under its contract or a regulation; "
          "the patient may not be billed for it.",
    "PR": "The patient (or the next payer) may be billed for this amount.",
    "OA": "An adjustment no other group fits (often the effect of another payer's payment); "
          "the patient is not billed for it on this basis.",
    "PI": "The payer reduced the payment on its own judgement, without a contract term; "
          "the patient is not billed for it, and it can be appealed.",
    "CR": "A correction or reversal of an earlier adjudication.",
}
# CLP02 claim status codes, 835 TR3 005010X221A1 (2100 CLP02).
CLAIM_STATUS = {
    "1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary",
    "4": "denied", "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)", "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)", "25": "predetermination pricing only, no payment",
}
KINDS = {"group": "group code", "carc": "CARC", "rarc": "RARC"}


@dataclass
class CodeInfo:
    kind: str  # group | carc | rarc
    code: str
    description: str | None
    known: bool  # in the shipped table
    valid: bool | None  # valid on the date asked (None: no date or unknown code)
    start: date | None = None
    end: date | None = None
    release: str | None = None
    note: str | None = None  # why it is a warning

    def as_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "description": self.description, "known": self.known,
                "valid": self.valid, "start": _iso(self.start), "end": _iso(self.end), "note": self.note}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def lookup(store, kind: str, code: str, on: date | None = None) -> CodeInfo:
    """One code from the shipped table, with its validity on ``on``."""
    row = store.adjustment_code(kind, code) if code else None
    label = KINDS[kind]
    if row is None:
        return CodeInfo(kind, code, None, False, None,
                        note=f"{label} {code!r} is not in the shipped CARC/RARC list; look it up in the "
                             "current X12 list (x12.org/codes)")
    info = CodeInfo(kind, row.code, row.description, True, None, row.start, row.end, row.release)
    if on is not None:
        if row.start and on < row.start:
            info.valid = False
            info.note = f"{label} {row.code} takes effect {row.start.isoformat()}, after the remit date {on.isoformat()}"
        elif row.end and on >= row.end:
            info.valid = False
            info.note = f"{label} {row.code} was stopped on {row.end.isoformat()}, before the remit date {on.isoformat()}"
        else:
            info.valid = True
    return info


@dataclass
class Explanation:
    """One adjustment explained."""

    group: CodeInfo
    carc: CodeInfo
    remarks: list[CodeInfo] = field(default_factory=list)
    amount: Decimal | None = None
    quantity: Decimal | None = None
    denial: bool = False
    bucket: str | None = None
    bucket_why: str | None = None
    text: str = ""

    @property
    def label(self) -> str:
        return f"{self.group.code}-{self.carc.code}"

    def as_dict(self) -> dict:
        return {"label": self.label, "amount": None if self.amount is None else str(self.amount),
                "quantity": None if self.quantity is None else str(self.quantity), "denial": self.denial,
                "bucket": self.bucket, "bucket_why": self.bucket_why, "text": self.text,
                "group": self.group.as_dict(), "carc": self.carc.as_dict(),
                "remarks": [r.as_dict() for r in self.remarks]}


def explain(store, group: str | None, carc: str, rarcs=(), *, on: date | None = None,
            amount: Decimal | None = None, quantity: Decimal | None = None) -> Explanation:
    """Explain a group + CARC (+ RARCs). Without a group only the codes are explained."""
    group = (group or "").upper()
    g = lookup(store, "group", group, on) if group else CodeInfo("group", "", None, False, None)
    c = lookup(store, "carc", carc.upper(), on)
    remarks = [lookup(store, "rarc", r.upper(), on) for r in rarcs]
    adj = Adjustment(group, c.code, amount if amount is not None else Decimal(1), quantity)
    denial = bool(group) and is_denial_adjustment(adj)
    bucket, why = bucket_for(adj, [Remark(r.code, "") for r in remarks])
    parts = []
    head = f"{group}-{c.code}" if group else f"CARC {c.code}"
    if amount is not None:
        head += f" {amount}"
    what = c.description or "(code not in the shipped CARC/RARC list)"
    parts.append(f"{head}: {_sentence(what)}")
    if group:
        parts.append(f"{g.description or 'unknown group'}: {GROUP_MEANING.get(group, 'unknown group code.')}")
    for r in remarks:
        parts.append(f"Remark {r.code}: {_sentence(r.description or '(not in the shipped CARC/RARC list)')}")
    if denial:
        source = f"by {why.split(':')[0]}" if ":" in why else why
        parts.append(f"Counts as a denial; root cause: {BUCKETS[bucket]} ({source}).")
    elif group and (group, c.code) in CONTRACTUAL:
        parts.append("Not a denial: a contractual adjustment (the contracted/fee-schedule reduction"
                     + (", or the capitation payment)." if c.code == "24" else ")."))
    elif group == "PR" and c.code in ("1", "2", "3"):
        parts.append("Not a denial: the patient's deductible, coinsurance or copay.")
    elif (group, c.code) == ("CO", "253"):
        parts.append("Not a denial: the legislated Medicare sequestration reduction.")
    if denial and (group, c.code) == ("OA", "23"):
        parts.append("On a claim this payer processed as secondary or tertiary (CLP02 2, 3, 20 or 21) it is the "
                     "prior payer's share and not a denial.")
    notes = [i.note for i in (g, c, *remarks) if i.note and (i.kind != "group" or group)]
    parts.extend(f"Warning: {n}." for n in notes)
    return Explanation(g, c, remarks, amount, quantity, denial, bucket if denial else None,
                       why if denial else None, " ".join(parts))


def _sentence(text: str) -> str:
    return text if text.endswith((".", ")", "?", "!")) else text + "."


def explain_adjustment(store, adj: Adjustment, remarks: list[Remark] | tuple = (), on: date | None = None) -> Explanation:
    return explain(store, adj.group, adj.carc, [r.code for r in remarks], on=on, amount=adj.amount,
                   quantity=adj.quantity)


def code_problems(remit: Remittance, store) -> list[Problem]:
    """RM020 (not in the table) and RM021 (not valid on the remit date) warnings, one per code."""
    on = remit.remit_date
    seen: set[tuple[str, str]] = set()
    problems = []

    def check(kind: str, code: str, claim_id: str, number: int | None, sid: str) -> None:
        if (kind, code) in seen:
            return
        seen.add((kind, code))
        info = lookup(store, kind, code, on)
        if info.known and info.valid is not False:
            return
        where = remit.file_segment + number - 1 if remit.file_segment and number else None
        problems.append(Problem("RM020" if not info.known else "RM021", "warning", info.note, remit.source,
                                number, sid, where, claim_id, remit.set_control))

    for claim in remit.claims:
        for adj in claim.adjustments:
            check("group", adj.group, claim.claim_id, adj.segment_number or claim.segment_number, "CAS")
            check("carc", adj.carc, claim.claim_id, adj.segment_number or claim.segment_number, "CAS")
        for r in claim.remarks:
            check("rarc", r.code, claim.claim_id, r.segment_number or claim.segment_number, r.source)
        for line in claim.lines:
            for adj in line.adjustments:
                check("group", adj.group, claim.claim_id, adj.segment_number or line.segment_number, "CAS")
                check("carc", adj.carc, claim.claim_id, adj.segment_number or line.segment_number, "CAS")
            for r in line.remarks:
                check("rarc", r.code, claim.claim_id, r.segment_number or line.segment_number, "LQ")
    return problems
