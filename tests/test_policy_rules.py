"""Pack-driven rules that need a claim history (SQLite; PostgreSQL when .ci/run provides one):
PA002 stored authorisations, CR002/CR003 roster and network, CR001 taxonomy from the roster,
VC001 visits across claims (never double counting), VC002 KX with an imported year-to-date."""

from __future__ import annotations

from decimal import Decimal

import pytest
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import open_history
from cleanclaim.store.imports import import_authorizations, import_roster, import_therapy_ytd

PT = "1992999999"
LMT = "1003000126"
OTHER = "1512345673"


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


@pytest.fixture
def run(history, make_checker):
    def check(claim, select, with_history=True):
        checker = make_checker(select=list(select))
        checker.ctx.history = history if with_history else None
        return checker.check(claim).findings

    return check


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_prior_auth_matches_stored_authorisation(history, run, tmp_path):
    import_authorizations(history, _csv(tmp_path, "auths.csv",
                                        "payer,patient_key,number,codes,start,end,units_authorized,units_used\n"
                                        "PAYER1,P-1,A-100,97140,2025-03-01,2025-03-31,4,1\n"))
    history.record(make_claim("H1", lines=[("97140", ["GP"], 2)], prior_auth="A-100", dos="2025-03-03"))
    ok = make_claim("N1", lines=[("97140", ["GP"], 2)], prior_auth="A-100", dos="2025-03-10")
    assert run(ok, ["PA"]) == []  # 4 authorised - max(1 reported, 2 recorded) = 2 left
    over = make_claim("N2", lines=[("97140", ["GP"], 3)], prior_auth="A-100", dos="2025-03-10")
    [f] = run(over, ["PA"])
    assert f.code == "PA002" and "so 2 left" in f.message
    assert "2 used before 2025-03-10 (H1 2); the payer reported 1 used" in f.message
    late = make_claim("N3", lines=[("97140", ["GP"], 1)], prior_auth="A-100", dos="2025-04-02")
    assert [f.code for f in run(late, ["PA"])] == ["PA002"]
    wrong = make_claim("N4", lines=[("97140", ["GP"], 1)], prior_auth="A-999", dos="2025-03-10")
    [f] = run(wrong, ["PA"])
    assert "matches none of the 1 authorisation(s)" in f.message
    assert run(wrong, ["PA"], with_history=False) == []
    # re-checking the recorded claim itself does not count its own units against it
    assert run(make_claim("H1", lines=[("97140", ["GP"], 2)], prior_auth="A-100", dos="2025-03-03"), ["PA"]) == []


def test_roster_network_and_taxonomy(history, run, tmp_path, store):
    import_roster(history, _csv(tmp_path, "roster.csv",
                                "npi,name,taxonomy,credential,in_network\n"
                                f"{PT},RIVERA,225100000X,PT,PAYER1\n"
                                f"{LMT},OKAFOR,225700000X,LMT,PAYER1\n"), store=store)
    assert run(make_claim("C1", lines=[("97110", ["GP"], 1)], rendering=PT), ["CR"]) == []
    found = run(make_claim("C2", lines=[("97110", ["GP"], 1)], rendering=OTHER), ["CR"])
    found.sort(key=lambda f: f.code)
    assert [(f.code, f.severity) for f in found] == [("CR001", "info"), ("CR002", "warning")]
    assert "Credentials not checked for 97110" in found[0].message and OTHER in found[0].message
    [f] = run(make_claim("C3", lines=[("97110", ["GP"], 1)], rendering=PT, payer_id="OTHERPLAN"), ["CR"])
    assert f.code == "CR003"
    # no PRV on the claim: the roster gives the taxonomy; an LMT on Medicare is not payable
    medicare = make_claim("C4", lines=[("97124", ["GP"], 2)], rendering=LMT, indicator="MB", payer_id="13202")
    found = {(f.code, f.line) for f in run(medicare, ["CR001"])}
    assert found == {("CR001", 1)}
    assert "(roster)" in run(medicare, ["CR001"])[0].message


def _visits(claim_id, dates, **kw):
    return make_claim(claim_id, lines=[("97110", ["GP"], 1, d) for d in dates], **kw)


DATES = [f"2025-{m:02d}-{d:02d}" for m in (3, 4, 5) for d in range(1, 11)]  # 30 dates


