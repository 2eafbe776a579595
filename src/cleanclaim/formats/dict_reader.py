"""Build a Claim from a plain dict (YAML rule cases, the Python API, JSON bodies).

Compact shape::

    {"claim_id": "C1", "payer": "medicare", "diagnoses": ["M54.50", "O26.893"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "minutes": 15,
                "date": "2026-03-05", "pointers": [1]}]}

A line may give ``unit_basis`` (SV103: "UN" units, the default, or "MJ" minutes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..model import Claim, Diagnosis, Payer, Provider, ServiceLine

FILING_INDICATOR = {"medicare": "MB", "medicaid": "MC", "commercial": "CI"}


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _provider(role: str, value: Any) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Provider(role=role, npi=value)
    return Provider(**{"role": role, **value})


def claim_from_dict(data: dict[str, Any], source: str = "<dict>") -> Claim:
    """A Claim from the compact dict shape above. Unknown keys raise KeyError-free ValueError."""
    payer = data.get("payer")
    if isinstance(payer, str):
        payer = Payer(name=payer, claim_filing_indicator=FILING_INDICATOR.get(payer, payer))
    elif isinstance(payer, dict):
        payer = Payer(**payer)
    else:
        payer = Payer()
    diagnoses = [  # "M54.50", or "ABF:M54.50" with the HI qualifier (default ABK first, ABF after)
        Diagnosis(code=str(code).rpartition(":")[2].replace(".", "").upper(), position=i,
                  qualifier=str(code).rpartition(":")[0].upper() or ("ABK" if i == 1 else "ABF"))
        for i, code in enumerate(data.get("diagnoses", []), start=1)
    ]
    claim = Claim(
        claim_id=str(data.get("claim_id", "CASE1")),
        source=source,
        frequency_code=str(data.get("frequency", "1")),
        diagnoses=diagnoses,
        payer=payer,
        billing_provider=_provider("billing", data.get("billing_provider", "1234567893")),
        rendering_provider=_provider("rendering", data.get("rendering_provider")),
        referring_provider=_provider("referring", data.get("referring_provider")),
        prior_authorization=data.get("prior_authorization"),
        referral_number=data.get("referral_number"),
    )
    default_date = _date(data.get("date"))
    for i, ln in enumerate(data.get("lines", []), start=1):
        units = ln.get("units", 1)
        charge = ln.get("charge", 100)
        claim.lines.append(
            ServiceLine(
                number=i,
                procedure_code=str(ln["code"]),
                modifiers=[str(m).upper() for m in ln.get("modifiers", [])],
                units=None if units is None else Decimal(str(units)),
                charge=None if charge is None else Decimal(str(charge)),
                minutes=ln.get("minutes"),
                unit_basis=str(ln.get("unit_basis", "UN")).upper(),
                date_of_service=_date(ln.get("date")) or default_date,
                diagnosis_pointers=list(ln.get("pointers", [1] if diagnoses else [])),
                place_of_service=ln.get("pos", "11"),
                rendering_provider=_provider("rendering", ln.get("rendering_provider")),
            )
        )
    if data.get("birth_date"):
        claim.patient_birth_date = _date(data["birth_date"])
    if "total_charge" in data:
        claim.total_charge = Decimal(str(data["total_charge"]))
    else:
        claim.total_charge = sum((ln.charge or Decimal(0) for ln in claim.lines), Decimal(0))
    return claim
