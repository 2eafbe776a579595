"""Modifier sets named by CMS policy, used by several rule families."""

from __future__ import annotations

# NCCI-associated modifiers that may bypass a PTP edit with modifier indicator 1
# (NCCI Policy Manual for Medicare Services, ch. I, section E; CMS MLN1783722).
X_MODIFIERS = frozenset({"XE", "XS", "XP", "XU"})
ANATOMIC = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
     "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD",
     "RC", "LM", "RI"}
)
GLOBAL_SURGERY = frozenset({"24", "25", "57", "58", "78", "79"})
NCCI_ASSOCIATED = frozenset({"59", "27", "91"}) | X_MODIFIERS | ANATOMIC | GLOBAL_SURGERY

# Modifiers that let the same code on separate lines be counted line by line for an
# MUE with adjudication indicator 1 (CMS MUE FAQ; NCCI Policy Manual ch. I, section V).
MUE_SEPARATE_LINE = frozenset({"59", "76", "77", "91"}) | X_MODIFIERS | ANATOMIC

# Therapy discipline modifiers (CMS 100-04 ch.5 §20.1; MM10176).
THERAPY_DISCIPLINE = frozenset({"GP", "GO", "GN"})


def is_evaluation_management(code: str) -> bool:
    """E/M services 99202-99499 (CPT E/M section), which take 25 rather than 59/X."""
    return code.isdigit() and 99202 <= int(code) <= 99499
