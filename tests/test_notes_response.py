"""DOC008 patient response is the response to this visit's treatment (CMS 100-02 ch.15
§220.2, §220.3.E); a change measured against the evaluation is progress, and the words
'end of session' alone only say when."""

from __future__ import annotations

from cleanclaim.notes import parse_note
from cleanclaim.notes.elements import extract


def responses(text):
    note = parse_note(text)
    return [text[s.start:s.end] for s in extract(note).responses]


def test_change_versus_the_evaluation_is_not_a_response():
    assert responses("O: Hip scour positive, pain reduced vs IE.") == []
    assert responses("A: Swelling decreased since eval.") == []


def test_change_after_treatment_is_a_response():
    assert responses("O: Pain reduced after the mobilisations.") != []
    # the session named in the sentence keeps it a response
    assert responses("O: Pain reduced vs eval and again post tx today.") != []


def test_end_of_session_alone_is_not_a_response():
    assert responses("Tx: knee brace fitted at end of session.") == []
    assert responses("Tx: at end of session pain 2/10 R knee.") != []


def test_tolerance_without_symptom_increase_and_independent_return_demo_are_responses():
    # CMS 100-02 ch.15 §220.3.E: the patient's response, e.g. tolerance, or what the patient
    # now does after skilled instruction
    assert responses("Tx: 97110 12 min, shoulder flexion 2x10; completed w/o shoulder pain increase.") != []
    assert responses("Tx: 97535 8 min: pt donned the brace independently after demo.") != []
    assert responses("Tx: 97535 8 min: brace donning reviewed.") == []
