"""Gestational age from the dates a note gives (LMP, EDD) and the obstetric "weeks.days" form.

Authority: ICD-10-CM chapter 15 note (weeks counted from the first day of the last menstrual
period; trimesters 1st < 14w0d, 2nd 14w0d to < 28w0d, 3rd >= 28w0d); Naegele's rule as ACOG
Committee Opinion 700 states it (EDD = LMP + 280 days).
"""

from datetime import date

import pytest

from cleanclaim.notes.suggest.dating import date_of_service, gestational_age_from_dates, parse_date
from cleanclaim.notes.suggest.pregnancy import pregnancy_facts
from cleanclaim.notes.text import parse_note


@pytest.mark.parametrize("text, expected", [
    ("2026-03-16", date(2026, 3, 16)), ("03/16/2026", date(2026, 3, 16)), ("3/16/26", date(2026, 3, 16)),
    ("March 16, 2026", date(2026, 3, 16)), ("16 Mar 2026", date(2026, 3, 16)), ("Sept. 1, 2025", date(2025, 9, 1)),
    ("13/45/2026", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_date_of_service_labels():
    assert date_of_service("Progress note\nDate of service: 03/16/2026\nS: ...") == date(2026, 3, 16)
    assert date_of_service("Visit date - May 4, 2026") == date(2026, 5, 4)
    assert date_of_service("Pain since 03/01/2026") is None  # not labelled as the visit's date


def test_lmp_counts_days_from_the_first_day_of_the_last_period():
    # 2025-09-01 + 196 days = 2026-03-16: exactly 28w0d, the first day of the 3rd trimester
    weeks, days, _, basis = gestational_age_from_dates("G2P1, LMP 09/01/2025.", date(2026, 3, 16))
    assert (weeks, days) == (28, 0) and basis == "LMP 2025-09-01"
    assert gestational_age_from_dates("LMP 09/01/2025", date(2026, 3, 15))[:2] == (27, 6)


def test_edd_is_280_days_after_the_lmp():
    # EDD 2026-08-01 is 89 days after 2026-05-04: 280 - 89 = 191 days = 27w2d
    assert gestational_age_from_dates("EDD 2026-08-01", date(2026, 5, 4))[:2] == (27, 2)
    assert gestational_age_from_dates("due date is 08/01/2026", date(2026, 5, 4))[:2] == (27, 2)
    assert gestational_age_from_dates("EDD 2026-08-01", None) is None  # no date of service, no age


def test_stated_age_wins_over_dates_and_decimal_weeks_are_weeks_and_days():
    note = parse_note("Pregnant, 30w2d by early ultrasound; LMP 09/01/2025. Low back pain 5/10.")
    facts = pregnancy_facts(note, date(2026, 3, 16))
    assert (facts.weeks, facts.days, facts.trimester) == (30, 2, "third")
    facts = pregnancy_facts(parse_note("EGA 19.3 wks. Low back pain 5/10."), None)
    assert (facts.weeks, facts.days, facts.trimester) == (19, 3, "second")
    facts = pregnancy_facts(parse_note("Pregnant. LMP 09/01/2025. Low back pain 5/10."), date(2026, 3, 15))
    assert (facts.weeks, facts.days, facts.trimester) == (27, 6, "second")
    assert "LMP 2025-09-01" in facts.ga_text


@pytest.mark.parametrize("text, weeks, days, trimester", [
    ("Weeks pregnant: 31\nS: calf cramps at night", 31, None, "third"),        # template field
    ("Pregnant. GA: 31.2. Low back pain 5/10.", 31, 2, "third"),                 # GA field, weeks.days
    ("Gestational age = 27+6; pregnant.", 27, 6, "second"),                      # 27w6d is still 2nd
    ("She is pregnant; thirteen weeks six days by dating ultrasound.", 13, 6, "first"),  # dictation
    ("In this pregnancy, twenty-eight weeks today.", 28, None, "third"),
])
def test_gestational_age_in_fields_and_words(text, weeks, days, trimester):
    facts = pregnancy_facts(parse_note(text), None)
    assert (facts.weeks, facts.days, facts.trimester) == (weeks, days, trimester)


def test_a_duration_in_words_is_no_gestational_age():
    assert pregnancy_facts(parse_note("Pregnant; back pain for three weeks."), None).weeks is None
