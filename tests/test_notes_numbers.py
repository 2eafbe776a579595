"""notes/numbers.py: dictated number words read as figures, offsets kept.

CMS 100-02 ch.15 §220.3 asks for the figures (pain, timed minutes per code, frequency and
duration of the plan) to be documented; a dictated "twenty minutes" documents them as well
as a typed "20 min"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cleanclaim.notes import parse_note
from cleanclaim.notes.checks import Billed, find_gaps
from cleanclaim.notes.elements import extract
from cleanclaim.notes.numbers import digits_for_words


@pytest.mark.parametrize("text,expected", [
    ("twenty minutes", "20     minutes"),
    ("Forty-five degrees", "45         degrees"),
    ("rated three out of ten", "rated 3     out of 10 "),
    ("sixty five seconds", "65         seconds"),
    ("someone, tenth, fiftyish", "someone, tenth, fiftyish"),  # not whole number words
])
def test_digits_keep_length(text, expected):
    assert digits_for_words(text) == expected
    assert len(digits_for_words(text)) == len(text)


def test_dictated_pain_score_and_its_offsets():
    text = "She reports right knee pain is five out of ten today."
    el = extract(parse_note(text))
    assert [p.value for p in el.pain_scores] == [5]
    span = el.pain_scores[0].span
    assert text[span.start:span.end].startswith("five")


def test_dictated_timed_minutes_document_the_unit():
    dictated = ("Subjective: left shoulder pain. Objective: flexion 120 degrees. "
                "I performed manual therapy to the left shoulder for twenty minutes. "
                "Assessment: improving. Plan: continue twice a week for four weeks.")
    el = extract(parse_note(dictated))
    assert el.minutes_by_code.get("97140") == 20
    gaps = {g.element for g in find_gaps(el, [Billed("97140", Decimal(1))])}
    assert "timed_minutes" not in gaps
    typed_none = dictated.replace(" for twenty minutes", "")
    gaps = {g.element for g in find_gaps(extract(parse_note(typed_none)), [Billed("97140", Decimal(1))])}
    assert "timed_minutes" in gaps


def test_limitation_does_not_run_into_the_next_treatment_line():
    # "limited" closing one line and "exercise" opening the next are not one functional
    # limitation; the next line's minutes belong to its code (CMS 100-02 ch.15 §220.3.E)
    text = ("Treatment:\n- 97140 Manual therapy 15 min to the lumbar spine; extension 25% limited after.\n"
            "- 97110 Therapeutic exercise, 12 min: pelvic tilts 2x10.\nTotal timed: 27 min.")
    el = extract(parse_note(text))
    assert el.minutes_by_code == {"97140": 15, "97110": 12}
    assert not any("\n" in text[s.start:s.end] for s in el.functional_limitations)


def test_dictated_total_timed_minutes():
    # CMS 100-02 ch.15 §220.3.E: total timed code treatment minutes
    text = ("Treatment: manual therapy to the neck for twenty minutes, then therapeutic exercise for "
            "ten minutes. Total timed minutes were thirty.")
    el = extract(parse_note(text))
    assert el.total_minutes == 30
    assert extract(parse_note("Treatment: ten minutes were spent on education.")).total_minutes is None


def test_evidence_quotes_the_whole_number_word():
    text = "Treatment: manual therapy to the neck for twenty minutes. Total timed minutes were thirty."
    el = extract(parse_note(text))
    quoted = [text[s.start:s.end] for name, s in el.evidence() if name == "timed_minutes"]
    assert "minutes were thirty" in quoted