def test_visit_cap_counts_history_once(history, run):
    history.record(_visits("H1", DATES[:15]))
    history.record(_visits("H2", DATES[15:]))
    assert run(_visits("H2", DATES[15:]), ["VC"]) == []  # re-check: its own visits are not counted twice
    [f] = run(_visits("N1", ["2025-06-02"]), ["VC"])
    assert f.code == "VC001" and "visit 31" in f.message and "30 from history" in f.message
    # a second line on a recorded date is the same visit, not a new one
    assert run(_visits("N2", ["2025-05-10"]), ["VC"]) == []
    # a claim both recorded and checked earlier in the run counts once
    checker_findings = []
    from cleanclaim.engine import Checker

    checker = Checker(store=None, select=["VC001"])
    checker.ctx.history = history
    for claim in (_visits("H2", DATES[15:]), _visits("N1", ["2025-06-02"])):
        checker_findings += checker.check(claim).findings
    [f] = checker_findings  # H2 is both recorded and re-checked in this run: its 15 visits count once
    assert "visit 31" in f.message and f.details["history"] + f.details["batch"] == 30


def test_visit_cap_other_payer_and_void(history, run):
    history.record(_visits("H1", DATES, payer_id="OTHERPLAN"))
    assert run(_visits("N1", ["2025-06-02"]), ["VC"]) == []  # another payer's visits do not count
    from cleanclaim.engine import Checker

    checker = Checker(store=None, select=["VC001"])
    first = _visits("B1", DATES)
    void = _visits("B1", DATES, frequency="8")
    assert checker.check(first).findings == []
    checker.check(void)  # the void takes B1 out of the run's count
    assert checker.check(_visits("N1", ["2025-06-02"])).findings == []


def test_kx_with_an_imported_year_to_date(history, run, tmp_path):
    import_therapy_ytd(history, _csv(tmp_path, "ytd.csv",
                                     "patient_key,year,discipline,amount,as_of,source\n"
                                     "P-1,2025,PT/SLP,2380.00,2025-03-01,HETS 271\n"))
    claim = make_claim("K1", lines=[("97110", ["GP"], 2)], indicator="MB", payer_id="13202", dos="2025-03-10")
    claim.billing_provider.zip_code = "122070001"
    [f] = run(claim, ["VC002"])
    # 2025 PFS, ZIP 12207 (13282-99): 97110 (0.45 x 1 + 0.43 x 0.949 + 0.01 x 0.732) x 32.3465 = $27.99,
    # second unit with the 50% PE reduction $21.39: $49.38; $2,380.00 + $27.99 = $2,407.99 <= $2,410,
    # + $21.39 = $2,429.38 > $2,410 (CY2025 threshold). The line passes it without KX.
    assert "$2,410" in f.message and "imported 2380" in f.message and "HETS 271" in f.message
    assert Decimal(f.details["year_to_date"]) == Decimal("2429.38")
    claim.lines[0].modifiers.append("KX")
    assert run(claim, ["VC002"]) == []


def test_kx_prices_recorded_lines_without_a_remittance(history, run):
    history.record(make_claim("R1", lines=[("97110", ["GP"], 4, f"2025-02-{d:02d}") for d in range(2, 28)],
                              indicator="MB", payer_id="13202"))
    claim = make_claim("K2", lines=[("97110", ["GP"], 4)], indicator="MB", payer_id="13202", dos="2025-03-03")
    claim.billing_provider.zip_code = "122070001"
    recorded = history.service_lines("P-1")
    assert recorded and recorded[0].allowed is None
    [f] = run(claim, ["VC002"])
    assert "26 recorded line(s) without a remittance priced from the PFS" in f.message


def test_kx_needed_when_the_year_is_already_over_even_if_this_claim_cannot_be_priced(history, run, tmp_path):
    import_therapy_ytd(history, _csv(tmp_path, "ytd.csv",
                                     "patient_key,year,discipline,amount,as_of,source\n"
                                     "P-1,2025,OT,2500.00,2025-03-01,HETS 271\n"))
    claim = make_claim("K3", lines=[("97530", ["GO"], 1), ("97110", ["GP"], 1)], indicator="MB",
                       payer_id="13202", dos="2025-03-10")  # no billing ZIP: no PFS locality
    f, unchecked = run(claim, ["VC002"])
    assert f.line == 1 and "not priced" in f.message and "$2,500.00" in f.message  # OT over $2,410; PT not
    # the PT line cannot be priced and PT is not over: the check could not run, and it says so
    assert (unchecked.line, unchecked.severity) == (2, "warning") and "could not be checked" in unchecked.message


