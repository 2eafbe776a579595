"""Code suggestions from notes (cleanclaim.notes.suggest): tabular ranking, negation/history,
laterality, 7th character, chapter-15 conventions, CPT from techniques, evidence spans.

Expected codes come from the ICD-10-CM tabular in the store (titles, Excludes1 and the
chapter-15 notes, read back here) and the Official Guidelines section I.C.15.
"""

from __future__ import annotations

from datetime import date

import pytest

from cleanclaim.notes import parse_note
from cleanclaim.notes.suggest import suggest_codes
from cleanclaim.notes.suggest.pregnancy import pregnancy_facts, trimester_of

DOS = "2026-02-10"


def icd(suggestions):
    return [s.code for s in suggestions if s.system == "ICD-10-CM"]


def cpt(suggestions):
    return {s.code: s for s in suggestions if s.system == "CPT"}


@pytest.fixture(scope="module")
def release(store):
    return store.icd_release(date.fromisoformat(DOS)).release_id


def test_trimester_boundaries_follow_the_chapter_15_note(store, release):
    notes = " ".join(n.text for n in store.icd_notes("O2689", release, kinds={"note"}))
    assert "2nd trimester- 14 weeks 0 days to less than 28 weeks 0 days" in notes
    assert "3rd trimester- 28 weeks 0 days until delivery" in notes
    assert [trimester_of(w) for w in (13, 14, 27, 28)] == ["first", "second", "second", "third"]


@pytest.mark.parametrize("text, weeks, days, trimester", [
    ("G1P0, GA 27 6/7 wks. Plan 2x/wk x 6 wks.", 27, 6, "second"),
    ("Pt is 13w6d pregnant.", 13, 6, "first"),
    ("EGA 31 wks per OB; pain since 22 weeks.", 31, None, "third"),
    ("Gestational age 28 weeks 0 days.", 28, 0, "third"),
    ("GA 24+3, back pain.", 24, 3, "second"),
])
def test_gestational_age_and_trimester(text, weeks, days, trimester):
    facts = pregnancy_facts(parse_note(text))
    assert (facts.pregnant, facts.weeks, facts.days, facts.trimester) == (True, weeks, days, trimester)


def test_durations_and_negated_pregnancy_are_not_pregnancy():
    facts = pregnancy_facts(parse_note("Low back pain x 3 wks. Negative pregnancy test; not pregnant. 2x/wk x 6 wks."))
    assert not facts.pregnant and facts.weeks is None


def test_gestational_edema_goes_to_o12_by_the_r60_excludes1(store, release):
    r60 = [n.text for n in store.icd_notes("R600", release, kinds={"excludes1"})]
    assert any("gestational edema (O12.0-)" in t for t in r60)
    note = parse_note("S: 33 weeks pregnant. Swelling of both ankles and feet by evening, 3/10 ache.\n"
                      "A: Swelling of both feet in pregnancy.\nP: MLD 97140 25 min.")
    codes = icd(suggest_codes(note, store, dos=DOS))
    assert codes[0] == "O12.03" and store.icd_code("O1203", release).description == "Gestational edema, third trimester"
    assert "Z3A.33" in codes and not any(c.startswith("R60") for c in codes)


def test_pregnancy_related_condition_gets_o26_89_first_then_the_condition_then_z3a(store, release):
    note = parse_note("Subjective: 24 weeks 3 days pregnant. Pregnancy-related low back pain 6/10.\n"
                      "Assessment: low back pain of pregnancy.\n")
    codes = icd(suggest_codes(note, store, dos=DOS))
    assert codes[:3] == ["O26.892", "M54.50", "Z3A.24"]
    assert store.icd_code("O26892", release).description == "Other specified pregnancy related conditions, second trimester"


