"""A file cut inside a CLM segment keeps the claim it announces (trial #6) and X12 modifiers
are read upper case (trial #19).

ASC X12 005010 control structures: a segment ends at the segment terminator; an
unterminated last segment is partial, so none of its values are trusted -- but a CLM
that has begun is a claim that was sent, and must be in the report.
"""

from __future__ import annotations

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import iter_837_text
from cleanclaim.model import Claim

from test_x12_reader import claim_segments, interchange, transaction


def read(text: str):
    items = list(iter_837_text(text, "cut.837"))
    return [i for i in items if isinstance(i, Claim)], [i for i in items if isinstance(i, Finding)]


def test_cut_after_clm01_reports_the_claim_by_its_id():
    text = interchange(transaction(claim_segments("X1") + claim_segments("X2")))
    cut = text[: text.index("CLM*X2") + len("CLM*X2*45***11:B:1*Y")]
    claims, _ = read(cut)
    assert [c.claim_id for c in claims] == ["X1", "X2"]
    x2 = claims[1]
    finding = x2.read_findings[0]  # then the unclosed group (GE) and interchange (IEA)
    assert [f.code for f in x2.read_findings] == ["X12004"] * 3
    assert finding.code == "X12004" and finding.severity == "error"
    assert "inside a CLM segment" in finding.message and "claim X2 was cut off" in finding.message
    # the partial CLM's values are not read: no charge, no place of service, no lines
    assert x2.total_charge is None and x2.place_of_service is None and x2.lines == []
    assert claims[0].lines[0].procedure_code == "97110"


def test_cut_inside_clm01_reports_a_cut_off_claim():
    text = interchange(transaction(claim_segments("X1") + claim_segments("X2LONG")))
    cut = text[: text.index("CLM*X2LONG") + len("CLM*X2")]  # CLM01 itself may be cut short
    claims, _ = read(cut)
    assert [c.claim_id for c in claims] == ["X1", "(cut off)"]
    assert [f.code for f in claims[1].read_findings] == ["X12004"] * 3  # SE, GE, IEA missing
    assert "X2" not in claims[1].claim_id


def test_cut_right_after_the_clm_id_element():
    text = interchange(transaction(claim_segments("X1") + claim_segments("X2")))
    cut = text[: text.index("CLM*X2") + len("CLM")]
    claims, _ = read(cut)
    assert [c.claim_id for c in claims] == ["X1", "(cut off)"]


def test_lowercase_sv1_modifier_is_gp():
    sv1 = "SV1*HC:97110:gp:59*100.00*UN*2***1"
    (claim,), _ = read(interchange(transaction(claim_segments("L1", sv1=sv1))))
    assert claim.lines[0].modifiers == ["GP", "59"]
