"""Trial-9 N6: a CSV with payer_type but no payer_name/payer_id still gets the cross-claim
checks (HX001 duplicate, HX004 MUE across claims): the payer key falls back to SBR09.

Authorities: CARC 18 exact duplicate (same patient, date and service, whatever the payer
label); CMS NCCI MUE 97129 = 1, MAI 2 (shipped 2024 Q3 practitioner table), per beneficiary,
provider and date across claims.
"""

import json

from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.model import Payer
from cleanclaim.store.keys import NO_PAYER_KEY, payer_key

HEADER = "claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,pointers,rendering_npi," \
         "billing_npi,payer_type,patient_key\n"


def _check(tmp_path, rows):
    path = tmp_path / "cross.csv"
    path.write_text(HEADER + "".join(rows))
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", "2026-12-01",
                                       "--select", "HX"])
    return {c["claim_id"]: sorted(f["code"] for f in c["findings"]) for c in json.loads(result.output)["claims"]}


def _row(claim, payer_type="MB", patient="SYN-P1"):
    return f"{claim},2026-06-01,97129,GO,1,60.00,R41.844,1,1992999999,1234567893,{payer_type},{patient}\n"


def test_payer_type_only_still_finds_the_duplicate_and_the_mue_over_two_claims(tmp_path):
    found = _check(tmp_path, [_row("K1"), _row("K2")])
    assert found == {"K1": [], "K2": ["HX001", "HX004"]}


def test_different_payer_types_are_different_payers(tmp_path):
    found = _check(tmp_path, [_row("K1", "MB"), _row("K2", "MC")])
    assert found == {"K1": [], "K2": []}


def test_payer_key_fallback():
    assert payer_key(Payer(name="Medicare B", payer_id=None, claim_filing_indicator="MB")) == "MEDICARE B"
    assert payer_key(Payer(claim_filing_indicator="mb")) == "SBR09 MB"
    assert payer_key(Payer()) == NO_PAYER_KEY
    assert payer_key(Payer(claim_filing_indicator="MB"), fallback=False) is None
    assert payer_key(name=None, payer_id=None) is None  # a bare lookup never invents a payer
