"""SARIF 2.1.0, so code-scanning tools can show claim findings."""

from __future__ import annotations

import json
from typing import TextIO

from .. import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


class SarifWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.results: list[dict] = []
        self.rule_ids: set[str] = set()

    def _result(self, finding, source: str, claim_id: str | None, rows: dict | None = None) -> dict:
        self.rule_ids.add(finding.code)
        logical = []
        if claim_id:
            name = f"claim {claim_id}" + (f" line {finding.line}" if finding.line else "")
            logical.append({"name": name, "kind": "claim"})
        text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
        physical: dict = {"artifactLocation": {"uri": source}}
        row = (finding.details or {}).get("row") or (rows and (rows.get(finding.line) or rows.get(None)))
        if row:
            physical["region"] = {"startLine": int(row)}
        return {
            "ruleId": finding.code,
            "level": LEVEL[finding.severity],
            "message": {"text": text},
            "locations": [
                {"physicalLocation": physical, "logicalLocations": logical}
            ],
            "properties": {"authority": finding.authority, "line": finding.line, "claim_id": claim_id},
        }

    def claim(self, result) -> None:
        for f in result.findings:
            self.results.append(self._result(f, result.source, result.claim_id, result.source_rows))

    def input(self, result) -> None:
        for f in result.findings:
            self.results.append(self._result(f, result.source, None))
        if result.error:
            self.results.append(
                {"ruleId": "INPUT", "level": "error", "message": {"text": result.error},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": result.source}}}]}
            )

    def close(self, summary) -> None:
        from ..rules import REGISTRY

        rules = []
        for code in sorted(self.rule_ids):
            r = REGISTRY.get(code)
            if r is None:
                rules.append({"id": code})
                continue
            sections = r.sections()
            rules.append({
                "id": code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": sections.get("What it checks", r.summary)},
                "help": {"text": r.doc},
                "defaultConfiguration": {"level": LEVEL[r.severity]},
            })
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "cleanclaim", "version": __version__, "rules": rules}},
                "results": self.results,
                "properties": {"summary": summary.to_dict()},
            }],
        }
        json.dump(doc, self.out, indent=2, default=str)
        self.out.write("\n")