def test_preexisting_condition_aggravated_by_pregnancy_gets_o99_89(store):
    note = parse_note("S: 22 weeks pregnant. Chronic neck pain since 2019, pre-existing, aggravated by the pregnancy.\n"
                      "A: Cervicalgia complicating pregnancy.")
    codes = icd(suggest_codes(note, store, dos=DOS))
    assert codes[0] == "O99.891" and "M54.2" in codes


def test_incidental_pregnancy_gets_z33_1_and_no_o_code(store, release):
    z331 = [n.text for n in store.icd_notes("Z331", release, kinds={"excludes1"})]
    assert any("complications of pregnancy (O00-O9A)" in t for t in z331)
    note = parse_note("S: 16 weeks pregnant. Right ankle sprain 3 weeks ago. The pregnancy is incidental to this "
                      "visit.\nA: Right ankle sprain, subsequent encounter.")
    codes = icd(suggest_codes(note, store, dos=DOS))
    assert "S93.401D" in codes and "Z33.1" in codes and not any(c.startswith("O") for c in codes)


def test_negated_and_historical_mentions_are_not_coded(store):
    note = parse_note("S: Neck pain 5/10. Denies low back pain. History of sciatica in 2019, resolved.\n"
                      "A: Cervicalgia.")
    codes = icd(suggest_codes(note, store, dos=DOS))
    assert "M54.2" in codes
    assert not any(c.startswith(("M54.5", "M54.3", "M54.4")) for c in codes)


@pytest.mark.parametrize("text, expected", [
    ("A: Left hip pain.", {"M25.552"}),
    ("A: Pain in both hips.", {"M25.551", "M25.552"}),
    ("A: Lumbago with sciatica, right side.", {"M54.41"}),
    ("A: Adhesive capsulitis of the left shoulder.", {"M75.02"}),
])
def test_laterality_from_the_note(store, release, text, expected):
    codes = set(icd(suggest_codes(parse_note(text), store, dos=DOS)))
    assert expected <= codes
    assert all(store.icd_code(c, release).billable for c in codes)


def test_therapy_for_an_injury_is_a_subsequent_encounter(store):
    codes = icd(suggest_codes(parse_note("A: Sprain of right ankle ligament."), store, dos=DOS))
    assert codes[0] == "S93.401D"


def test_excludes1_keeps_the_specific_condition(store, release):
    assert any("low back strain (S39.012)" in n.text for n in store.icd_notes("M5450", release, kinds={"excludes1"}))
    codes = icd(suggest_codes(parse_note("S: Low back pain 4/10.\nA: Low back strain, lifting injury."), store, dos=DOS))
    assert "S39.012D" in codes and "M54.50" not in codes


def test_evidence_spans_point_at_the_note_words(store):
    text = "Subjective: right shoulder pain with overhead reach.\nAssessment: Pain in right shoulder."
    note = parse_note(text)
    top = suggest_codes(note, store, dos=DOS)[0]
    assert top.code == "M25.511" and top.source == "rules" and 0 < top.confidence <= 1
    assert all("shoulder" in text[a:b].lower() or "pain" in text[a:b].lower() for a, b in top.spans)


def test_cpt_from_written_codes_techniques_and_minutes(store):
    note = parse_note("P: 97140 manual lymphatic drainage both legs 25 min (2 units). Effleurage and petrissage "
                      "to lumbar paraspinals 30 minutes. HEP: pelvic tilts at home.")
    found = cpt(suggest_codes(note, store, dos=DOS))
    assert found["97140"].units == 2 and found["97124"].units == 2
    assert "97110" not in found  # home program instruction is not a billed service
    assert store.pfs("97124").short_description == found["97124"].description


def test_release_follows_the_date_of_service(store):
    note = parse_note("A: Low back pain.")
    assert store.icd_release(date(2025, 6, 1)).release_id != store.icd_release(date(2026, 2, 1)).release_id
    for dos in ("2025-06-01", "2026-02-01"):
        assert "M54.50" in icd(suggest_codes(note, store, dos=dos))
