"""HX005 timely filing and the federal workday calendar.

Values from the authorities: 42 CFR 424.44 (12 months after the date of service); CMS
100-04 ch. 1 §70 ("Whenever the last day for timely filing of a claim falls on a Saturday,
Sunday, legal holiday, or other day ... non-work-day for Federal employees ..., the claim
will be considered timely if it is filed on the next workday"); 5 U.S.C. 6103(a) holidays
and their observed dates (6103(b); Executive Order 11582), as OPM publishes them.
"""

from __future__ import annotations

from datetime import date

import pytest
from history_support import make_claim

from cleanclaim.policies import load_packs
from cleanclaim.policies.loader import PackLoadError
from cleanclaim.policies.workdays import federal_holidays, next_workday, non_workday_reason

OPM_2025 = ["2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
            "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25"]
OPM_2027 = ["2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05",
            "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31"]


@pytest.mark.parametrize("year,expected", [(2025, OPM_2025), (2027, OPM_2027)])
def test_federal_holidays_match_opm(year, expected):
    assert sorted(d.isoformat() for d in federal_holidays(year)) == expected


@pytest.mark.parametrize("day,observed", [
    ("2021-12-31", "New Year's Day (observed)"),  # 2022-01-01 is a Saturday: the Friday before
    ("2023-01-02", "New Year's Day (observed)"),  # 2023-01-01 is a Sunday: the Monday after
    ("2026-07-03", "Independence Day (observed)"),  # 2026-07-04 is a Saturday
    ("2021-06-18", "Juneteenth National Independence Day (observed)"),  # Pub. L. 117-17, first year
])
def test_observed_dates(day, observed):
    assert non_workday_reason(date.fromisoformat(day)) == observed


def test_juneteenth_only_from_2021():
    assert date(2020, 6, 19) not in federal_holidays(2020)


def test_next_workday():
    assert next_workday(date(2025, 3, 1)) == date(2025, 3, 3)  # Saturday -> Monday
    assert next_workday(date(2026, 1, 19)) == date(2026, 1, 20)  # MLK Day 2026
    assert next_workday(date(2026, 7, 3)) == date(2026, 7, 6)  # observed July 4, then a weekend
    assert next_workday(date(2025, 3, 4)) == date(2025, 3, 4)


def _check(make_checker, claim, as_of, packs=None):
    options = {"policies": packs} if packs is not None else {}
    checker = make_checker(select=["HX005"], as_of=as_of, options=options)
    checker.ctx.history = None
    return checker.check(claim).findings


@pytest.mark.parametrize("dos,as_of,late", [
    ("2024-03-01", date(2025, 3, 3), False),  # last day Saturday 2025-03-01: Monday is timely
    ("2024-03-01", date(2025, 3, 2), False),
    ("2024-03-01", date(2025, 3, 4), True),
    ("2025-01-19", date(2026, 1, 20), False),  # last day 2026-01-19, Martin Luther King Jr. Day
    ("2025-01-19", date(2026, 1, 21), True),
    ("2025-07-03", date(2026, 7, 6), False),  # last day 2026-07-03, Independence Day observed
    ("2025-07-03", date(2026, 7, 7), True),
    ("2024-02-29", date(2025, 3, 1), True),  # Feb 29 -> Feb 28 2025, a Friday: no extension
])
def test_medicare_next_workday(make_checker, dos, as_of, late):
    claim = make_claim("M1", lines=[("97110", ["GP"], 1)], dos=dos, indicator="MB")
    found = _check(make_checker, claim, as_of)
    assert [(f.code, f.severity) for f in found] == ([("HX005", "error")] if late else [])
    if late and dos == "2024-03-01":
        assert "2025-03-01 (Saturday)" in found[0].message and "next workday, 2025-03-03" in found[0].message
        assert "100-04 ch. 1 §70" in found[0].authority


PACK = """pack: acme
title: ACME 90-day filing
extends: commercial-default
applies_to: {{payer_ids: ["60054"]}}
timely_filing:
  - id: commercial.timely-filing
    effective_from: 2026-01-01
    citation: "ACME Provider Manual 2026 section 7.2: claims within 90 days of service"
    days: 90
{extra}"""


def _packs(tmp_path, extra=""):
    (tmp_path / "acme.yaml").write_text(PACK.format(extra=extra))
    return load_packs([tmp_path], include_config=False)


def test_payer_pack_limit_is_an_error(make_checker, tmp_path):
    """enforcement: payer (the default): a claim past the contract's limit is denied CARC 29."""
    claim = make_claim("A1", lines=[("97110", ["GP"], 1)], dos="2026-02-01", payer_id="60054")
    found = _check(make_checker, claim, date(2026, 6, 15), _packs(tmp_path))
    assert [(f.code, f.severity, f.carc) for f in found] == [("HX005", "error", "CO-29")]
    assert "ACME Provider Manual" in found[0].authority


def test_assumed_default_limit_stays_a_warning(make_checker):
    claim = make_claim("A1", lines=[("97110", ["GP"], 1)], dos="2025-01-05")
    found = _check(make_checker, claim, date(2026, 12, 1), load_packs(include_config=False))
    assert [(f.code, f.severity) for f in found] == [("HX005", "warning")]


def test_pack_next_workday_only_when_the_pack_says_so(make_checker, tmp_path):
    # 2026-01-05 + 90 days = 2026-04-05, a Sunday
    claim = make_claim("A1", lines=[("97110", ["GP"], 1)], dos="2026-01-05", payer_id="60054")
    assert len(_check(make_checker, claim, date(2026, 4, 6), _packs(tmp_path))) == 1
    other = tmp_path / "nw"
    other.mkdir()
    packs = _packs(other, "    next_workday: true\n")
    assert _check(make_checker, claim, date(2026, 4, 6), packs) == []
    assert len(_check(make_checker, claim, date(2026, 4, 7), packs)) == 1


def test_next_workday_must_be_true_or_false(tmp_path):
    with pytest.raises(PackLoadError, match=r"acme.yaml:10: timely_filing\[0\].next_workday: must be true or false"):
        _packs(tmp_path, "    next_workday: sometimes\n")


def test_just_past_the_deadline_the_fix_asks_about_executive_order_closures(make_checker):
    # 100-04 ch.1 §70 also extends the deadline past a day closed to Federal employees by
    # Executive order (2025-01-09, national day of mourning): no calendar computes those, so a
    # claim a few days late is told to check before writing the line off; a month late is not.
    claim = make_claim("M2", lines=[("97110", ["GP"], 1)], dos="2024-01-09", indicator="MB")
    (finding,) = _check(make_checker, claim, date(2025, 1, 10))
    assert "Executive order" in finding.fix and finding.fix.index("Executive order") < finding.fix.index("write the line off")
    (finding,) = _check(make_checker, claim, date(2025, 2, 10))
    assert "Executive order" not in finding.fix
