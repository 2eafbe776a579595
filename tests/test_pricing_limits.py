"""Trial-6 pricing fixes: lesser of charge and fee schedule, MPPR across a whole run.

Figures: CMS PPRRVU2025 (Oct), GPCI2025, ZIP5 Oct 2025, CF 32.3465 (see tests/test_pricing.py):
97140 at Albany (13282-99) = $26.42 in full, 97110 = $27.99 in full / $21.39 with the 50% PE
reduction, 97530 = $33.50 in full.
"""

from __future__ import annotations

import json
from decimal import Decimal

from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.pricing import FeeSchedule, PricingBatch, PricingOptions, price_claim, price_claims

from test_pricing import claim, line

D = Decimal
MEDICARE = PricingOptions()


def charged(number, code, charge, units=1):
    ln = line(number, code, units)
    ln.charge = D(charge)
    return ln


def test_medicare_allows_the_lesser_of_charge_and_fee_schedule(store):
    # SSA §1833(a)(1)(N): 80% of the lesser of the actual charge or the fee schedule amount.
    # $10 charge < $26.42: allowed $10.00; coinsurance $2.00; payment $8.00; sequestration 2%
    # $0.16; expected paid $7.84.
    price = price_claim(claim(charged(1, "97140", "10.00")), store, config=MEDICARE)
    lp = price.lines[0]
    assert (lp.allowed, lp.coinsurance, lp.sequestration, lp.expected_paid) == (
        D("10.00"), D("2.00"), D("0.16"), D("7.84"))
    assert any("lesser of the actual charge" in n and "1833(a)(1)(N)" in n for n in lp.notes)
    # a charge above the fee schedule changes nothing
    assert price_claim(claim(charged(1, "97140", "60.00")), store, config=MEDICARE).lines[0].allowed == D("26.42")


def test_lesser_of_applies_after_mppr(store):
    # 2 units of 97140: $26.42 + $20.29 = $46.71 allowed; a $40 charge for the line caps it at $40
    lp = price_claim(claim(charged(1, "97140", "40.00", units=2)), store, config=MEDICARE).lines[0]
    assert lp.mppr_units == 1 and lp.allowed == D("40.00")


def test_fee_schedule_lesser_of_charge_and_contract_rate(store, tmp_path):
    fees = tmp_path / "fees.csv"
    fees.write_text("payer,code,amount\nACME,97140,55.00\n")
    options = PricingOptions(fee_schedules=(fees,), payer_type="commercial")
    c = claim(charged(1, "97140", "45.00"), sbr09="CI", payer_id="ACME")
    lp = price_claim(c, store, config=options).lines[0]
    assert lp.allowed == lp.expected_paid == D("45.00")
    assert any("contracted rate" in n for n in lp.notes)
    assert FeeSchedule.load([fees]).files


def test_later_claim_with_higher_pe_reduces_the_earlier_claim(store):
    # 97110 on claim A, then 97530 on claim B, same provider, patient and day: one bill of both
    # pays 97530 in full and 97110 reduced (Pub. 100-04 ch.5 §10.7), $33.50 + $21.39 = $54.89.
    a, b = price_claims([claim(line(1, "97110"), claim_id="A"), claim(line(1, "97530"), claim_id="B")],
                        store, config=MEDICARE)
    assert a.lines[0].allowed == D("21.39") and a.lines[0].mppr_units == 1
    assert b.lines[0].allowed == D("33.50") and b.lines[0].mppr_units == 0
    assert a.total_allowed + b.total_allowed == D("54.89")
    assert any("claim B, later in this run" in n for n in a.notes)


def test_one_claim_at_a_time_says_the_earlier_claim_is_overstated(store):
    # check --price prices claims as they stream by: A's 97110 is priced in full ($27.99); B then
    # holds the day's highest unit and says the MAC reduces A's unit: 27.99 - 21.39 = $6.60.
    batch = PricingBatch()
    a = price_claim(claim(line(1, "97110"), claim_id="A"), store, config=MEDICARE, batch=batch)
    b = price_claim(claim(line(1, "97530"), claim_id="B"), store, config=MEDICARE, batch=batch)
    assert a.lines[0].allowed == D("27.99") and b.lines[0].allowed == D("33.50")
    note = next(n for n in b.notes if n.startswith("MPPR 2025-03-03"))
    assert "A line 1 97110" in note and "$6.60 less" in note


HEADER = ("claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,pointers,place_of_service,"
          "billing_npi,billing_zip,payer_name,payer_id,payer_type,patient_key\n")


def _row(claim_id, code, patient="SYN7"):
    return f"{claim_id},2025-06-12,{code},GP,1,60.00,M54.50,1,11,1456789019,12203,MEDICARE,13202,MB,{patient}\n"


def _price(args):
    result = CliRunner().invoke(main, ["price", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {c["claim_id"]: c for c in json.loads(result.output)["claims"]}


def test_price_claim_option_only_filters_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    path = tmp_path / "p7.csv"
    path.write_text(HEADER + _row("P7B", "97530") + _row("P7A", "97110"))
    whole = _price([str(path)])
    alone = _price([str(path), "--claim", "P7A"])
    assert list(alone) == ["P7A"]
    assert whole["P7A"]["total_allowed"] == alone["P7A"]["total_allowed"] == "21.39"
    # the deductible carries over too: 2025 Part B deductible $257 not met; P7B allowed $33.50
    # takes $33.50 of it, so P7A's $21.39 goes to the deductible as well: expected paid $0.00
    whole = _price([str(path), "--deductible-remaining", "full"])
    alone = _price([str(path), "--deductible-remaining", "full", "--claim", "P7A"])
    assert alone["P7A"]["lines"][0]["deductible"] == whole["P7A"]["lines"][0]["deductible"] == "21.39"
    # with $40 left: P7B uses $33.50, P7A $6.50: (21.39 - 6.50) x 0.8 = 11.912 -> payment
    # 21.39 - 6.50 - 2.98 = 11.91, less 2% (0.24) = 11.67
    alone = _price([str(path), "--deductible-remaining", "40", "--claim", "P7A"])
    assert alone["P7A"]["lines"][0]["deductible"] == "6.50"
    assert alone["P7A"]["total_expected"] == "11.67"
