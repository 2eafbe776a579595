"""Real-world X12 cases X-01, X-02 (a, b, c) and X-04, built into complete interchanges.

Sources are the public issue threads named in real-world-cases.jsonl (edireader#11,
stupidedi#83/#106, pyx12 PR#35, x12-edi-parser#30). Expected values are the X12 rules:
the ISA is 106 characters and delimiters are taken by position; SE01 counts ST..SE.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import iter_837, iter_837_text, parse_isa
from cleanclaim.model import Claim

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
CASES = Path("/work/shared/cases/real-world-cases.jsonl")


def read(name: str) -> tuple[list[Claim], list[Finding]]:
    items = list(iter_837(FIXTURES / name))
    return [i for i in items if isinstance(i, Claim)], [i for i in items if isinstance(i, Finding)]


def codes(claim: Claim) -> list[str]:
    return [f.code for f in claim.read_findings]


def test_x01_good_isa_delimiters_by_position_and_no_redetection():
    claims, file_findings = read("x01_good_isaac.837")
    assert file_findings == []
    (claim,) = claims
    # NM1*IL*1*ISAAC*JANE: the subscriber named ISAAC is data, not a new interchange.
    assert claim.patient_key == "X123"
    assert claim.read_findings == []
    assert [ln.procedure_code for ln in claim.lines] == ["97110", "97140"]
    assert claim.lines[0].modifiers == ["GP"]


def test_x01_short_isa_is_flagged_and_its_claims_still_read():
    claims, file_findings = read("x01_bad_short_isa.837")
    assert file_findings == []
    assert [c.claim_id for c in claims] == ["PT1001", "PT1002"]
    for claim in claims:
        (finding,) = claim.read_findings
        assert finding.code == "X12001" and finding.severity == "error"
        assert "66 characters long, 106 expected" in finding.message
        assert finding.claim_id == claim.claim_id
    assert claims[1].total_charge == Decimal("100.00")


def test_x02a_crlf_and_blank_lines_after_the_terminator_are_ignored():
    raw = (FIXTURES / "x02a_crlf.837").read_bytes()
    assert b"~\r\n\r\n" in raw  # the fixture really has CRLF and a blank line
    (claim,), file_findings = read("x02a_crlf.837")
    assert file_findings == [] and claim.read_findings == []
    assert claim.claim_id == "PT2001"
    assert [d.code for d in claim.diagnoses] == ["M5450", "M6281"]


def test_x02b_lf_is_the_segment_terminator():
    (claim,), file_findings = read("x02b_lf_terminator.837")
    assert file_findings == [] and claim.read_findings == []
    assert claim.claim_id == "PT2002"
    assert [ln.charge for ln in claim.lines] == [Decimal("100.00"), Decimal("50.00")]


def test_x02c_space_before_terminator_makes_a_107_character_isa():
    (claim,), _ = read("x02c_space_isa.837")
    (finding,) = claim.read_findings
    assert finding.code == "X12001"
    assert "107 characters long, 106 expected" in finding.message
    assert claim.claim_id == "PT2003" and len(claim.lines) == 2


def test_x04_se01_count_mismatch_names_found_and_declared():
    claims, file_findings = read("x04_se_count.837")
    # The case's own set (ST, BHT, NM1, PER, SE*4) has 5 segments and no claim: file-level.
    (empty_set,) = file_findings
    assert empty_set.code == "X12002" and empty_set.claim_id is None
    assert (empty_set.details["declared"], empty_set.details["found"]) == ("4", 5)
    assert "SE01 declares 4" in empty_set.message and "has 5" in empty_set.message
    assert empty_set.details["segment_number"] == 5
    # The second set declares one segment less than it has: on every claim of that set.
    assert [c.claim_id for c in claims] == ["PT4001", "PT4002"]
    for claim in claims:
        (finding,) = claim.read_findings
        assert finding.code == "X12002" and finding.severity == "error"
        assert finding.details["found"] == int(finding.details["declared"]) + 1


@pytest.mark.skipif(not CASES.exists(), reason="/work/shared is absent")
def test_the_case_strings_themselves():
    cases = {c["id"]: c for c in map(json.loads, CASES.read_text().splitlines()) if c.get("id")}
    x01 = cases["X-01"]["input"]
    good = parse_isa(x01["good"])
    assert good.length == 106 and good.problem is None
    assert (good.delimiters.element, good.delimiters.repetition, good.delimiters.component) == ("*", "^", ":")
    assert good.delimiters.segment == "~"
    short = parse_isa(x01["bad_short"])
    assert short.problem.startswith(f"ISA is {len(x01['bad_short'])} characters long")
    assert parse_isa(x01["data_trap"]) is None
    # X-04 wrapped in an envelope by the reader's own rules.
    isa = x01["good"]
    text = (
        isa + "GS*HC*S*R*20240105*1200*1*X*005010X222A1~" + cases["X-04"]["input"] + "GE*1*1~IEA*1*000000001~"
    )
    (finding,) = list(iter_837_text(text, "x04"))
    assert (finding.code, finding.details["declared"], finding.details["found"]) == ("X12002", "4", 5)
