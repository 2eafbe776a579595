"""Expected payment: hand calculations from the shipped CMS files.

RVUs: CMS PPRRVU2025 (October release); GPCIs: CMS GPCI2025; ZIP -> locality: CMS
ZIP5 October 2025. Rest of New York is carrier 13282 locality 99 (work 1.000, PE 0.949,
MP 0.732); Albany ZIP 12203 maps to it in the ZIP5 file (NY122031328299).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cleanclaim.model import Claim, Payer, Provider, ServiceLine
from cleanclaim.pricing import (FeeScheduleError, PricingBatch, PricingOptions, price_claim,
                                price_claims)

D = Decimal
DOS25 = date(2025, 3, 3)
MEDICARE = PricingOptions()


def line(number, code, units=1, modifiers=("GP",), dos=DOS25, pos=None):
    return ServiceLine(number, code, list(modifiers), units=D(units), date_of_service=dos, place_of_service=pos)


def claim(*lines, zip_code="12203", sbr09="MB", patient="P-1", facility_zip=None, claim_id="C1",
          npi="1234567893", payer_id=None, pos="11"):
    return Claim(claim_id, payer=Payer(name="SOME PAYER", payer_id=payer_id, claim_filing_indicator=sbr09),
                 billing_provider=Provider("billing", npi=npi, zip_code=zip_code),
                 service_facility=Provider("service_facility", zip_code=facility_zip) if facility_zip else None,
                 patient_key=patient, place_of_service=pos, lines=list(lines))


def test_albany_97140_2025_is_cms_hand_calculation(store):
    # (0.43 x 1.000 + 0.40 x 0.949 + 0.01 x 0.732) x 32.3465 = 26.4245 -> $26.42
    price = price_claim(claim(line(1, "97140")), store, config=MEDICARE)
    lp = price.lines[0]
    assert lp.allowed == D("26.42")
    assert lp.locality == "13282-99 REST OF NEW YORK"
    assert lp.method == "medicare-pfs" and lp.pe_setting == "non-facility"
    assert "(0.43 x 1 + 0.4 x 0.949 + 0.01 x 0.732) x 32.3465 = $26.42" in lp.explanation
    # payer share, deductible met: coinsurance 20% = 5.284 -> 5.28; 26.42 - 5.28 = 21.14;
    # sequestration 2% of 21.14 = 0.4228 -> 0.42 (CO-253); paid 21.14 - 0.42 = 20.72
    assert (lp.coinsurance, lp.sequestration, lp.expected_paid) == (D("5.28"), D("0.42"), D("20.72"))
    assert any("deductible assumed met" in n for n in price.notes)
    assert price.total_allowed == D("26.42") and price.total_expected == D("20.72")


def test_mppr_97110_97140_97530_one_full_unit(store):
    # PE RVUs (non-facility): 97530 0.62 > 97110 0.43 > 97140 0.40, so one unit of 97530 is
    # paid in full and every other unit gets 50% of its PE:
    # 97530 full:    (0.44 + 0.62 x 0.949 + 0.01 x 0.732) x 32.3465 = 33.5017 -> 33.50
    # 97140 reduced: (0.43 + 0.20 x 0.949 + 0.00732) x 32.3465 = 20.2851 -> 20.29
    # 97110 reduced: (0.45 + 0.215 x 0.949 + 0.00732) x 32.3465 = 21.3924 -> 21.39 (x 2 = 42.78)
    c = claim(line(1, "97140"), line(2, "97110", 2), line(3, "97530"))
    price = price_claim(c, store, config=MEDICARE)
    by_line = {lp.line: lp for lp in price.lines}
    assert by_line[3].allowed == D("33.50") and by_line[3].mppr_units == 0
    assert by_line[1].allowed == D("20.29") and by_line[1].mppr_units == 1
    assert by_line[2].allowed == D("42.78") and by_line[2].mppr_units == 2
    assert by_line[1].mppr_reduction == D("26.42") - D("20.29")
    assert price.total_allowed == D("96.57")


def test_mppr_second_unit_of_single_code(store):
    # 2 units of 97140: one full (26.42), one at 50% PE (20.29)
    price = price_claim(claim(line(1, "97140", 2)), store, config=MEDICARE)
    assert price.lines[0].allowed == D("46.71") and price.lines[0].mppr_units == 1


def test_mppr_across_claims_of_the_run(store):
    first = claim(line(1, "97530"), claim_id="A")
    second = claim(line(1, "97140"), claim_id="B")
    other_patient = claim(line(1, "97140"), claim_id="C", patient="P-2")
    a, b, c = price_claims([first, second, other_patient], store, config=MEDICARE)
    assert a.lines[0].allowed == D("33.50")
    assert b.lines[0].allowed == D("20.29")  # 97530 that day already paid in full
    assert c.lines[0].allowed == D("26.42")  # another patient: no reduction


class FakeHistory:
    """Duck-typed History.service_lines (the STORE interface) with one stored line."""

    def __init__(self, lines):
        self.lines, self.calls = lines, []

    def service_lines(self, patient_key, *, payer_key=None, start=None, end=None, exclude_claim=None):
        self.calls.append((patient_key, start, end))
        return [hl for hl in self.lines if start <= hl.dos <= end]


class HistoryLine:
    def __init__(self, code, dos, units=1, billing_npi="1234567893"):
        self.code, self.dos, self.units, self.billing_npi, self.modifiers = code, dos, units, billing_npi, ["GP"]


def test_mppr_uses_history_of_the_same_provider(store):
    history = FakeHistory([HistoryLine("97110", DOS25)])  # PE 0.43 > 97140's 0.40
    price = price_claim(claim(line(1, "97140")), store, config=MEDICARE, history=history)
    assert price.lines[0].allowed == D("20.29")
    assert history.calls == [("P-1", DOS25, DOS25)]
    other_npi = FakeHistory([HistoryLine("97110", DOS25, billing_npi="1999999984")])
    assert price_claim(claim(line(1, "97140")), store, config=MEDICARE,
                       history=other_npi).lines[0].allowed == D("26.42")
    lower = FakeHistory([HistoryLine("97140", DOS25)])  # 97530 here has the higher PE
    assert price_claim(claim(line(1, "97530")), store, config=MEDICARE,
                       history=lower).lines[0].allowed == D("33.50")


def test_e_m_99213_facility_and_non_facility(store):
    # 99213: work 1.30, PE non-facility 1.35, PE facility 0.57, MP 0.10
    # POS 11 office: (1.30 + 1.35 x 0.949 + 0.10 x 0.732) x 32.3465 = 85.8588 -> 85.86
    # POS 22 outpatient hospital: (1.30 + 0.57 x 0.949 + 0.0732) x 32.3465 = 61.9160 -> 61.92
    office = price_claim(claim(line(1, "99213", modifiers=()), pos="11"), store, config=MEDICARE)
    hospital = price_claim(claim(line(1, "99213", modifiers=(), pos="22")), store, config=MEDICARE)
    assert office.lines[0].allowed == D("85.86") and office.lines[0].pe_setting == "non-facility"
    assert hospital.lines[0].allowed == D("61.92") and hospital.lines[0].pe_setting == "facility"


def test_therapy_in_a_facility_pos_is_paid_at_non_facility_rate(store):
    price = price_claim(claim(line(1, "97140", pos="22")), store, config=MEDICARE)
    assert price.lines[0].pe_setting == "non-facility" and price.lines[0].allowed == D("26.42")


def test_zip_needing_zip4_is_not_priced(store):
    # ZIP5 file: NJ077261240299 ... plus-four flag 1 (07726 spans NJ localities 01 and 99)
    price = price_claim(claim(line(1, "97140"), zip_code="07726"), store, config=MEDICARE)
    lp = price.lines[0]
    assert lp.allowed is None and lp.expected_paid is None
    assert any("ZIP+4" in n and "07726" in n for n in lp.notes)
    assert price.total_allowed is None and not price.complete


def test_service_facility_zip_wins_over_billing(store):
    # billing in Manhattan (13202-01), service given in Albany (13282-99)
    price = price_claim(claim(line(1, "97140"), zip_code="10001", facility_zip="12203"), store, config=MEDICARE)
    assert price.lines[0].locality.startswith("13282-99") and price.lines[0].allowed == D("26.42")


def test_deductible_not_met_2025(store):
    # 2025 Part B deductible $257: the whole $26.42 goes to the deductible
    opts = PricingOptions(deductible_remaining="full")
    lp = price_claim(claim(line(1, "97140")), store, config=opts).lines[0]
    assert lp.deductible == D("26.42") and lp.expected_paid == D("0.00")
    # $10 left: (26.42 - 10) = 16.42; coinsurance 3.284 -> 3.28; 13.14; seq 0.2628 -> 0.26; 12.88
    lp = price_claim(claim(line(1, "97140")), store, config=PricingOptions(deductible_remaining="10")).lines[0]
    assert (lp.deductible, lp.coinsurance, lp.expected_paid) == (D("10.00"), D("3.28"), D("12.88"))


def test_assistant_cq_and_non_participating(store):
    # CQ: 85% of 26.42 = 22.457 -> 22.46
    cq = price_claim(claim(line(1, "97140", modifiers=("GP", "CQ"))), store, config=MEDICARE).lines[0]
    assert cq.allowed == D("22.46")
    # non-par: 95% of 26.42 = 25.099 -> 25.10
    nonpar = price_claim(claim(line(1, "97140")), store, config=PricingOptions(participating=False))
    assert nonpar.lines[0].allowed == D("25.10")


def test_conversion_factor_by_date(store):
    # 2024: 32.7442 to March 8 (CY 2024 final rule), 33.2875 from March 9 (CAA 2024)
    # (0.81692 RVU-weighted) x 32.7442 = 26.7494 -> 26.75 ; x 33.2875 = 27.1932 -> 27.19
    early = price_claim(claim(line(1, "97140", dos=date(2024, 3, 8))), store, config=MEDICARE).lines[0]
    late = price_claim(claim(line(1, "97140", dos=date(2024, 3, 9))), store, config=MEDICARE).lines[0]
    assert early.allowed == D("26.75") and late.allowed == D("27.19")
    assert any("CY2025" in n and "2024" in n for n in early.notes)  # RVUs of another year said
    # 2026: 33.4009 -> 27.2855 -> 27.29 ; APM 33.5675 -> 27.4216 -> 27.42
    dos26 = date(2026, 2, 2)
    assert price_claim(claim(line(1, "97140", dos=dos26)), store, config=MEDICARE).lines[0].allowed == D("27.29")
    apm = price_claim(claim(line(1, "97140", dos=dos26)), store, config=PricingOptions(apm_participant=True))
    assert apm.lines[0].allowed == D("27.42")
    old = price_claim(claim(line(1, "97140", dos=date(2023, 6, 1))), store, config=MEDICARE).lines[0]
    assert old.allowed is None and "conversion factor" in old.notes[0]


def test_status_codes_bundled_and_invalid_pay_nothing(store):
    # 97010 status B (bundled), 97014 status I (Medicare uses G0283)
    price = price_claim(claim(line(1, "97010"), line(2, "97014")), store, config=MEDICARE)
    assert [lp.allowed for lp in price.lines] == [D("0.00"), D("0.00")]
    assert "status B" in price.lines[0].explanation and "status I" in price.lines[1].explanation


def test_commercial_without_fee_schedule_gives_no_estimate(store):
    price = price_claim(claim(line(1, "97140"), sbr09="CI"), store, config=MEDICARE)
    assert price.payer_type == "commercial" and price.lines[0].allowed is None
    assert "no fee schedule" in price.notes[0]


def test_commercial_fee_schedule(store, tmp_path):
    csv = tmp_path / "acme.csv"
    csv.write_text("payer,code,modifier,amount,effective_from,effective_to\n"
                   "60054,97140,,31.50,2025-01-01,2025-12-31\n"
                   "60054,97140,,33.00,2026-01-01,\n"
                   "60054,97110,GP,29.00,,\n")
    opts = PricingOptions(fee_schedules=(csv,))
    price = price_claim(claim(line(1, "97140", 2), line(2, "97110"), line(3, "97530"), sbr09="CI",
                              payer_id="60054"), store, config=opts)
    assert [lp.allowed for lp in price.lines] == [D("63.00"), D("29.00"), None]
    assert "acme.csv:2" in price.lines[0].explanation
    assert "no fee schedule row" in price.lines[2].notes[0]
    later = price_claim(claim(line(1, "97140", dos=date(2026, 5, 1)), sbr09="CI", payer_id="60054"),
                        store, config=opts)
    assert later.lines[0].allowed == D("33.00")


def test_bad_fee_schedule_names_file_and_line(store, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("payer,code,amount\n60054,97140,abc\n")
    with pytest.raises(FeeScheduleError, match=r"bad.csv:2: amount 'abc' is not a number"):
        price_claim(claim(line(1, "97140"), sbr09="CI", payer_id="60054"), store,
                    config=PricingOptions(fee_schedules=(csv,)))


def test_batch_keeps_one_figure_per_day():
    batch = PricingBatch()
    key = ("1234567893", "P-1", DOS25)
    batch.add(key, [D("0.3"), D("0.5")])
    batch.add(key, [D("0.4")])
    assert batch.prior(key) == D("0.5") and len(batch.seen) == 1


def test_deductible_carries_over_claims_of_the_run(store):
    # $30 left: claim A (97140, $26.42) uses 26.42 of it; claim B (97140 another day, same
    # patient and year) the last 3.58: 26.42 - 3.58 = 22.84; coinsurance 4.568 -> 4.57;
    # payment 18.27; sequestration 0.3654 -> 0.37; expected paid 17.90
    opts = PricingOptions(deductible_remaining="30")
    a, b, other = price_claims([claim(line(1, "97140"), claim_id="A"),
                                claim(line(1, "97140", dos=date(2025, 3, 10)), claim_id="B"),
                                claim(line(1, "97140"), claim_id="C", patient="P-2")], store, config=opts)
    assert a.lines[0].deductible == D("26.42") and a.lines[0].expected_paid == D("0.00")
    assert (b.lines[0].deductible, b.lines[0].coinsurance, b.lines[0].expected_paid) == \
        (D("3.58"), D("4.57"), D("17.90"))
    assert other.lines[0].deductible == D("26.42")  # another patient starts from $30


def test_void_claim_is_not_priced(store):
    c = claim(line(1, "97140"))
    c.frequency_code = "8"
    price = price_claim(c, store, config=MEDICARE)
    assert price.lines[0].allowed is None and "void" in price.notes[0]


def test_rate_tables_are_contiguous_and_cited():
    from cleanclaim.pricing import rates

    rows = rates._load("conversion_factors.yaml")["conversion_factors"]
    for before, after in zip(rows, rows[1:]):
        assert (after["start"] - before["end"]).days == 1  # no gap, no overlap
    assert all(len(r["source"]) > 40 and r["label"] for r in rows)
    first, last = rates.conversion_factor_years()
    for year in range(first, last + 1):  # every priced year has its Part B deductible
        assert rates.part_b_deductible(year) is not None
    assert [rates.part_b_deductible(y).value for y in (2024, 2025, 2026)] == [D("240"), D("257"), D("283")]
    assert rates.sequestration(date(2025, 1, 1)).value == D("0.02")
    assert rates.therapy_assistant(date(2021, 12, 31)) is None
    assert {"11", "12", "10"}.isdisjoint(rates.facility_pos()) and {"02", "22", "19"} <= rates.facility_pos()


def test_gy_gz_lines_expect_nothing_ga_is_priced(store):
    # CMS 100-04 ch.1 §60 (liability modifiers): GY (statutorily excluded, §60.1.1) and GZ (no ABN,
    # expected denial) lines are denied: $0 allowed and paid. GA (ABN on file) is processed as
    # usual: 97140 at 13282-99 is $26.42 (the hand calculation above), with a note.
    price = price_claim(claim(line(1, "97140", modifiers=("GP", "GY")), line(2, "97140", modifiers=("GP", "GZ")),
                              line(3, "97140", modifiers=("GP", "GA"))), store, config=MEDICARE)
    gy, gz, ga = price.lines
    assert (gy.allowed, gy.expected_paid) == (D("0.00"), D("0.00")) and "100-04 ch.1 §60.1.1" in gy.explanation
    assert (gz.allowed, gz.expected_paid) == (D("0.00"), D("0.00")) and "provider is liable" in gz.explanation
    assert ga.allowed == D("26.42") and any("GA: ABN on file" in n and "§60" in n for n in ga.notes)
