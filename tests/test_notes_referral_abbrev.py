"""DOC009: the referral/order and the certified plan of care in therapy shorthand
('Ref Dr. ...', 'POC cert 07/14-09/29'): 42 CFR 424.24(c) / CMS 100-02 ch.15 §220.1.3
(certification of the plan of care); Medicare PIM 100-08 ch.3 §3.3.2.1."""

from __future__ import annotations

from cleanclaim.notes import parse_note
from cleanclaim.notes.elements import extract


def referrals(text):
    return extract(parse_note(text)).referrals


def test_abbreviated_referral_and_certification():
    assert referrals("S: f/u visit 4. Ref Dr. Ana Pell, MD - PT for R knee OA.")
    assert referrals("S: f/u visit 4. PT for R knee OA, POC cert 03/02-04/30/2026.")


def test_not_an_abbreviated_referral():
    assert not referrals("O: ref range normal; DTR 2+ bilat.")
    assert not referrals("P: POC certification to be requested.")  # not yet
    assert not referrals("A: poc certain to need revision.")
