"""Trial-7 X12 gaps (item 19): an unknown segment id, a repeated ISA13, MU001 without a date.

Authorities: 005010X222A1 TR3 transaction set listing (segment ids of the 837P); ISA13 and
TA1 TA105 code 025 (duplicate interchange control number); CMS NCCI MUE 97110 = 6.
"""

from __future__ import annotations

from test_x12_reader import claim_segments, interchange, transaction

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import iter_837_text


def _claims(text):
    return [c for c in iter_837_text(text) if not isinstance(c, Finding)]


def test_unknown_segment_is_a_warning_naming_its_number():
    body = claim_segments("C1")
    body.insert(2, "ZZZ*garbage")  # segment 3 of the claim: after CLM, HI
    (claim,) = _claims(interchange(transaction(body)))
    (f,) = [f for f in claim.read_findings if f.code == "X12007"]
    assert f.severity == "warning" and "ZZZ" in f.message and "not a segment of the 837P" in f.message
    assert f.details["segment_number"] == 19  # ST + 15 header segments + CLM + HI + ZZZ


def test_known_837p_segments_are_not_reported():
    body = claim_segments("C1")
    body.insert(1, "AMT*F5*10")
    body.insert(2, "PWK*OZ*BM")
    (claim,) = _claims(interchange(transaction(body)))
    assert not [f for f in claim.read_findings if f.code == "X12007"]


def test_same_isa13_twice_in_one_file():
    one = interchange(transaction(claim_segments("C1")))
    two = interchange(transaction(claim_segments("C2")))  # the same ISA13 000000001
    first, second = _claims(one + "\n" + two)
    assert not [f for f in first.read_findings if f.code == "X12011"]
    (f,) = [f for f in second.read_findings if f.code == "X12011"]
    assert "000000001" in f.message and f.severity == "error"


def test_mu001_never_says_on_none(make_checker):
    (claim,) = _claims(interchange(transaction(claim_segments("C1", sv1="SV1*HC:97110:GP*100.00*UN*9***1",
                                                               dtp="20241399"))))
    found = [f for f in make_checker(select=["MU001"], payer_type="medicare").check(claim).findings]
    assert found and all("None" not in f.message for f in found)
    assert "date of service not read" in found[0].message and "MUE of 6" in found[0].message
