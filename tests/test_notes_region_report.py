"""DOC005 body region treated (CMS 100-02 ch.15 §220.3.E: the treatment note records each
intervention and where it was applied): where the patient reports pain after treatment,
or a spinal level in a neuro screen, is not a region treated."""

from __future__ import annotations

from cleanclaim.notes import parse_note
from cleanclaim.notes.elements import extract

TX = ("O: Dermatomes L4-S1 intact; reflexes 2+.\n"
      "Tx: 97140 10 min: STM and neural mobilization to the involved musculature.\n"
      "Pt reports pain 2/10 R calf post-session.\n")


def test_reported_pain_site_and_neuro_level_are_not_regions_treated():
    assert extract(parse_note(TX)).regions_treated == []


def test_region_named_with_the_technique_is_treated():
    text = TX.replace("to the involved musculature", "to the R calf")
    assert [r.region for r in extract(parse_note(text)).regions_treated] == ["calf"]
