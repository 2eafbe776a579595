"""Time parse and parse + check on the generated 837P files, and pyx12 on the 10k file.

    .venv/bin/python benchmarks/generate.py     # once: writes benchmarks/out/
    .venv/bin/python benchmarks/run.py [10k 100k 1m] [--no-pyx12] [--check=10k,100k] [--jobs=2]

--check limits the parse + check step to the sizes named (parse-only still runs);
--jobs=N adds a parse + check row with N worker processes (`check --jobs N`).

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss) is per
size and per step. pyx12 is a benchmark-only dependency (`pip install pyx12`).
A script, never a unit test: timings depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SIZES = ("10k", "100k", "1m")
PYX12_SIZE = "10k"


def _peak_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def run_parse(path: str) -> dict:
    """Parse only: every claim of the file through the X12 reader."""
    from cleanclaim.formats.x12 import iter_837
    from cleanclaim.model import Claim

    claims = lines = other = 0
    for item in iter_837(path):
        if isinstance(item, Claim):
            claims += 1
            lines += len(item.lines)
        else:
            other += 1
    return {"claims": claims, "lines": lines, "file_findings": other}


def run_check(path: str, jobs: int = 1) -> dict:
    """Parse + check with every registered rule; parse only when the engine is not there yet."""
    try:
        from cleanclaim.engine import check_paths  # noqa: F401  (the public entry point)
        from cleanclaim.engine import Checker, ClaimResult, iter_check
    except ImportError as exc:
        result = run_parse(path)
        result["note"] = f"engine not available ({exc}); parse-only timing"
        return result
    try:
        checker = Checker()
    except Exception as exc:  # e.g. the code-set store is not built yet
        result = run_parse(path)
        result["note"] = f"engine could not start ({type(exc).__name__}: {exc}); parse-only timing"
        return result
    claims = findings = 0
    for result in iter_check([path], checker, jobs=jobs):  # streams: memory stays flat
        if isinstance(result, ClaimResult):
            claims += 1
            findings += len(result.findings)
    return {"claims": claims, "findings": findings, "rules": len(checker.rules), "jobs": jobs}


def run_pyx12(path: str) -> dict:
    """pyx12's x12valid (the same call the script makes) on one file."""
    import io
    import logging

    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ok = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(None), src_file=path, fd_997=io.StringIO(), fd_html=None)
    return {"claims": _count_claims(path), "valid": bool(ok)}


def _count_claims(path: str) -> int:
    """CLM segments in the file, read in 1 MB pieces."""
    count, rest = 0, ""
    with open(path, encoding="ascii") as fh:
        while chunk := fh.read(1 << 20):
            segments = (rest + chunk).split("~")
            rest = segments.pop()
            count += sum(1 for seg in segments if seg.lstrip().startswith("CLM*"))
    return count


STEPS = {"parse": run_parse, "check": run_check, "pyx12": run_pyx12}


def child(step: str, path: str) -> None:
    """Run one step in this (fresh) process and print its figures as JSON.

    "checkN" is parse + check with N worker processes; their peak memory is added in.
    """
    sys.path.insert(0, str(ROOT / "src"))
    started = time.perf_counter()
    if step.startswith("check") and step[5:].isdigit():
        result = run_check(path, int(step[5:]))
    else:
        result = STEPS[step](path)
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = _peak_mb() + _children_peak_mb()
    print(json.dumps(result))


def _children_peak_mb() -> float:
    """The largest worker's peak (RUSAGE_CHILDREN reports the largest, not the sum)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(step: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", step, str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _rate(result: dict) -> str:
    if "error" in result or not result.get("seconds"):
        return "-"
    return f"{result['claims'] / result['seconds']:,.0f}"


def main(argv: list[str]) -> None:
    with_pyx12 = "--no-pyx12" not in argv
    sizes = [a for a in argv if not a.startswith("--")] or list(SIZES)
    check_sizes = next((a.split("=", 1)[1].split(",") for a in argv if a.startswith("--check=")),
                       sizes)
    jobs = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--jobs=")), 1)
    check_steps = ("check",) + ((f"check{jobs}",) if jobs > 1 else ())
    rows = []
    notes = []
    for size in sizes:
        path = OUT / f"claims_{size}.837"
        if not path.exists():
            print(f"{path} is missing: run benchmarks/generate.py {size} first")
            continue
        for step in ("parse", *check_steps) + (("pyx12",) if with_pyx12 and size == PYX12_SIZE else ()):
            if step.startswith("check") and size not in check_sizes:
                continue
            if step == "pyx12" and not _has_pyx12():
                notes.append("pyx12 is not installed (.venv/bin/pip install pyx12): skipped")
                continue
            result = measure(step, path)
            if result.get("note"):
                notes.append(f"{size} {step}: {result['note']}")
            rows.append((size, step, result))
            print(f"  {size:>5} {step:<6} {_describe(result)}", flush=True)
    _table(rows)
    for note in dict.fromkeys(notes):
        print("note:", note)


def _has_pyx12() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyx12") is not None


def _describe(result: dict) -> str:
    if "error" in result:
        return f"failed: {result['error']}"
    return f"{result['claims']:,} claims in {result['seconds']:.1f}s"


def _table(rows) -> None:
    print()
    header = f"{'file':>6} | {'step':<6} | {'claims':>9} | {'seconds':>8} | {'claims/s':>9} | {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    by_key = {}
    for size, step, r in rows:
        by_key[(size, step)] = r
        if "error" in r:
            print(f"{size:>6} | {step:<6} | failed: {r['error']}")
            continue
        print(f"{size:>6} | {step:<6} | {r['claims']:>9,} | {r['seconds']:>8.2f} | "
              f"{_rate(r):>9} | {r['peak_mb']:>8.0f}")
    theirs = by_key.get((PYX12_SIZE, "pyx12"))
    if not theirs or "error" in theirs:
        return
    print(f"\npyx12 says {PYX12_SIZE} is {'valid' if theirs['valid'] else 'NOT valid'}")
    for step in ("parse", "check", *(s for (_, s) in by_key if s.startswith("check") and s != "check")):
        mine = by_key.get((PYX12_SIZE, step))
        if mine and "error" not in mine:
            ratio = (mine["claims"] / mine["seconds"]) / (theirs["claims"] / theirs["seconds"])
            print(f"{PYX12_SIZE}: cleanclaim {step} is {ratio:.1f}x pyx12 x12valid in claims/s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1:])
