"""JSON (one document, written incrementally) and JSON Lines writers."""

from __future__ import annotations

import json
from typing import TextIO


def _dumps(obj) -> str:
    return json.dumps(obj, default=str, ensure_ascii=False)


def _claim_dict(result) -> dict:
    """result.to_dict(), plus "expected_payment" (totals and lines) under `check --price`."""
    data = result.to_dict()
    price = getattr(result, "expected_payment", None)
    if price is not None:
        data["expected_payment"] = price.to_dict()
    return data


class JsonWriter:
    """{"claims": [...], "inputs": [...], "summary": {...}} without holding claims in memory."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.first = True
        self.inputs: list[dict] = []
        out.write('{"claims": [')

    def claim(self, result) -> None:
        self.out.write(("\n  " if self.first else ",\n  ") + _dumps(_claim_dict(result)))
        self.first = False

    def input(self, result) -> None:
        self.inputs.append(result.to_dict())

    def close(self, summary) -> None:
        self.out.write("\n], \"inputs\": " + _dumps(self.inputs))
        self.out.write(', "summary": ' + _dumps(summary.to_dict()) + "}\n")


class JsonLinesWriter:
    """One JSON object a line: {"type": "claim", ...}, {"type": "input", ...}, {"type": "summary", ...}."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def claim(self, result) -> None:
        self.out.write(_dumps({"type": "claim", **_claim_dict(result)}) + "\n")

    def input(self, result) -> None:
        self.out.write(_dumps({"type": "input", **result.to_dict()}) + "\n")

    def close(self, summary) -> None:
        self.out.write(_dumps({"type": "summary", **summary.to_dict()}) + "\n")
