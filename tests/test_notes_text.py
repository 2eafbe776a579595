"""notes/text.py: sections, sentences, NegEx negation, history and hypothetical context."""

from __future__ import annotations

import re

import pytest

from cleanclaim.notes import parse_note
from cleanclaim.notes.text import SOAP, find_sections


def span_of(note, phrase, nth=0):
    starts = [m.start() for m in re.finditer(re.escape(phrase), note.text)]
    start = starts[nth]
    return (start, start + len(phrase))


NOTE = """S: Pt reports low back pain 6/10 NPRS. Denies leg swelling. History of low back pain in 2019.
Pt cannot stand more than 10 min. If pain returns, call.
O: No edema noted. Lumbar paraspinals tender, L > R.
Swelling: none.
A: Improving.
P: Continue 2x/week x 4 weeks.
"""


def test_soap_letters_open_sections():
    note = parse_note(NOTE)
    assert set(SOAP) <= set(note.sections)
    body = note.sections["plan"]
    assert note.text[body.start:body.end] == "Continue 2x/week x 4 weeks."
    assert note.section_at(span_of(note, "tender")[0]) == "objective"


@pytest.mark.parametrize("heading,name", [
    ("Subjective:", "subjective"), ("CC:", "subjective"), ("HPI -", "subjective"),
    ("## Objective", "objective"), ("**Exam:**", "objective"), ("Physical Exam:", "objective"),
    ("Assessment:", "assessment"), ("Impression:", "assessment"), ("Dx:", "assessment"),
    ("Plan:", "plan"), ("POC:", "plan"), ("Plan of Care:", "plan"),
    ("Treatment:", "treatment"), ("Interventions:", "treatment"), ("Goals:", "goals"),
    ("PMH:", "history"), ("SUBJECTIVE", "subjective"),
])
def test_heading_aliases(heading, name):
    sections = find_sections(f"{heading}\nsome text here\nmore\n")
    assert [s.name for s in sections] == [name]
    if heading[-1] in ":-":
        sections = find_sections(f"{heading} some text here\nmore\n")
    assert [s.name for s in sections] == [name]


def test_combined_assessment_plan_heading_opens_both():
    note = parse_note("Subjective: ok\nObjective: ok\nA/P: doing well, continue 1x/week.\n")
    assert set(SOAP) <= set(note.sections)


def test_words_that_look_like_headings_are_not():
    # "Plan to continue" and "A patient" are prose, lower-case "p:" is no SOAP letter
    sections = find_sections("Plan to continue massage.\nA patient of Dr. Smith.\np: x\n")
    assert sections == []


def test_sentences_split_on_punctuation_and_lines_not_abbreviations():
    note = parse_note("S: Pt. reports pain. Seen by Dr. Lee today.\n- item one\n- item two\n\n"
                      "wrapped line that\ncontinues here.\n")
    texts = [note.text[s.start:s.end] for s in note.sentences]
    assert "Pt. reports pain." in texts
    assert "Seen by Dr. Lee today." in texts
    assert "item one" in texts and "item two" in texts
    assert "wrapped line that\ncontinues here." in texts


@pytest.mark.parametrize("text,phrase", [
    ("Denies leg swelling.", "leg swelling"),
    ("No edema.", "edema"),
    ("Negative for calf tenderness.", "calf tenderness"),
    ("Pt denies numbness, tingling or leg swelling.", "leg swelling"),
    ("Without radiating pain.", "radiating pain"),
    ("Edema: none.", "Edema"),
    ("Leg swelling denied.", "Leg swelling"),
    ("Back pain resolved.", "Back pain"),
    ("Non-tender to palpation.", "tender"),
])
def test_negated(text, phrase):
    note = parse_note(text)
    assert note.is_negated(span_of(note, phrase))


@pytest.mark.parametrize("text,phrase", [
    ("Reports low back pain.", "low back pain"),
    # termination: the negation stops at "but"
    ("No fever but reports low back pain.", "low back pain"),
    ("Denies fever; leg swelling present.", "leg swelling"),
    # pseudo triggers (NegEx): not negations
    ("No change in low back pain.", "low back pain"),
    ("Pt no longer able to walk 10 min.", "walk 10 min"),
    ("Pt cannot stand more than 10 min.", "stand more than 10 min"),
    # the next sentence is out of scope
    ("No edema. Leg cramps at night.", "Leg cramps"),
])
def test_not_negated(text, phrase):
    note = parse_note(text)
    assert not note.is_negated(span_of(note, phrase))


