"""HX rules: duplicates, NCCI PTP and MUE across claims, timely filing, REF*F8.

YAML cases cannot hold a history, so these build one (SQLite and PostgreSQL) in the test.
Expected values come from the shipped CMS NCCI 2024 Q3 practitioner tables (97140/97124
PTP modifier indicator 0; 97140/97750 indicator 1; 97124 MUE 4 with MAI 3), 42 CFR 424.44
and the 837P TR3 REF*F8 note.
"""

from __future__ import annotations

from datetime import date

import pytest
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import open_history

DOS = "2024-08-05"
AS_OF = date(2024, 9, 1)


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


@pytest.fixture
def check(history, make_checker):
    def run(claim, select=("HX",), as_of=AS_OF, with_history=True, **options):
        checker = make_checker(select=list(select), as_of=as_of, **options)
        checker.ctx.history = history if with_history else None
        return sorted((f.code, f.line or 0, f.severity) for f in checker.check(claim).findings), checker.check(claim)

    return run


def test_exact_duplicate_claim(history, check):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 2), ("97110", ["GP"], 1)], dos=DOS))
    got, result = check(make_claim("B1", lines=[("97140", ["GP"], 2), ("97110", ["GP"], 1)], dos=DOS))
    assert got == [("HX001", 0, "error")]
    assert "CO-18" == result.findings[0].carc and "100-04 ch. 1 §120" in result.findings[0].authority


def test_rechecking_a_recorded_claim_is_not_a_duplicate_of_itself(history, check):
    claim = make_claim("A1", lines=[("97140", ["GP"], 2)], dos=DOS)
    history.record(claim)
    assert check(claim)[0] == []


def test_duplicate_line_on_another_claim(history, check):
    history.record(make_claim("A1", lines=[("97110", ["GP"], 1)], dos=DOS))
    got, result = check(make_claim("B1", lines=[("97530", ["GP"], 1), ("97110", ["GP"], 1)], dos=DOS))
    assert got == [("HX002", 2, "error")]
    assert "claim A1 line 1" in result.findings[0].message


def test_not_duplicates_other_day_other_provider_repeat_modifier_other_payer(history, check):
    history.record(make_claim("A1", lines=[("97110", ["GP"], 1)], dos=DOS))
    assert check(make_claim("B1", lines=[("97110", ["GP"], 1)], dos="2024-08-06"))[0] == []
    assert check(make_claim("B2", lines=[("97110", ["GP"], 1)], dos=DOS, rendering="1245319599"))[0] == []
    assert check(make_claim("B3", lines=[("97110", ["GP", "76"], 1)], dos=DOS))[0] == []
    assert check(make_claim("B4", lines=[("97110", ["GP"], 1)], dos=DOS, payer_id="OTHER"))[0] == []
    assert check(make_claim("B5", lines=[("97110", ["GP"], 1)], dos=DOS, patient="P-2"))[0] == []


def test_replacement_is_not_a_duplicate_of_its_original(history, check):
    history.record(make_claim("A1", lines=[("97110", ["GP"], 1)], dos=DOS))
    assert check(make_claim("A1R", lines=[("97110", ["GP"], 2)], dos=DOS, frequency="7", original="A1"))[0] == []


def test_voided_claims_do_not_count(history, check):
    history.record(make_claim("A1", lines=[("97110", ["GP"], 1)], dos=DOS))
    history.record(make_claim("V1", lines=[("97110", ["GP"], 1)], dos=DOS, frequency="8", original="A1"))
    assert check(make_claim("B1", lines=[("97110", ["GP"], 1)], dos=DOS))[0] == []


def test_ptp_indicator_0_across_claims(history, check):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 1)], dos=DOS))
    got, result = check(make_claim("B1", lines=[("97124", ["GP"], 2)], dos=DOS))
    assert got == [("HX003", 1, "error")]
    f = result.findings[0]
    assert "column 2 to 97140" in f.message and "indicator 0" in f.message
    assert "2024 Q3" in f.authority and f.carc == "CO-97 / CO-236"
    # The other way round: this claim holds column 1, the recorded claim column 2.
    history.record(make_claim("C1", lines=[("97124", ["GP"], 2)], dos="2024-08-07"))
    assert check(make_claim("D1", lines=[("97140", ["GP"], 1)], dos="2024-08-07"))[0] == [("HX003", 1, "warning")]


