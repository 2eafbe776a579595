"""Readers that turn claim files (X12 837P, CSV, FHIR R4 Claim) into model.Claim objects.

:func:`iter_claims` picks the reader from the file's first bytes, so a file's name
does not have to tell its format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..findings import Finding
from ..model import Claim

CLAIM_SUFFIXES = {".837", ".x12", ".edi", ".csv", ".json", ".ndjson", ".txt"}


class InputError(Exception):
    """An input that cannot be read at all (exit code 2). Says which file and why."""


def sniff(path: Path) -> str:
    """'x12' | 'fhir' | 'csv' from the first non-blank bytes of the file."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise InputError(f"{path}: the file is empty")
    if text[:3] == b"ISA":
        return "x12"
    if text[:1] in (b"{", b"["):
        return "fhir"
    if path.suffix.lower() in (".837", ".x12", ".edi"):
        return "x12"
    return "csv"


def iter_claims(path: Path | str) -> Iterator[Claim | Finding]:
    """Claims (and file-level findings) from one file, streaming."""
    path = Path(path)
    kind = sniff(path)
    if kind == "x12":
        from .x12 import iter_837

        yield from iter_837(path)
    elif kind == "fhir":
        from .fhir_reader import iter_fhir

        yield from iter_fhir(path)
    else:
        from .csv_reader import iter_csv

        yield from iter_csv(path)


def expand_paths(paths: list[Path | str]) -> list[Path]:
    """Files named, and the claim files inside folders named (sorted, not recursive into notes)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in CLAIM_SUFFIXES)
            )
        else:
            files.append(p)
    return files
