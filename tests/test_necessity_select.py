"""MN001 and PG004: a claim whose only diagnoses are pregnancy states (Z33.1, Z34.-, Z3A.-).

PG004 reports it when it runs; MN001 defers to it then, but reports it itself when PG004
is not running (`--select MN`): the base pack's not_sufficient list (Z33.1, Z34, Z3A;
ICD-10-CM Official Guidelines I.C.15.a.1, IV.G) says such a claim has no covered reason.
"""

from __future__ import annotations

from cleanclaim.formats.dict_reader import claim_from_dict


def _claim():
    return claim_from_dict({"claim_id": "Z1", "payer": "medicare", "billing_provider": "1234567893",
                            "diagnoses": ["Z33.1", "Z3A.30"],
                            "lines": [{"code": "97124", "modifiers": ["GP"], "units": 2, "date": "2026-03-02",
                                       "pointers": [1, 2]}]})


def _codes(make_checker, select):
    return sorted(f.code for f in make_checker(select=select).check(_claim()).findings
                  if f.code.startswith(("MN", "PG004")))


def test_select_mn_alone_reports_pregnancy_only_claim(make_checker):
    found = make_checker(select=["MN"]).check(_claim()).findings
    assert [f.code for f in found] == ["MN001"]
    assert "Z33.1, Z3A.30" in found[0].message and "base.therapy-needs-treated-condition" in found[0].message


def test_mn001_defers_to_pg004_when_both_run(make_checker):
    assert _codes(make_checker, ["MN", "PG"]) == ["PG004"]
    assert _codes(make_checker, ["ALL"]) == ["PG004"]
