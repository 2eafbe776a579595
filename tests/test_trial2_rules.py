"""Severities and wording the new-user trial (notes/trial2) found wrong, each against its authority."""

from __future__ import annotations

from cleanclaim.formats.dict_reader import claim_from_dict


def _findings(make_checker, claim: dict, select, payer=None, **options):
    checker = make_checker(select=select, payer_type=payer, options=options)
    return checker.check(claim_from_dict(claim)).findings


def test_fewer_units_than_the_minutes_allow_is_a_warning_more_is_an_error(make_checker):
    # CMS 100-04 ch.5 §20.2: 30 timed minutes = 2 units (23-37), the most that may be billed.
    under = {"diagnoses": ["M54.50"], "lines": [
        {"code": "97110", "modifiers": ["GP"], "units": 1, "minutes": 30, "date": "2026-09-16"}]}
    (f,) = _findings(make_checker, under, ["TU001"], "medicare")
    assert f.severity == "warning" and "the 8-minute rule allows 2" in f.message
    over = {"diagnoses": ["M54.50"], "lines": [
        {"code": "97110", "modifiers": ["GP"], "units": 3, "minutes": 30, "date": "2026-09-16"}]}
    (f,) = _findings(make_checker, over, ["TU001"], "medicare")
    assert f.severity == "error" and f.message.startswith("3 units billed for 30 timed minutes")


def test_medicaid_ncci_caveat_only_on_medicaid_claims(make_checker):
    # NCCI practitioner PTP 97140/97124, modifier indicator 0 (shipped 2024 Q3 Medicare table).
    claim = {"diagnoses": ["M54.50"], "lines": [
        {"code": "97140", "modifiers": ["GP"], "units": 1, "date": "2026-09-14"},
        {"code": "97124", "modifiers": ["GP"], "units": 1, "date": "2026-09-14"}]}
    (medicaid,) = _findings(make_checker, claim, ["NC001"], "medicaid")
    assert "Medicaid NCCI edits differ" in medicaid.message and "ACA §6507" in medicaid.authority
    (medicare,) = _findings(make_checker, claim, ["NC001"], "medicare")
    assert "Medicaid" not in medicare.message + medicare.authority


def test_assumed_defaults_warn_and_a_payer_pack_makes_them_errors(tmp_path, make_checker):
    from cleanclaim.policies import load_packs

    acme = {"name": "ACME HEALTH PLAN", "payer_id": "60054", "claim_filing_indicator": "CI"}
    claim = {"payer": acme, "diagnoses": ["M54.50"],
             "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "date": "2026-09-15"}]}
    # commercial-default's prior-auth list is cleanclaim's assumption, not ACME's policy
    (f,) = _findings(make_checker, claim, ["PA001"], policies=load_packs([], include_config=False))
    assert f.severity == "warning" and "enforcement: assumed" in f.authority and "assumed default" in f.message
    (tmp_path / "acme.yaml").write_text(
        "pack: acme\ntitle: ACME\nextends: commercial-default\napplies_to: {payer_ids: ['60054']}\n"
        "prior_auth:\n  - {id: commercial.auth-manual-therapy-massage, effective_from: 2024-01-01,"
        " codes: ['97140'], required: true, citation: 'ACME prior authorization list, 2026-01-01'}\n")
    (f,) = _findings(make_checker, claim, ["PA001"], policies=load_packs([tmp_path], include_config=False))
    assert f.severity == "error" and "assumed" not in f.message + f.authority


def test_edema_is_a_covered_reason_for_manual_therapy(make_checker):
    # ICD-10-CM ch.18 R60.0 localized edema; ch.15 O12.03 gestational edema, third trimester
    for dx in (["R60.0"], ["O12.03", "Z3A.30"], ["O26.843", "Z3A.30"]):
        claim = {"payer": "medicare", "diagnoses": dx,
                 "lines": [{"code": "97140", "modifiers": ["GP"], "units": 1, "date": "2026-09-15",
                            "pointers": list(range(1, len(dx) + 1))}]}
        assert _findings(make_checker, claim, ["MN001"]) == [], dx


def test_a_medicare_named_payer_without_sbr09_gets_the_8_minute_rule(make_checker):
    # CMS 100-04 ch.5 §20.2: 7 + 7 = 14 timed minutes = 1 unit in total (8-22 minutes)
    claim = {"payer": {"name": "MEDICARE PART B"}, "diagnoses": ["M54.50"], "lines": [
        {"code": "97110", "modifiers": ["GP"], "units": 1, "minutes": 7, "date": "2026-09-15"},
        {"code": "97140", "modifiers": ["GP"], "units": 1, "minutes": 7, "date": "2026-09-15"}]}
    found = _findings(make_checker, claim, ["TU", "CL020"])
    assert [f.code for f in found] == ["CL020", "TU001"]
    assert "the 8-minute rule allows 1" in found[1].message
