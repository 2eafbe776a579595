"""Rule registry. Every rule family module is listed here, in one place.

A rule is a small pure function ``(claim, ctx) -> iterable of Hit`` decorated with
:func:`cleanclaim.rules.base.rule`. Importing :data:`FAMILIES` registers them all.
"""

from __future__ import annotations

import importlib

from .base import REGISTRY, Hit, Rule, RuleContext, rule, select_rules

FAMILIES = (
    "cleanclaim.rules.syntax",  # X12: envelope and syntax
    "cleanclaim.rules.readers",  # CSV, FHIR: rows/resources that could not be read whole
    "cleanclaim.rules.icd10",  # DX: ICD-10-CM validity by date of service
    "cleanclaim.rules.ncci",  # NC: NCCI procedure-to-procedure edits
    "cleanclaim.rules.mue",  # MU: medically unlikely edits
    "cleanclaim.rules.timed_units",  # TU: 8-minute rule / CPT midpoint rule
    "cleanclaim.rules.addon",  # AO: add-on code (PFS global ZZZ) without its primary
    "cleanclaim.rules.therapy",  # TH: therapy modifiers and PFS status
    "cleanclaim.rules.integrity",  # CL: pointers, NPI, duplicates, units, dates
    "cleanclaim.rules.unit_basis",  # CL030-CL031: SV103 MJ on unit-billed codes, fractional timed units
    "cleanclaim.rules.pregnancy",  # PG: ICD-10-CM chapter 15 conventions
    "cleanclaim.rules.tabular",  # TN: Excludes1 / code-first notes of the tabular
    "cleanclaim.rules.coverage",  # CV: payer coverage (policy packs), GA/GY/GZ
    "cleanclaim.rules.necessity",  # MN: covered-diagnosis requirements (policy packs)
    "cleanclaim.rules.credentials",  # CR: rendering taxonomy, roster, network
    "cleanclaim.rules.referral",  # RF: referral / order required by the pack
    "cleanclaim.rules.prior_auth",  # PA: prior authorisation (REF*G1, stored authorisations)
    "cleanclaim.rules.visits",  # VC: visit caps and the Medicare KX threshold
    "cleanclaim.rules.history",  # HX: duplicates, NCCI/MUE across claims, timely filing, REF*F8
    "cleanclaim.rules.denial_history",  # DH: this payer's past denials of a code; learned denial risk
    "cleanclaim.rules.documentation",  # DOC: visit note elements and note against claim (--notes)
)


def load_all() -> dict[str, Rule]:
    """Import every family so that its rules register; return the registry."""
    for module in FAMILIES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a family not written yet
            if exc.name != module:
                raise
    return REGISTRY


__all__ = ["Hit", "REGISTRY", "Rule", "RuleContext", "rule", "select_rules", "load_all", "FAMILIES"]
