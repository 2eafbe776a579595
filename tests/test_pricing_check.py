"""`check --price` as billed (error findings pay $0.00, "if corrected" kept) and `check --fee-schedule`
for the dollar caps (VC003)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cleanclaim.cli import main

HEADER = ("claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,pointers,place_of_service,"
          "rendering_npi,rendering_taxonomy,billing_npi,billing_taxonomy,billing_zip,payer_name,payer_id,"
          "payer_type,patient_key\n")


def row(claim_id, taxonomy, dos="2025-06-10", code="97140", payer=("MEDICARE PART B", "13202", "MB"),
        patient="SYN-D1", modifier="GP"):
    return (f"{claim_id},{dos},{code},{modifier},1,60.00,M54.50,1,11,1992999999,{taxonomy},1234567893,225100000X,"
            f"12203,{payer[0]},{payer[1]},{payer[2]},{patient}\n")


def run(tmp_path, monkeypatch, body, *args, config=""):
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text(config)
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + body)
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return {c["claim_id"]: c for c in json.loads(result.output)["claims"]}


def test_lmt_on_medicare_expects_nothing_as_billed(tmp_path, monkeypatch):
    # A massage therapist (NUCC 225700000X) has no Medicare benefit category (SSA §1861(s)):
    # CR001 error, and no correction of the claim makes it payable: $0.00 as billed and if
    # corrected; the note keeps the $20.72 a payable 97140 in Albany 2025 would pay (allowed
    # $26.42, 80%, less 2% sequestration).
    claims = run(tmp_path, monkeypatch, row("D1", "225700000X"), "--price", "--as-of", "2025-07-01")
    price = claims["D1"]["expected_payment"]
    line = price["lines"][0]
    assert "CR001" in line["denied_by"]
    assert (line["allowed"], line["expected_paid"], line["expected_if_corrected"]) == ("26.42", "0.00", "0.00")
    assert (price["total_expected"], price["total_expected_if_corrected"]) == ("0.00", "0.00")
    assert any("not payable by this payer" in n and "$20.72" in n for n in line["notes"])


def test_correctable_denial_keeps_the_deductible_for_later_claims(tmp_path, monkeypatch):
    # D1 lacks GP (TH001: Medicare denies an always-therapy code without it); the biller adds
    # GP before sending, so D1 will meet $26.42 of the $30 deductible and D2 the other $3.58:
    # D2 = (26.42 - 3.58) x 80% = 18.272 -> 18.27, less 2% sequestration 0.37 = $17.90.
    body = row("D1", "225100000X", modifier="") + row("D2", "225100000X", dos="2025-06-12")
    claims = run(tmp_path, monkeypatch, body, "--price", "--as-of", "2025-07-01",
                 config='[pricing]\ndeductible_remaining = "30"\n')
    first = claims["D1"]["expected_payment"]["lines"][0]
    assert "TH001" in first["denied_by"] and first["expected_paid"] == "0.00"
    assert first["expected_if_corrected"] == "0.00"  # all $26.42 goes to the deductible
    line = claims["D2"]["expected_payment"]["lines"][0]
    assert (line["deductible"], line["expected_paid"]) == ("3.58", "17.90")


def test_clean_claim_has_no_if_corrected_figure(tmp_path, monkeypatch):
    claims = run(tmp_path, monkeypatch, row("D2", "225100000X"), "--price", "--as-of", "2025-07-01")
    price = claims["D2"]["expected_payment"]
    assert price["total_expected"] == "20.72" and price["total_expected_if_corrected"] is None


def test_denied_line_leaves_the_deductible_for_the_next_claim(tmp_path, monkeypatch):
    # $30 of the Part B deductible left: the denied LMT claim meets none of it, so the PT claim
    # after it applies $26.42 (all its allowed amount) to the deductible and expects $0.00.
    body = row("D1", "225700000X") + row("D2", "225100000X")
    claims = run(tmp_path, monkeypatch, body, "--price", "--as-of", "2025-07-01",
                 config='[pricing]\ndeductible_remaining = "30"\n')
    line = claims["D2"]["expected_payment"]["lines"][0]
    assert (line["deductible"], line["expected_paid"]) == ("26.42", "0.00")


PACK = """pack: acme
title: ACME with dollar max
extends: commercial-default
applies_to: {payer_ids: ["60054"]}
dollar_caps:
  - id: acme.rehab-max
    effective_from: 2026-01-01
    citation: "ACME 2026 SBC: rehabilitation services $100 per calendar year"
    disciplines: [PT, OT, SLP]
    amount: 100
    basis: allowed
"""


def test_dollar_cap_without_fee_schedule_says_not_checked(tmp_path, monkeypatch):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "acme.yaml").write_text(PACK)
    fees = tmp_path / "fees.csv"
    fees.write_text("payer,code,amount\n60054,97140,40.00\n")
    acme = ("ACME HEALTH PLAN", "60054", "CI")
    body = "".join(row(f"A{i}", "225100000X", dos=f"2026-03-0{i}", payer=acme) for i in (2, 3, 4))
    args = ["--policies", str(packs), "--as-of", "2026-03-10", "--select", "VC003"]
    claims = run(tmp_path, monkeypatch, body, *args)
    for claim in claims.values():
        (finding,) = claim["findings"]
        assert finding["severity"] == "info" and "not checked" in finding["message"]
        assert "no fee schedule for payer 60054" in finding["message"]
    # with the fee schedule: $40 a visit -> $120 on the third visit, over the $100 maximum
    claims = run(tmp_path, monkeypatch, body, *args, "--fee-schedule", str(fees))
    assert [f["code"] for f in claims["A4"]["findings"]] == ["VC003"]
    assert claims["A4"]["findings"][0]["severity"] == "error" and "$120.00" in claims["A4"]["findings"][0]["message"]
    assert claims["A2"]["findings"] == [] and claims["A3"]["findings"] == []
