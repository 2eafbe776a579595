"""`check --record` / `--db`: claims stored one transaction per file, rules get the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.cli import main
from cleanclaim.store import open_history

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "prenatal-massage.837"


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    return history_url(request, tmp_path)


def check(*args):
    return CliRunner().invoke(main, ["check", "--as-of", "2026-12-01", "--format", "json", *args])


def test_record_twice_keeps_one_version_per_claim(db):
    first = check(str(EXAMPLE), "--record", "--db", db)
    assert "history: recorded 7 claim(s)" in first.stderr and "7 new" in first.stderr
    second = check(str(EXAMPLE), "--record", "--db", db)
    assert "7 re-recorded" in second.stderr
    with open_history(db) as history:
        assert history.counts()["claims"] == 7 and history.claim_status_counts() == {"active": 7}
        # 11 service lines in the example's 7 claims (2+2+1+1+2+1+2), stored once.
        assert history.counts()["claim_lines"] == 11
    # Never an identifier on stderr.
    assert "SYN" not in first.stderr + second.stderr


def test_rechecking_recorded_claims_finds_no_duplicates_but_a_copy_under_new_numbers_does(db, tmp_path):
    check(str(EXAMPLE), "--record", "--db", db)
    report = json.loads(check(str(EXAMPLE), "--db", db, "--select", "HX001,HX002").stdout)
    assert all(c["findings"] == [] for c in report["claims"])
    copy = tmp_path / "copy.837"
    copy.write_text(EXAMPLE.read_text().replace("CLM*PM1001*", "CLM*PM9001*"))
    report = json.loads(check(str(copy), "--db", db, "--select", "HX001").stdout)
    found = {c["claim_id"]: [f["code"] for f in c["findings"]] for c in report["claims"]}
    assert found["PM9001"] == ["HX001"] and found["PM1002"] == []


def test_without_db_nothing_is_opened(tmp_path, monkeypatch):
    monkeypatch.delenv("CLEANCLAIM_DB", raising=False)
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = check(str(EXAMPLE))
    assert result.stderr == "" and not (tmp_path / "xdg").exists()
    check(str(EXAMPLE), "--record")
    assert (tmp_path / "xdg" / "cleanclaim" / "history.sqlite").exists()


def test_an_unreadable_file_records_nothing(db):
    from cleanclaim.engine import ClaimResult, InputResult
    from cleanclaim.store.recording import Recorder

    good = make_claim("G1", lines=[("97110", ["GP"], 1)])
    partial = make_claim("P1", lines=[("97110", ["GP"], 1)])

    class FakeChecker:
        def check(self, claim):
            return ClaimResult(claim.claim_id, claim.source, [])

        def iter_file(self, path):
            claims = [good] if path == "good" else [partial]
            for claim in claims:
                yield self.check(claim)
            if path == "bad":
                yield InputResult(path, error=f"{path}: truncated")

    with open_history(db) as history:
        checker = FakeChecker()
        recorder = Recorder(history).attach(checker)
        for path in ("good", "bad"):
            list(checker.iter_file(path))
        assert [ln.claim.claim_number for ln in history.service_lines("P-1")] == ["G1"]
        assert recorder.files_rolled_back == ["bad"]
        assert "nothing recorded from 1 unreadable file(s): bad" in recorder.summary()


def test_bad_db_url_is_a_clear_error():
    # A setup error exits 2 (README: exit codes), never 1, which says "a claim has errors".
    result = check(str(EXAMPLE), "--db", "mysql://x@y/z")
    assert result.exit_code == 2 and "unsupported database URL" in result.stderr


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("kind", ["unreachable", "not-a-database", "folder"])
def test_history_that_cannot_be_opened_exits_2(tmp_path, kind):
    if kind == "unreachable":
        pytest.importorskip("psycopg")
        url, why = f"postgresql://u:secret@127.0.0.1:{_closed_port()}/nope", "cannot open the history database"
    elif kind == "not-a-database":
        url, why = str(tmp_path / "h.sqlite"), "file is not a database"
        (tmp_path / "h.sqlite").write_text("not a database\n" * 200)
    else:
        url, why = str(tmp_path), "unable to open database file"
    result = check(str(EXAMPLE), "--db", url)
    assert result.exit_code == 2 and why in result.stderr, result.output
    assert "secret" not in result.stderr and result.stdout == ""
    imported = CliRunner().invoke(main, ["history", "show", "--db", url])
    assert imported.exit_code == 2 and why in imported.stderr


def test_unreadable_config_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("CLEANCLAIM_DB", raising=False)
    bad = tmp_path / "c.toml"
    bad.write_text("[history\n")
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(bad))
    result = CliRunner().invoke(main, ["history", "show"])
    assert result.exit_code == 2 and f"{bad}: not valid TOML" in result.stderr


def test_read_only_check_of_a_missing_sqlite_file_is_exit_2_and_creates_nothing(tmp_path, monkeypatch):
    # docs/history.md: a database that cannot be opened stops check --db with exit 2 (never 1,
    # "claims have errors"); a mistyped path must not become a new empty history (trial 8 N2).
    monkeypatch.delenv("CLEANCLAIM_DB", raising=False)
    missing = tmp_path / "typo" / "h.sqlite"
    result = check(str(EXAMPLE), "--db", str(missing))
    assert result.exit_code == 2 and "no such history database" in result.stderr
    assert not missing.parent.exists()
    (tmp_path / "typo").mkdir()
    result = check(str(EXAMPLE), "--db", str(missing))
    assert result.exit_code == 2 and "the file does not exist" in result.stderr and not missing.exists()
    recorded = check(str(EXAMPLE), "--db", str(missing), "--record")  # --record still creates it
    assert recorded.exit_code == 1 and missing.is_file() and "7 new" in recorded.stderr
    assert check(str(EXAMPLE), "--db", str(missing)).exit_code == 1
