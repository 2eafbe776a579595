"""Write payer answers as X12: 835 (005010X221A1) and 277CA (005010X214). Synthetic only.

Used by examples/make_remits.py and by tests that need remits. Amounts are computed,
never typed: a line's paid amount is its charge minus its adjustments, a claim's paid
amount the sum over its lines minus claim-level adjustments, and BPR02 the sum of CLP04
minus the PLB amounts (X12 005010X221A1 balancing, section 1.10.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

CENT = Decimal("0.01")
ELEMENT, COMPONENT, TERMINATOR = "*", ":", "~"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


@dataclass
class Adj:
    """One CAS triplet: group (CO/PR/OA/PI), CARC, amount (+ quantity)."""

    group: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass
class AnswerLine:
    code: str
    modifiers: list[str]
    charge: Decimal
    units: Decimal
    dos: date
    control: str | None = None  # REF*6R
    adjustments: list[Adj] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # LQ*HE
    allowed: Decimal | None = None  # AMT*B6
    original_code: str | None = None  # SVC06 when the payer changed the code

    @property
    def paid(self) -> Decimal:
        return money(self.charge - sum((a.amount for a in self.adjustments), Decimal(0)))


@dataclass
class AnswerClaim:
    claim_id: str  # CLP01 = CLM01
    status: str  # CLP02: 1 primary, 4 denied, 22 reversal
    filing: str  # CLP06: MB, MC, CI, 12 ...
    payer_control: str  # CLP07
    patient_key: str
    lines: list[AnswerLine]
    adjustments: list[Adj] = field(default_factory=list)  # claim-level CAS
    remarks: list[str] = field(default_factory=list)  # MOA remark codes
    pos: str = "11"
    frequency: str = "1"
    received: date | None = None  # DTM*050

    @property
    def charge(self) -> Decimal:
        return money(sum((ln.charge for ln in self.lines), Decimal(0)))

    @property
    def paid(self) -> Decimal:
        claim_adj = sum((a.amount for a in self.adjustments), Decimal(0))
        return money(sum((ln.paid for ln in self.lines), Decimal(0)) - claim_adj)

    @property
    def patient_responsibility(self) -> Decimal:
        every = self.adjustments + [a for ln in self.lines for a in ln.adjustments]
        return money(sum((a.amount for a in every if a.group == "PR"), Decimal(0)))

    def reversed(self) -> "AnswerClaim":
        """The CLP02=22 reversal of this claim: every amount negated (X221A1 1.10.2.8)."""
        neg = [Adj(a.group, a.carc, -a.amount, a.quantity) for a in self.adjustments]
        lines = [AnswerLine(ln.code, ln.modifiers, -ln.charge, -ln.units, ln.dos, ln.control,
                            [Adj(a.group, a.carc, -a.amount, a.quantity) for a in ln.adjustments],
                            [], -ln.allowed if ln.allowed is not None else None, ln.original_code)
                 for ln in self.lines]
        return AnswerClaim(self.claim_id, "22", self.filing, self.payer_control, self.patient_key,
                           lines, neg, [], self.pos, self.frequency, self.received)


@dataclass
class Plb:
    """One PLB adjustment: reason (WO, L6, FB, ...), reference, amount (+ reduces payment)."""

    reason: str
    reference: str
    amount: Decimal


@dataclass
class Payment:
    """One ST/SE 835: a payer's payment (or zero-pay advice) to the practice."""

    payer_name: str
    payer_id: str
    trace: str  # TRN02 check/EFT number
    paid_on: date
    claims: list[AnswerClaim]
    plb: list[Plb] = field(default_factory=list)
    payee_name: str = "BLOOM PRENATAL THERAPY"
    payee_npi: str = "1234567893"

    @property
    def total(self) -> Decimal:
        return money(sum((c.paid for c in self.claims), Decimal(0))
                     - sum((p.amount for p in self.plb), Decimal(0)))


