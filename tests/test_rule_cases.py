"""Every rule's YAML cases (src/cleanclaim/rules/cases/*.yaml): a claim in, findings out.

Adding a case never means writing Python.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from cleanclaim.formats.dict_reader import claim_from_dict

CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "cleanclaim" / "rules" / "cases"


def _load():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        codes = doc["rule"] if isinstance(doc["rule"], list) else [doc["rule"]]
        for case in doc["cases"]:
            yield pytest.param(codes, case, id=f"{path.stem}:{case['name']}")


@pytest.mark.parametrize("codes,case", list(_load()))
def test_rule_case(codes, case, make_checker):
    options = {"select": codes, "payer_type": case.get("payer"), "options": case.get("options", {})}
    if case.get("as_of"):
        options["as_of"] = date.fromisoformat(str(case["as_of"]))
    result = make_checker(**options).check(claim_from_dict(case["claim"]))
    got = sorted((f.code, f.line or 0) for f in result.findings)
    want = sorted((e["code"], e.get("line") or 0) for e in case.get("expect", []))
    assert got == want, [f.message for f in result.findings]
    for e in case.get("expect", []):
        if "contains" in e:
            messages = " ".join(
                f"{f.message} {f.fix} {f.authority}" for f in result.findings if f.code == e["code"]
            )
            assert e["contains"] in messages
