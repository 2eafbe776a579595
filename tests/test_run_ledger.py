"""Cross-claim edits inside one run, without a claim history database (trial #8).

Authorities: CMS 100-04 ch.1 §120 (duplicates, CARC 18); NCCI PTP edits apply across the
claims of one provider, beneficiary and date (CMS NCCI Policy Manual ch.1); MUE MAI 3 is a
date-of-service edit (97110: MUE 6 in the shipped 2024 Q3 practitioner table); the shipped
2024 Q3 PTP table has 97140 / 97124 at modifier indicator 0.
"""

import json

from click.testing import CliRunner

from cleanclaim.cli import main

HEADER = ("claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,pointers,rendering_npi,"
          "billing_npi,billing_zip,payer_name,payer_id,payer_type,patient_key,prior_auth,frequency_code,"
          "original_reference\n")


def row(claim, code, units=1, patient="SYN-R1", dos="2026-09-15", freq="1", ref=""):
    return (f"{claim},{dos},{code},GP,{units},{40 * units}.00,M54.50,1,1992999999,1234567893,122070001,"
            f"ACME HEALTH PLAN,60054,CI,{patient},AUTH-1,{freq},{ref}\n")


def check(tmp_path, rows, *extra):
    path = tmp_path / "batch.csv"
    path.write_text(HEADER + "".join(rows))
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", "2026-12-01",
                                       "--select", "HX", *extra])
    return {c["claim_id"] + "#" + str(i): [f["code"] for f in c["findings"]]
            for i, c in enumerate(json.loads(result.output)["claims"])}


def x12_claim(claim_id, code, dos="2026-09-15", frequency="1", ref=None):
    from cleanclaim.formats.dict_reader import claim_from_dict

    claim = claim_from_dict({
        "claim_id": claim_id, "payer": {"name": "ACME HEALTH PLAN", "payer_id": "60054",
                                        "claim_filing_indicator": "CI"},
        "diagnoses": ["M54.50"], "prior_authorization": "AUTH-1",
        "billing_provider": {"npi": "1234567893", "name": "PRACTICE", "entity_type": "2", "zip_code": "122070001"},
        "rendering_provider": {"npi": "1992999999", "name": "PT", "entity_type": "1", "taxonomy": "225100000X"},
        "lines": [{"code": code, "modifiers": ["GP"], "units": 1, "charge": 40, "date": dos, "pointers": [1]}]})
    claim.patient_key = "SYN-R1"
    claim.frequency_code, claim.original_reference = frequency, ref
    return claim


def check_837(tmp_path, claims):
    from cleanclaim.formats.write837 import write_837

    path = tmp_path / "batch.837"
    with open(path, "w") as fh:
        write_837(claims, fh)
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", "2026-12-01",
                                       "--select", "HX"])
    return [(c["claim_id"], [f["code"] for f in c["findings"]]) for c in json.loads(result.output)["claims"]]


def test_same_claim_twice_in_one_file_is_a_duplicate(tmp_path):
    got = check_837(tmp_path, [x12_claim("D1", "97110"), x12_claim("X", "97530", dos="2026-09-20"),
                               x12_claim("D1", "97110")])
    assert got == [("D1", []), ("X", []), ("D1", ["HX001"])]


def test_a_void_takes_the_claim_out_of_the_run(tmp_path):
    got = check_837(tmp_path, [x12_claim("V1", "97110"), x12_claim("V1", "97110", frequency="8", ref="V1"),
                               x12_claim("V2", "97110")])
    assert got == [("V1", []), ("V1", []), ("V2", [])]


def test_same_services_under_a_new_claim_number(tmp_path):
    got = check(tmp_path, [row("A1", "97110"), row("A2", "97110")])
    assert got == {"A1#0": [], "A2#1": ["HX001"]}


def test_ncci_pair_and_mue_split_over_two_claims(tmp_path):
    got = check(tmp_path, [row("S1", "97140"), row("S2", "97124"),
                           row("S3", "97110", units=4, dos="2026-09-16"), row("S4", "97110", units=4, dos="2026-09-16")])
    assert got["S2#1"] == ["HX003"]  # 97124 is column 2 of 97140, indicator 0
    assert "HX004" in got["S4#3"]  # 4 + 4 units > MUE 6


def test_other_patients_do_not_count(tmp_path):
    got = check(tmp_path, [row("P1", "97110"), row("P2", "97110", patient="SYN-R2")])
    assert got == {"P1#0": [], "P2#1": []}


def test_ledgers_forget_the_oldest_patients_so_memory_stays_flat(monkeypatch):
    from cleanclaim.policies import claimview
    from cleanclaim.store.run_ledger import RunLedger

    ledger = RunLedger(max_patients=2)
    for n in range(3):
        claim = x12_claim(f"C{n}", "97110")
        claim.patient_key = f"SYN-{n}"
        ledger.add(claim)
    assert ledger.service_lines("SYN-0") == [] and len(ledger.service_lines("SYN-2")) == 1
    monkeypatch.setattr(claimview, "LEDGER_PATIENTS", 2)
    batch = claimview.BatchLedger()
    for n in range(3):
        batch.put_visits(f"SYN-{n}", "60054", ("npi", "60054", f"C{n}"), {("2026-09-15", "PT")})
    assert list(batch.visits) == [("SYN-1", "60054"), ("SYN-2", "60054")]


def test_pair_in_both_column_orders_across_claims_gives_one_finding(tmp_path):
    """76001/01922 is in the shipped PTP table in both orders: 76001>01922 deleted 2009-12-31
    (indicator 0) and 01922>76001 deleted 2018-12-31 (indicator 1). On 2009-06-01 the row with
    the earliest deletion date on or after the date of service decides (issue 2 §5): 01922 is
    its column 2, once -- not also 'column 1 to 76001' from the other row."""
    got = check(tmp_path, [row("S1", "76001", dos="2009-06-01"), row("S2", "01922", dos="2009-06-01")])
    assert got["S1#0"].count("HX003") == 0
    assert got["S2#1"].count("HX003") == 1
