"""Check that a change leaves `cleanclaim check` output identical (full JSON).

    .venv/bin/python benchmarks/compare.py save [NAME]   # snapshot before a change
    .venv/bin/python benchmarks/compare.py diff [NAME]   # after it: same JSON, or the differences
    .venv/bin/python benchmarks/compare.py jobs          # --jobs 1 and --jobs 2 agree
    ... save NAME --src=DIR                              # snapshot the package in DIR/cleanclaim
    ... save NAME --no-cache                             # snapshot with the rules' caches off

Targets: every example under examples/ (837 and CSV), the X12 and CSV test fixtures,
the X12 guide samples in ../shared/samples/x12 when present, and the generated 10k file
(benchmarks/out/claims_10k.837, `benchmarks/generate.py 10k`). Each runs as
`cleanclaim check FILE --format json --as-of 2026-12-01` in a fresh process; the
snapshots go to benchmarks/out/compare/NAME/ (gitignored). Exit status 1 when
anything differs. A script for performance work, not a unit test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SNAPSHOTS = OUT / "compare"
AS_OF = "2026-12-01"


def targets() -> list[Path]:
    found = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".837", ".csv"))
    found += sorted((ROOT / "tests" / "fixtures").glob("*/*.837"))
    found += sorted((ROOT / "tests" / "fixtures" / "csv").glob("*.csv"))
    shared = ROOT.parent / "shared" / "samples" / "x12"  # the guide samples, when present
    found += sorted(shared.glob("*.837")) if shared.is_dir() else []
    big = OUT / "claims_10k.837"
    if big.exists():
        found.append(big)
    else:
        print(f"note: {big} is missing (benchmarks/generate.py 10k); examples only")
    return found


SRC: str | None = None  # --src DIR: run the package found there (e.g. an older copy)
NO_CACHE = False  # --no-cache: the rules' per-run and per-claim caches keep nothing

# Run before `check` with --no-cache: every value the engine and the SPEED-owned rules
# cache (RuleContext.memo / claim_memo keys below, the NPI check-digit cache) is worked out
# again each time and every rule runs on every claim, so a snapshot without them proves
# the shortcuts change nothing.
_NO_CACHE = """
import cleanclaim.rules.base as base, cleanclaim.rules.npi as npi
RUN = {"icd.release", "tn.excludes1", "tn.code_first", "nc.ptp_edit", "tu.distribute", "mn.icd_matches"}
CLAIM = {"dates", "dx.checks", "tn.release", "tn.codes", "nc.pairs", "tu.check_days"}
memo, claim_memo = base.RuleContext.memo, base.RuleContext.claim_memo
class Forget(dict):
    def __setitem__(self, key, value):
        if key not in CLAIM:
            super().__setitem__(key, value)
def no_memo(self, name, limit=65536):
    return {} if name in RUN else memo(self, name, limit)
def no_claim_memo(self, claim):
    found = claim_memo(self, claim)
    if type(found) is not Forget:
        found = self._claim_memo = Forget(found)
    return found
base.RuleContext.memo, base.RuleContext.claim_memo = no_memo, no_claim_memo
npi._CHECKED_LIMIT = 0
import cleanclaim.engine as engine
init = engine.Checker.__init__
def every_rule(self, *args, **kwargs):  # no skipping of the read-finding replays either
    init(self, *args, **kwargs)           # nor of the rules a gate (silent_unless) shuts
    self._plan_whole = self._plan_read
    self._gates = ()
engine.Checker.__init__ = every_rule
"""


def run(path: Path, *extra: str) -> tuple[int, dict]:
    """`cleanclaim check PATH --format json` in a fresh interpreter: (exit code, JSON)."""
    env = dict(os.environ, PYTHONPATH=SRC) if SRC else None
    code = ((_NO_CACHE if NO_CACHE else "") + "\nimport sys; from cleanclaim.cli import main; "
            "sys.argv = ['cleanclaim'] + sys.argv[1:]; main()")
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", str(path), "--format", "json", "--as-of", AS_OF,
         "--no-progress", *extra],
        capture_output=True, text=True, cwd=ROOT, env=env)
    if not proc.stdout.strip():
        raise SystemExit(f"{path}: no output (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(f"{path}: output is not JSON (exit {proc.returncode}): {proc.stdout[:200]!r} "
                         f"{proc.stderr.strip()[-300:]}") from None


def differences(before: dict, after: dict, where: str = "", limit: int = 10) -> list[str]:
    """Paths where two JSON values differ (at most ``limit``)."""
    found: list[str] = []

    def walk(a, b, at):
        if len(found) >= limit:
            return
        if type(a) is not type(b):
            found.append(f"{at}: {a!r:.120} != {b!r:.120}")
        elif isinstance(a, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a or key not in b:
                    found.append(f"{at}.{key}: only {'after' if key in b else 'before'}")
                else:
                    walk(a[key], b[key], f"{at}.{key}")
        elif isinstance(a, list):
            if len(a) != len(b):
                found.append(f"{at}: {len(a)} items before, {len(b)} after")
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{at}[{i}]")
        elif a != b:
            found.append(f"{at}: {a!r:.120} != {b!r:.120}")

    walk(before, after, where)
    return found


def _name(path: Path) -> str:
    try:
        shown = path.resolve().relative_to(ROOT.parent)
    except ValueError:
        shown = Path(path.name)
    return "-".join(shown.parts) + ".json"


def save(name: str) -> None:
    folder = SNAPSHOTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for path in targets():
        status, data = run(path)
        (folder / _name(path)).write_text(json.dumps({"exit": status, "output": data}, indent=1))
        print(f"saved {path.name}: exit {status}, {data['summary']['claims']} claims")


def diff(name: str) -> int:
    folder = SNAPSHOTS / name
    bad = 0
    for path in targets():
        saved = folder / _name(path)
        if not saved.exists():
            print(f"{path.name}: no snapshot in {folder} (run `compare.py save {name}` first)")
            bad += 1
            continue
        before = json.loads(saved.read_text())
        status, data = run(path)
        found = differences({"exit": before["exit"], "output": before["output"]},
                            {"exit": status, "output": data})
        print(f"{path.name}: {'identical' if not found else 'DIFFERENT'}")
        for line in found:
            print("   ", line)
        bad += bool(found)
    return 1 if bad else 0


def jobs() -> int:
    """The same output with one worker and with two (order and content)."""
    bad = 0
    for path in targets():
        one = run(path, "--jobs", "1")
        two = run(path, "--jobs", "2")
        found = differences({"exit": one[0], "output": one[1]}, {"exit": two[0], "output": two[1]})
        print(f"{path.name}: --jobs 1 and --jobs 2 {'agree' if not found else 'DIFFER'}")
        for line in found:
            print("   ", line)
        bad += bool(found)
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    global SRC, NO_CACHE
    if "--no-cache" in argv:
        NO_CACHE = True
        argv.remove("--no-cache")
    for arg in [a for a in argv if a.startswith("--src=")]:
        SRC = str(Path(arg.split("=", 1)[1]).resolve())
        argv.remove(arg)
    if not argv or argv[0] not in ("save", "diff", "jobs"):
        print(__doc__)
        return 2
    name = argv[1] if len(argv) > 1 else "baseline"
    if argv[0] == "save":
        save(name)
        return 0
    return diff(name) if argv[0] == "diff" else jobs()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
