"""Regenerate examples/prenatal-massage.837 from the claims below (synthetic data only).

    .venv/bin/python examples/make_examples.py

Each claim's comment says what it seeds; tests/test_examples.py asserts exactly those
findings, and nothing on the clean claims.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cleanclaim.formats.dict_reader import claim_from_dict
from cleanclaim.formats.write837 import write_837

PRACTICE = {"npi": "1234567893", "name": "BLOOM PRENATAL THERAPY", "entity_type": "2",
            "taxonomy": "225100000X", "zip_code": "122070001", "state": "NY"}
THERAPIST = {"npi": "1992999999", "name": "RIVERA", "entity_type": "1", "taxonomy": "225100000X"}
COMMERCIAL = {"name": "ACME HEALTH PLAN", "payer_id": "60054", "claim_filing_indicator": "CI"}
MEDICARE = {"name": "MEDICARE PART B", "payer_id": "13202", "claim_filing_indicator": "MB"}

CLAIMS = [
    # clean: pregnancy-related low back pain, third trimester, manual therapy + exercise
    {"claim_id": "PM1001", "payer": COMMERCIAL, "diagnoses": ["O26.893", "M54.50", "Z3A.30"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 2, "charge": 90, "date": "2026-09-14", "pointers": [1, 2, 3]},
               {"code": "97110", "modifiers": ["GP"], "units": 1, "charge": 40, "date": "2026-09-14", "pointers": [1, 2]}]},
    # seeded NC001: 97124 massage with 97140 manual therapy in one session (NCCI indicator 0)
    {"claim_id": "PM1002", "payer": COMMERCIAL, "diagnoses": ["O26.893", "M54.50", "Z3A.32"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-09-28", "pointers": [1, 2]},
               {"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-28", "pointers": [1, 2]}]},
    # seeded DX002: M54.5 on a 2026 date (a header since FY2022)
    {"claim_id": "PM1003", "payer": COMMERCIAL, "diagnoses": ["M54.5"],
     "lines": [{"code": "97110", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-06-10"}]},
    # seeded PG004: Z33.1 as the only diagnosis for prenatal massage
    {"claim_id": "PM1004", "payer": COMMERCIAL, "diagnoses": ["Z33.1"],
     "lines": [{"code": "97124", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-07-08"}]},
    # seeded TH001: Medicare line 1 (97110) without GP
    {"claim_id": "PM1005", "payer": MEDICARE, "diagnoses": ["M54.50", "M62.830"],
     "lines": [{"code": "97110", "units": 2, "charge": 80, "date": "2026-08-03", "pointers": [1, 2]},
               {"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-08-03", "pointers": [1]}]},
    # seeded CL001: line points to diagnosis 3, the claim has 2
    {"claim_id": "PM1006", "payer": COMMERCIAL, "diagnoses": ["O26.893", "Z3A.34"],
     "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "charge": 45, "date": "2026-09-21", "pointers": [3]}]},
    # clean: Medicare, low back pain, exercise + therapeutic activities
    {"claim_id": "PM1007", "payer": MEDICARE, "diagnoses": ["M54.50", "M62.830"],
     "lines": [{"code": "97110", "modifiers": ["GP"], "units": 2, "charge": 80, "date": "2026-09-22", "pointers": [1, 2]},
               {"code": "97530", "modifiers": ["GP"], "units": 1, "charge": 50, "date": "2026-09-22", "pointers": [1]}]},
]


def build() -> Path:
    out = Path(__file__).with_name("prenatal-massage.837")
    claims = []
    for data in CLAIMS:
        claim = claim_from_dict({**data, "billing_provider": PRACTICE,
                                 "rendering_provider": THERAPIST})
        claim.patient_key = "SYN" + data["claim_id"][-3:]
        claims.append(claim)
    with open(out, "w", newline="") as fh:
        write_837(claims, fh, sender="BLOOMPT", receiver="CLEARINGHOUSE",
                  created=datetime(2026, 11, 20, 9, 30))
    return out


if __name__ == "__main__":
    print(f"wrote {build()}")
