"""A replacement (CLM05-3 = 7) or void (8) takes the claim its REF*F8 names out of every count
in the same check, not only once it is recorded (X12 837P TR3 005010X222A1, 2300 CLM05-3 and
REF*F8: the replaced claim stops counting; nothing counts twice). Visits (VC001), prior-auth
units (PA002), Medicare KX accrual (VC002), dollar caps (VC003) and MPPR (CMS 100-04 ch.5
§10.3: one full-PE unit per provider, patient and day). Also: prior-auth units are used in
date-of-service order, so re-checking the same claims gives the same answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import open_history
from cleanclaim.store.imports import import_authorizations, import_therapy_ytd


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


@pytest.fixture
def run(history, make_checker):
    def check(claim, select, checker=None):
        checker = checker or make_checker(select=list(select))
        checker.ctx.history = history
        return checker.check(claim).findings

    return check


DATES = [f"2025-{m:02d}-{d:02d}" for m in (3, 4, 5) for d in range(1, 11)]  # 30 dates


def _visit(claim_id, dos, **kw):
    return make_claim(claim_id, lines=[("97110", ["GP"], 1, dos)], **kw)


def test_replacement_moving_a_visit_is_not_counted_twice(history, run):
    # commercial-default caps PT/OT/SLP at 30 visits a calendar year (commercial.visit-cap)
    for i, dos in enumerate(DATES, start=1):
        history.record(_visit(f"V{i:03d}", dos))
    moved = _visit("V030R", "2025-06-02", frequency="7", original="V030")
    assert run(moved, ["VC001"]) == []  # V030 moved to a new date: still visit 30, not 31
    [f] = run(_visit("V031", "2025-06-02"), ["VC001"])  # a new claim is visit 31
    assert "visit 31" in f.message
    # by the payer's claim number (835 CLP07) too: REF*F8 carries the ICN once there is one
    void = _visit("V030V", DATES[-1], frequency="8", original="V030")
    assert run(void, ["VC001"]) == []


def test_replacement_in_the_same_run(make_checker):
    from cleanclaim.engine import Checker

    checker = Checker(store=None, select=["VC001"])
    for i, dos in enumerate(DATES, start=1):
        assert checker.check(_visit(f"V{i:03d}", dos)).findings == []
    assert checker.check(_visit("V030R", "2025-06-02", frequency="7", original="V030")).findings == []
    [f] = checker.check(_visit("V031", "2025-06-03")).findings  # V030 is gone; V030R counts once
    assert "visit 31" in f.message


def _auths(history, tmp_path, used=0):
    path = tmp_path / "auths.csv"
    path.write_text("payer,patient_key,number,codes,start,end,units_authorized,units_used\n"
                    f"PAYER1,P-1,AUTH-1,97140,2026-01-01,2026-03-31,4,{used}\n")
    import_authorizations(history, path)


def _pa(claim_id, dos, units=2, **kw):
    return make_claim(claim_id, lines=[("97140", ["GP"], units, dos)], prior_auth="AUTH-1", **kw)


def test_prior_auth_replacement_frees_the_units_it_replaces(history, run, tmp_path):
    _auths(history, tmp_path)
    history.record(_pa("A1", "2026-02-02"))
    history.record(_pa("A2", "2026-02-09"))
    # A2R replaces A2 (2 units): 4 authorised - 2 (A1) = 2 left, not 0
    assert run(_pa("A2R", "2026-02-10", frequency="7", original="A2"), ["PA002"]) == []
    [f] = run(_pa("A3", "2026-02-16"), ["PA002"])
    assert "authorises 4 unit(s)" in f.message and "4 used before 2026-02-16 (A1 2, A2 2)" in f.message
    assert "0 left" in f.message and f.details["used_by"] == ["A1 2", "A2 2"]


def test_prior_auth_units_in_date_order_and_stable_on_recheck(history, run, tmp_path):
    _auths(history, tmp_path)
    claims = [_pa("A1", "2026-02-02"), _pa("A2", "2026-02-09"), _pa("A3", "2026-02-16")]
    for _ in range(2):  # check + record, twice: the same answer each time
        got = []
        for claim in claims:
            got += [(claim.claim_id, f.code) for f in run(claim, ["PA002"])]
            history.record(claim)
        assert got == [("A3", "PA002")]  # A3 (the later, over-limit claim) never takes A1's or A2's units
    lower = make_claim("A1c", lines=[("97140", ["GP"], 3, "2026-02-03")], prior_auth="auth-1")
    [f] = run(lower, ["PA002"])  # REF*G1 matches regardless of case; only A1's 2 units are before it
    assert "2 used before 2026-02-03 (A1 2)" in f.message and "2 left" in f.message


def test_kx_replacement_does_not_accrue_twice(history, run, tmp_path):
    path = tmp_path / "ytd.csv"
    path.write_text("patient_key,year,discipline,amount,as_of,source\nP-1,2025,PT/SLP,2380.00,2025-03-01,HETS 271\n")
    import_therapy_ytd(history, path)

    def kx(claim_id, dos, **kw):
        c = make_claim(claim_id, lines=[("97110", ["GP"], 1)], indicator="MB", payer_id="13202", dos=dos, **kw)
        c.billing_provider.zip_code = "122070001"
        return c

    history.record(kx("KA", "2025-03-05"))
    # CY2025 PFS, locality 13282-99: 97110 one unit $27.99; $2,380 + $27.99 = $2,407.99 <= $2,410
    assert run(kx("KAR", "2025-03-06", frequency="7", original="KA"), ["VC002"]) == []
    [f] = run(kx("KB", "2025-03-06"), ["VC002"])  # KA and KB both count: $2,435.98 > $2,410
    assert Decimal(f.details["year_to_date"]) == Decimal("2435.98")


def test_mppr_not_applied_against_the_replaced_claim(history, store):
    from cleanclaim.pricing import PricingOptions, price_claim

    def mp(claim_id, **kw):
        c = make_claim(claim_id, lines=[("97530", ["GP"], 1)], indicator="MB", payer_id="13282", dos="2025-06-10",
                       **kw)
        c.billing_provider.zip_code = "122070001"
        return c

    history.record(mp("MP1"))
    # CY2025 PFS 97530 at 13282-99: (0.44 + 0.62 x 0.949 + 0.01 x 0.732) x 32.3465 = $33.50 in full
    replaced = price_claim(mp("MP1R", frequency="7", original="MP1"), store, config=PricingOptions(), history=history)
    assert replaced.lines[0].allowed == Decimal("33.50")
    second = price_claim(mp("MP2"), store, config=PricingOptions(), history=history)
    assert second.lines[0].allowed < Decimal("33.50")  # a second 97530 that day: PE reduced 50%


def test_ref_f8_naming_no_recorded_claim_is_a_warning(history, run):
    history.record(_visit("V026", "2026-03-16"))
    unknown = _visit("V026R", "2026-03-16", frequency="7", original="NOPE99")
    [f] = run(unknown, ["HX006"])
    assert f.severity == "warning" and "REF*F8 NOPE99 names no recorded claim" in f.message
    assert "005010X222A1" in f.authority
    assert run(_visit("V026S", "2026-03-16", frequency="7", original="V026"), ["HX006"]) == []
    # a void carrying the original's own CLM01 (recording voids the stored claim itself) is found
    assert run(_visit("V026", "2026-03-16", frequency="8", original="V026"), ["HX006"]) == []


def test_mppr_in_one_run_leaves_out_the_replaced_claim(store):
    from cleanclaim.pricing import PricingOptions
    from cleanclaim.pricing.api import price_claims

    def mp(claim_id, code="97530", **kw):
        c = make_claim(claim_id, lines=[(code, ["GP"], 1)], indicator="MB", payer_id="13282", dos="2025-06-10", **kw)
        c.billing_provider.zip_code = "122070001"
        return c

    # CY2025 PFS 97530 at 13282-99: $33.50 in full. MP1R replaces MP1: paid in full, not reduced by
    # MP1; MP2 (97110, lower PE than 97530) the same day is reduced against MP1R: one full-PE unit a day.
    first, replacement, other = price_claims([mp("MP1"), mp("MP1R", frequency="7", original="MP1"),
                                              mp("MP2", code="97110")], store, config=PricingOptions())
    assert first.lines[0].allowed == replacement.lines[0].allowed == Decimal("33.50")
    assert other.lines[0].mppr_units == 1


def test_dollar_cap_replacement_counts_once(history, make_checker, tmp_path):
    from cleanclaim.policies import load_packs

    (tmp_path / "p.yaml").write_text(
        "pack: p\ntitle: P\nextends: commercial-default\napplies_to: {payer_ids: [PAYER1]}\n"
        "dollar_caps:\n  - {id: p.dollars, effective_from: 2025-01-01, citation: 'Plan P 2025 SBC',"
        " disciplines: [PT], amount: 250, basis: charge}\n")
    history.record(make_claim("H1", lines=[("97110", ["GP"], 1, "2025-03-03"), ("97110", ["GP"], 1, "2025-03-05")]))
    checker = make_checker(select=["VC003"], options={"policies": load_packs([tmp_path], include_config=False)})
    checker.ctx.history = history
    # make_claim charges $100 a line: H1R replaces H1's $200 with $200 -- $200 in the year, not $400
    replacement = make_claim("H1R", lines=[("97110", ["GP"], 1, "2025-03-03"), ("97110", ["GP"], 1, "2025-03-06")],
                             frequency="7", original="H1")
    assert checker.check(replacement).findings == []
    [f] = checker.check(make_claim("N1", lines=[("97110", ["GP"], 1, "2025-03-10")])).findings
    assert "$300.00" in f.message  # a new claim adds to H1R's $200 (H1 no longer counts in this run)


def test_hx_later_claim_of_the_run_is_not_a_duplicate_of_a_replaced_claim(history, make_checker):
    from cleanclaim.store.run_ledger import RunLedger

    history.record(make_claim("H1", lines=[("97110", ["GP"], 1)], dos="2024-08-05"))
    checker = make_checker(select=["HX001", "HX002"])
    checker.ctx.history = history
    checker.ctx.options["run_ledger"] = RunLedger()
    # H1R replaces H1 (CLM05-3 = 7, REF*F8 H1): 97110 becomes 97140 on that day
    assert checker.check(make_claim("H1R", lines=[("97140", ["GP"], 1)], dos="2024-08-05", frequency="7",
                                    original="H1")).findings == []
    # a later claim of the run billing 97110 that day duplicates nothing: H1 no longer counts
    assert checker.check(make_claim("N1", lines=[("97110", ["GP"], 1)], dos="2024-08-05")).findings == []
    [f] = checker.check(make_claim("N2", lines=[("97140", ["GP"], 1)], dos="2024-08-05")).findings
    assert f.code == "HX001" and "H1R" in f.message  # ... while H1R's 97140 does


def test_prior_auth_counts_earlier_claims_of_a_run_without_record(history, make_checker, tmp_path):
    from cleanclaim.store.run_ledger import RunLedger

    _auths(history, tmp_path)  # AUTH-1: 4 units of 97140
    checker = make_checker(select=["PA002"])
    checker.ctx.history = history
    checker.ctx.options["run_ledger"] = RunLedger()  # what `check` sets up when not recording
    got = [(c.claim_id, f.code) for c in (_pa("A1", "2026-02-02"), _pa("A2", "2026-02-09"), _pa("A3", "2026-02-16"))
           for f in checker.check(c).findings]
    assert got == [("A3", "PA002")]
