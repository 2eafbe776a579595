"""Every rule documents itself the same way (like `ruff rule`), and has YAML cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cleanclaim.rules import load_all
from cleanclaim.rules.base import DOC_SECTIONS

RULES = load_all()
CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "cleanclaim" / "rules" / "cases"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_every_doc_section(code):
    sections = RULES[code].sections()
    missing = [s for s in DOC_SECTIONS if not sections.get(s)]
    assert not missing, f"{code} lacks {missing}"


def _codes_with_cases() -> set[str]:
    codes: set[str] = set()
    for path in CASES_DIR.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        codes.update(doc["rule"] if isinstance(doc["rule"], list) else [doc["rule"]])
    return codes


@pytest.mark.parametrize("code", sorted(c for c in RULES if not c.startswith(("X12", "CSV", "FHIR"))))
def test_rule_has_yaml_cases(code):
    assert code in _codes_with_cases(), f"{code} has no YAML cases in {CASES_DIR}"
