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
    """Files named, and the claim files inside folders named (sorted, not recursive into notes).

    In a folder, files that are not claim files are left out (see :func:`skip_reason`); a
    file named on its own is always read.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(f for f in _folder_files(p) if skip_reason(f) is None)
        else:
            files.append(p)
    return files


def skipped_files(paths: list[Path | str]) -> list[tuple[Path, str]]:
    """(file, why) for the files of the folders named that :func:`expand_paths` leaves out."""
    return [(f, why) for p in map(Path, paths) if p.is_dir() for f in _folder_files(p)
            if (why := skip_reason(f)) is not None]


def _folder_files(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in CLAIM_SUFFIXES)


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not a claim file, else None: hidden files, README
    files (as the --notes reader skips them), and .txt files that are neither X12 nor a CSV
    whose header names the required claim columns."""
    if path.name.startswith("."):
        return "a hidden file"
    if path.stem.upper().startswith("README"):
        return "a README, not a claim file"
    if path.suffix.lower() != ".txt":
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None  # the reader reports it
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:3] == b"ISA" or text[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # X12, or Excel "Unicode Text" (UTF-16) CSV
    from .csv_reader import REQUIRED, _column_name

    first = text.decode("utf-8", "replace").splitlines()[0] if text else ""
    delimiter = max(",\t;|", key=first.count)
    names = {_column_name(cell) for cell in first.split(delimiter)}
    if all(column in names for column in REQUIRED):
        return None
    return "a .txt file that is neither X12 nor a claim CSV (no claim_id/date_of_service/procedure_code/units header)"
