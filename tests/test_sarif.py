"""SARIF output points code-scanning tools at the row of the source file."""

import json
from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_csv_finding_has_a_region_on_its_row():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "prenatal-massage.csv"), "--format", "sarif",
                                       "--as-of", "2026-12-01"])
    doc = json.loads(result.output)
    (tu,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "TU001"]
    row = tu["locations"][0]["physicalLocation"]["region"]["startLine"]
    lines = (EXAMPLES / "prenatal-massage.csv").read_text().splitlines()
    # TU001 is seeded on claim PM2002 line 1 (97110, 3 units for 33 minutes under the 8-minute rule)
    assert lines[row - 1].startswith("PM2002,") and ",97110," in lines[row - 1]
    assert doc["version"] == "2.1.0"
