"""`check --record`: store each checked claim, one transaction per input file.

The Recorder hooks a Checker without changing the engine: each claim is recorded right
after it is checked (so it is never compared with its own earlier version, and later
claims of the same run see it), and each file's claims commit together. A file that
turns out unreadable is rolled back whole.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from .claims import record_claim
from .db import HistoryError  # noqa: F401 (check_cmd imports it from here)
from .history import History


LABELS = {
    "recorded": "new",
    "replaced-version": "re-recorded (earlier version replaced)",
    "replacement": "replacement (frequency 7)",
    "void": "void (frequency 8)",
}


class Recorder:
    def __init__(self, history: History) -> None:
        self.history = history
        self.outcomes: Counter = Counter()
        self.skipped: Counter = Counter()  # reason -> claims
        self.files_rolled_back: list[str] = []
        self._conn = None
        self._file: Counter = Counter()  # outcomes of the file being recorded
        self._rows: list[tuple[str, int]] = []  # (CLM01, claims.id) recorded from the file, in order

    def attach(self, checker) -> "Recorder":
        """Make ``checker`` record every claim it checks, file by file."""
        check, iter_file = checker.check, checker.iter_file

        def recording_check(claim):
            result = check(claim)
            self._record(claim, result)
            return result

        def recording_iter_file(path: Path):
            from ..engine import InputResult

            failed = False
            self._file = Counter()
            self._rows = []
            try:
                with self.history.begin() as conn:
                    self._conn = conn
                    for result in iter_file(path):
                        if isinstance(result, InputResult) and result.error:
                            failed = True
                        yield result
                    if failed:
                        raise _RollBack
                    if self._rows:  # the 837 envelope of each claim, for 999 answers (remits m0101)
                        from ..remits.match import record_envelopes

                        record_envelopes(conn, path, self._rows)
                self.outcomes.update(self._file)
            except _RollBack:
                self.files_rolled_back.append(str(path))
            finally:
                self._conn = None

        checker.check = recording_check
        checker.iter_file = recording_iter_file
        return self

    def _record(self, claim, result=None) -> None:
        if self._conn is None:  # checked outside iter_file (API use): own transaction
            with self.history.begin() as conn:
                done = record_claim(conn, claim)
                self._tally(done, self.outcomes)
                record_check(conn, done, result)
            return
        if any(getattr(f, "severity", None) == "error" for f in claim.read_findings):
            self.skipped["not read whole"] += 1
            return
        done = record_claim(self._conn, claim)
        if done.claim_row is not None:
            self._rows.append((claim.claim_id, done.claim_row))
        self._tally(done, self._file)
        record_check(self._conn, done, result)

    def _tally(self, done, into: Counter) -> None:
        if done.outcome == "skipped":
            self.skipped[done.reason] += 1
        else:
            into[done.outcome] += 1

    def summary(self) -> str:
        """One line for stderr: counts only (never claim or patient identifiers)."""
        stored = sum(self.outcomes.values())
        parts = [f"{n} {LABELS.get(what, what)}" for what, n in sorted(self.outcomes.items())]
        text = f"history: recorded {stored} claim(s) in {self.history.url}"
        if parts:
            text += " (" + ", ".join(parts) + ")"
        for reason, n in sorted(self.skipped.items()):
            text += f"; {n} not recorded: {reason}"
        if self.files_rolled_back:
            text += f"; nothing recorded from {len(self.files_rolled_back)} unreadable file(s): " + \
                ", ".join(self.files_rolled_back)
        return text


_CHECKS = sa.table("claim_checks", *(sa.column(c) for c in (
    "claim_row", "claim_number", "payer_key", "checked_at", "clean", "errors", "warnings", "codes")))


def record_check(conn, done, result) -> None:
    """Keep what `check` found on the recorded claim (migration m0200: table claim_checks)."""
    if result is None or done.claim_row is None or done.key is None or done.outcome in ("skipped", "void"):
        return
    findings = list(getattr(result, "findings", []) or [])
    codes = " ".join(f"{f.code}:{f.line}" if f.line else f.code for f in findings if f.severity == "error")
    conn.execute(sa.delete(_CHECKS).where(_CHECKS.c.claim_row == done.claim_row))
    conn.execute(sa.insert(_CHECKS).values(
        claim_row=done.claim_row, claim_number=done.key.claim_number, payer_key=done.key.payer_key,
        checked_at=datetime.now(timezone.utc), clean=result.status == "clean",
        errors=sum(f.severity == "error" for f in findings), warnings=sum(f.severity == "warning" for f in findings),
        codes=codes[:1000].rsplit(" ", 1)[0] if len(codes) > 1000 else codes))


class _RollBack(Exception):
    pass


def attach_history(checker, db: str | None, record: bool) -> Recorder | None:
    """Give the checker's rules a history (``ctx.history``) and, with ``record``, a Recorder.

    A history is opened when --db, $CLEANCLAIM_DB or config ``[history] db`` names one,
    or when --record asks for one (then the default SQLite file is used). Without
    ``record`` a SQLite file that does not exist is not created: HistoryError "no such
    history database" (exit 2). Raises HistoryError when the database cannot be opened.
    """
    import os

    from .db import _config
    from .history import open_history

    configured = db or os.environ.get("CLEANCLAIM_DB") or _config().get("history", "db")
    if not (configured or record):
        return None
    if not record:  # a read-only check never creates a database (a mistyped --db would run on none)
        _must_exist(db)
    history = open_history(db)
    checker.ctx.history = history
    return Recorder(history).attach(checker) if record else None


def _must_exist(db: str | None) -> None:
    """HistoryError when the SQLite file ``db`` resolves to does not exist (as remit show)."""
    from .db import resolve_url

    parsed = sa.engine.make_url(resolve_url(db))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if not path.exists():  # a folder: open_history says why it cannot be opened
        where = "its directory does not exist" if not path.parent.is_dir() else "the file does not exist"
        raise HistoryError(f"{path}: no such history database ({where}); check the --db path, or create it "
                           "with check --record or history migrate")
