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
