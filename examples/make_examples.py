"""Regenerate examples/prenatal-massage.837 and examples/payer-policies.837 from the claims
below (synthetic data only).

    .venv/bin/python examples/make_examples.py

Each claim's comment says what it seeds; tests/test_examples.py asserts exactly those
findings, and nothing on the clean claims. Commercial claims carry the authorisation
number ACME requires for 97124/97140 and diagnoses that meet the packs' covered-diagnosis
requirements, as a real practice's claims would. ACME's rules come from the example practice
pack examples/policies/acme.yaml (enforcement: payer: its findings are errors); check the
examples the way `make demo` does:

    cleanclaim check examples/ --policies examples/policies --as-of 2026-12-01
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from cleanclaim.formats.dict_reader import claim_from_dict
from cleanclaim.formats.write837 import write_837

PRACTICE = {"npi": "1234567893", "name": "BLOOM PRENATAL THERAPY", "entity_type": "2",
            "taxonomy": "225100000X", "zip_code": "122070001", "state": "NY"}
THERAPIST = {"npi": "1992999999", "name": "RIVERA", "entity_type": "1", "taxonomy": "225100000X"}
MASSAGE_THERAPIST = {"npi": "1003000126", "name": "OKAFOR", "entity_type": "1", "taxonomy": "225700000X"}
COMMERCIAL = {"name": "ACME HEALTH PLAN", "payer_id": "60054", "claim_filing_indicator": "CI"}
MEDICARE = {"name": "MEDICARE PART B", "payer_id": "13202", "claim_filing_indicator": "MB"}

CLAIMS = [
    # clean: pregnancy-related low back pain, third trimester, manual therapy + exercise
    {"claim_id": "PM1001", "payer": COMMERCIAL, "prior_authorization": "ACME26-PT-0412", "diagnoses": ["O26.893", "M54.50", "Z3A.30"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 2, "charge": 90, "date": "2026-09-14", "pointers": [1, 2, 3]},
               {"code": "97110", "modifiers": ["GP"], "units": 1, "charge": 40, "date": "2026-09-14", "pointers": [1, 2]}]},
    # seeded NC001: 97124 massage with 97140 manual therapy in one session (NCCI indicator 0)
    {"claim_id": "PM1002", "payer": COMMERCIAL, "prior_authorization": "ACME26-PT-0533", "diagnoses": ["O26.893", "M54.50", "Z3A.32"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-09-28", "pointers": [1, 2]},
               {"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-28", "pointers": [1, 2]}]},
    # seeded DX002: M54.5 on a 2026 date (a header since FY2022)
    {"claim_id": "PM1003", "payer": COMMERCIAL, "diagnoses": ["M54.5"],
     "lines": [{"code": "97110", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-06-10"}]},
    # seeded PG004: Z33.1 as the only diagnosis for prenatal massage
    {"claim_id": "PM1004", "payer": COMMERCIAL, "prior_authorization": "ACME26-PT-0298", "diagnoses": ["Z33.1"],
     "lines": [{"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-07-08"}]},
    # seeded TH001: Medicare line 1 (97110) without GP
    {"claim_id": "PM1005", "payer": MEDICARE, "diagnoses": ["M54.50", "M62.830"],
     "lines": [{"code": "97110", "units": 2, "charge": 80, "date": "2026-08-03", "pointers": [1, 2]},
               {"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-08-03", "pointers": [1]}]},
    # seeded CL001: line points to diagnosis 3, the claim has 2
    {"claim_id": "PM1006", "payer": COMMERCIAL, "prior_authorization": "ACME26-PT-0561", "diagnoses": ["O26.893", "Z3A.34"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-09-21", "pointers": [3]}]},
    # clean: Medicare, low back pain, exercise + therapeutic activities
    {"claim_id": "PM1007", "payer": MEDICARE, "diagnoses": ["M54.50", "M62.830"],
     "lines": [{"code": "97110", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-22", "pointers": [1, 2]},
               {"code": "97530", "modifiers": ["GP"], "units": 1, "charge": 50, "date": "2026-09-22", "pointers": [1]}]},
]


def _visits(first: str, count: int, lines: list[dict], days=(0, 3)) -> list[dict]:
    """The same visit ``count`` times, twice a week from ``first`` (days after each week's start)."""
    start = date.fromisoformat(first)
    dates = [start + timedelta(weeks=w, days=d) for w in range(count) for d in days][:count]
    return [{**ln, "date": day.isoformat()} for day in dates for ln in lines]


PT_VISIT = [{"code": "97110", "modifiers": ["GP"], "units": 1, "charge": 40, "pointers": [1]}]
MEDICARE_VISIT = [{"code": "97110", "modifiers": ["GP"], "units": 3, "charge": 120, "pointers": [1]},
                  {"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "pointers": [1]}]

# examples/payer-policies.837: what the payer policy packs catch (issue #3 "Done when").
POLICY_CLAIMS = [
    # seeded MN001: massage for anxiety with an incidental pregnancy (F41.9, Z33.1): no covered diagnosis
    {"claim_id": "PP3001", "payer": COMMERCIAL, "prior_authorization": "ACME26-PT-0610",
     "diagnoses": ["F41.9", "Z33.1"],
     "lines": [{"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-08", "pointers": [1, 2]}]},
    # seeded PA001: manual therapy to ACME with no authorisation number (REF*G1)
    {"claim_id": "PP3002", "payer": COMMERCIAL, "diagnoses": ["M54.50"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-09-09"}]},
    # seeded CR001: a licensed massage therapist (225700000X) billing Medicare
    {"claim_id": "PP3003", "payer": MEDICARE, "diagnoses": ["M54.50"], "rendering_provider": MASSAGE_THERAPIST,
     "lines": [{"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-10"}]},
    # clean: 30 PT visits to ACME (twice a week from April) for one patient; the cap is 30 a year ...
    {"claim_id": "PP3101", "payer": COMMERCIAL, "patient": "SYNVC1", "diagnoses": ["M54.50"],
     "lines": _visits("2026-04-07", 16, PT_VISIT, days=(0, 2))},
    {"claim_id": "PP3102", "payer": COMMERCIAL, "patient": "SYNVC1", "diagnoses": ["M54.50"],
     "lines": _visits("2026-06-02", 14, PT_VISIT, days=(0, 2))},
    # ... seeded VC001: the 31st visit of the calendar year
    {"claim_id": "PP3103", "payer": COMMERCIAL, "patient": "SYNVC1", "diagnoses": ["M54.50"],
     "lines": _visits("2026-07-21", 1, PT_VISIT)},
    # clean: 26 Medicare PT visits (97110 x3 + 97140, twice a week): $2,444.78 allowed at the PFS ...
    {"claim_id": "PP3201", "payer": MEDICARE, "patient": "SYNKX1", "diagnoses": ["M54.50", "M62.830"],
     "lines": _visits("2026-04-06", 13, MEDICARE_VISIT)},
    {"claim_id": "PP3202", "payer": MEDICARE, "patient": "SYNKX1", "diagnoses": ["M54.50", "M62.830"],
     "lines": _visits("2026-05-21", 13, MEDICARE_VISIT, days=(0, 4))},
    # ... seeded VC002 (lines 1, 2): the next visit passes the $2,480 2026 KX threshold without KX
    {"claim_id": "PP3203", "payer": MEDICARE, "patient": "SYNKX1", "diagnoses": ["M54.50", "M62.830"],
     "lines": _visits("2026-07-09", 1, MEDICARE_VISIT)},
    # clean: the same patient's next visit with KX (therapy documented as medically necessary)
    {"claim_id": "PP3204", "payer": MEDICARE, "patient": "SYNKX1", "diagnoses": ["M54.50", "M62.830"],
     "lines": [{**ln, "modifiers": ["GP", "KX"]} for ln in _visits("2026-07-13", 1, MEDICARE_VISIT)]},
]


def _claims(rows: list[dict]) -> list:
    claims = []
    for data in rows:
        data = dict(data)
        patient = data.pop("patient", None)
        claim = claim_from_dict({**data, "billing_provider": PRACTICE,
                                 "rendering_provider": data.get("rendering_provider", THERAPIST)})
        claim.patient_key = patient or "SYN" + data["claim_id"][-3:]
        claims.append(claim)
    return claims


def build() -> list[Path]:
    written = []
    for name, rows in (("prenatal-massage.837", CLAIMS), ("payer-policies.837", POLICY_CLAIMS)):
        out = Path(__file__).with_name(name)
        with open(out, "w", newline="") as fh:
            write_837(_claims(rows), fh, sender="BLOOMPT", receiver="CLEARINGHOUSE",
                      created=datetime(2026, 11, 20, 9, 30))
        written.append(out)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path}")
