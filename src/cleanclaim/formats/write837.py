"""Write model.Claim objects as an X12 005010X222A1 (837P) interchange.

Streaming: segments go straight to ``out``; a new transaction set (ST/SE) is
opened every ``claims_per_transaction`` claims, so a million claims need no more
memory than one. Used by the benchmarks and to build the examples.

Data the model does not carry but the guide requires (subscriber name and
address, billing address, tax id, submitter contact) is filled with fixed
synthetic placeholders; see docs/formats.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from ..model import Claim, Provider, ServiceLine

VERSION = "005010X222A1"
ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"
_FORBIDDEN = str.maketrans({ELEMENT: " ", COMPONENT: " ", REPETITION: " ", TERMINATOR: " "})

# Placeholders for required data that model.Claim does not hold (all synthetic).
PLACEHOLDER_TAX_ID = "000000000"
PLACEHOLDER_ADDRESS = ("123 MAIN ST", "ANYTOWN")
PLACEHOLDER_PHONE = "8005550100"  # 555-01xx: reserved for fiction
PLACEHOLDER_STATE = "NY"  # used only when no provider state is known


def _clean(value: object) -> str:
    """An element value with the delimiters removed."""
    return "" if value is None else str(value).translate(_FORBIDDEN).strip()


def _amount(value: Decimal | int | float | None) -> str:
    """X12 R type: no exponent, no trailing zeros after the point."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


