"""Units as the payer reads them (trial #9, #10): SV103 MJ on a code billed in units, and
fractional units on a timed code, read from X12 and checked end to end.

ASC X12 005010X222A1 837P TR3 2400 SV103 (MJ minutes / UN units), SV104;
CMS 100-04 ch.5 §20.2 (timed codes are billed in whole 15-minute units).
"""

from __future__ import annotations

from cleanclaim.formats.x12 import iter_837_text
from cleanclaim.model import Claim

from test_x12_reader import claim_segments, interchange, transaction


def check(make_checker, sv1: str):
    text = interchange(transaction(claim_segments("U1", sv1=sv1)))
    (claim,) = [c for c in iter_837_text(text, "units.837") if isinstance(c, Claim)]
    return claim, make_checker(payer_type="medicare").check(claim)


def test_minutes_sent_for_a_timed_code_say_bill_units_not_mue(make_checker):
    claim, result = check(make_checker, "SV1*HC:97110:GP*45.00*MJ*30***1")
    assert claim.lines[0].unit_basis == "MJ" and claim.lines[0].minutes == 30
    codes = [f.code for f in result.findings]
    assert "CL030" in codes and "MU001" not in codes  # 30 minutes are not 30 units over MUE 6
    (cl030,) = [f for f in result.findings if f.code == "CL030"]
    assert "bill units (UN), not minutes" in cl030.message and cl030.severity == "error"
    assert "= 2 units" in cl030.fix  # 30 minutes of one timed code = 2 units (§20.2 table)


def test_units_over_the_mue_still_count_when_sent_in_units(make_checker):
    _, result = check(make_checker, "SV1*HC:97110:GP*45.00*UN*30***1")
    assert "MU001" in [f.code for f in result.findings]


def test_fractional_units_on_a_timed_code_are_an_error(make_checker):
    _, result = check(make_checker, "SV1*HC:97110:GP*45.00*UN*1.5***1")
    (cl031,) = [f for f in result.findings if f.code == "CL031"]
    assert cl031.severity == "error" and "x1.5" in cl031.message
    assert "§20.2" in cl031.authority
