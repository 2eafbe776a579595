"""Minutes -> units: CMS 100-04 ch.5 §20.2 (8-minute rule) and the CPT midpoint rule.

Expected values come from the manual's examples (as reproduced at findacode.com,
"Documentation Requirements for Therapy Services", and Highmark's adoption notice for
Example 4) and from real-world cases U-01, U-03, U-06 (copied here, not read).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cleanclaim.rules.minutes import (
    CMS_8_MINUTE,
    CPT_MIDPOINT,
    allowed_units,
    chart_range,
    cms_8_minute,
    cpt_midpoint,
    distribute,
    method_for_payer,
    units_for_minutes,
)


# --- the §20.2 chart ----------------------------------------------------------------

# U-06: 97140 alone at 7, 8, 22, 23, 37, 38, 52, 53 minutes (FCSO unit chart)
U06_MINUTES = [7, 8, 22, 23, 37, 38, 52, 53]
U06_UNITS = [0, 1, 1, 2, 2, 3, 3, 4]


@pytest.mark.parametrize("minutes,units", list(zip(U06_MINUTES, U06_UNITS)))
def test_u06_single_code_boundaries(minutes, units):
    assert units_for_minutes(minutes) == units
    assert cms_8_minute([("97140", minutes)]).units_by_code() == {"97140": units}
    assert cpt_midpoint([("97140", minutes)]).units_by_code() == {"97140": units}


@pytest.mark.parametrize(
    "units,low,high",
    # the manual's chart, 1 through 8 units
    [(1, 8, 22), (2, 23, 37), (3, 38, 52), (4, 53, 67), (5, 68, 82), (6, 83, 97), (7, 98, 112), (8, 113, 127)],
)
def test_chart_ranges(units, low, high):
    assert chart_range(units) == (low, high)
    assert units_for_minutes(low) == units
    assert units_for_minutes(high) == units
    assert units_for_minutes(low - 1) == units - 1


def test_chart_pattern_continues_past_two_hours():
    # "The pattern remains the same for treatment times in excess of 2 hours."
    assert units_for_minutes(128) == 9
    assert units_for_minutes(142) == 9
    assert units_for_minutes(143) == 10


def test_zero_minutes_zero_units():
    dist = cms_8_minute([("97110", 0)])
    assert dist.total_units == 0
    assert dist.units_by_code() == {"97110": 0}


# --- the manual's examples ------------------------------------------------------------


def test_example_1_u01_more_units_to_the_longer_service():
    # U-01 / Example 1: 97112 24 min + 97110 23 min = 47 min = 3 units: 97112 x2, 97110 x1
    dist = cms_8_minute([("97112", 24), ("97110", 23)])
    assert dist.method == CMS_8_MINUTE
    assert dist.total_minutes == 47
    assert dist.total_units == 3
    assert dist.units_by_code() == {"97112": 2, "97110": 1}
    assert dist.alternatives == []


def test_example_2_equal_time_either_code_may_take_two_units():
    # Example 2: 97112 20 + 97110 20 = 40 min = 3 units; either code x2, never one code x3
    dist = cms_8_minute([("97112", 20), ("97110", 20)])
    assert dist.total_units == 3
    allowed = dist.allowed()
    assert {"97112": 2, "97110": 1} in allowed
    assert {"97112": 1, "97110": 2} in allowed
    assert {"97112": 3, "97110": 0} not in allowed
    assert len(allowed) == 2
    # documented tie-break: equal total minutes -> the code listed first
    assert dist.units_by_code() == {"97112": 2, "97110": 1}
    assert cms_8_minute([("97110", 20), ("97112", 20)]).units_by_code() == {"97110": 2, "97112": 1}


def test_example_3_u03_sub_8_minute_service_takes_the_third_unit():
    # U-03 / Example 3: 97110 33 + 97140 7 = 40 min = 3 units: 97110 x2, 97140 x1
    dist = cms_8_minute([("97110", 33), ("97140", 7)])
    assert dist.total_minutes == 40
    assert dist.total_units == 3
    assert [(ln.code, ln.minutes, ln.units) for ln in dist.lines] == [("97110", 33, 2), ("97140", 7, 1)]
    assert dist.allowed() == [{"97110": 2, "97140": 1}]
    assert any("97140" in note for note in dist.notes)


def test_example_4_four_services_three_units():
    # Example 4: 97110 18, 97140 13, 97116 10, 97035 8 = 49 min = 3 units:
    # one unit each of 97110, 97140, 97116 and none of 97035
    dist = cms_8_minute([("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8)])
    assert dist.total_minutes == 49
    assert dist.total_units == 3
    assert dist.allowed() == [{"97110": 1, "97140": 1, "97116": 1, "97035": 0}]


def test_two_short_services_bill_the_longer_one():
    # §20.2: two services of 7 minutes or less totalling 8 or more: "bill one unit for the
    # service performed for the most minutes"
    assert cms_8_minute([("97110", 5), ("97140", 7)]).allowed() == [{"97110": 0, "97140": 1}]


def test_three_way_tie_any_one_code():
    # 7 + 7 + 7 = 21 min = 1 unit; equal time, so any one of the three (tie principle of Example 2)
    dist = cms_8_minute([("97112", 7), ("97110", 7), ("97140", 7)])
    assert dist.total_units == 1
    allowed = dist.allowed()
    assert len(allowed) == 3
    assert {"97112": 1, "97110": 0, "97140": 0} in allowed
    assert {"97112": 0, "97110": 1, "97140": 0} in allowed
    assert {"97112": 0, "97110": 0, "97140": 1} in allowed


def test_tie_break_prefers_more_total_minutes():
    # 97140 5 min and 97110 20 min both have 5 leftover minutes: 25 min = 2 units
    dist = cms_8_minute([("97140", 5), ("97110", 20)])
    assert dist.units_by_code() == {"97140": 0, "97110": 2}
    assert dist.alternatives == [{"97140": 1, "97110": 1}]


def test_leftovers_pooled_across_codes():
    # 97110 20 (5 left) + 97140 18 (3 left) = 38 min = 3 units; the third to 97110
    assert cms_8_minute([("97110", 20), ("97140", 18)]).allowed() == [{"97110": 2, "97140": 1}]


def test_full_units_are_kept_even_when_total_is_tight():
    # "If a service ... is performed for at least 15 minutes, that service shall be billed
    # for at least one unit": 97110 15 + 97140 15 + 97116 7 = 37 min = 2 units
    assert cms_8_minute([("97110", 15), ("97140", 15), ("97116", 7)]).allowed() == [
        {"97110": 1, "97140": 1, "97116": 0}
    ]


def test_same_code_on_two_lines_adds_minutes():
    dist = cms_8_minute([("97110", 10), ("97140", 7), ("97110", 13)])
    assert [(ln.code, ln.minutes) for ln in dist.lines] == [("97110", 23), ("97140", 7)]
    assert dist.total_minutes == 30
    assert dist.units_by_code() == {"97110": 2, "97140": 0}


def test_under_8_total_minutes_bills_nothing():
    dist = cms_8_minute([("97110", 3), ("97140", 4)])
    assert dist.total_units == 0
    assert dist.allowed() == [{"97110": 0, "97140": 0}]


# --- CPT midpoint rule ---------------------------------------------------------------


def test_cpt_midpoint_does_not_pool():
    dist = cpt_midpoint([("97110", 33), ("97140", 7)])
    assert dist.method == CPT_MIDPOINT
    assert dist.total_minutes == 40
    assert dist.total_units == 2
    assert dist.units_by_code() == {"97110": 2, "97140": 0}


def test_cpt_midpoint_each_code_alone():
    # 97110 10 + 97112 10 + 97140 10: each passes the midpoint alone (CPT: 3 units);
    # CMS caps 30 minutes at 2 units
    timed = [("97110", 10), ("97112", 10), ("97140", 10)]
    assert cpt_midpoint(timed).total_units == 3
    assert cms_8_minute(timed).total_units == 2
    assert len(allowed_units(CMS_8_MINUTE, timed)) == 3  # any two of the three


def test_cpt_midpoint_seven_and_seven_is_nothing():
    assert cpt_midpoint([("97110", 7), ("97140", 7)]).total_units == 0
    assert cms_8_minute([("97110", 7), ("97140", 7)]).total_units == 1


# --- helpers and bad input -----------------------------------------------------------


def test_method_for_payer():
    assert method_for_payer("medicare") == CMS_8_MINUTE
    assert method_for_payer("medicaid") == CMS_8_MINUTE
    assert method_for_payer("commercial") == CPT_MIDPOINT


@pytest.mark.parametrize("bad", [[("97110", -1)], [("97110", 7.5)], [("", 10)], [("97110",)]])
def test_bad_input_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="timed service 1"):
        cms_8_minute(bad)


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown unit method"):
        distribute("rounding", [("97110", 10)])


# --- CLI -----------------------------------------------------------------------------


def _run(*args):
    from cleanclaim.cli import main

    return CliRunner().invoke(main, ["units", *args])


def test_cli_json_u03():
    result = _run("--payer", "medicare", "97110=33", "97140=7", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("method", "total_minutes", "total_units", "lines")} == {
        "method": "cms-8-minute",
        "total_minutes": 40,
        "total_units": 3,
        "lines": [{"code": "97110", "minutes": 33, "units": 2}, {"code": "97140", "minutes": 7, "units": 1}],
    }
    assert list(data)[:4] == ["method", "total_minutes", "total_units", "lines"]


def test_cli_commercial_uses_midpoint_and_method_overrides():
    data = json.loads(_run("--payer", "commercial", "97110=33", "97140=7", "--format", "json").output)
    assert data["method"] == "cpt-midpoint"
    assert data["total_units"] == 2
    data = json.loads(
        _run("--payer", "commercial", "--method", "cms-8-minute", "97110=33", "97140=7", "--format", "json").output
    )
    assert data["method"] == "cms-8-minute"
    assert data["total_units"] == 3


def test_cli_tie_lists_alternatives():
    data = json.loads(_run("--payer", "medicare", "97112=20", "97110=20", "--format", "json").output)
    assert data["alternatives"] == [{"97112": 1, "97110": 2}]


def test_cli_text_table():
    result = _run("--payer", "medicare", "97112=24", "97110=23")
    assert result.exit_code == 0, result.output
    assert "97112 x2, 97110 x1" in result.output


@pytest.mark.parametrize("code", ["97010", "G0283", "97161", "99213", "97150"])
def test_cli_untimed_code_is_listed_and_adds_no_minutes(code):
    # trial 7 #13: listed as untimed, the rest computed (CMS 100-04 ch.5 §20.2: untimed
    # services add no timed minutes); 97110 10 min alone = 1 unit
    result = _run("--payer", "medicare", f"{code}=20", "97110=10", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [u["code"] for u in data["untimed"]] == [code] and "not a 15-minute timed code" in data["untimed"][0]["note"]
    assert (data["total_minutes"], data["lines"]) == (10, [{"code": "97110", "minutes": 10, "units": 1}])


def test_cli_bad_argument():
    result = _run("--payer", "medicare", "97110:33")
    assert result.exit_code == 2
    assert "CODE=MINUTES" in result.output
    assert _run("97110=10").exit_code == 2  # neither --payer nor --method
