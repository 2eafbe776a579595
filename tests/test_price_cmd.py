"""`cleanclaim price` and `check --price` on a synthetic CSV (figures: tests/test_pricing.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main

HEADER = ("claim_id,date_of_service,procedure_code,modifiers,units,charge,dx1,pointers,place_of_service,"
          "billing_npi,billing_zip,payer_name,payer_id,payer_type,patient_key\n")


def row(claim_id, code, units=1, zip_code="12203", sbr09="MB", patient="SYN1", payer_id="13282"):
    return (f"{claim_id},2025-03-03,{code},GP,{units},60.00,M54.50,1,11,1234567893,{zip_code},"
            f"SOME PAYER,{payer_id},{sbr09},{patient}\n")


@pytest.fixture
def claims_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + row("M1", "97140") + row("M1", "97110", 2) + row("M1", "97530")
                    + row("M2", "97140", zip_code="07726", patient="SYN2")
                    + row("C1", "97140", sbr09="CI", payer_id="60054", patient="SYN3"))
    return path


def test_price_json(claims_csv):
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--format", "json"])
    assert result.exit_code == 0, result.output
    claims = {c["claim_id"]: c for c in json.loads(result.output)["claims"]}
    assert claims["M1"]["total_allowed"] == "96.57"
    assert [ln["allowed"] for ln in claims["M1"]["lines"]] == ["20.29", "42.78", "33.50"]
    assert claims["M2"]["total_allowed"] is None and "ZIP+4" in claims["M2"]["notes"][0]
    assert claims["C1"]["lines"][0]["allowed"] is None


def test_price_text_one_claim_with_fee_schedule(claims_csv, tmp_path):
    fees = tmp_path / "fees.csv"
    fees.write_text("payer,code,amount\n60054,97140,31.50\n")
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--claim", "C1", "--fee-schedule", str(fees)])
    assert result.exit_code == 0, result.output
    assert "$31.50" in result.output and "claim M1" not in result.output


def test_price_options(claims_csv):
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--claim", "M1", "--format", "json",
                                       "--deductible-remaining", "full", "--non-participating"])
    claim = json.loads(result.output)["claims"][0]
    # non-par: 96.57 -> 20.29 x .95 = 19.28, 42.78 x .95 = 40.64, 33.50 x .95 = 31.83 (91.75),
    # all under the $257 2025 deductible: Medicare pays nothing yet
    assert claim["total_allowed"] == "91.75" and claim["total_expected"] == "0.00"


def test_price_bad_fee_schedule_and_missing_claim(claims_csv, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("payer,code\n60054,97140\n")
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--fee-schedule", str(bad)])
    assert result.exit_code == 2 and "bad.csv:1" in result.output and "amount" in result.output
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--claim", "NOPE"])
    assert result.exit_code == 1 and "NOPE not found" in result.output
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--deductible-remaining", "lots"])
    assert result.exit_code == 2 and "--deductible-remaining" in result.output


def test_check_price_adds_expected_payment(claims_csv):
    plain = CliRunner().invoke(main, ["check", str(claims_csv), "--format", "json"])
    assert all("expected_payment" not in c for c in json.loads(plain.output)["claims"])
    # as of a week after the date of service (not past Medicare's 12-month filing limit: an
    # HX005 error would make the claim pay $0.00 as billed, tests/test_pricing_check.py)
    priced = CliRunner().invoke(main, ["check", str(claims_csv), "--format", "json", "--price",
                                       "--as-of", "2025-03-10"])
    claims = {c["claim_id"]: c for c in json.loads(priced.output)["claims"]}
    assert claims["M1"]["expected_payment"]["total_expected"] == "75.71"
    assert claims["M1"]["expected_payment"]["lines"][0]["expected_paid"] == "15.91"
    text = CliRunner().invoke(main, ["check", str(claims_csv), "--price", "--as-of", "2025-03-10"])
    assert "expected payment (medicare): allowed $96.57  expected paid $75.71" in text.output


def test_check_price_default_from_config(claims_csv, tmp_path):
    (tmp_path / "none.toml").write_text("[pricing]\ncheck = true\n")
    on = CliRunner().invoke(main, ["check", str(claims_csv), "--format", "json"])
    assert "expected_payment" in json.loads(on.output)["claims"][0]
    off = CliRunner().invoke(main, ["check", str(claims_csv), "--format", "json", "--no-price"])
    assert "expected_payment" not in json.loads(off.output)["claims"][0]


def test_mppr_with_a_recorded_history(store, tmp_path):
    """A stored claim of the same provider, patient and day takes the full unit."""
    from cleanclaim.model import Claim, Payer, Provider, ServiceLine
    from cleanclaim.pricing import PricingOptions, price_claim
    from cleanclaim.store import open_history

    def claim(claim_id, code):
        return Claim(claim_id, payer=Payer(payer_id="13282", claim_filing_indicator="MB"),
                     billing_provider=Provider("billing", npi="1234567893", zip_code="12203"),
                     patient_key="SYN1", place_of_service="11",
                     lines=[ServiceLine(1, code, ["GP"], units=Decimal(1), date_of_service=date(2025, 3, 3))])

    history = open_history(tmp_path / "history.sqlite")
    earlier, this = claim("E1", "97530"), claim("T1", "97140")
    history.record(earlier)
    history.record(this)  # recorded before pricing, as `check --record --price` does: excluded by its key
    price = price_claim(this, store, config=PricingOptions(), history=history)
    assert price.lines[0].allowed == Decimal("20.29")  # 97530 (PE 0.62) paid in full on E1
    alone = price_claim(earlier, store, config=PricingOptions(), history=history)
    assert alone.lines[0].allowed == Decimal("33.50")  # T1's 97140 has the lower PE
    history.close()


def test_price_with_db_counts_stored_claims(claims_csv, tmp_path):
    from cleanclaim.model import Claim, Payer, Provider, ServiceLine
    from cleanclaim.store import open_history

    db = tmp_path / "h.sqlite"
    history = open_history(db)
    history.record(Claim("E1", payer=Payer(payer_id="13282", claim_filing_indicator="MB"),
                         billing_provider=Provider("billing", npi="1234567893", zip_code="12203"),
                         patient_key="SYN1", lines=[ServiceLine(1, "97530", ["GP"], units=Decimal(2),
                                                                date_of_service=date(2025, 3, 3))]))
    history.close()
    result = CliRunner().invoke(main, ["price", str(claims_csv), "--claim", "M1", "--format", "json",
                                       "--db", str(db)])
    lines = json.loads(result.output)["claims"][0]["lines"]
    # the stored 97530 took the full unit: 97530 here is reduced too, (0.44 + 0.31 x 0.949 + 0.00732)
    # = 0.74151 x 32.3465 = 23.9853 -> 23.99
    assert [ln["allowed"] for ln in lines] == ["20.29", "42.78", "23.99"]


def test_check_price_text_shows_the_mppr_note_across_claims(tmp_path, monkeypatch):
    """MPPR is per provider, patient and day across claims (Pub. 100-04 ch.5 §10.7): when a later
    claim holds the highest-PE unit, the text report must say how much the day's total is
    overstated (not only JSON), while routine locality/deductible notes stay with `price`."""
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    path = tmp_path / "split.csv"
    path.write_text(HEADER + row("P7A", "97110") + row("P7B", "97530"))
    text = CliRunner().invoke(main, ["check", str(path), "--price", "--as-of", "2025-03-10"]).output
    assert "the day's total is $" in " ".join(text.split()) and "less than the figures shown" in " ".join(text.split())
    assert "locality 13282-99" not in text and "deductible assumed met" not in text