def test_dollar_cap_counts_recorded_claims(history, make_checker, tmp_path):
    from cleanclaim.policies import load_packs

    (tmp_path / "p.yaml").write_text(
        "pack: p\ntitle: P\nextends: commercial-default\napplies_to: {payer_ids: [PAYER1]}\n"
        "dollar_caps:\n  - {id: p.dollars, effective_from: 2025-01-01, citation: 'Plan P 2025 SBC',"
        " disciplines: [PT], amount: 250, basis: charge}\n")
    history.record(make_claim("H1", lines=[("97110", ["GP"], 1, "2025-03-03"), ("97110", ["GP"], 1, "2025-03-05")]))
    checker = make_checker(select=["VC003"], options={"policies": load_packs([tmp_path], include_config=False)})
    checker.ctx.history = history
    [f] = checker.check(make_claim("N1", lines=[("97110", ["GP"], 1, "2025-03-10")])).findings  # $100 a line
    assert "$300.00" in f.message and "$200.00 from history" in f.message
    assert checker.check(make_claim("H1", lines=[("97110", ["GP"], 1, "2025-03-03"),
                                                 ("97110", ["GP"], 1, "2025-03-05")])).findings == []


def test_visit_cap_counted_figures_add_up_to_the_visit_number(history, run):
    # commercial-default commercial.visit-cap: 30 PT/OT/SLP/MT visits a calendar year. 39 visits are
    # recorded and one, dated in the middle, is checked: it is visit 33 (32 dated before it); the
    # 7 recorded visits dated after it are not part of its count.
    dates = [f"2025-{m:02d}-{d:02d}" for m in (3, 4, 5, 6) for d in range(1, 11)]
    checked = dates.pop(32)
    history.record(_visits("H1", dates))
    [f] = run(_visits("N1", [checked]), ["VC001"])
    assert f"{checked} is MT/OT/PT/SLP visit 33" in f.message
    assert f"Counted before {checked}: 32 from history, 0 from earlier claims in this run, 0 on this claim; " \
           "+ this visit = 33" in f.message
    assert (f.details["history"], f.details["batch"], f.details["this_claim"]) == (32, 0, 0)


def test_kx_claim_dated_before_the_imported_figure_counts_the_same_on_every_check(history, run, tmp_path):
    # The imported figure (HETS 271, as of 2025-03-01) cannot hold a claim sent after that date,
    # whatever its date of service: KB (02-25) adds to the figure on its own check and when a later
    # claim is checked. CY2025 PFS at 13282-99: 97110 one unit $27.99; threshold $2,410.
    import_therapy_ytd(history, _csv(tmp_path, "ytd.csv", "patient_key,year,discipline,amount,as_of,source\n"
                                                          "P-1,2025,PT/SLP,2380.00,2025-03-01,HETS 271\n"))

    def kx(claim_id, dos):
        c = make_claim(claim_id, lines=[("97110", ["GP"], 1)], indicator="MB", payer_id="13202", dos=dos)
        c.billing_provider.zip_code = "122070001"
        return c

    assert run(kx("KB", "2025-02-25"), ["VC002"]) == []  # $2,407.99
    history.record(kx("KB", "2025-02-25"))
    [f] = run(kx("KC", "2025-03-10"), ["VC002"])
    assert Decimal(f.details["year_to_date"]) == Decimal("2435.98")  # 2380 + 27.99 (KB) + 27.99 (KC)
    assert "not counted" not in f.message and "priced from the PFS: $27.99" in f.message


def test_credentials_say_where_the_taxonomy_came_from(run):
    # medicare.massage-therapists-not-payable (SSA §1861(s)): an LMT (NUCC 225700000X) billing 97124.
    lmt = make_claim("B1", lines=[("97124", ["GP"], 2)], indicator="MB", payer_id="13282", dos="2026-03-02")
    lmt.billing_provider.taxonomy = "225700000X"  # no rendering provider: the billing provider's PRV
    [f] = run(lmt, ["CR001"], with_history=False)
    assert f.severity == "error" and f.message.startswith("Billing provider taxonomy 225700000X")
    assert "billing provider PRV, 2000A: no rendering provider on the claim" in f.message
    lmt.billing_provider.taxonomy = None  # nothing to check against: said, not silent
    [f] = run(lmt, ["CR001"], with_history=False)
    assert f.severity == "info" and "Credentials not checked for 97124" in f.message