class _SegmentWriter:
    """Counts segments between ST and SE while writing them."""

    def __init__(self, out: TextIO, newline: str) -> None:
        self.out = out
        self.end = TERMINATOR + newline
        self.count = 0

    def put(self, *elements: object) -> None:
        values = [_clean(e) if not isinstance(e, _Raw) else e.text for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.out.write(ELEMENT.join(values) + self.end)
        self.count += 1


class _Raw:
    """A composite already joined with the component separator."""

    __slots__ = ("text",)

    def __init__(self, *components: object) -> None:
        parts = [_clean(c) for c in components]
        while parts and parts[-1] == "":
            parts.pop()
        self.text = COMPONENT.join(parts)


def isa_segment(sender: str, receiver: str, control: int, when: datetime, usage: str) -> str:
    """The fixed-length ISA (106 characters with its terminator)."""
    seg = ELEMENT.join(
        [
            "ISA", "00", " " * 10, "00", " " * 10,
            "ZZ", _clean(sender)[:15].ljust(15), "ZZ", _clean(receiver)[:15].ljust(15),
            when.strftime("%y%m%d"), when.strftime("%H%M"), REPETITION, "00501",
            f"{control:09d}", "0", usage, COMPONENT,
        ]
    ) + TERMINATOR
    assert len(seg) == 106, len(seg)
    return seg


def write_837(
    claims: Iterable[Claim],
    out: TextIO,
    *,
    sender: str = "CLEANCLAIM",
    receiver: str = "RECEIVER",
    control_number: int = 1,
    claims_per_transaction: int = 5000,
    usage: str = "T",
    created: datetime | None = None,
    newline: str = "\n",
) -> int:
    """Write ``claims`` as one ISA/GS interchange; return the number of claims written.

    ``newline`` follows each segment terminator ("" for a single-line file).
    """
    when = created or datetime.now().replace(second=0, microsecond=0)
    out.write(isa_segment(sender, receiver, control_number, when, usage) + newline)
    w = _SegmentWriter(out, newline)
    w.put("GS", "HC", sender, receiver, when.strftime("%Y%m%d"), when.strftime("%H%M"),
          control_number, "X", VERSION)
    transactions = 0
    written = 0
    in_set = 0  # claims in the open transaction set
    hl = 0
    billing_hl = 0
    billing_key: tuple | None = None
    for claim in claims:
        if in_set == 0:
            transactions += 1
            w.count = 0
            _open_transaction(w, transactions, sender, receiver, when, control_number)
            hl, billing_key = 0, None
        key = _billing_key(claim.billing_provider)
        if key != billing_key:
            hl += 1
            billing_hl, billing_key = hl, key
            _billing_loop(w, hl, claim.billing_provider)
        hl += 1
        _subscriber_loop(w, hl, billing_hl, claim)
        _claim_loop(w, claim)
        written += 1
        in_set += 1
        if in_set == claims_per_transaction:
            w.put("SE", w.count + 1, f"{transactions:04d}")
            in_set = 0
    if in_set:
        w.put("SE", w.count + 1, f"{transactions:04d}")
    w.put("GE", transactions, control_number)
    w.put("IEA", 1, f"{control_number:09d}")
    return written


def _open_transaction(w, number, sender, receiver, when, control) -> None:
    w.put("ST", "837", f"{number:04d}", VERSION)
    w.put("BHT", "0019", "00", f"{control}-{number}", when.strftime("%Y%m%d"),
          when.strftime("%H%M"), "CH")
    w.put("NM1", "41", "2", sender, "", "", "", "", "46", sender)  # 1000A submitter
    w.put("PER", "IC", "BILLING OFFICE", "TE", PLACEHOLDER_PHONE)
    w.put("NM1", "40", "2", receiver, "", "", "", "", "46", receiver)  # 1000B receiver


def _billing_key(p: Provider | None) -> tuple | None:
    if p is None:
        return None
    return (p.npi, p.name, p.entity_type, p.taxonomy, p.tax_id, p.zip_code, p.state)


def _billing_loop(w, hl: int, p: Provider | None) -> None:
    """2000A billing provider HL and 2010AA."""
    p = p or Provider(role="billing")
    w.put("HL", hl, "", "20", "1")
    if p.taxonomy:
        w.put("PRV", "BI", "PXC", p.taxonomy)
    _name(w, "85", p, default_entity="2", default_name="BILLING PROVIDER")
    w.put("N3", PLACEHOLDER_ADDRESS[0])
    w.put("N4", PLACEHOLDER_ADDRESS[1], p.state or PLACEHOLDER_STATE, p.zip_code or "000000000")
    w.put("REF", "EI", p.tax_id or PLACEHOLDER_TAX_ID)


def _name(w, entity_code: str, p: Provider, *, default_entity: str, default_name: str) -> None:
    """NM1 for a provider: organisation name in NM103, a person as LAST, FIRST."""
    entity = p.entity_type or default_entity
    last, first = (p.name or default_name), ""
    if entity == "1" and "," in last:
        last, first = (s.strip() for s in last.split(",", 1))
    if p.npi:
        w.put("NM1", entity_code, entity, last, first, "", "", "", "XX", p.npi)
    else:
        w.put("NM1", entity_code, entity, last, first)


def _subscriber_loop(w, hl: int, parent: int, claim: Claim) -> None:
    """2000B with the patient as the subscriber (SBR02 18), 2010BA and 2010BB."""
    payer = claim.payer
    w.put("HL", hl, parent, "22", "0")
    w.put("SBR", "P", "18", "", "", "", "", "", "", payer.claim_filing_indicator or "ZZ")
    member = claim.patient_key or f"M{claim.claim_id}"
    w.put("NM1", "IL", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", member)
    w.put("N3", PLACEHOLDER_ADDRESS[0])
    state = claim.billing_provider.state if claim.billing_provider else None
    w.put("N4", PLACEHOLDER_ADDRESS[1], state or PLACEHOLDER_STATE, "00000")
    if claim.patient_birth_date:
        w.put("DMG", "D8", _d8(claim.patient_birth_date), claim.patient_gender or "U")
    w.put("NM1", "PR", "2", payer.name or "PAYER", "", "", "", "", "PI", payer.payer_id or "00000")


def _claim_loop(w, claim: Claim) -> None:
    """2300 CLM, REF, HI, then 2310A/B/C and the service lines."""
    total = claim.total_charge
    if total is None:
        total = sum((ln.charge or Decimal(0) for ln in claim.lines), Decimal(0))
    pos = claim.place_of_service or next(
        (ln.place_of_service for ln in claim.lines if ln.place_of_service), "11")
    w.put("CLM", claim.claim_id, _amount(total), "", "",
          _Raw(pos, "B", claim.frequency_code or "1"), "Y", "A", "Y", "Y")
    if claim.onset_date:
        w.put("DTP", "431", "D8", _d8(claim.onset_date))
    if claim.referral_number:
        w.put("REF", "9F", claim.referral_number)
    if claim.prior_authorization:
        w.put("REF", "G1", claim.prior_authorization)
    if claim.original_reference:
        w.put("REF", "F8", claim.original_reference)
    for note in claim.notes[:1]:
        w.put("NTE", "ADD", note[:80])
    if claim.diagnoses:
        ordered = sorted(claim.diagnoses, key=lambda d: d.position)[:12]
        w.put("HI", *(_Raw("ABK" if i == 0 else "ABF", dx.code.replace(".", ""))
                      for i, dx in enumerate(ordered)))
    if claim.referring_provider:
        _name(w, "DN", claim.referring_provider, default_entity="1", default_name="REFERRING")
    billing = claim.billing_provider
    rendering = claim.rendering_provider
    if rendering and _differs(rendering, billing):
        _name(w, "82", rendering, default_entity="1", default_name="RENDERING")
        if rendering.taxonomy:
            w.put("PRV", "PE", "PXC", rendering.taxonomy)
    else:
        rendering = billing  # what a reader infers for lines without 2420A
    if claim.service_facility:
        _name(w, "77", claim.service_facility, default_entity="2", default_name="FACILITY")
        w.put("N3", PLACEHOLDER_ADDRESS[0])
        w.put("N4", PLACEHOLDER_ADDRESS[1], claim.service_facility.state or PLACEHOLDER_STATE,
              claim.service_facility.zip_code or "00000")
    for number, line in enumerate(claim.lines, start=1):
        _service_line(w, number, line, pos, rendering)


def _differs(provider: Provider, other: Provider | None) -> bool:
    """True when ``provider`` is not the same NPI and taxonomy as ``other``."""
    if other is None:
        return True
    if provider.npi != other.npi:
        return True
    return bool(provider.taxonomy and other.taxonomy and provider.taxonomy != other.taxonomy)


def _service_line(w, number: int, line: ServiceLine, claim_pos: str, rendering) -> None:
    """2400 LX/SV1/DTP*472/REF*6R and 2420A when the line's rendering differs."""
    w.put("LX", number)
    line_pos = line.place_of_service if line.place_of_service != claim_pos else ""
    w.put("SV1", _Raw(line.code_qualifier or "HC", line.procedure_code, *line.modifiers[:4]),
          _amount(line.charge if line.charge is not None else Decimal(0)),
          line.unit_basis or "UN", _amount(line.units if line.units is not None else 1),
          line_pos, "", _Raw(*line.diagnosis_pointers[:4]))
    if line.date_of_service:
        end = line.date_of_service_end
        if end and end != line.date_of_service:
            w.put("DTP", "472", "RD8", f"{_d8(line.date_of_service)}-{_d8(end)}")
        else:
            w.put("DTP", "472", "D8", _d8(line.date_of_service))
    if line.control_number:
        w.put("REF", "6R", line.control_number)
    for note in line.notes[:1]:
        w.put("NTE", "ADD", note[:80])
    lr = line.rendering_provider
    if lr and _differs(lr, rendering):
        _name(w, "82", lr, default_entity="1", default_name="RENDERING")
        if lr.taxonomy:
            w.put("PRV", "PE", "PXC", lr.taxonomy)
