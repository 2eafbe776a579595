"""Federal workdays: the legal public holidays of 5 U.S.C. 6103, with their observed dates.

Used by timely filing (CMS 100-04 ch. 1 §70): when the last day to file falls on a
Saturday, Sunday or federal holiday, a claim filed on the next workday is timely.

Holidays (5 U.S.C. 6103(a)): New Year's Day (January 1); Birthday of Martin Luther King,
Jr. (third Monday in January, from 1986, Pub. L. 98-144); Washington's Birthday (third
Monday in February); Memorial Day (last Monday in May); Juneteenth National Independence
Day (June 19, from 2021, Pub. L. 117-17); Independence Day (July 4); Labor Day (first
Monday in September); Columbus Day (second Monday in October); Veterans Day (November 11);
Thanksgiving Day (fourth Thursday in November); Christmas Day (December 25). Monday
holidays as set by the Uniform Monday Holiday Act (Pub. L. 90-363, from 1971; Veterans Day
was the fourth Monday in October 1971-1977).

Observed dates: a holiday on a Sunday is observed the Monday after (5 U.S.C. 6103(b)(1));
on a Saturday, the Friday before (Executive Order 11582 §3(a); 5 U.S.C. 6103(b)(2)) -- so a
Saturday January 1 is observed on Friday, December 31 of the year before. One-off closures
by executive order (e.g. a national day of mourning) and Inauguration Day (6103(c), only
in the Washington, DC area) are not known here.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

MONDAY, THURSDAY, SATURDAY, SUNDAY = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (0 = Monday) of the month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def legal_holidays(year: int) -> dict[date, str]:
    """The 5 U.S.C. 6103(a) holidays of ``year`` on their own dates (not moved)."""
    days = {date(year, 1, 1): "New Year's Day", date(year, 7, 4): "Independence Day",
            date(year, 12, 25): "Christmas Day"}
    if year >= 1971:
        days[_nth_weekday(year, 2, MONDAY, 3)] = "Washington's Birthday"
        days[_nth_weekday(year, 5, MONDAY, -1)] = "Memorial Day"
        days[_nth_weekday(year, 10, MONDAY, 2)] = "Columbus Day"
    else:
        days[date(year, 2, 22)] = "Washington's Birthday"
        days[date(year, 5, 30)] = "Memorial Day"
        days[date(year, 10, 12)] = "Columbus Day"
    if 1971 <= year <= 1977:
        days[_nth_weekday(year, 10, MONDAY, 4)] = "Veterans Day"
    else:
        days[date(year, 11, 11)] = "Veterans Day"
    if year >= 1986:
        days[_nth_weekday(year, 1, MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    if year >= 2021:
        days[date(year, 6, 19)] = "Juneteenth National Independence Day"
    days[_nth_weekday(year, 9, MONDAY, 1)] = "Labor Day"
    days[_nth_weekday(year, 11, THURSDAY, 4)] = "Thanksgiving Day"
    return days


@functools.lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[date, str]:
    """Every day of ``year`` that is a federal holiday or observed as one (name, '(observed)')."""
    out: dict[date, str] = {}
    for y in (year - 1, year, year + 1):  # a Saturday January 1 is observed the year before
        for day, name in legal_holidays(y).items():
            if day.weekday() == SATURDAY:
                day, name = day - timedelta(days=1), f"{name} (observed)"
            elif day.weekday() == SUNDAY:
                day, name = day + timedelta(days=1), f"{name} (observed)"
            if day.year == year:
                out[day] = name
    return out


def non_workday_reason(day: date) -> str | None:
    """'Saturday', 'Sunday' or the holiday's name when ``day`` is not a federal workday."""
    if day.weekday() == SATURDAY:
        return "Saturday"
    if day.weekday() == SUNDAY:
        return "Sunday"
    return federal_holidays(day.year).get(day)


def next_workday(day: date) -> date:
    """``day`` itself when it is a federal workday, else the next one."""
    while non_workday_reason(day) is not None:
        day += timedelta(days=1)
    return day