@pytest.mark.parametrize("text,phrase", [
    ("History of low back pain.", "low back pain"),
    ("h/o sciatica.", "sciatica"),
    ("Hx of plantar fasciitis.", "plantar fasciitis"),
    ("Neck pain 3 years ago.", "Neck pain"),
    ("Pain 7/10 at last visit, 4/10 today.", "7/10"),
])
def test_historical(text, phrase):
    note = parse_note(text)
    ctx = note.context(span_of(note, phrase))
    assert ctx.historical and not ctx.affirmed


def test_history_section_is_historical_and_hpi_is_not():
    note = parse_note("History of present illness: low back pain x 3 weeks.\n"
                      "PMH: sciatica.\n")
    assert not note.is_historical(span_of(note, "low back pain"))
    assert note.is_historical(span_of(note, "sciatica"))


@pytest.mark.parametrize("text,phrase", [
    ("Call if pain returns.", "pain returns"),
    ("If leg swelling develops, go to ED.", "leg swelling"),
    ("Will add myofascial release next visit.", "myofascial release"),
])
def test_hypothetical(text, phrase):
    note = parse_note(text)
    ctx = note.context(span_of(note, phrase))
    assert ctx.hypothetical and not ctx.affirmed


def test_find_keeps_only_affirmed_mentions_in_sections():
    note = parse_note("S: Denies leg swelling.\nO: Leg swelling 2+ pitting bilaterally.\n")
    found = note.find(r"leg swelling")
    assert len(found) == 1 and note.section_at(found[0].start) == "objective"
    assert note.find(r"leg swelling", sections=["subjective"]) == []
    assert len(note.find(r"leg swelling", affirmed=False)) == 2


def test_offsets_are_into_note_text_with_crlf():
    note = parse_note("S: back pain\r\nO: tender\r\n")
    start, end = span_of(note, "tender")
    assert note.text[start:end] == "tender"
    assert note.section_at(start) == "objective"


def test_markdown_heading_with_words_after_the_alias():
    note = parse_note("## Objective findings today\nLumbar ROM 50% of normal.\n")
    assert note.text[note.sections["objective"].start:].startswith("Lumbar ROM")


def test_a_dash_ends_the_negation_scope():
    note = parse_note("Not a relaxation visit -- OB order for therapeutic massage.")
    assert note.is_negated(span_of(note, "relaxation"))
    assert not note.is_negated(span_of(note, "OB order"))


def test_dictated_headings_ending_in_a_full_stop():
    note = parse_note("Subjective. Low back pain.\nObjective. Tender L4-L5.\nAssessment. Improving.\nPlan. Weekly.\n")
    assert set(SOAP) <= set(note.sections)
    assert find_sections("Findings. none\nmanual therapy.\n") == []


# ---- checkboxes (EHR templates): unticked = absent, ticked = present

BOXED = """Presenting problems: [X] Thoracic pain   [ ] Shoulder pain   [ ] Headache
Night pain: Yes [ ] No [x]
Swelling present: [x] Yes [ ] No
Expecting: \u2611 Yes  \u2610 No      Gestation: 18w2d
- [ ] Tingling in the fingers
\u2610 Ice pack applied   \u2612 Joint mobilisation T4-T6
Denies: [x] calf cramping
"""


@pytest.mark.parametrize("phrase,negated", [
    ("Thoracic pain", False), ("Shoulder pain", True), ("Headache", True),
    ("Night pain", True), ("Swelling present", False), ("Gestation: 18w2d", False),
    ("Tingling in the fingers", True), ("Ice pack applied", True), ("Joint mobilisation", False),
    ("calf cramping", True),  # the words before the boxes still negate ("Denies:")
])
def test_checkbox_items(phrase, negated):
    note = parse_note(BOXED)
    span = span_of(note, phrase)
    assert note.is_negated(span) is negated
    assert note.is_affirmed(span) is (not negated)


def test_checkbox_no_answer_word_is_not_a_negation_trigger():
    # an unticked "No" box must not negate the field after the column gap
    note = parse_note("Currently pregnant  [x] Yes  [ ] No     Gest. age: 27w5d\nOnset at ~9 weeks.\n")
    assert note.is_affirmed(span_of(note, "27w5d"))
    assert note.is_affirmed(span_of(note, "Currently pregnant"))
    box = note.checkbox_at(span_of(note, "No"))
    assert box is not None and box.answer and not box.ticked
