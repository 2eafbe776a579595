"""Explanations (shipped CARC/RARC table with dates), the denial definition and buckets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from cleanclaim.remits.buckets import BUCKETS, bucket_table, claim_denial, is_denial_adjustment, line_denial
from cleanclaim.remits.explain import explain, lookup
from cleanclaim.remits.model import Adjustment, Remark, RemitClaim, RemitLine


def test_bucket_table_cites_the_shipped_descriptions(store):
    table = bucket_table()
    assert set(BUCKETS) - {r.bucket for r in table.values()} == {"other"}
    for (kind, code), rule in table.items():
        row = store.adjustment_code(kind, code)
        assert row is not None, f"{kind} {code} is not in the shipped CARC/RARC list"
        assert rule.basis == row.description


@pytest.mark.parametrize("group,carc,denial", [
    ("CO", "45", False), ("PR", "1", False), ("PR", "2", False), ("PR", "3", False),
    ("CO", "253", False), ("CO", "97", True), ("OA", "23", True), ("PR", "96", True), ("CO", "50", True), ("PI", "45", True)])
def test_denial_adjustment_definition(group, carc, denial):
    assert is_denial_adjustment(Adjustment(group, carc, D("10"))) is denial
    assert is_denial_adjustment(Adjustment(group, carc, D("-10"))) is False  # a negative CAS adds money


@pytest.mark.parametrize("carc,rarcs,bucket", [
    ("197", [], "authorization"), ("29", [], "timely_filing"), ("18", [], "duplicate"),
    ("27", [], "eligibility"), ("B7", [], "credentialing"), ("236", [], "coding_bundling"),
    ("50", [], "medical_necessity"), ("204", [], "coverage"),
    ("16", ["M62"], "authorization"), ("16", ["N290"], "credentialing"), ("16", [], "billing_error"), ("16", ["MA130"], "billing_error"), ("16", ["N29"], "medical_necessity"),
    ("96", ["N425"], "coverage"), ("252", ["M127"], "medical_necessity"), ("ZZ1", [], "other")])
def test_buckets(carc, rarcs, bucket, store):
    assert explain(store, "CO", carc, rarcs).bucket == bucket


def test_unmapped_patient_responsibility_code_falls_to_patient_bucket(store):
    assert explain(store, "PR", "142").bucket == "patient_responsibility"


def test_claim_and_line_denials():
    def line(n, charge, paid, *adj):
        return RemitLine(n, "97110", charge=D(charge), paid=D(paid), adjustments=[Adjustment(*a) for a in adj])

    ok = line(1, "100", "80", ("CO", "45", D("20")))
    bundled = line(2, "60", "0", ("CO", "97", D("60")))
    claim = RemitClaim(1, "A", "1", charge=D("160"), paid=D("80"), lines=[ok, bundled])
    assert not line_denial(ok, claim).denied
    decision = claim_denial(claim)
    assert decision.denied and decision.denied_charge == D("60") and decision.bucket == "coding_bundling"
    denied = RemitClaim(2, "B", "4", charge=D("300"), paid=D("0"),
                        adjustments=[Adjustment("CO", "29", D("300"))])
    assert claim_denial(denied).denied_charge == D("300") and claim_denial(denied).bucket == "timely_filing"
    reversal = RemitClaim(3, "A", "22", charge=D("-160"), paid=D("-80"), lines=[bundled])
    assert not claim_denial(reversal).denied
    remarked = RemitClaim(4, "C", "1", charge=D("50"), paid=D("0"), remarks=[Remark("N425", "MOA")],
                          lines=[line(1, "50", "0", ("CO", "96", D("50")))])
    assert claim_denial(remarked).bucket == "coverage"


def test_code_dates_against_remit_date(store):
    # CARC 42 was stopped 2007-06-01 (use 45): valid on the 2005 sample remit, not in 2024
    assert lookup(store, "carc", "42", date(2005, 4, 12)).valid is True
    late = lookup(store, "carc", "42", date(2024, 3, 15))
    assert late.valid is False and "2007-06-01" in late.note
    early = lookup(store, "carc", "197", date(2005, 1, 1))  # starts 2006-10-31
    assert early.valid is False and "2006-10-31" in early.note
    unknown = lookup(store, "rarc", "QQ999", date(2024, 1, 1))
    assert not unknown.known and unknown.valid is None


def test_plain_language_text(store):
    text = explain(store, "CO", "97", ["M15"], on=date(2024, 3, 15), amount=D("60")).text
    assert text.startswith("CO-97 60: The benefit for this service is included in the payment/allowance")
    assert "write" in text and "Remark M15: Separately billed services/tests have been bundled" in text
    assert "root cause: Coding or bundling (NCCI)" in text
    assert "Not a denial" in explain(store, "PR", "2").text
    assert "Warning: CARC 'X9X' is not in the shipped" in explain(store, "CO", "X9X").text
