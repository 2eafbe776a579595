"""notes/elements.py and notes/checks.py: each documentation element, found and not found,
in wordings the datasets do not use (negation and history never count)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cleanclaim.notes import parse_note
from cleanclaim.notes.checks import Billed, find_gaps
from cleanclaim.notes.elements import extract


def elements(text: str):
    return extract(parse_note(text))


def gap_names(text: str, billed=None, **kw) -> set[str]:
    return {g.element for g in find_gaps(elements(text), billed, **kw)}


@pytest.mark.parametrize("text,value,scale,site", [
    ("S: Pain rated 7 out of 10 in the right hip.", 7, "NPRS", "hip"),
    ("S: Low back pain 6/10 NPRS.", 6, "NPRS", "lumbar"),
    ("S: Neck pain. NRS 4.", 4, "NPRS", "cervical"),
    ("S: VAS 45 mm at the left knee.", 45, "VAS", "knee"),
    ("S: She rates her low back pain at 6 today.", 6, "NPRS", "lumbar"),
    ("S: Neck pain 6 of 10.", 6, "NPRS", "cervical"),
    ("S: Right hip pain, VAS 4.5 cm.", 45, "VAS", "hip"),
])
def test_pain_scores_with_site(text, value, scale, site):
    scores = elements(text).sited_pain_scores
    assert [(p.value, p.scale, p.site) for p in scores] == [(value, scale, site)]


@pytest.mark.parametrize("text", [
    "S: Shoulder strength 4/10 reps done.",  # no pain word: not a pain score
    "P: Goal: low back pain below 2/10.",  # a goal, not today's score
    "S: Low back pain was 8/10 at last visit.",  # history
    "S: Low back pain 14/10.",  # out of range
])
def test_not_a_current_valid_pain_score(text):
    assert not elements(text).sited_pain_scores


@pytest.mark.parametrize("text", [
    "Has difficulty climbing stairs.",
    "Sitting tolerance 20 minutes.",
    "Requires assistance with dressing.",
    "Sleep disrupted by hip pain.",
    "Unable to ambulate more than 50 ft.",
    "Cannot lift her toddler.",
    "ODI 34%.",
])
def test_functional_limitations(text):
    assert elements("S: " + text).functional_limitations


@pytest.mark.parametrize("text", [
    "No difficulty walking.",
    "Denies trouble sleeping.",
    "Goals: able to stand 30 min.",
    "Previously unable to walk; now walks 2 miles.",
])
def test_not_functional_limitations(text):
    assert not elements("S: " + text).functional_limitations


def test_regions_treated_with_laterality_not_subjective_or_negated():
    el = elements("S: Right shoulder pain. No neck pain.\n"
                  "P: Myofascial release to the left upper trapezius and L3-L5 paraspinals.\n")
    treated = {(r.region, r.laterality) for r in el.regions_treated}
    assert ("trapezius", "left") in treated and ("lumbar", None) in treated
    assert not any(r.region == "cervical" for r in el.regions_treated)
    assert not any(r.region == "shoulder" for r in el.regions_treated)


@pytest.mark.parametrize("text,code", [
    ("Effleurage to the back.", "97124"), ("Petrissage of calves.", "97124"),
    ("Tapotement to the upper back.", "97124"), ("MFR to the QL.", "97140"),
    ("Soft-tissue mobilization of the neck.", "97140"), ("Grade III joint mobilisation of the SI joint.", "97140"),
    ("Manual lymphatic drainage of both legs.", "97140"), ("Functional activities: lifting practice.", "97530"),
    ("Therapeutic exercise for the hip.", "97110"), ("Hot pack to the low back.", "97010"),
])
def test_technique_maps_to_its_code(text, code):
    assert {t.code for t in elements("P: " + text).techniques} == {code}


def test_negated_or_planned_technique_is_not_documented():
    el = elements("P: No myofascial release today. Will add joint mobilisation next visit.")
    assert el.techniques == []


def test_technique_gap_names_what_the_note_documents_instead():
    note = ("S: Neck pain 5/10.\nP: Effleurage and petrissage to the upper trapezius 25 min.\n")
    gaps = [g for g in find_gaps(elements(note), [Billed("97140", Decimal(2))]) if g.element == "technique"]
    assert len(gaps) == 1 and "effleurage (97124)" in gaps[0].message


def test_minutes_per_code_total_and_clock_blocks():
    el = elements("P: 97140 MFR lumbar 10:00-10:23; 97110 core exercise 15 min. Total timed 38 min.\n"
                  "S: cannot stand more than 10 minutes.\n")
    assert el.minutes_by_code == {"97140": 23, "97110": 15}
    assert el.total_minutes == 38


def test_functional_minutes_are_not_treatment_minutes():
    el = elements("S: Unable to stand more than 15 minutes; sitting 20 min max.\nP: Effleurage to back.")
    assert el.minutes_by_code == {} and el.total_minutes is None


def test_timed_minutes_gap_only_for_codes_without_minutes():
    note = "P: 97140 MFR to the neck 15 min; 97110 therapeutic exercise for the shoulder."
    gaps = [g for g in find_gaps(elements(note), [Billed("97140"), Billed("97110")])
            if g.element == "timed_minutes"]
    assert [g.code for g in gaps] == ["97110"]


@pytest.mark.parametrize("text,found", [
    ("Referred by Dr. Patel (OB).", True), ("Rx: Dr. Smith, PCP.", True),
    ("Per MD order, PT 2x/week.", True), ("Plan of care certified by Dr. Wu.", True),
    ("Referral requested from OB, pending.", False), ("No referral on file.", False),
])
def test_referral(text, found):
    assert bool(elements("S: " + text).referrals) is found


def test_plan_of_care_needs_goals_frequency_duration():
    assert "plan_of_care" not in gap_names("P: Frequency: twice weekly. Duration: 6 weeks. STG: sit 30 min.")
    assert "plan_of_care" in gap_names("P: Continue massage weekly.")
    # the complaint's age in the subjective is not the plan's duration
    assert "plan_of_care" in gap_names("S: Neck pain x 8 weeks.\nP: 1x/week; goals: drive 30 min.")


@pytest.mark.parametrize("text,found", [
    ("O: ROM improved from 90 to 110 degrees since last visit.", True),
    ("O: Girth 31 cm (previous session 33 cm).", True),
    ("O: Lumbar flexion 45 deg (eval 30 deg).", True),
    ("O: Lumbar flexion 45 deg.", False),
    ("A: Pain 6/10 before, 3/10 after treatment.", False),  # within the session
    ("S: Last visit she could walk 10 min, today she reports 20 min.", False),  # patient report
])
def test_objective_progress(text, found):
    assert bool(elements(text).progress) is found


def test_initial_evaluation_needs_no_progress():
    assert "objective_progress" not in gap_names("Initial evaluation today.\nO: Lumbar flexion 40 deg.")


@pytest.mark.parametrize("text,found", [
    ("Relaxation massage, full body.", True), ("Client wants to relax.", True),
    ("Spa music, aromatherapy.", True), ("For general wellness.", True),
    ("Medical massage, not for relaxation.", False), ("Muscle relaxation noted after MFR.", False),
])
def test_relaxation_language(text, found):
    assert bool(elements(text).relaxation) is found


def test_response_requires_a_change_or_tolerance():
    assert elements("A: Tissue more pliable and tone decreased after MFR.").responses
    assert elements("A: Pain 2/10 post-tx.").responses
    assert not elements("A: Low back pain.").responses


def test_non_therapy_claims_have_no_documentation_gaps():
    assert find_gaps(elements("Office visit, knee OA."), [Billed("99213")]) == []


def test_medical_necessity_points_with_pregnancy_only_diagnoses():
    note = ("Referred by Dr. Lee (OB).\nS: Low back pain 5/10.\nO: Flexion 40 deg (was 30 deg at eval).\n"
            "P: 1x/week x 6 weeks; goals: stand 30 min.\n")
    gaps = find_gaps(elements(note), [Billed("97124")], diagnoses=["Z3A24", "Z331"])
    necessity = [g for g in gaps if g.element == "medical_necessity"]
    assert len(necessity) == 1 and "functional diagnosis" in necessity[0].message
    gaps = find_gaps(elements(note), [Billed("97124")], diagnoses=["O26892", "M5450", "Z3A24"])
    assert not [g for g in gaps if g.element == "medical_necessity"]


def test_gap_recall_on_notes_written_apart_from_the_dataset():
    """tests/fixtures/notes_heldout: ten notes in other styles (caps headings, CC/HPI/EXAM/TX/
    IMPRESSION/POC, abbreviations), labelled by hand."""
    from pathlib import Path

    from cleanclaim.notes.evaluate import evaluate_docs

    result = evaluate_docs(Path(__file__).parent / "fixtures" / "notes_heldout")
    assert result.recall() >= 0.95, result.to_dict()["mismatches"]
    assert result.precision() >= 0.8, result.to_dict()["mismatches"]


def test_a_code_written_with_only_a_region_is_not_a_technique():
    note = "P: 97140 manual therapy to the lumbar spine 25 min."
    gaps = [g for g in find_gaps(elements(note), [Billed("97140")]) if g.element == "technique"]
    assert len(gaps) == 1
    note = "P: 97530 tub transfer practice with a bench, 15 min."
    assert not [g for g in find_gaps(elements(note), [Billed("97530")]) if g.element == "technique"]


def test_pain_scores_alone_are_not_objective_progress():
    assert not elements("Low back pain was 6/10 last week, now 3/10.").progress
    assert elements("O: Lumbar flexion 50 deg, last week 40 deg.").progress


def test_tolerating_treatment_is_not_a_limitation():
    assert not elements("A: Tolerates exercise and manual work well.").functional_limitations
    assert elements("S: Tolerates only 10 minutes of standing.").functional_limitations


def test_medicare_needs_the_plan_of_care_certified_not_just_a_referral():
    referral = "Referred by Dr. Patel (PCP).\nS: Low back pain 5/10."
    certified = "Plan of care certified by Dr. Patel on 2026-02-01.\nS: Low back pain 5/10."
    assert "referral_order" in gap_names(referral, [Billed("97110")], payer_type="medicare")
    assert "referral_order" not in gap_names(certified, [Billed("97110")], payer_type="medicare")
    assert "referral_order" not in gap_names(referral, [Billed("97110")], payer_type="commercial")


# ---- wordings a new-user trial found (new wordings of each kind, not the trial's notes)

@pytest.mark.parametrize("heading,names", [
    ("P/Tx:", {"plan", "treatment"}),
    ("Plan / Treatment", {"plan", "treatment"}),
    ("CHIEF COMPLAINT / HPI", {"subjective"}),
    ("Intervention(s):", {"treatment"}),
    ("Today's Tx:", {"treatment"}),
    ("Exam Findings", {"objective"}),
    ("Impression + Plan:", {"assessment", "plan"}),
])
def test_heading_variants(heading, names):
    note = parse_note(f"{heading}\nleft shoulder pain 3/10 after lifting\n")
    assert {s.name for s in note.section_list} == names


@pytest.mark.parametrize("line", ["Treatment tolerated well", "Low back pain", "Patient status: stable"])
def test_prose_lines_are_not_headings(line):
    assert parse_note(line + "\nmore text\n").section_list == []


@pytest.mark.parametrize("text", [
    "S: Can't jog more than 10 minutes since the knee flared.",
    "S: Unable to garden or mow the lawn.",
    "S: Difficulty kneeling at church.",
    "S: Paddling tolerance of 20 min before shoulder pain.",
])
def test_any_activity_verb_is_a_functional_limitation(text):
    assert elements(text).functional_limitations


def test_a_clinician_limitation_is_not_functional():
    assert not elements("O: Unable to assess ROM today (guarding).").functional_limitations


def test_goal_with_a_measurable_pain_free_target():
    el = elements("Plan: 2x/week x 6 weeks.\nGoals: hike 5 miles pain-free by August.\n")
    assert el.goals and el.has_plan_of_care


@pytest.mark.parametrize("text", [
    "97112 NMRE: tactile cueing for glute activation on step-downs; pt able to keep knee over toes x 10.",
    "97110 ther ex with verbal cues for breathing, improved form by set 3.",
])
def test_cueing_with_the_patients_response_is_a_skilled_response(text):
    el = elements(text)
    assert el.responses and el.techniques


def test_cueing_alone_is_no_response():
    assert not elements("97112 NMRE with verbal cues for posture.").responses


@pytest.mark.parametrize("text,found", [
    ("Dr. Adeyemi (ortho) wrote a prescription for PT, copy on file.", True),
    ("s/p R ACL reconstruction 8 wks ago; surgeon's order on file.", True),
    ("Prescription not received yet; will request from PCP.", False),
])
def test_order_on_file_in_other_wordings(text, found):
    assert bool(elements(text).referrals) is found


@pytest.mark.parametrize("text", ["Ther act 14 min: lifting simulation.", "TA: 8 min floor-to-waist lifts",
                                  "Ther activities 12 min (box carries)"])
def test_therapeutic_activities_abbreviations_are_97530(text):
    el = elements(text)
    assert {t.code for t in el.techniques} == {"97530"}
    assert el.minutes_by_code.get("97530")


def test_tibialis_anterior_is_not_therapeutic_activities():
    assert not elements("O: TA strength 4/5, ankle DF limited.").techniques


def test_unticked_code_line_is_neither_technique_nor_billed():
    note = "TREATMENT\n[x] 97140 MFR R upper trap 16 min\n[ ] 97530 Ther activities ..... 0 min\n"
    el = elements(note)
    assert {t.code for t in el.techniques} == {"97140"}
    assert {s.label for s in el.codes_mentioned} == {"97140"}
