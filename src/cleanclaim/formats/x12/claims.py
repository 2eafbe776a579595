"""Build model.Claim objects from the loops of one 837P transaction set (X222A1).

The assembler is fed one segment at a time (a list of elements and its position in
the transaction set, ST = 1). It keeps the hierarchical context (2000A billing
provider, 2000B subscriber and payer, 2000C patient) and closes a claim when the next
CLM or HL or the SE arrives; closed claims wait in ``done``.
"""

from __future__ import annotations

from copy import copy
from datetime import date
from decimal import Decimal, InvalidOperation

from ...model import Claim, Diagnosis, Payer, Provider, ServiceLine
from ...rules.syntax import x12_finding
from .envelope import Delimiters

DIAGNOSIS_QUALIFIERS = {"ABK", "ABF", "BK", "BF"}
_ALTERNATE_COMPONENT = (">", ":", "^", "|", "\\", "<", "!", "{", "}")


_POINTERS = {str(i): i for i in range(1, 13)}


class BadValue(ValueError):
    """An element that cannot be read; the message names the element."""


_DATES: dict[str, date] = {}  # values repeat within a file: parse each once
_AMOUNTS: dict[str, Decimal] = {}
_CACHE_LIMIT = 4096


def d8(value: str, element: str) -> date:
    """A D8 (CCYYMMDD) date; BadValue naming ``element`` when it is not one."""
    known = _DATES.get(value)
    if known is not None:
        return known
    if len(value) != 8 or not value.isdigit():
        raise BadValue(f"{element} is not a CCYYMMDD date")
    try:
        parsed = date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise BadValue(f"{element} is not a calendar date") from None
    if len(_DATES) >= _CACHE_LIMIT:
        _DATES.clear()
    _DATES[value] = parsed
    return parsed


def amount(value: str, element: str) -> Decimal:
    """An X12 R (decimal) value; BadValue naming ``element`` when it is not one."""
    known = _AMOUNTS.get(value)
    if known is not None:
        return known
    if value.replace(".", "", 1).isdigit():  # the common case: digits and one point
        if len(_AMOUNTS) >= _CACHE_LIMIT:
            _AMOUNTS.clear()
        result = _AMOUNTS[value] = Decimal(value)
        return result
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise BadValue(f"{element} '{value[:20]}' is not a number") from None
    if not result.is_finite() or "e" in value or "E" in value:
        raise BadValue(f"{element} '{value[:20]}' is not a decimal number")
    return result


def _provider(role: str, els: list[str], into: Provider | None = None) -> Provider:
    """A Provider from an NM1 segment (NM102 type, NM103/NM104 name, NM108=XX NM109 NPI)."""
    n = len(els)
    entity = els[2] if n > 2 and els[2] else None
    last = els[3] if n > 3 else ""
    first = els[4] if n > 4 else ""
    name = f"{last}, {first}" if entity == "1" and first else last
    npi = els[9] if n > 9 and els[8] == "XX" and els[9] else None
    provider = into or Provider(role=role)
    provider.entity_type = entity
    provider.name = name or None
    provider.npi = npi
    return provider


# Every segment id of the 837P transaction set listing (005010X222A1 TR3, section 2.3
# "Transaction Set Listing", header through loop 2440); envelope ids are read elsewhere.
P837_SEGMENTS = frozenset({
    "BHT", "NM1", "PER", "HL", "PRV", "CUR", "N3", "N4", "REF", "SBR", "PAT", "DMG", "CLM", "DTP",
    "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HI", "HCP", "CAS", "OI", "MOA", "MIA",
    "LX", "SV1", "SV5", "CR3", "QTY", "MEA", "PS1", "LIN", "CTP", "LQ", "FRM", "SVD", "TOO",
})


