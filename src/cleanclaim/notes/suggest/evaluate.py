"""Measured quality of the code suggestions on a labelled dataset (``cleanclaim eval coding``).

Two dataset kinds (datasets/README.md):

* **terms** -- a folder with dev.jsonl / test.jsonl (or one .jsonl file) of ICD-10-CM tabular
  terms (``query``, ``codes``, ``accept``): each query is ranked against the tabular of its
  release with :func:`rank_query`. The query terms being evaluated are removed from the index
  first (held-out), unless ``keep_query_terms``.
* **notes** -- a folder with labels.jsonl (``file``, ``dos``, ``icd``, ``icd_optional``, ``cpt``)
  and the note files: each note goes through :func:`suggest_codes`.

A predicted code is correct when it is an expected code or a billable code below it
(a term written under a category names every code of the category).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .lexicon import SIDE, SOFT, ENCOUNTER, TRIMESTER
from .tabular import TabularIndex, dotted, name_tokens

KS = (1, 3, 5)


class DatasetError(ValueError):
    """A dataset that cannot be read; the message names the file and line."""


def _plain(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _hit(predicted: str, expected) -> bool:
    p = _plain(predicted)
    return any(p == _plain(e) or p.startswith(_plain(e)) for e in expected)


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path} line {number}: not JSON ({exc.msg})") from None
    return rows


def dataset_kind(path: Path, labels_file: Path | None = None) -> str:
    if path.is_dir() and (labels_file is not None or (path / "labels.jsonl").exists()):
        return "notes"
    if path.is_dir() and any((path / f"{s}.jsonl").exists() for s in ("dev", "test")):
        return "terms"
    if path.is_file() and path.suffix == ".jsonl":
        return "terms"
    raise DatasetError(f"{path}: not a dataset (expected labels.jsonl, dev.jsonl/test.jsonl or a .jsonl file)")


# ---------------------------------------------------------------------------- terms


def rank_query(query: str, index: TabularIndex, top: int = 5) -> list[str]:
    """Billable codes for a short diagnostic phrase, best first (query mode of the ranker
    behind suggest_codes: partial matches allowed, one code per family)."""
    tokens = name_tokens(query)
    side = next((t.norm for t in tokens if t.kind == SIDE), None)
    encounter = next((t.norm for t in tokens if t.kind == ENCOUNTER), None)
    trimester = next((t.norm for t in tokens if t.kind == TRIMESTER), None)
    soft = frozenset(t.norm for t in tokens if t.kind == SOFT)
    out: list[str] = []
    families: set = set()
    for m in index.match(tokens):
        key = (m.name.code, m.name.content) if m.name.code in index.below else index.family_key(
            index.title_name(m.name.code) or m.name)
        if key in families:
            continue
        families.add(key)
        for code in index.resolve(m.name, side=side, encounter=encounter, trimester=trimester, soft_query=soft):
            if code not in out:
                out.append(code)
        if len(out) >= top:
            break
    return out[:top]


@dataclass
class TermsResult:
    dataset: str
    split: str
    queries: int = 0
    answered: int = 0
    hits: dict = field(default_factory=lambda: {k: 0 for k in KS})
    reciprocal_rank: float = 0.0
    by_chapter: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)
    held_out: bool = True

    def to_dict(self) -> dict:
        n = self.queries or 1
        return {
            "dataset": self.dataset, "kind": "terms", "split": self.split, "queries": self.queries,
            "held_out_index": self.held_out,
            "accuracy": {f"top{k}": round(self.hits[k] / n, 4) for k in KS},
            "precision": round(self.hits[1] / self.answered, 4) if self.answered else None,
            "recall": round(self.hits[5] / n, 4),
            "mrr": round(self.reciprocal_rank / n, 4),
            "by_chapter": {c: {"queries": v[0], "top1": round(v[1] / v[0], 4), "top3": round(v[2] / v[0], 4),
                               "top5": round(v[3] / v[0], 4)} for c, v in sorted(self.by_chapter.items())},
            "misses": self.misses[:50],
        }


def evaluate_terms(path: Path, store, split: str = "dev", keep_query_terms: bool = False,
                   limit: int | None = None) -> TermsResult:
    files = [path] if path.is_file() else [path / f"{s}.jsonl" for s in (("dev", "test") if split == "all" else (split,))]
    rows = []
    for f in files:
        if not f.exists():
            raise DatasetError(f"{f}: no such split file")
        rows += _read_jsonl(f)
    if limit:
        rows = rows[:limit]
    result = TermsResult(str(path), split, held_out=not keep_query_terms)
    held = frozenset() if keep_query_terms else frozenset(r["query"] for r in rows)
    indexes: dict[str, TabularIndex] = {}
    for number, row in enumerate(rows, 1):
        try:
            query, expected = row["query"], list(row["codes"]) + list(row.get("accept", []))
        except KeyError as exc:
            raise DatasetError(f"{path}: row {number}: missing {exc}") from None
        release = store.icd_release(date.fromisoformat(row["dos"])) if row.get("dos") else None
        rid = row.get("release") or release.release_id
        if rid not in indexes:
            indexes[rid] = TabularIndex.for_release(store, rid, exclude_terms=held)
        ranked = rank_query(query, indexes[rid])
        result.queries += 1
        result.answered += bool(ranked)
        rank = next((i for i, c in enumerate(ranked, 1) if _hit(c, expected)), None)
        chapter = row.get("chapter") or _plain(expected[0])[0]
        stats = result.by_chapter.setdefault(chapter, [0, 0, 0, 0])
        stats[0] += 1
        for j, k in enumerate(KS):
            if rank is not None and rank <= k:
                result.hits[k] += 1
                stats[j + 1] += 1
        result.reciprocal_rank += 1 / rank if rank else 0.0
        if rank != 1:
            result.misses.append({"id": row.get("id"), "query": query, "expected": row["codes"],
                                  "got": [dotted(c) for c in ranked[:3]]})
    return result


# ---------------------------------------------------------------------------- notes


@dataclass
class NotesResult:
    dataset: str
    notes: int = 0
    first_hits: dict = field(default_factory=lambda: {k: 0 for k in KS})
    recall_sum: dict = field(default_factory=lambda: {k: 0.0 for k in KS})
    precision_counts: dict = field(default_factory=lambda: {k: [0, 0] for k in KS})
    tp: int = 0
    fp: int = 0
    gold: int = 0
    cpt_tp: int = 0
    cpt_fp: int = 0
    cpt_gold: int = 0
    units_right: int = 0
    units_labelled: int = 0
    details: list = field(default_factory=list)

    def to_dict(self) -> dict:
        n = self.notes or 1

        def ratio(a, b):
            return round(a / b, 4) if b else None

        return {
            "dataset": self.dataset, "kind": "notes", "notes": self.notes,
            "icd": {
                "accuracy": {f"top{k}": round(self.first_hits[k] / n, 4) for k in KS},
                "recall": {f"top{k}": round(self.recall_sum[k] / n, 4) for k in KS},
                "precision": {f"top{k}": ratio(*self.precision_counts[k]) for k in KS},
                "overall_precision": ratio(self.tp, self.tp + self.fp),
                "overall_recall": ratio(self.tp, self.gold),
            },
            "cpt": {"precision": ratio(self.cpt_tp, self.cpt_tp + self.cpt_fp), "recall": ratio(self.cpt_tp, self.cpt_gold),
                    "units_exact": ratio(self.units_right, self.units_labelled)},
            "details": self.details,
        }


def evaluate_notes(path: Path, store, *, reranker=None, llm=None, labels_file: Path | None = None) -> NotesResult:
    """``labels_file``: ICD labels kept apart from the notes (default DATASET/labels.jsonl);
    its ``file`` names are read from ``path``."""
    from ..reader import read_note
    from . import suggest_codes

    labels = _read_jsonl(labels_file or path / "labels.jsonl")
    result = NotesResult(str(path))
    for number, row in enumerate(labels, 1):
        try:
            note = read_note(path / row["file"])
            gold, optional = [_plain(c) for c in row["icd"]], {_plain(c) for c in row.get("icd_optional", [])}
        except KeyError as exc:
            raise DatasetError(f"{path / 'labels.jsonl'} line {number}: missing {exc}") from None
        suggestions = suggest_codes(note, store, dos=row.get("dos"), top=5, reranker=reranker, llm=llm)
        icd = [_plain(s.code) for s in suggestions if s.system == "ICD-10-CM"]
        cpt = {s.code: s.units for s in suggestions if s.system == "CPT"}
        result.notes += 1
        result.gold += len(gold)
        for k in KS:
            top = icd[:k]
            result.first_hits[k] += gold[0] in top
            result.recall_sum[k] += len(set(gold) & set(top)) / min(k, len(gold))
            scored = [c for c in top if c not in optional]
            result.precision_counts[k][0] += sum(c in gold for c in scored)
            result.precision_counts[k][1] += len(scored)
        result.tp += sum(c in gold for c in icd)
        result.fp += sum(c not in gold and c not in optional for c in icd)
        gold_cpt = {c["code"]: c.get("units") for c in row.get("cpt", [])}
        result.cpt_gold += len(gold_cpt)
        result.cpt_tp += len(gold_cpt.keys() & cpt.keys())
        result.cpt_fp += len(cpt.keys() - gold_cpt.keys())
        for code, units in gold_cpt.items():
            if units is not None and code in cpt:
                result.units_labelled += 1
                result.units_right += cpt[code] == units
        result.details.append({"file": row["file"], "gold": [dotted(c) for c in gold], "got": [dotted(c) for c in icd],
                               "missed": [dotted(c) for c in gold if c not in icd],
                               "extra": [dotted(c) for c in icd if c not in gold and c not in optional],
                               "cpt_gold": sorted(gold_cpt), "cpt_got": sorted(cpt)})
    return result
