"""The denial report reads what the store holds, from any folder (trial 5 items 5 and 17):
`check --record` keeps its verdict per claim (migration m0200, table claim_checks) and the
claim file as an absolute path; the clean-claim rate sits on the same month basis as the
denial bars (month of the claim's first answer)."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from cleanclaim.cli import main

from test_denials_report import EXAMPLES


def _run(*args):
    return CliRunner().invoke(main, [*args])


def test_clean_rate_is_what_check_said_when_recorded_even_after_the_file_moved(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EXAMPLES / "prenatal-massage.837", work / "claims.837")
    db = str(tmp_path / "h.sqlite")
    monkeypatch.chdir(work)
    checked = _run("check", "claims.837", "--format", "json")
    verdicts = {c["claim_id"]: c["status"] for c in json.loads(checked.output)["claims"]}
    _run("check", "claims.837", "--record", "--db", db)
    imported = _run("remit", "import", str(EXAMPLES / "remits" / "prenatal-massage.835"), "--db", db)
    assert imported.exit_code == 0, imported.output
    (work / "claims.837").rename(work / "moved.837")  # the file is gone; the verdicts are stored
    monkeypatch.chdir(tmp_path)
    report = _run("denials", "report", "--db", db, "--format", "json")
    assert report.exit_code == 0, report.output
    totals = json.loads(report.output[report.output.index("{"):])["totals"]
    assert totals["checked_claims"] == len(verdicts) and totals["rechecked_claims"] == 0
    clean = sum(1 for s in verdicts.values() if s == "clean")
    assert totals["clean_claim_rate"] == round(clean / len(verdicts), 4)


def test_clean_rate_months_are_the_months_of_the_denial_bars(tmp_path):
    from test_denials_report import build_demo_store

    db = build_demo_store(tmp_path)
    summary = json.loads(_run("denials", "report", "--db", db, "--format", "json").output)
    bars = {r["month"]: r["claims"] for r in summary["by_month"]}
    line = {r["month"]: r["checked"] for r in summary["clean_rate_by_month"]}
    assert set(line) - {"not answered yet"} <= set(bars)
    for month, checked in line.items():  # the same claims: never more checked than answered that month
        assert month == "not answered yet" or checked <= bars[month], month
    assert summary["totals"]["rechecked_claims"] == summary["totals"]["checked_claims"]  # API-recorded: re-checked