def test_ptp_indicator_1_bypassed_by_modifier(history, check):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 1)], dos=DOS))
    assert check(make_claim("B1", lines=[("97750", ["GP"], 1)], dos=DOS))[0] == [("HX003", 1, "error")]
    assert check(make_claim("B2", lines=[("97750", ["GP", "XU"], 1)], dos=DOS))[0] == []


def test_ptp_needs_same_rendering_provider(history, check):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 1)], dos=DOS, rendering="1245319599"))
    assert check(make_claim("B1", lines=[("97124", ["GP"], 2)], dos=DOS))[0] == []


def test_mue_mai3_adds_units_across_claims(history, check):
    history.record(make_claim("A1", lines=[("97124", ["GP"], 3)], dos=DOS))
    got, result = check(make_claim("B1", lines=[("97124", ["GP"], 2)], dos=DOS), select=("HX004",))
    assert got == [("HX004", 1, "error")]  # 3 + 2 = 5 > MUE 4 (MAI 3)
    assert "= 5, over the MUE of 4" in result.findings[0].message
    assert check(make_claim("B2", lines=[("97124", ["GP"], 1)], dos=DOS), select=("HX004",))[0] == []


def test_without_history_the_cross_claim_rules_find_nothing(history, check):
    history.record(make_claim("A1", lines=[("97140", ["GP"], 1), ("97124", ["GP"], 3)], dos=DOS))
    claim = make_claim("B1", lines=[("97140", ["GP"], 1), ("97124", ["GP"], 2)], dos=DOS)
    assert check(claim, with_history=False)[0] == []
    # Same lines as A1 (HX001), 97124 column 2 to A1's 97140 and the reverse (HX003),
    # 2 + 3 units of 97124 over its MUE of 4 (HX004).
    assert check(claim)[0] == [("HX001", 0, "error"), ("HX003", 1, "warning"), ("HX003", 2, "error"),
                               ("HX004", 2, "error")]


@pytest.mark.parametrize("dos,as_of,late", [
    ("2025-03-12", date(2026, 3, 12), False),  # the last day: 1 calendar year after (a Thursday)
    ("2025-03-12", date(2026, 3, 13), True),
    ("2024-02-29", date(2025, 2, 28), False),  # 100-04 ch.1 §70.1: Feb 29 -> Feb 28
    ("2024-02-29", date(2025, 3, 1), True),
])
def test_medicare_timely_filing(check, dos, as_of, late):
    claim = make_claim("M1", lines=[("97110", ["GP"], 1)], dos=dos, indicator="MB")
    got, result = check(claim, select=("HX005",), as_of=as_of, with_history=False)
    assert got == ([("HX005", 1, "error")] if late else [])
    if late:
        assert "42 CFR 424.44" in result.findings[0].authority and result.findings[0].carc == "CO-29"


def test_medicare_timely_filing_skips_replacements(check):
    claim = make_claim("M1", lines=[("97110", ["GP"], 1)], dos="2023-01-10", indicator="MB", frequency="7",
                       original="X")
    assert check(claim, select=("HX005",), with_history=False)[0] == []


def test_ref_f8_required_on_replacement_and_void(check):
    for frequency in ("7", "8"):
        claim = make_claim("R1", lines=[("97110", ["GP"], 1)], dos=DOS, frequency=frequency)
        got, result = check(claim, select=("HX006",), with_history=False)
        assert got == [("HX006", 0, "error")]
        assert "Required when CLM05-3" in result.findings[0].authority
    ok = make_claim("R2", lines=[("97110", ["GP"], 1)], dos=DOS, frequency="7", original="2224001234567")
    assert check(ok, select=("HX006",), with_history=False)[0] == []
    extra = make_claim("R3", lines=[("97110", ["GP"], 1)], dos=DOS, original="2224001234567")
    assert check(extra, select=("HX006",), with_history=False)[0] == [("HX006", 0, "warning")]
