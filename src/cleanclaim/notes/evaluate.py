"""Documentation-gap evaluation: detected gaps against labelled gaps.

A dataset is a folder with ``labels.jsonl`` (one object per note: ``file``, ``cpt``
[{code, units}], ``gaps`` [element names], see datasets/README.md) and the note files.
Each note is checked against its labelled CPT codes (the claim a biller would send);
a (note, element) pair is a true positive when both the label and the checker name it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .checks import GAP_ELEMENTS, Billed, find_gaps
from .elements import extract
from .reader import NoteError, read_note


@dataclass
class NoteOutcome:
    file: str
    expected: set[str]
    detected: set[str]

    @property
    def missed(self) -> set[str]:
        return self.expected - self.detected

    @property
    def extra(self) -> set[str]:
        return self.detected - self.expected


@dataclass
class DocEvaluation:
    dataset: str
    outcomes: list[NoteOutcome] = field(default_factory=list)

    def counts(self, element: str | None = None) -> tuple[int, int, int]:
        tp = fp = fn = 0
        for o in self.outcomes:
            exp = o.expected if element is None else o.expected & {element}
            det = o.detected if element is None else o.detected & {element}
            tp += len(exp & det)
            fp += len(det - exp)
            fn += len(exp - det)
        return tp, fp, fn

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return None if b == 0 else a / b

    def recall(self, element: str | None = None) -> float | None:
        tp, _, fn = self.counts(element)
        return self._ratio(tp, tp + fn)

    def precision(self, element: str | None = None) -> float | None:
        tp, fp, _ = self.counts(element)
        return self._ratio(tp, tp + fp)

    def to_dict(self) -> dict:
        tp, fp, fn = self.counts()
        return {
            "dataset": self.dataset,
            "notes": len(self.outcomes),
            "labelled_gaps": tp + fn,
            "recall": _round(self.recall()),
            "precision": _round(self.precision()),
            "true_positives": tp, "false_positives": fp, "false_negatives": fn,
            "by_element": {
                e: {"labelled": sum(e in o.expected for o in self.outcomes),
                    "detected": sum(e in o.detected for o in self.outcomes),
                    "recall": _round(self.recall(e)), "precision": _round(self.precision(e))}
                for e in GAP_ELEMENTS
            },
            "mismatches": [{"file": o.file, "missed": sorted(o.missed), "extra": sorted(o.extra)}
                           for o in self.outcomes if o.missed or o.extra],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def labels_path(dataset: str | Path) -> Path:
    path = Path(dataset)
    if path.is_dir():
        path = path / "labels.jsonl"
    if not path.exists():
        raise NoteError(f"{path}: no labels.jsonl (expected a folder of notes with labels.jsonl)")
    return path


def evaluate_docs(dataset: str | Path) -> DocEvaluation:
    """Run the documentation checks on every labelled note of ``dataset``."""
    labels = labels_path(dataset)
    result = DocEvaluation(str(dataset))
    for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NoteError(f"{labels} line {number}: not valid JSON: {exc.msg}") from None
        if not isinstance(item, dict) or "file" not in item or "gaps" not in item:
            raise NoteError(f"{labels} line {number}: needs 'file' and 'gaps'")
        unknown = set(item["gaps"]) - set(GAP_ELEMENTS)
        if unknown:
            raise NoteError(f"{labels} line {number}: unknown gap element(s) {sorted(unknown)}; "
                            f"expected {', '.join(GAP_ELEMENTS)}")
        note = read_note(labels.parent / item["file"])
        billed = None
        if "cpt" in item:
            billed = [Billed(str(c["code"]), Decimal(str(c.get("units", 1)))) for c in item["cpt"]]
        gaps = find_gaps(extract(note), billed, payer_type=item.get("payer"))
        detected = {g.element for g in gaps if g.element in GAP_ELEMENTS}
        result.outcomes.append(NoteOutcome(item["file"], set(item["gaps"]), detected))
    return result
