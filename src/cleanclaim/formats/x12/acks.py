"""999 (005010X231A1) and 277CA (005010X214) readers: front-end acceptance and rejection.

``iter_acks(path)`` yields :class:`~cleanclaim.remits.model.FrontEndResponse` items and
file-level Problems:

- 999: one response per AK2 (an acknowledged 837 transaction set) with its IK3 segment
  errors, IK4 element errors and IK5 status; a group with no AK2 gets one response from
  AK9. Accepted = IK501 A or E (accepted, errors noted); AK901 R rejects every set.
- 277CA: one response per claim (2200D, TRN02 = the 837 CLM01) with every STC (claim
  and 2220D line level). Rejected when a claim-level STC01-1 category is A3 (returned
  as unprocessable), A4 (not found), A6 (missing information), A7 (invalid information)
  or A8 (relational field in error), per the X12 Claim Status Category Codes
  (code source 507) as the 277CA TR3 uses them.

Claim status codes (STC01-2, code source 508) are kept as codes: their descriptions are
not shipped with cleanclaim. IK304, IK403, IK5 and AK9 error codes get their meaning from
the 999 TR3 (005010X231A1) code lists of elements 620, 621, 718 and 716.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ...remits.model import AckCode, FrontEndResponse, Problem
from .claims import BadValue, amount, d8
from .transactions import SetContext, SetHandler, file_chunks, walk

# Element 717 (IK501) / 715 (AK901) code values, 999 TR3 005010X231A1.
ACK_STATUS = {
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected: message authentication code (MAC) failed",
    "P": "partially accepted: at least one transaction set was rejected",
    "R": "rejected",
    "W": "rejected: assurance failed validity tests",
    "X": "rejected: content after decryption could not be analysed",
}
ACCEPTED_STATUS = frozenset({"A", "E"})
# IK304, element 620 Implementation Segment Syntax Error Code (999 TR3 005010X231A1).
SEGMENT_ERRORS = {
    "1": "Unrecognized segment ID", "2": "Unexpected segment", "3": "Required segment missing",
    "4": "Loop occurs over maximum times", "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set", "7": "Segment not in proper sequence",
    "8": "Segment has data element errors", "I4": "Implementation \"Not Used\" segment present",
    "I6": "Implementation dependent segment missing", "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": "Implementation dependent \"Not Used\" segment present",
}
# IK403, element 621 Implementation Data Element Syntax Error Code.
ELEMENT_ERRORS = {
    "1": "Required data element missing", "2": "Conditional required data element missing",
    "3": "Too many data elements", "4": "Data element too short", "5": "Data element too long",
    "6": "Invalid character in data element", "7": "Invalid code value", "8": "Invalid date",
    "9": "Invalid time", "10": "Exclusion condition violated", "12": "Too many repetitions",
    "13": "Too many components", "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": "Implementation \"Not Used\" data element present",
    "I11": "Implementation too few repetitions", "I12": "Implementation pattern match failure",
    "I13": "Implementation dependent \"Not Used\" data element present",
}
# IK502-IK506, element 718 Transaction Set Syntax Error Code.
SET_ERRORS = {
    "1": "Transaction set not supported", "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count", "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier", "7": "Missing or invalid transaction set control number",
    "18": "Transaction set not in functional group",
    "19": "Invalid transaction set implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "I5": "Implementation one or more segments in error", "I6": "Implementation convention not supported",
}
# AK905-AK909, element 716 Functional Group Syntax Error Code.
GROUP_ERRORS = {
    "1": "Functional group not supported", "2": "Functional group version not supported",
    "3": "Functional group trailer missing",
    "4": "Group control number in the functional group header and trailer do not agree",
    "5": "Number of included transaction sets does not match actual count",
    "6": "Group control number violates syntax",
}
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})


def iter_acks(path: Path | str) -> Iterator[FrontEndResponse | Problem]:
    yield from _read(file_chunks(path), str(path))


def iter_acks_text(text: str, source: str = "<text>") -> Iterator[FrontEndResponse | Problem]:
    yield from _read([text], source)


def read_acks(path: Path | str) -> tuple[list[FrontEndResponse], list[Problem]]:
    responses, problems = [], []
    for item in iter_acks(path):
        (responses if isinstance(item, FrontEndResponse) else problems).append(item)
    return responses, problems


def _read(chunks, source: str):
    def factory(ctx: SetContext):
        if ctx.set_id == "999":
            return Ack999(ctx)
        if ctx.set_id == "277":
            return Ack277CA(ctx)
        return _Other(ctx)

    yield from walk(chunks, source, factory)


def _el(els: list[str], i: int) -> str:
    return els[i].strip() if len(els) > i else ""


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


class _Other(SetHandler):
    def segment(self, els, number):
        if number == 1:
            self.add("RM001", "warning", f"transaction set {self.ctx.set_control} is a {self.ctx.set_id}, "
                     "not a 999 or 277CA; skipped", 1, "ST")

    def close(self):
        return self.problems


class Ack999(SetHandler):
    def __init__(self, ctx):
        super().__init__(ctx)
        self.group_control = self.group_id = None
        self.current: FrontEndResponse | None = None
        self.responses: list[FrontEndResponse] = []
        self.segment_id: str | None = None

    def _when(self) -> date | None:
        try:
            return d8(self.ctx.group_date, "GS04") if self.ctx.group_date else None
        except BadValue:
            return None

    def segment(self, els, n):
        sid = els[0]
        if sid == "AK1":
            self.group_id, self.group_control = _el(els, 1), _el(els, 2)
        elif sid == "AK2":
            self.current = FrontEndResponse(
                "999", len(self.responses) + 1, False, response_date=self._when(),
                sender_id=self.ctx.sender or None,
                acknowledged_group_control=self.group_control, acknowledged_set_id=_el(els, 1),
                acknowledged_set_control=_el(els, 2), source=self.ctx.source)
            self.responses.append(self.current)
        elif sid == "IK3" and self.current is not None:
            self.segment_id = _el(els, 1)
            self.current.codes.append(AckCode("IK3", _el(els, 4) or "", segment_id=self.segment_id,
                                              segment_position=_int(_el(els, 2)), loop_id=_el(els, 3) or None,
                                              description=SEGMENT_ERRORS.get(_el(els, 4))))
        elif sid == "IK4" and self.current is not None:
            position = _el(els, 1).replace(self.ctx.delimiters.component, ":")
            self.current.codes.append(AckCode("IK4", _el(els, 3), segment_id=self.segment_id,
                                              element_position=position or None, bad_value=_el(els, 4) or None,
                                              description=ELEMENT_ERRORS.get(_el(els, 3))))
        elif sid == "IK5" and self.current is not None:
            status = _el(els, 1)
            self.current.status_code = status
            self.current.accepted = status in ACCEPTED_STATUS
            self.current.codes.append(AckCode("IK5", status, description=ACK_STATUS.get(status)))
            for i in range(2, 7):
                if _el(els, i):
                    self.current.codes.append(AckCode("IK5", _el(els, i), description=SET_ERRORS.get(_el(els, i))))
            self.current = None
            self.segment_id = None
        elif sid == "AK9":
            status = _el(els, 1)
            codes = [AckCode("AK9", status, description=ACK_STATUS.get(status))]
            codes += [AckCode("AK9", _el(els, i), description=GROUP_ERRORS.get(_el(els, i)))
                      for i in range(5, 10) if _el(els, i)]
            if not self.responses:
                self.responses.append(FrontEndResponse(
                    "999", 1, status in ACCEPTED_STATUS, status_code=status, response_date=self._when(),
                    acknowledged_group_control=self.group_control, codes=codes, source=self.ctx.source))
            elif status == "R":
                for r in self.responses:
                    r.accepted = False
                    r.codes.extend(codes)

    def close(self):
        for r in self.responses:
            if r.status_code is None:
                self.add("RM003", "warning", f"AK2 for set {r.acknowledged_set_control} has no IK5 status; "
                         "counted as not accepted", None, "IK5")
        return self.problems + self.responses


class Ack277CA(SetHandler):
    def __init__(self, ctx):
        super().__init__(ctx)
        self.response_date: date | None = None
        self.level = ""
        self.sender_name = self.sender_id = self.billing_npi = None
        self.current: FrontEndResponse | None = None
        self.in_line = False
        self.line_codes: list[AckCode] = []
        self.responses: list[FrontEndResponse] = []

    def segment(self, els, n):
        sid = els[0]
        if sid == "BHT":
            try:
                self.response_date = d8(_el(els, 4), "BHT04") if _el(els, 4) else None
            except BadValue as exc:
                self.add("RM002", "error", str(exc), n, "BHT")
        elif sid == "HL":
            self.level = _el(els, 3)
            self.current = None
            self.in_line = False
        elif sid == "NM1":
            qualifier = _el(els, 1)
            if self.level == "20" and qualifier in ("PR", "AY"):
                self.sender_name, self.sender_id = _el(els, 3) or None, _el(els, 9) or None
            elif self.level == "19" and qualifier == "85":
                self.billing_npi = _el(els, 9) if _el(els, 8) == "XX" else None
        elif sid == "TRN" and self.level == "PT" and _el(els, 1) == "2":
            self.current = FrontEndResponse(
                "277CA", len(self.responses) + 1, True, response_date=self.response_date,
                sender_name=self.sender_name, sender_id=self.sender_id, claim_id=_el(els, 2) or None,
                billing_npi=self.billing_npi, source=self.ctx.source)
            self.responses.append(self.current)
            self.in_line = False
        elif sid == "STC" and self.current is not None:
            self._stc(els, n)
        elif sid == "REF" and self.current is not None:
            if _el(els, 1) == "1K" and not self.in_line:
                self.current.payer_claim_control = _el(els, 2) or None
            elif _el(els, 1) == "FJ" and self.in_line:
                for code in self.line_codes:
                    code.line_control = _el(els, 2) or None
        elif sid == "DTP" and self.current is not None and _el(els, 1) == "472" and not self.in_line:
            self._dates(els, n)
        elif sid == "SVC" and self.current is not None:
            self.in_line = True
            self.line_codes = []

    def _stc(self, els, n):
        r = self.current
        for i in (1, 10, 11):
            raw = _el(els, i)
            if not raw:
                continue
            parts = self.components(raw, f"STC{i:02d}", n, "STC")
            category = parts[0].strip()
            code = AckCode("STC", category, claim_status_code=_el(parts, 1) or None,
                           entity_code=_el(parts, 2) or None, action_code=_el(els, 3) or None,
                           description=_el(els, 12) or None)
            r.codes.append(code)
            if self.in_line:
                self.line_codes.append(code)
                continue
            if r.status_code is None:
                r.status_code, r.claim_status_code = category, code.claim_status_code
            if category in REJECTED_CATEGORIES:
                r.accepted = False
                r.status_code, r.claim_status_code = category, code.claim_status_code
        if not self.in_line and _el(els, 4) and r.charge is None:
            try:
                r.charge = amount(_el(els, 4), "STC04")
            except BadValue as exc:
                self.add("RM002", "error", str(exc), n, "STC", r.claim_id)

    def _dates(self, els, n):
        qualifier, value = _el(els, 2), _el(els, 3)
        try:
            if qualifier == "RD8" and "-" in value:
                start, end = value.split("-", 1)
                self.current.service_date, self.current.service_date_end = d8(start, "DTP03"), d8(end, "DTP03")
            elif value:
                self.current.service_date = d8(value, "DTP03")
        except BadValue as exc:
            self.add("RM002", "error", str(exc), n, "DTP", self.current.claim_id)

    def close(self):
        return self.problems + self.responses
