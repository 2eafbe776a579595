"""Build dataset (a): ICD-10-CM tabular non-title terms as queries against their codes.

Deterministic: reads the bundled CDC tabular extract (codes + notes of one release) shipped in
src/cleanclaim/data/sources/ and writes datasets/icd-inclusion-terms/{dev,test}.jsonl.

Queries are the tabular's `inclusion_term` entries and the category-level `includes` terms of
chapters M, O, R, S and Z; the expected answer is the code the term is written under. A term
written under a non-billable code (category or subcategory) is answered by any billable code
below it (`match: "prefix"`). Fairness:
  * a term that appears under several codes is one query accepting every owner;
  * a term equal (ignoring case, punctuation, brackets, NOS/unspecified) to the title of
    another code outside the owner's branch also accepts that code (`accept`).
The split is by a hash of the expected code: sha256("icd-terms:" + code) % 100 < 30 -> test.
The test split is never used for tuning.

Usage: python tools/make_icd_terms_dataset.py [--release 2026-04] [--out datasets/icd-inclusion-terms]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "cleanclaim" / "data" / "sources"
CHAPTERS = ("M", "O", "R", "S", "Z")
NOT_TERMS = re.compile(r"\blisted conditions\b|\bconditions in [A-Z]\d", re.I)
RELEASE_DOS = {"2026-04": "2026-01-15", "2025-04": "2025-06-15", "fy2021": "2021-03-15"}


def loose(text: str) -> str:
    text = re.sub(r"\[.*?\]|\(.*?\)", "", text.lower())
    text = re.sub(r"\b(nos|unspecified side|unspecified|of unspecified site)\b", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def read(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            yield line.rstrip("\n").split("\t")


def split_of(code: str) -> str:
    return "test" if int(hashlib.sha256(f"icd-terms:{code}".encode()).hexdigest(), 16) % 100 < 30 else "dev"


def build(release: str) -> dict[str, list[dict]]:
    codes = {code: (billable == "1", title) for code, billable, title in read(SOURCES / f"icd10cm_{release}.tsv.gz")}
    by_title: dict[str, list[str]] = collections.defaultdict(list)
    for code, (_, title) in codes.items():
        by_title[loose(title)].append(code)
    owners: dict[str, list[tuple[str, str, str]]] = collections.defaultdict(list)  # key -> (owner, kind, text)
    for owner, kind, text, _targets in read(SOURCES / f"icd10cm_{release}_notes.tsv.gz"):
        if kind not in ("inclusion_term", "includes") or owner[0] not in CHAPTERS or "-" in owner:
            continue
        if owner not in codes or NOT_TERMS.search(text):
            continue
        owners[text.strip().lower()].append((owner, kind, text.strip()))
    out: dict[str, list[dict]] = {"dev": [], "test": []}
    for key in sorted(owners):
        entries = sorted(set(owners[key]))
        own = sorted({o for o, _, _ in entries})
        accept = sorted(c for c in by_title.get(loose(entries[0][2]), [])
                        if not any(c.startswith(o) or o.startswith(c) for o in own))
        first = own[0]
        record = {
            "query": entries[0][2],
            "codes": [dotted(o) for o in own],
            "accept": [dotted(c) for c in accept],
            "match": "exact" if all(codes[o][0] for o in own) else "prefix",
            "kind": entries[0][1],
            "chapter": first[0],
            "release": release,
            "dos": RELEASE_DOS.get(release),
            "split": split_of(first),
        }
        out[record["split"]].append(record)
    for split, rows in out.items():
        rows.sort(key=lambda r: (r["codes"][0], r["query"]))
        for n, row in enumerate(rows, 1):
            row["id"] = f"icd-{split}-{n:05d}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="2026-04")
    parser.add_argument("--out", default=str(ROOT / "datasets" / "icd-inclusion-terms"))
    args = parser.parse_args()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, rows in build(args.release).items():
        with open(out_dir / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({"id": row.pop("id"), **row}, ensure_ascii=False) + "\n")
        accepted = sum(1 for r in rows if r["accept"])
        print(f"{split}: {len(rows)} queries ({accepted} also accept another code's identical title)")


if __name__ == "__main__":
    main()
