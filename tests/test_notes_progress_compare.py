"""DOC010 objective progress is a measure compared with an earlier visit (CMS 100-02 ch.15
§220.3.D progress report: objective measures compared with the evaluation). An exercise
named 'step-down from 6 in' or progressed within the visit ('partial -> full revolutions')
compares nothing."""

from __future__ import annotations

from cleanclaim.notes import parse_note
from cleanclaim.notes.progress import find_progress


def progress(text):
    return find_progress(parse_note(text))


def test_exercise_names_and_within_visit_progressions_are_not_progress():
    assert progress('O: Step-down from 6": knee valgus R.') == []
    assert progress("Tx: 97110 20 min: bike 6 min partial revolutions \u2192 full, heel raises 2x10.") == []


def test_figures_compared_are_progress():
    assert progress("O: Step test time down from 20 s at eval to 14 s.") != []
    assert progress("O: R knee flexion 95\u00b0 \u2192 110\u00b0.") != []


def test_measure_name_is_a_whole_word():
    # 'from 3' is not 'rom 3': a word ending in a measure's letters names no measure
    from cleanclaim.notes import lexicon as lx
    assert [m.group() for m in lx.MEASURE.finditer("moved from 3 chairs")] == []
    assert [m.group() for m in lx.MEASURE.finditer("ROM 3")] == ["ROM 3"]