class ClaimAssembler:
    """Turns the segments of one 837P transaction set into claims."""

    def __init__(self, source: str, delimiters: Delimiters, control_number: str = ""):
        self.source = source
        self.delimiters = delimiters
        self.comp = delimiters.component
        self.rep = delimiters.repetition
        self.alternates = tuple(
            c for c in _ALTERNATE_COMPONENT if c not in (delimiters.component, delimiters.element)
        )
        self.control_number = control_number
        self.done: list[Claim] = []
        self.stray: list = []  # file-level findings: segments outside any claim
        # 2000A / 2000B / 2000C context
        self.billing: Provider | None = None
        self.billing_findings: list = []
        self.payer = Payer()
        self.patient_key: str | None = None
        self.subscriber_dob: date | None = None
        self.subscriber_gender: str | None = None
        self.patient_dob: date | None = None
        self.patient_gender: str | None = None
        self.patient_level = False
        self.subscriber_findings: list = []  # problems in 2000B/2010BA/2010BB
        self.patient_findings: list = []  # problems in 2000C/2010CA
        self.level = ""  # HL03 of the open hierarchical level
        self.person: str | None = None  # last NM1 person qualifier (IL / QC)
        # 2300 / 2400 context
        self.claim: Claim | None = None
        self.line: ServiceLine | None = None
        self.entity: Provider | None = None
        self.in_2320 = False
        self.in_2400 = False
        self.lx_open: int | None = None  # segment number of an LX not yet followed by its SV1
        self.warned: set[tuple[str, str]] = set()  # X12006 already reported on this claim
        self.handlers = {
            "HL": self.hl,
            "PRV": self.prv,
            "NM1": self.nm1,
            "N4": self.n4,
            "REF": self.ref,
            "SBR": self.sbr,
            "DMG": self.dmg,
            "CLM": self.clm,
            "DTP": self.dtp,
            "HI": self.hi,
            "NTE": self.nte,
            "LX": self.lx,
            "SV1": self.sv1,
        }

    # -- findings -------------------------------------------------------------
    def _claim_finding(self, code: str, message: str, segno: int, sid: str, line: int | None = None, **kw):
        claim = self.claim
        claim.read_findings.append(
            x12_finding(
                code,
                f"segment {segno} ({sid}): {message}",
                claim.claim_id,
                line=line,
                segment_number=segno,
                segment_id=sid,
                transaction_set=self.control_number or None,
                **kw,
            )
        )

    def _bad(self, message: str, segno: int, sid: str) -> None:
        """A segment that cannot be read: on the open claim, else on the context."""
        if self.claim is not None:
            line = self.line.number if self.line is not None and self.in_2400 else None
            self._claim_finding("X12005", message, segno, sid, line=line)
            return
        finding = x12_finding(
            "X12005",
            f"segment {segno} ({sid}): {message}; applies to the claims that follow",
            None,
            segment_number=segno,
            segment_id=sid,
            transaction_set=self.control_number or None,
        )
        if self.level == "23":
            self.patient_findings.append(finding)
        elif self.level == "22":
            self.subscriber_findings.append(finding)
        else:
            self.billing_findings.append(finding)

    def composite(self, value: str, element: str, segno: int, sid: str) -> list[str]:
        """Split a composite by ISA16; tolerate (and warn about) another separator.

        Callers split by ISA16 themselves when it is present (the fast path).
        """
        comp = self.comp
        if comp in value:
            parts = value.split(comp)
        else:
            parts = [value]
            for alt in self.alternates:
                if alt in value:
                    if alt == self.rep:
                        what = f"repetition separator '{alt}' in non-repeating element {element}"
                        parts = [value.split(alt)[0]]
                        if comp in parts[0]:
                            parts = parts[0].split(comp)
                    else:
                        what = f"'{alt}' separates the components of {element}, ISA16 declares '{comp}'"
                        parts = value.split(alt)
                    if self.claim is not None and (alt, element) not in self.warned:
                        self.warned.add((alt, element))
                        self._claim_finding("X12006", what, segno, sid, separator=alt)
                    break
        return parts

    # -- hierarchy ------------------------------------------------------------
    def close(self) -> None:
        """Finish the open claim (next CLM, HL, SE or end of input)."""
        if self.lx_open is not None and self.claim is not None:
            self.missing_sv1()
        self.lx_open = None
        if self.claim is not None:
            self.done.append(self.claim)
            self.claim = None
        self.line = None
        self.entity = None
        self.in_2320 = False
        self.in_2400 = False

    def hl(self, els: list[str], segno: int) -> list[Claim]:
        """Returns ``done`` (true when the HL closed a claim), as :meth:`clm` does."""
        self.close()
        level = (els[3] if len(els) > 3 else "")
        self.person = None
        self.level = level
        if level == "20":
            self.billing = Provider(role="billing")
            self.billing_findings = []
            self.entity = self.billing
            self.payer = Payer()
            self.patient_key = None
            self.patient_level = False
            self.subscriber_findings = []
            self.patient_findings = []
        elif level == "22":
            self.payer = Payer()
            self.patient_key = None
            self.subscriber_dob = self.subscriber_gender = None
            self.patient_dob = self.patient_gender = None
            self.patient_level = False
            self.subscriber_findings = []
            self.patient_findings = []
        elif level == "23":
            self.patient_level = True
            self.patient_dob = self.patient_gender = None
            self.patient_findings = []
        return self.done

    def prv(self, els: list[str], segno: int) -> None:
        kind = (els[1] if len(els) > 1 else "")
        if kind == "BI" and self.claim is None and self.billing is not None:
            self.billing.taxonomy = (els[3] if len(els) > 3 else "") or None
        elif kind == "PE" and self.entity is not None:
            self.entity.taxonomy = (els[3] if len(els) > 3 else "") or None

    def nm1(self, els: list[str], segno: int) -> None:
        q = (els[1] if len(els) > 1 else "")
        claim = self.claim
        self.entity = None
        if claim is None:
            self.person = None
            if q == "85":
                self.billing = _provider("billing", els, self.billing)
                self.entity = self.billing
            elif q == "IL":
                self.patient_key = (els[9] if len(els) > 9 else "") or None
                self.person = "IL"
            elif q == "PR":
                self.payer.name = (els[3] if len(els) > 3 else "") or None
                self.payer.payer_id = (els[9] if len(els) > 9 else "") or None
            elif q == "QC":
                self.person = "QC"
            return
        if self.in_2400:
            if q == "82" and self.line is not None:
                self.line.rendering_provider = self.entity = _provider("rendering", els)
        elif self.in_2320:
            return
        elif q == "82":
            claim.rendering_provider = self.entity = _provider("rendering", els)
        elif q == "DN":
            claim.referring_provider = self.entity = _provider("referring", els)
        elif q == "77":
            claim.service_facility = self.entity = _provider("service_facility", els)

    def n4(self, els: list[str], segno: int) -> None:
        entity = self.entity
        if entity is not None and entity.role in ("billing", "service_facility"):
            entity.state = (els[2] if len(els) > 2 else "") or None
            entity.zip_code = (els[3] if len(els) > 3 else "") or None

    def ref(self, els: list[str], segno: int) -> None:
        q = (els[1] if len(els) > 1 else "")
        claim = self.claim
        if claim is None:
            if q == "EI" and self.entity is not None and self.entity is self.billing:
                self.billing.tax_id = (els[2] if len(els) > 2 else "") or None
        elif self.in_2400:
            if q == "6R" and self.line is not None and self.entity is None:
                self.line.control_number = (els[2] if len(els) > 2 else "") or None
        elif self.in_2320 or self.entity is not None:
            return
        elif q == "G1":
            claim.prior_authorization = (els[2] if len(els) > 2 else "") or None
        elif q == "9F":
            claim.referral_number = (els[2] if len(els) > 2 else "") or None
        elif q == "F8":
            claim.original_reference = (els[2] if len(els) > 2 else "") or None

    def sbr(self, els: list[str], segno: int) -> None:
        if self.claim is not None:
            self.in_2320 = True  # 2320 other subscriber information
            self.entity = None
        else:
            self.payer.claim_filing_indicator = (els[9] if len(els) > 9 else "") or None

    def dmg(self, els: list[str], segno: int) -> None:
        if self.claim is not None or self.person is None:
            return
        dob = None
        if (els[2] if len(els) > 2 else ""):
            try:
                dob = d8(els[2], "DMG02 birth date")
            except BadValue as exc:
                self._bad(str(exc), segno, "DMG")
        gender = (els[3] if len(els) > 3 else "") or None
        if self.person == "IL":
            self.subscriber_dob, self.subscriber_gender = dob, gender
        else:
            self.patient_dob, self.patient_gender = dob, gender

    def clm(self, els: list[str], segno: int) -> list[Claim]:
        self.close()
        claim_id = (els[1] if len(els) > 1 else "")
        if self.patient_level:
            dob, gender = self.patient_dob, self.patient_gender
        else:
            dob, gender = self.subscriber_dob, self.subscriber_gender
        claim = Claim(
            claim_id=claim_id or f"(no CLM01, segment {segno})",
            source=self.source,
            billing_provider=self.billing,  # shared by the claims of one 2000A (read-only)
            payer=self.payer,  # shared by the claims of one 2000B (read-only)
            patient_key=self.patient_key,
            patient_birth_date=dob,
            patient_gender=gender,
            segment_number=segno,
        )
        self.claim = claim
        if self.warned:
            self.warned = set()
        if self.billing_findings or self.subscriber_findings or (self.patient_level and self.patient_findings):
            inherited = self.billing_findings + self.subscriber_findings
            if self.patient_level:
                inherited += self.patient_findings
            for f in inherited:
                claim.read_findings.append(copy(f))
                claim.read_findings[-1].claim_id = claim.claim_id
        if not claim_id:
            self._claim_finding("X12005", "CLM01 patient control number is missing", segno, "CLM")
        charge = (els[2] if len(els) > 2 else "")
        if charge:
            try:
                claim.total_charge = amount(charge, "CLM02")
            except BadValue as exc:
                self._claim_finding("X12005", str(exc), segno, "CLM")
        else:
            self._claim_finding("X12005", "CLM02 total claim charge is missing", segno, "CLM")
        facility = (els[5] if len(els) > 5 else "")
        if facility:
            comp = self.comp
            if comp in facility:
                parts = facility.split(comp)
            else:
                parts = self.composite(facility, "CLM05", segno, "CLM")
            claim.place_of_service = parts[0] or None
            claim.frequency_code = (parts[2] if len(parts) > 2 else "") or None
        return self.done

    def cut_claim(self, els: list[str], segno: int) -> None:
        """A CLM cut off by the end of the file: open its claim with only its id.

        CLM01 is taken only when an element separator follows it (else it may be cut
        short itself: "(cut off)"); the other values of a partial segment are not read.
        """
        claim_id = els[1] if len(els) > 2 and els[1] else "(cut off)"
        self.clm(["CLM", claim_id], segno)
        self.claim.read_findings = [f for f in self.claim.read_findings if "CLM02" not in f.message]

    def dtp(self, els: list[str], segno: int) -> None:
        claim = self.claim
        if claim is None or self.in_2320:
            return
        q = (els[1] if len(els) > 1 else "")
        if self.in_2400:
            if q == "472" and self.lx_open is not None:
                self.missing_sv1()  # the date belongs to the placeholder line
            if q != "472" or self.line is None:
                return
            fmt, value = (els[2] if len(els) > 2 else ""), (els[3] if len(els) > 3 else "")
            try:
                if fmt == "D8":
                    self.line.date_of_service = d8(value, "DTP03 service date")
                elif fmt == "RD8":
                    start, sep, end = value.partition("-")
                    if not sep:
                        raise BadValue("DTP03 is not a CCYYMMDD-CCYYMMDD range")
                    self.line.date_of_service = d8(start, "DTP03 range start")
                    self.line.date_of_service_end = d8(end, "DTP03 range end")
                else:
                    raise BadValue(f"DTP02 '{fmt[:5]}' is not D8 or RD8")
            except BadValue as exc:
                self._bad(str(exc), segno, "DTP")
        elif q == "431":
            try:
                claim.onset_date = d8((els[3] if len(els) > 3 else ""), "DTP03 onset date")
            except BadValue as exc:
                self._bad(str(exc), segno, "DTP")

    def hi(self, els: list[str], segno: int) -> None:
        claim = self.claim
        if claim is None or self.in_2400 or self.in_2320:
            return
        diagnoses = claim.diagnoses
        comp = self.comp
        for i in range(1, len(els)):
            value = els[i]
            if not value:
                continue
            if comp in value:
                parts = value.split(comp)
            else:
                parts = self.composite(value, f"HI{i:02d}", segno, "HI")
            qualifier = parts[0]
            if qualifier not in DIAGNOSIS_QUALIFIERS:
                continue
            code = parts[1] if len(parts) > 1 else ""
            if not code:
                self._bad(f"HI{i:02d} has qualifier {qualifier} but no code", segno, "HI")
                continue
            if not code.isalnum():
                code = self._odd_diagnosis(value, code, f"HI{i:02d}", segno)
                if code is None:
                    continue
            if len(diagnoses) == 12:
                self._bad(f"HI{i:02d} is a 13th diagnosis code; SV107 can point to 12 only", segno, "HI")
            diagnoses.append(Diagnosis(code.upper(), len(diagnoses) + 1, qualifier))

    def _odd_diagnosis(self, value: str, code: str, element: str, segno: int) -> str | None:
        """A diagnosis code that is not plain letters and digits: repair what is safe."""
        rep = self.rep
        if rep and rep in value:
            if (rep, element) not in self.warned:
                self.warned.add((rep, element))
                self._claim_finding(
                    "X12006", f"repetition separator '{rep}' in non-repeating element {element}",
                    segno, "HI", separator=rep,
                )
            first = value.split(rep)[0].split(self.comp)
            code = first[1] if len(first) > 1 else ""
        if "." in code:
            code = code.replace(".", "")
            self._claim_finding("X12008", f"{element} diagnosis code is sent with a decimal point", segno, "HI")
        if not code.isalnum():
            self._bad(f"{element} diagnosis code is not letters and digits", segno, "HI")
            return None
        return code

    def nte(self, els: list[str], segno: int) -> None:
        if self.claim is None:
            return
        text = (els[2] if len(els) > 2 else "")
        if self.in_2400 and self.line is not None:
            self.line.notes.append(text)
        elif not self.in_2400 and not self.in_2320:
            self.claim.notes.append(text)

    def lx(self, els: list[str], segno: int) -> None:
        if self.claim is None:
            self.stray_segment(els, segno)
            return
        if self.lx_open is not None:
            self.missing_sv1()
        self.in_2400 = True
        self.in_2320 = False
        self.line = None
        self.entity = None
        self.lx_open = segno

    def missing_sv1(self) -> None:
        """An LX with no SV1: keep a placeholder line (no code) and say which segment.

        005010X222A1 loop 2400: SV1 is Required (max use 1); a 999 rejects the transaction
        set (IK3 code 3, mandatory segment missing). The line is never dropped silently.
        """
        segno, self.lx_open = self.lx_open, None
        claim = self.claim
        number = len(claim.lines) + 1
        line = ServiceLine(number, "", segment_number=segno)
        claim.lines.append(line)
        self.line = line
        self._claim_finding(
            "X12005",
            f"service line {number} (loop 2400) has no SV1: SV1 is required in loop 2400 "
            "(005010X222A1, max use 1); the 999 rejects the transaction set (IK3 code 3, "
            "mandatory segment missing)",
            segno,
            "LX",
            line=number,
            fix="Send the line's SV1 (procedure code, charge, units) after its LX, or remove the LX "
            "and renumber the lines; correct CLM02 to the sum of the line charges.",
        )

    def stray_segment(self, els: list[str], segno: int) -> None:
        self.stray.append(
            x12_finding(
                "X12007",
                f"segment {segno} ({els[0]}) is a 2400 service-line segment before any CLM",
                None,
                segment_number=segno,
                segment_id=els[0],
                transaction_set=self.control_number or None,
            )
        )

    def sv1(self, els: list[str], segno: int) -> None:
        claim = self.claim
        if claim is None:
            self.stray_segment(els, segno)
            return
        second = self.in_2400 and self.lx_open is None and self.line is not None
        self.in_2400 = True
        self.in_2320 = False
        self.entity = None
        self.lx_open = None
        number = len(claim.lines) + 1
        line = ServiceLine(number, "", segment_number=segno)
        claim.lines.append(line)
        self.line = line
        if second:
            self._claim_finding(
                "X12005",
                f"a second SV1 in one loop 2400 (line {number} read as its own line): SV1 max use "
                "is 1 per LX (005010X222A1); the 999 rejects the transaction set",
                segno, "SV1", line=number,
                fix="Start each service line with its own LX (LX01 numbered 1, 2, ...).",
            )
        n = len(els)
        comp = self.comp
        procedure = els[1] if n > 1 else ""
        if procedure:
            if comp in procedure:
                parts = procedure.split(comp)
            else:
                parts = self.composite(procedure, "SV101", segno, "SV1")
            line.code_qualifier = parts[0]
            if len(parts) > 1:
                line.procedure_code = parts[1].upper()
                if len(parts) > 2:
                    line.modifiers = [m.upper() for m in parts[2:6] if m]  # 'gp' is GP
        if not line.procedure_code:
            self._claim_finding("X12005", "SV101 procedure code is missing", segno, "SV1", line=number)
        try:
            if n > 2 and els[2]:
                line.charge = amount(els[2], "SV102")
            else:
                raise BadValue("SV102 line charge is missing")
        except BadValue as exc:
            self._claim_finding("X12005", str(exc), segno, "SV1", line=number)
        if n > 3:
            if els[3]:
                line.unit_basis = els[3]
            if n > 4 and els[4]:
                try:
                    line.units = units = amount(els[4], "SV104")
                    if line.unit_basis == "MJ":
                        line.minutes = int(units)
                except BadValue as exc:
                    self._claim_finding("X12005", str(exc), segno, "SV1", line=number)
            if n > 5 and els[5]:
                line.place_of_service = els[5]
            if n > 7 and els[7]:
                value = els[7]
                single = _POINTERS.get(value)
                if single is not None:  # one pointer, no separator: nothing to split
                    line.diagnosis_pointers = [single]
                    return None
                raw = value.split(comp) if comp in value else self.composite(value, "SV107", segno, "SV1")
                pointers = []
                for p in raw:
                    if p in _POINTERS:
                        pointers.append(_POINTERS[p])
                    elif p:
                        self._claim_finding(
                            "X12005", f"SV107 pointer '{p[:5]}' is not a number 1-12", segno, "SV1", line=number
                        )
                line.diagnosis_pointers = pointers

    # -- entry point ----------------------------------------------------------
    def feed(self, els: list[str], segno: int) -> None:
        handler = self.handlers.get(els[0])
        if handler is not None:
            handler(els, segno)
        elif self.claim is not None:
            self.other(els, segno)

    def other(self, els: list[str], segno: int) -> None:
        """A segment the claim does not use: an X12 segment id, and one the 837P has."""
        sid = els[0]
        if not (2 <= len(sid) <= 3 and sid.isalnum() and sid.isupper()):
            self._claim_finding("X12007", "is not an X12 segment id", segno, sid[:3] or "?")
        elif sid not in P837_SEGMENTS:
            self._claim_finding("X12007", f"{sid} is not a segment of the 837P (005010X222A1): it was not read",
                                segno, sid, severity="warning")
