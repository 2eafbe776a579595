"""Read FHIR R4 Claim resources (single JSON, Bundle, or NDJSON) into model.Claim.

Each Claim resource is validated with the ``fhir.resources`` R4B model; a
resource that fails is still mapped as far as its JSON allows and carries a
FHIR001 error finding. Mapping reads the JSON itself so the same code serves
valid and invalid resources. See docs/formats.md for the mapping table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..model import Claim, Diagnosis, Payer, Provider, ServiceLine

CODE = "FHIR001"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
NUCC = "http://nucc.org/provider-taxonomy"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = (CPT, "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                 "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "urn:oid:2.16.840.1.113883.6.285")
POS_SYSTEMS = ("https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
               "urn:oid:2.16.840.1.113883.6.50")
MINUTES_URL = "https://cleanclaim.dev/fhir/StructureDefinition/service-minutes"
FREQUENCY_URL = "https://cleanclaim.dev/fhir/StructureDefinition/claim-frequency-code"
FILING_INDICATORS = {"09", "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI",
                     "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
RENDERING_ROLES = {"primary", "rendering", "performing"}
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")  # FHIR date with year or year-month only


class FhirInputError(ValueError):
    """The file is not JSON/NDJSON holding FHIR resources at all."""


def _claim_model():
    from fhir.resources.R4B.claim import Claim as FhirClaim  # slow import: load on first use

    return FhirClaim


# Required bindings (FHIR R4 Claim): FinancialResourceStatusCodes and ClaimUse.
STATUS_CODES = ("active", "cancelled", "draft", "entered-in-error")
USE_CODES = ("claim", "preauthorization", "predetermination")


def iter_fhir(path: str | Path) -> Iterator[Claim | Finding]:
    """Yield a Claim for every FHIR Claim resource in ``path``."""
    path = Path(path)
    seen: dict[str, str] = {}  # resource key / claim id -> where it was first seen
    for where, resource, others in _resources(path):
        claim = _read_claim(path, where, resource, others)
        if isinstance(resource, dict):
            claim.read_findings.extend(_coded_elements(path, where, resource, claim.claim_id))
            claim.read_findings.extend(_duplicates(path, where, resource, claim.claim_id, seen))
        yield claim


def _finding(path: Path, where: str, claim_id: str, message: str, severity: str = "error") -> Finding:
    return Finding(code=CODE, severity=severity, claim_id=claim_id, message=f"{path}: {where}: {message}",
                   details={"file": str(path), "resource": where})


def _coded_elements(path: Path, where: str, res: dict, claim_id: str) -> list[Finding]:
    """Claim.status and Claim.use have required value sets (FHIR R4 Claim, binding strength required)."""
    found = []
    status = res.get("status")
    if status is not None and status not in STATUS_CODES:
        found.append(_finding(path, where, claim_id,
                              f"Claim.status {status!r} is not in the required value set "
                              f"({' | '.join(STATUS_CODES)})"))
    elif status in ("cancelled", "entered-in-error"):
        found.append(_finding(path, where, claim_id,
                              f"Claim.status is {status!r}: this Claim is not one to submit", "warning"))
    use = res.get("use")
    if use is not None and use not in USE_CODES:
        found.append(_finding(path, where, claim_id,
                              f"Claim.use {use!r} is not in the required value set ({' | '.join(USE_CODES)})"))
    return found


def _duplicates(path: Path, where: str, res: dict, claim_id: str, seen: dict[str, str]) -> list[Finding]:
    """The same Claim id or claim identifier twice in one file (Bundle rule bdl-7; payers: CO-18)."""
    keys = []
    if res.get("id"):
        keys.append((f"Claim/{res['id']}", "resource id"))
    if _claim_id(res):  # the claim id the report shows (identifier, else id): always its own key
        keys.append((f"identifier {_claim_id(res)}", "claim identifier"))
    repeats: dict[str, list[str]] = {}  # earlier resource -> what it shares with this one
    for key, label in keys:
        if key in seen:
            repeats.setdefault(seen[key], []).append(label)
        else:
            seen[key] = where
    return [_finding(path, where, claim_id,
                     f"the {' and '.join(labels)} {'is' if len(labels) == 1 else 'are'} also used by {earlier}:"
                     " each Claim needs its own (a Bundle may not repeat a resource; a payer denies the"
                     " second claim as a duplicate, CARC 18)")
            for earlier, labels in repeats.items()]


def _resources(path: Path) -> Iterator[tuple[str, dict, dict[str, dict]]]:
    """(where, Claim JSON, resources it may reference) for each Claim in the file."""
    with open(path, encoding="utf-8-sig") as fh:
        text = fh.read()
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise FhirInputError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
        data = None
    if data is None:  # NDJSON: one resource per line
        parsed = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                parsed.append((f"line {number}", json.loads(line, parse_float=Decimal)))
            except json.JSONDecodeError as exc:
                parsed.append((f"line {number}", _Unparsed(exc.msg)))
        others = _index([r for _, r in parsed])
        for where, resource in parsed:
            if isinstance(resource, _Unparsed) or (
                    isinstance(resource, dict) and resource.get("resourceType") == "Claim"):
                yield where, resource, others
        return
    if not isinstance(data, dict):
        raise FhirInputError(f"{path}: expected a FHIR resource or Bundle object")
    kind = data.get("resourceType")
    if kind == "Claim":
        yield "resource 1", data, {}
    elif kind == "Bundle":
        entries = [e for e in data.get("entry") or [] if isinstance(e, dict)]
        others = _index([e.get("resource") for e in entries], entries)
        for number, entry in enumerate(entries, start=1):
            resource = entry.get("resource")
            if isinstance(resource, dict) and resource.get("resourceType") == "Claim":
                yield f"entry {number}", resource, others
    else:
        raise FhirInputError(f"{path}: resourceType {kind!r}, expected Claim or Bundle")


class _Unparsed(str):
    """An NDJSON line that is not JSON: reported as an unreadable claim, never dropped."""


def _index(resources: list, entries: list | None = None) -> dict[str, dict]:
    """Resources by 'Type/id' and by Bundle fullUrl, for reference lookups."""
    found: dict[str, dict] = {}
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            continue
        if res.get("id"):
            found[f"{res.get('resourceType')}/{res['id']}"] = res
        if entries and entries[i].get("fullUrl"):
            found[entries[i]["fullUrl"]] = res
    return found


def _read_claim(path: Path, where: str, res: dict, others: dict[str, dict]) -> Claim:
    if isinstance(res, _Unparsed):
        claim = Claim(claim_id=f"{path.name}#{where.replace(' ', '')}", source=str(path))
        claim.read_findings.append(Finding(
            code=CODE, severity="error", claim_id=claim.claim_id,
            message=f"{path}: {where} is not JSON ({res}); whatever resource it held was not read",
            details={"file": str(path), "resource": where}))
        return claim
    claim_id = _claim_id(res) or f"{path.name}#{where.split()[-1]}"
    findings = []
    try:
        _claim_model().model_validate(res)
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(resource)'}: {e['msg']}"
            for e in errors()[:5]) if callable(errors) else str(exc).splitlines()[0]
        first = errors()[0]["loc"] if callable(errors) and errors() else ()
        item = (first[1] + 1 if len(first) > 1 and first[0] == "item" and isinstance(first[1], int)
                else None)  # the line whose value failed: rules do not judge it again
        findings.append(Finding(
            code=CODE, severity="error", claim_id=claim_id, line=item,
            message=f"{path}: {where}: Claim fails FHIR R4B validation: {detail}",
            details={"file": str(path), "resource": where}))
    claim = Claim(claim_id=claim_id, source=str(path))
    try:
        _Mapper(res, others).fill(claim)
    except (AttributeError, TypeError, KeyError, ValueError, InvalidOperation) as exc:
        findings.append(Finding(
            code=CODE, severity="error", claim_id=claim_id,
            message=f"{path}: {where}: could not map the Claim: {type(exc).__name__}",
            details={"file": str(path), "resource": where}))
    claim.read_findings.extend(findings)
    return claim


def _claim_id(res: dict) -> str | None:
    for ident in res.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("value"):
            return str(ident["value"])
    return str(res["id"]) if res.get("id") else None


def _codes(concept: dict | None, systems: tuple[str, ...] | None = None) -> list[str]:
    codes = []
    for coding in (concept or {}).get("coding") or []:
        if coding.get("code") and (systems is None or coding.get("system") in systems):
            codes.append(str(coding["code"]))
    return codes


def _decimal(value: Any) -> Decimal | None:
    """A JSON number as Decimal; None when absent or not a number (validation reports it)."""
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except (TypeError, ValueError):
        return None


class _Mapper:
    """Maps one Claim resource's JSON onto model.Claim."""

    def __init__(self, res: dict, others: dict[str, dict]) -> None:
        self.res = res
        self.others = others
        self.contained = {f"#{c['id']}": c for c in res.get("contained") or []
                          if isinstance(c, dict) and c.get("id")}

    def resolve(self, ref: dict | None) -> dict | None:
        target = (ref or {}).get("reference")
        if not target:
            return None
        return self.contained.get(target) or self.others.get(target)

    def fill(self, claim: Claim) -> None:
        res = self.res
        if res.get("total"):
            claim.total_charge = _decimal(res["total"].get("value"))
        self.diagnoses(claim)
        claim.billing_provider = self.provider("billing", res.get("provider"))
        team = self.care_team()
        claim.rendering_provider = next(
            (p for p, role in team.values() if role in RENDERING_ROLES), None)
        claim.referring_provider = next(
            (p for p, role in team.values() if role == "referring"), None)
        self.payer(claim)
        claim.patient_key = (res.get("patient") or {}).get("reference") or None
        patient = self.resolve(res.get("patient"))
        if patient:
            claim.patient_birth_date = _date(patient.get("birthDate"))
            claim.patient_gender = {"male": "M", "female": "F"}.get(patient.get("gender"), None)
        referral = res.get("referral") or {}
        claim.referral_number = ((referral.get("identifier") or {}).get("value")
                                 or referral.get("display") or None)
        for ext in res.get("extension") or []:
            if ext.get("url") == FREQUENCY_URL:
                claim.frequency_code = ext.get("valueString") or ext.get("valueCode")
        for number, item in enumerate(res.get("item") or [], start=1):
            claim.lines.append(self.line(number, item, team, claim.rendering_provider))
            served = item.get("servicedDate") or (item.get("servicedPeriod") or {}).get("start")
            if isinstance(served, str) and PARTIAL_DATE.match(served):
                element = "servicedDate" if item.get("servicedDate") else "servicedPeriod.start"
                claim.read_findings.append(Finding(
                    code=CODE, severity="error", claim_id=claim.claim_id, line=number,
                    message=(f"{claim.source}: item {number}: {element} is a partial date"
                             f" ({'year and month' if '-' in served else 'a year'} only): a claim line"
                             " needs the full date of service, YYYY-MM-DD (837P DTP*472 D8)"),
                    details={"file": claim.source, "item": number}))
        charges = [ln.charge for ln in claim.lines]
        if claim.total_charge is None and charges and None not in charges:
            claim.total_charge = sum(charges, Decimal(0))
        claim.place_of_service = next(
            (ln.place_of_service for ln in claim.lines if ln.place_of_service), None)

    def diagnoses(self, claim: Claim) -> None:
        entries = sorted(self.res.get("diagnosis") or [], key=lambda d: d.get("sequence", 0))
        for entry in entries:
            codes = _codes(entry.get("diagnosisCodeableConcept"), (ICD10CM,))
            if not codes:
                claim.read_findings.append(Finding(
                    code=CODE, severity="error", claim_id=claim.claim_id,
                    message=f"{claim.source}: diagnosis sequence {entry.get('sequence')} "
                            f"has no ICD-10-CM "
                            f"coding (system {ICD10CM})",
                    details={"file": claim.source, "diagnosis": entry.get("sequence")}))
                continue
            claim.diagnoses.append(Diagnosis(
                code=codes[0].replace(".", "").upper(), position=int(entry["sequence"]),
                qualifier="ABK" if not claim.diagnoses else "ABF"))

    def provider(self, role: str, ref: dict | None, qualification: dict | None = None
                 ) -> Provider | None:
        target = self.resolve(ref)
        if target is None and not (ref or {}).get("identifier"):
            return None
        target = target or {"identifier": [ref["identifier"]]}
        npi = next((i.get("value") for i in target.get("identifier") or []
                    if i.get("system") == NPI), None)
        taxonomy = _codes(qualification, (NUCC,))
        for q in target.get("qualification") or []:
            taxonomy += _codes(q.get("code"), (NUCC,))
        for concept in target.get("type") or []:  # Organization.type
            taxonomy += _codes(concept, (NUCC,))
        address = (target.get("address") or [{}])[0]
        kind = target.get("resourceType")
        name = target.get("name")
        if kind == "Practitioner" and isinstance(name, list) and name:
            human = name[0]
            name = ", ".join(filter(None, [human.get("family"),
                                           " ".join(human.get("given") or [])]))
        return Provider(
            role=role, npi=npi, name=name if isinstance(name, str) else None,
            entity_type={"Practitioner": "1", "Organization": "2"}.get(kind),
            taxonomy=taxonomy[0] if taxonomy else None,
            zip_code=(address.get("postalCode") or "").replace("-", "") or None,
            state=address.get("state"))

    def care_team(self) -> dict[int, tuple[Provider, str]]:
        team = {}
        for member in self.res.get("careTeam") or []:
            roles = _codes(member.get("role"))
            role = roles[0] if roles else "primary"
            label = "referring" if role == "referring" else "rendering"
            provider = self.provider(label, member.get("provider"), member.get("qualification"))
            if provider:
                team[int(member.get("sequence", len(team) + 1))] = (provider, role)
        return team

    def payer(self, claim: Claim) -> None:
        res = self.res
        insurance = sorted(res.get("insurance") or [], key=lambda i: not i.get("focal"))
        chosen = insurance[0] if insurance else {}
        coverage = self.resolve(chosen.get("coverage")) or {}
        insurer = self.resolve(res.get("insurer"))
        if insurer is None and coverage.get("payor"):
            insurer = self.resolve(coverage["payor"][0])
        insurer = insurer or {}
        indicator = next((c for c in _codes(coverage.get("type")) if c in FILING_INDICATORS),
                         None)
        claim.payer = Payer(
            name=insurer.get("name") or (res.get("insurer") or {}).get("display"),
            payer_id=next((i.get("value") for i in insurer.get("identifier") or []), None),
            claim_filing_indicator=indicator)
        auth = chosen.get("preAuthRef") or []
        claim.prior_authorization = auth[0] if auth else None

    def line(self, number: int, item: dict, team: dict, claim_rendering) -> ServiceLine:
        codes = _codes(item.get("productOrService"), HCPCS_SYSTEMS) or _codes(
            item.get("productOrService"))
        line = ServiceLine(number=number, procedure_code=(codes[0] if codes else "").upper())
        line.modifiers = [c.upper() for m in item.get("modifier") or [] for c in _codes(m)[:1]]
        quantity = item.get("quantity") or {}
        line.units = _decimal(quantity.get("value"))
        if quantity.get("unit") in ("min", "minutes") or quantity.get("code") == "min":
            line.unit_basis = "MJ"
        if item.get("net"):
            line.charge = _decimal(item["net"].get("value"))
        elif item.get("unitPrice") and line.units is not None:
            price = _decimal(item["unitPrice"].get("value"))
            line.charge = None if price is None else price * line.units
        if item.get("servicedDate"):
            line.date_of_service = _date(item["servicedDate"])
        elif item.get("servicedPeriod"):
            period = item["servicedPeriod"]
            line.date_of_service = _date(period.get("start"))
            line.date_of_service_end = _date(period.get("end"))
        line.diagnosis_pointers = [int(s) for s in item.get("diagnosisSequence") or []]
        pos = _codes(item.get("locationCodeableConcept"), POS_SYSTEMS) or _codes(
            item.get("locationCodeableConcept"))
        line.place_of_service = pos[0] if pos else None
        for ext in item.get("extension") or []:
            if ext.get("url") == MINUTES_URL and ext.get("valueInteger") is not None:
                line.minutes = int(ext["valueInteger"])
        for seq in item.get("careTeamSequence") or []:
            provider, role = team.get(int(seq), (None, None))
            if provider and role in RENDERING_ROLES and (
                    claim_rendering is None or provider.npi != claim_rendering.npi):
                line.rendering_provider = provider
        return line