def _amt(value) -> str:
    text = format(money(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _W:
    def __init__(self, out: TextIO):
        self.out, self.count = out, 0

    def put(self, *elements) -> None:
        values = ["" if e is None else str(e) for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.out.write(ELEMENT.join(values) + TERMINATOR + "\n")
        self.count += 1


def _isa(sender: str, receiver: str, control: int, when: datetime) -> str:
    return ELEMENT.join(["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender[:15].ljust(15), "ZZ",
                         receiver[:15].ljust(15), when.strftime("%y%m%d"), when.strftime("%H%M"), "^",
                         "00501", f"{control:09d}", "0", "T", COMPONENT]) + TERMINATOR + "\n"


def _cas(w: _W, adjustments: list[Adj]) -> None:
    """CAS segments: one per group, at most six triplets each."""
    by_group: dict[str, list[Adj]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements = ["CAS", group]
            for a in items[start:start + 6]:
                elements += [a.carc, _amt(a.amount), "" if a.quantity is None else _amt(a.quantity)]
            w.put(*elements)


def write_835(payments: list[Payment], out: TextIO, *, control: int, created: datetime,
              sender: str = "PAYERS", receiver: str = "BLOOMPT") -> None:
    """One interchange with one GS and one ST per payment."""
    out.write(_isa(sender, receiver, control, created))
    w = _W(out)
    w.put("GS", "HP", sender, receiver, created.strftime("%Y%m%d"), created.strftime("%H%M"), control, "X",
          "005010X221A1")
    for n, pay in enumerate(payments, start=1):
        w.count = 0
        w.put("ST", "835", f"{n:04d}")
        total = pay.total
        if total > 0:
            w.put("BPR", "I", _amt(total), "C", "ACH", "CCP", "01", "999999992", "DA", "123456789",
                  "1512345678", "", "01", "999988880", "DA", "98765", pay.paid_on.strftime("%Y%m%d"))
        else:
            w.put("BPR", "H", _amt(total), "C", "NON", "", "", "", "", "", "", "", "", "", "", "",
                  pay.paid_on.strftime("%Y%m%d"))
        w.put("TRN", "1", pay.trace, "1512345678")
        w.put("DTM", "405", pay.paid_on.strftime("%Y%m%d"))
        w.put("N1", "PR", pay.payer_name, "XV", pay.payer_id)
        w.put("N3", "PO BOX 5550")
        w.put("N4", "ANYTOWN", "NY", "12207")
        w.put("PER", "BL", "PROVIDER SERVICES", "TE", "8005550199")
        w.put("N1", "PE", pay.payee_name, "XX", pay.payee_npi)
        w.put("REF", "TJ", "000000000")
        w.put("LX", "1")
        for claim in pay.claims:
            _claim(w, claim)
        for start in range(0, len(pay.plb), 6):
            elements = ["PLB", pay.payee_npi, f"{pay.paid_on.year}1231"]
            for p in pay.plb[start:start + 6]:
                elements += [f"{p.reason}{COMPONENT}{p.reference}", _amt(p.amount)]
            w.put(*elements)
        w.put("SE", w.count + 1, f"{n:04d}")
    w.put("GE", len(payments), control)
    w.put("IEA", 1, f"{control:09d}")


def _claim(w: _W, c: AnswerClaim) -> None:
    w.put("CLP", c.claim_id, c.status, _amt(c.charge), _amt(c.paid), _amt(c.patient_responsibility),
          c.filing, c.payer_control, c.pos, c.frequency)
    _cas(w, c.adjustments)
    w.put("NM1", "QC", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", c.patient_key)
    if c.remarks:
        w.put("MOA", "", "", *c.remarks[:5])
    if c.received:
        w.put("DTM", "050", c.received.strftime("%Y%m%d"))
    for ln in c.lines:
        composite = COMPONENT.join(["HC", ln.code, *ln.modifiers])
        original = COMPONENT.join(["HC", ln.original_code]) if ln.original_code else ""
        w.put("SVC", composite, _amt(ln.charge), _amt(ln.paid), "", _amt(ln.units), original)
        w.put("DTM", "472", ln.dos.strftime("%Y%m%d"))
        _cas(w, ln.adjustments)
        if ln.control:
            w.put("REF", "6R", ln.control)
        if ln.allowed is not None:
            w.put("AMT", "B6", _amt(ln.allowed))
        for remark in ln.remarks:
            w.put("LQ", "HE", remark)


@dataclass
class Ack:
    """One claim's 277CA status: accepted (A2:20) or rejected (A7:<status>)."""

    claim_id: str
    patient_key: str
    charge: Decimal
    dos: date
    category: str = "A2"
    status: str = "20"
    entity: str = ""  # STC01-3, e.g. 85 billing provider
    payer_control: str = ""
    free_text: str = ""  # STC12


def write_277ca(payer_name: str, payer_id: str, acks: list[Ack], out: TextIO, *, control: int,
                created: datetime, batch_ref: str, sender: str = "CLEARINGHOUSE",
                receiver: str = "BLOOMPT") -> None:
    """A 277CA (005010X214) answering one 837P batch for one payer."""
    out.write(_isa(sender, receiver, control, created))
    w = _W(out)
    day = created.strftime("%Y%m%d")
    w.put("GS", "HN", sender, receiver, day, created.strftime("%H%M"), control, "X", "005010X214")
    w.count = 0
    w.put("ST", "277", "0001", "005010X214")
    w.put("BHT", "0085", "08", batch_ref, day, created.strftime("%H%M"), "TH")
    w.put("HL", "1", "", "20", "1")
    w.put("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id)
    w.put("TRN", "1", batch_ref)
    w.put("DTP", "050", "D8", day)
    w.put("DTP", "009", "D8", day)
    w.put("HL", "2", "1", "21", "1")
    w.put("NM1", "41", "2", "BLOOMPT", "", "", "", "", "46", "BLOOMPT")
    w.put("TRN", "2", batch_ref)
    accepted = [a for a in acks if a.category == "A2"]
    rejected = [a for a in acks if a.category != "A2"]
    w.put("STC", "A1:19:PR", day, "WQ", _amt(sum((a.charge for a in acks), Decimal(0))))
    w.put("QTY", "90", len(accepted))
    w.put("QTY", "AA", len(rejected))
    w.put("AMT", "YU", _amt(sum((a.charge for a in accepted), Decimal(0))))
    w.put("AMT", "YY", _amt(sum((a.charge for a in rejected), Decimal(0))))
    w.put("HL", "3", "2", "19", "1")
    w.put("NM1", "85", "2", "BLOOM PRENATAL THERAPY", "", "", "", "", "XX", "1234567893")
    w.put("TRN", "1", "0")
    w.put("QTY", "QA", len(accepted))
    w.put("QTY", "QC", len(rejected))
    w.put("AMT", "YU", _amt(sum((a.charge for a in accepted), Decimal(0))))
    w.put("AMT", "YY", _amt(sum((a.charge for a in rejected), Decimal(0))))
    for hl, a in enumerate(acks, start=4):
        w.put("HL", hl, "3", "PT")
        w.put("NM1", "QC", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", a.patient_key)
        w.put("TRN", "2", a.claim_id)
        stc = COMPONENT.join(x for x in (a.category, a.status, a.entity) if x)
        w.put("STC", stc, day, "WQ" if a.category == "A2" else "U", _amt(a.charge),
              "", "", "", "", "", "", "", a.free_text)
        if a.payer_control:
            w.put("REF", "1K", a.payer_control)
        w.put("DTP", "472", "D8", a.dos.strftime("%Y%m%d"))
    w.put("SE", w.count + 1, "0001")
    w.put("GE", 1, control)
    w.put("IEA", 1, f"{control:09d}")
