"""Trial-9 N4: an LX whose SV1 is missing (or an LX with two SV1s) is never dropped silently.

Authority: 005010X222A1 TR3 loop 2400 (LX required; SV1 Required, max use 1); a 999 rejects
the transaction set for a missing mandatory segment (IK3 code 3).
"""

from __future__ import annotations

from test_x12_reader import claim_segments, interchange, transaction

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import iter_837_text


def _claims(text):
    return [c for c in iter_837_text(text) if not isinstance(c, Finding)]


def test_lx_without_sv1_keeps_a_placeholder_line_and_names_the_segment():
    body = claim_segments("C1") + ["LX*2", "DTP*472*D8*20240105"]
    (claim,) = _claims(interchange(transaction(body)))
    assert len(claim.lines) == 2  # the second line is kept, not dropped
    line2 = claim.lines[1]
    assert line2.procedure_code == "" and str(line2.date_of_service) == "2024-01-05"
    (f,) = [f for f in claim.read_findings if f.code == "X12005"]
    assert f.severity == "error" and f.line == 2
    # ST + 15 header segments + CLM, HI, LX, SV1, DTP, then LX*2 is segment 22
    assert f.details["segment_number"] == 22 and f.details["segment_id"] == "LX"
    assert "has no SV1" in f.message and "segment 22 (LX)" in f.message


def test_lx_without_sv1_at_end_of_claim_and_before_next_lx():
    body = claim_segments("C1")
    body[2:2] = ["LX*1"]  # LX*1, LX*1 (first has no SV1), SV1, DTP
    body += ["LX*3"]  # last LX of the claim, no SV1, closed by SE
    (claim,) = _claims(interchange(transaction(body)))
    assert len(claim.lines) == 3
    missing = [f for f in claim.read_findings if f.code == "X12005" and "has no SV1" in f.message]
    assert [f.details["segment_number"] for f in missing] == [19, 23]


def test_two_sv1_in_one_lx_is_an_error():
    body = claim_segments("C1")
    body.insert(4, "SV1*HC:97140:GP*50.00*UN*1***1")
    (claim,) = _claims(interchange(transaction(body)))
    assert len(claim.lines) == 2
    (f,) = [f for f in claim.read_findings if f.code == "X12005"]
    assert "second SV1" in f.message and f.details["segment_number"] == 21


def test_well_formed_lines_have_no_x12005():
    (claim,) = _claims(interchange(transaction(claim_segments("C1") + ["LX*2", "SV1*HC:97140:GP*50*UN*1***1"])))
    assert len(claim.lines) == 2 and not claim.read_findings
