"""Shared by the suggestion tests: the codes suggested for a short note on one date of service."""

from __future__ import annotations

from cleanclaim.notes import parse_note
from cleanclaim.notes.suggest import suggest_codes

DOS = "2026-03-02"


def icd(note, store, top=5):
    return [s.code for s in suggest_codes(parse_note(note), store, dos=DOS, top=top) if s.system == "ICD-10-CM"]


def cpt(note, store):
    return {s.code: s.units for s in suggest_codes(parse_note(note), store, dos=DOS) if s.system == "CPT"}
