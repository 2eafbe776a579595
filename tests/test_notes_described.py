"""A billed code written with what was done, when its minutes come first, documents the
service (CMS 100-02 ch.15 §220.3.E: each intervention billed; §220.2: skilled services
named); a signature line is not a code's description, and a graded compression garment
(mmHg) is not massage compression (CPT 97124 vs 97535 descriptors)."""

from __future__ import annotations

from decimal import Decimal

from cleanclaim.notes import parse_note
from cleanclaim.notes.checks import Billed, find_gaps
from cleanclaim.notes.elements import extract

NOTE = ("S: R knee pain 4/10 with stairs; cannot kneel.\n"
        "O: knee flexion 110 deg (eval 95).\n"
        "Tx:\n"
        " - 97110 x 14 min - towel squeezes 2x15, isometric quad holds 10x5s, step-downs 2x8.\n"
        " - 97140 x 10 min - manual therapy R knee.\n"
        "Pt tolerated well, pain 2/10 R knee post tx.\n"
        "A: improving. P: 2x/wk x 4 wks; goal stairs reciprocal in 4 wks.\n"
        "CPT: 97110 x1, 97140 x1\n"
        "\u2014 Jordan Example, PT\n")


def _gaps(text, billed):
    return find_gaps(extract(parse_note(text)), billed)


def test_minutes_first_description_documents_the_code_and_the_skill():
    el = extract(parse_note(NOTE))
    assert "97110" in el.described_codes
    gaps = _gaps(NOTE, [Billed("97110", Decimal(1)), Billed("97140", Decimal(1))])
    technique = [g for g in gaps if g.element == "technique"]
    # 97140 says only 'manual therapy R knee': the gap names 97140, not 97110
    assert [g.code for g in technique] == ["97140"]
    assert not [g for g in gaps if g.rule == "DOC008"]


def test_signature_line_is_not_a_description():
    el = extract(parse_note(NOTE))
    assert "97140" not in el.described_codes  # 'x1' then the signature line


def test_graded_compression_garment_is_not_massage():
    text = ("Tx: 97535 10 min - training in donning thigh-high compression (20-30 mmHg) with a donning aid, "
            "elevation schedule.")
    el = extract(parse_note(text))
    assert not [t for t in el.techniques if t.code == "97124"]
    assert not [g for g in _gaps(text, [Billed("97535", Decimal(1))]) if g.element == "technique"]
