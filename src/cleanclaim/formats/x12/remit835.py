"""X12 835 reader (005010X221A1): remittances, streaming one transaction set at a time.

``iter_835(path)`` yields one :class:`~cleanclaim.remits.model.Remittance` per ST..SE
(payer N1*PR and payee N1*PE scoped to it) and file-level Problems. Nothing in the
data is fatal: a bad value is a Problem naming the file, segment number and segment id,
and the rest is read. Balancing is checked at SE and reported as warnings.

Problem codes: RM001 envelope, RM002 bad element value, RM003 segment out of place,
RM010 line / RM011 claim / RM012 payment does not balance, RM020 unknown code,
RM021 code not valid on the remit date (remits.explain), RM030 component separator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from ...remits.model import (
    Adjustment, Party, Problem, ProviderAdjustment, Remark, RemitClaim, RemitLine, Remittance,
)
from .claims import BadValue, amount, d8
from .transactions import SetContext, SetHandler, file_chunks, walk

MIA_REMARKS = (5, 20, 21, 22, 23)  # MIA05, MIA20-MIA23 claim payment remark codes
MOA_REMARKS = (3, 4, 5, 6, 7)  # MOA03-MOA07
GROUP_CODES = ("CO", "CR", "OA", "PI", "PR")  # CAS01, X12 Claim Adjustment Group Codes


def iter_835(path: Path | str, store=None) -> Iterator[Remittance | Problem]:
    """Remittances (one per transaction set) and file-level Problems of an 835 file.

    With a CodeStore, each remittance also gets RM020/RM021 warnings for CARC/RARC
    codes the shipped table does not know or that are not valid on the remit date.
    """
    yield from _read(file_chunks(path), str(path), store)


def iter_835_text(text: str, source: str = "<text>", store=None) -> Iterator[Remittance | Problem]:
    yield from _read([text], source, store)


def read_835(path: Path | str, store=None) -> tuple[list[Remittance], list[Problem]]:
    """The whole file: (remittances, file-level problems)."""
    remits, problems = [], []
    for item in iter_835(path, store):
        (remits if isinstance(item, Remittance) else problems).append(item)
    return remits, problems


def _read(chunks, source: str, store) -> Iterator[Remittance | Problem]:
    def factory(ctx: SetContext):
        if ctx.set_id == "835":
            return Remit835(ctx)
        return _Skipped(ctx)

    for item in walk(chunks, source, factory):
        if isinstance(item, Remittance) and store is not None:
            from ...remits.explain import code_problems

            item.problems.extend(code_problems(item, store))
        yield item


class _Skipped(SetHandler):
    def segment(self, els, number):
        if number == 1:
            self.add("RM001", "warning", f"transaction set {self.ctx.set_control} is a {self.ctx.set_id}, "
                     "not an 835; skipped", 1, "ST")

    def close(self):
        return self.problems


def _el(els: list[str], i: int) -> str:
    return els[i].strip() if len(els) > i else ""


class Remit835(SetHandler):
    """Builds one Remittance from the segments of one 835 transaction set."""

    def __init__(self, ctx: SetContext):
        super().__init__(ctx)
        self.remit = Remittance(source=ctx.source, interchange_control=ctx.interchange_control,
                                group_control=ctx.group_control, set_control=ctx.set_control,
                                file_segment=ctx.start_segment or None)
        self.bpr_number: int | None = None
        self.party: Party | None = None  # the open 1000A/1000B loop
        self.claim: RemitClaim | None = None
        self.line: RemitLine | None = None
        self.in_summary = False
        self.handlers = {
            "BPR": self._bpr, "TRN": self._trn, "N1": self._n1, "REF": self._ref, "DTM": self._dtm,
            "CLP": self._clp, "CAS": self._cas, "NM1": self._nm1, "MIA": self._mia, "MOA": self._moa,
            "SVC": self._svc, "AMT": self._amt, "LQ": self._lq, "PLB": self._plb,
        }

    # -- values ---------------------------------------------------------------
    def _amount(self, els, i, number, required=False) -> Decimal | None:
        value = els[i] if len(els) > i else ""
        if value[:1] == " " or value[-1:] == " ":
            value = value.strip()
        if not value:
            if required:
                self.add("RM002", "error", f"{els[0]}{i:02d} (amount) is missing", number, els[0], self._claim_id())
            return None
        try:
            return amount(value, f"{els[0]}{i:02d}")
        except BadValue as exc:
            self.add("RM002", "error", str(exc), number, els[0], self._claim_id())
            return None

    def _date(self, value: str, element: str, number: int, sid: str, severity: str = "error") -> date | None:
        if not value:
            return None
        try:
            return d8(value, element)
        except BadValue as exc:
            self.add("RM002", severity, str(exc) + ("; the production date (DTM*405) is the remit date instead"
                                                    if severity == "warning" else ""), number, sid, self._claim_id())
            return None

    def _claim_id(self) -> str | None:
        return self.claim.claim_id if self.claim else None

    def _out_of_place(self, els, number, where: str) -> None:
        self.add("RM003", "warning", f"{els[0]} {where}; ignored", number, els[0], self._claim_id())

    # -- segments -------------------------------------------------------------
    def segment(self, els: list[str], number: int) -> None:
        if number == 1 and "X221" not in self.ctx.convention:
            self.add("RM001", "warning", f"transaction set {self.ctx.set_control} does not name 005010X221 in "
                     f"ST03 or GS08 ({self.ctx.convention[:20]!r}); read as an 835", 1, "ST")
        handler = self.handlers.get(els[0])
        if handler is not None:
            handler(els, number)

    def _bpr(self, els, n):
        r = self.remit
        self.bpr_number = n
        r.handling_code = _el(els, 1) or None
        r.payment_amount = self._amount(els, 2, n, required=True)
        r.credit_debit = _el(els, 3) or None
        r.payment_method = _el(els, 4) or None
        # an unreadable BPR16 loses no money: DTM*405 dates the remit (X12 sample managed-care.835: 20002316)
        r.payment_date = self._date(_el(els, 16), "BPR16", n, "BPR", "warning")
        shifted = _el(els, 15)
        if r.payment_date is None and len(els) == 16 and len(shifted) == 8 and shifted.isdigit():
            self.add("RM002", "warning", f"BPR16 (payment date) is missing; BPR15 (account number) holds "
                     f"'{shifted}', a date one element early; not used as the payment date", n, "BPR")

    def _trn(self, els, n):
        if self.claim is None:
            self.remit.trace_number = _el(els, 2) or None
            self.remit.trace_originator = _el(els, 3) or None

    def _n1(self, els, n):
        if self.claim is not None:
            return
        qualifier = _el(els, 1)
        party = Party(_el(els, 2) or None, _el(els, 3) or None, _el(els, 4) or None)
        if qualifier == "PR":
            self.remit.payer = self.party = party
        elif qualifier == "PE":
            self.remit.payee = self.party = party
        else:
            self.party = None

    def _ref(self, els, n):
        qualifier, value = _el(els, 1), _el(els, 2) or None
        if self.line is not None:
            if qualifier == "6R":
                self.line.control_number = value
        elif self.claim is None:
            if qualifier == "2U" and self.party is self.remit.payer:
                self.remit.payer = Party(self.remit.payer.name, "2U", value)
                self.party = self.remit.payer
            elif qualifier == "TJ" and self.party is self.remit.payee:
                self.remit.payee_tax_id = value

    def _dtm(self, els, n):
        qualifier = _el(els, 1)
        when = self._date(_el(els, 2), f"DTM02 ({qualifier})", n, "DTM")
        if self.line is not None:
            if qualifier in ("472", "150"):
                self.line.service_date = when
            elif qualifier == "151":
                self.line.service_date_end = when
        elif self.claim is not None:
            if qualifier == "232":
                self.claim.statement_start = when
            elif qualifier == "233":
                self.claim.statement_end = when
            elif qualifier == "050":
                self.claim.received_date = when
        elif qualifier == "405":
            self.remit.production_date = when

    def _clp(self, els, n):
        self.line = None
        claim_id = _el(els, 1)
        if not claim_id:
            self.add("RM002", "error", "CLP01 (patient control number) is missing", n, "CLP")
        self.claim = RemitClaim(position=len(self.remit.claims) + 1, claim_id=claim_id,
                                status_code=_el(els, 2), segment_number=n)
        c = self.claim
        c.charge = self._amount(els, 3, n, required=True)
        c.paid = self._amount(els, 4, n, required=True)
        c.patient_responsibility = self._amount(els, 5, n)
        c.filing_indicator = _el(els, 6) or None
        c.payer_claim_control = _el(els, 7) or None
        c.facility_code = _el(els, 8) or None
        c.frequency_code = _el(els, 9) or None
        self.remit.claims.append(c)

    def _cas(self, els, n):
        target = self.line or self.claim
        if target is None:
            return self._out_of_place(els, n, "before any CLP")
        group = _el(els, 1)
        if group not in GROUP_CODES:
            self.add("RM002", "error", f"CAS01 '{group[:10]}' is not a claim adjustment group code "
                     "(CO, CR, OA, PI or PR)", n, "CAS", self._claim_id())
        if any(e.strip() for e in els[20:]):  # TR3: CAS has 19 elements, six triplets at most
            self.add("RM002", "error", f"CAS has {len(els) - 1} elements; the 835 allows six triplets "
                     f"(CAS02-CAS19), so CAS20 onward ('{'*'.join(e.strip() for e in els[20:])[:40]}') "
                     "cannot be read: split the adjustments over two CAS segments", n, "CAS", self._claim_id())
        for base in range(2, min(len(els), 20), 3):  # six triplets at most: CAS02-04 .. CAS17-19
            carc = els[base].strip()
            if not carc:
                if _el(els, base + 1):
                    self.add("RM002", "error", f"CAS{base + 1:02d} amount without a reason code", n, "CAS",
                             self._claim_id())
                continue
            value = self._amount(els, base + 1, n, required=True)
            if value is None:
                continue
            quantity = self._amount(els, base + 2, n)
            target.adjustments.append(Adjustment(group, carc, value, quantity, n))

    def _nm1(self, els, n):
        if self.claim is None or self.line is not None:
            return
        qualifier = _el(els, 1)
        if qualifier == "QC":
            self.claim.patient_key = _el(els, 9) or None
        elif qualifier == "82" and _el(els, 8) == "XX":
            self.claim.rendering_npi = _el(els, 9) or None

    def _remarks(self, els, n, positions, source):
        if self.claim is None:
            return self._out_of_place(els, n, "before any CLP")
        for i in positions:
            code = _el(els, i)
            if code:
                self.claim.remarks.append(Remark(code, source, n))

    def _mia(self, els, n):
        self._remarks(els, n, MIA_REMARKS, "MIA")

    def _moa(self, els, n):
        self._remarks(els, n, MOA_REMARKS, "MOA")

    def _svc(self, els, n):
        if self.claim is None:
            return self._out_of_place(els, n, "before any CLP")
        parts = self.components(_el(els, 1), "SVC01", n, "SVC")
        line = RemitLine(position=len(self.claim.lines) + 1, procedure_code=_el(parts, 1),
                         code_qualifier=parts[0].strip(), modifiers=[m for m in parts[2:6] if m.strip()],
                         segment_number=n)
        if not line.procedure_code:
            self.add("RM002", "error", "SVC01-2 (procedure code) is missing", n, "SVC", self._claim_id())
        line.charge = self._amount(els, 2, n, required=True)
        line.paid = self._amount(els, 3, n, required=True)
        line.revenue_code = _el(els, 4) or None
        line.units = self._amount(els, 5, n)
        original = _el(els, 6)
        if original:
            op = self.components(original, "SVC06", n, "SVC")
            line.original_qualifier = op[0].strip() or None
            line.original_code = _el(op, 1) or None
            line.original_modifiers = [m for m in op[2:6] if m.strip()]
        line.original_units = self._amount(els, 7, n)
        self.claim.lines.append(line)
        self.line = line

    def _amt(self, els, n):
        if self.line is not None and _el(els, 1) == "B6":
            self.line.allowed = self._amount(els, 2, n, required=True)

    def _lq(self, els, n):
        if self.line is None:
            return self._out_of_place(els, n, "outside a service line")
        if _el(els, 1) == "HE" and _el(els, 2):
            self.line.remarks.append(Remark(_el(els, 2), "LQ", n))

    def _plb(self, els, n):
        self.claim = self.line = None
        self.in_summary = True
        provider = _el(els, 1) or None
        period = self._date(_el(els, 2), "PLB02", n, "PLB")
        for k in range(6):
            base = 3 + 2 * k
            reason = _el(els, base)
            if not reason:
                continue
            parts = self.components(reason, f"PLB{base:02d}", n, "PLB")
            value = self._amount(els, base + 1, n, required=True)
            if value is None:
                continue
            self.remit.provider_adjustments.append(
                ProviderAdjustment(provider, period, parts[0].strip(), _el(parts, 1) or None, value))

    # -- close ----------------------------------------------------------------
    def close(self) -> list:
        r = self.remit
        if not r.payer.name and not r.payer.id:
            self.add("RM003", "warning", "no N1*PR payer in this transaction set", None, "N1")
        for claim in r.claims:
            for line in claim.lines:
                if line.charge is not None and line.paid is not None and not line.balanced:
                    self.problems.append(self.ctx.problem(
                        "RM010", "warning",
                        f"claim {claim.claim_id} line {line.position} ({line.procedure_code}) does not balance: "
                        f"charge {line.charge} - adjustments {line.adjustment_total} = "
                        f"{line.charge - line.adjustment_total}, paid {line.paid}",
                        line.segment_number, "SVC", claim_id=claim.claim_id))
            if claim.charge is not None and claim.paid is not None and not claim.balanced:
                total = sum((a.amount for a in claim.all_adjustments), Decimal(0))
                self.problems.append(self.ctx.problem(
                    "RM011", "warning",
                    f"claim {claim.claim_id} does not balance: charge {claim.charge} - adjustments {total} = "
                    f"{claim.charge - total}, paid {claim.paid}", claim.segment_number, "CLP",
                    claim_id=claim.claim_id))
        if r.payment_amount is not None and not r.balanced:
            self.add("RM012", "warning",
                     f"BPR02 {r.payment_amount} does not balance: sum of CLP04 {r.claim_paid_total} - PLB "
                     f"{r.provider_adjustment_total} = {r.claim_paid_total - r.provider_adjustment_total}",
                     self.bpr_number, "BPR")
        r.problems.extend(self.problems)
        return [r]
