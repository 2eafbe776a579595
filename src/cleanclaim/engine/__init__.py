"""Run the registered rules over claims and collect results.

``iter_check`` streams one :class:`ClaimResult` per claim so a million-claim batch
stays in flat memory; ``check_paths`` collects them for a report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..findings import Finding
from ..formats import InputError, expand_paths, iter_claims
from ..model import Claim
from ..rules import RuleContext, load_all, select_rules
from ..rules.base import Rule
from .gcpolicy import long_run

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def _finding_order(f: Finding) -> tuple:
    return (f.line or 0, SEVERITY_RANK[f.severity], f.code)


@dataclass
class ClaimResult:
    claim_id: str
    source: str
    findings: list[Finding]
    line_count: int = 0
    first_date: date | None = None
    last_date: date | None = None
    # Source-file line per service line (key None: the claim's first line), where known.
    source_rows: dict | None = None

    @property
    def status(self) -> str:
        severities = {f.severity for f in self.findings}
        if "error" in severities:
            return "errors"
        if "warning" in severities:
            return "warnings"
        return "clean"

    def to_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "source": self.source,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class InputResult:
    """A file-level outcome: unreadable input, or findings that belong to no claim."""

    source: str
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"source": self.source, "error": self.error, "findings": [f.to_dict() for f in self.findings]}


@dataclass
class Summary:
    claims: int = 0
    clean: int = 0
    errors: int = 0
    warnings: int = 0
    inputs: int = 0
    unreadable_inputs: int = 0
    input_errors: int = 0  # error findings that belong to a file, not a claim (GE/IEA counts, ...)
    by_code: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    by_code_severity: Counter = field(default_factory=Counter)  # (code, severity) -> count
    first_date: date | None = None
    last_date: date | None = None
    notices: list[str] = field(default_factory=list)  # run-level: tables older than the claims

    def _count(self, findings: list[Finding]) -> None:
        for f in findings:
            self.by_code[f.code] += 1
            self.by_severity[f.severity] += 1
            self.by_code_severity[f.code, f.severity] += 1

    def add_input(self, result: "InputResult") -> None:
        self.unreadable_inputs += bool(result.error)
        self.input_errors += sum(f.severity == "error" for f in result.findings)
        self._count(result.findings)

    @property
    def exit_code(self) -> int:
        """2: an input could not be read at all; 1: any error finding; else 0."""
        if self.unreadable_inputs:
            return 2
        return 1 if self.errors or self.input_errors else 0

    def add(self, result: ClaimResult) -> None:
        if result.first_date and (self.first_date is None or result.first_date < self.first_date):
            self.first_date = result.first_date
        if result.last_date and (self.last_date is None or result.last_date > self.last_date):
            self.last_date = result.last_date
        self.claims += 1
        setattr(self, result.status, getattr(self, result.status) + 1)
        self._count(result.findings)

    @property
    def clean_rate(self) -> float | None:
        return None if not self.claims else self.clean / self.claims

    def to_dict(self) -> dict:
        return {
            "claims": self.claims,
            "clean": self.clean,
            "errors": self.errors,
            "warnings": self.warnings,
            "clean_rate": None if self.clean_rate is None else round(self.clean_rate, 4),
            "inputs": self.inputs,
            "unreadable_inputs": self.unreadable_inputs,
            "input_errors": self.input_errors,
            "findings_by_code": dict(sorted(self.by_code.items())),
            "notices": self.notices,
        }


class Checker:
    """Selected rules plus their context; checks one claim at a time."""

    def __init__(
        self,
        *,
        store=None,
        as_of: date | None = None,
        payer_type: str | None = None,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        options: dict | None = None,
    ) -> None:
        if store is None:
            from ..codesets.store import CodeStore

            store = CodeStore.open()
        self.rules: list[Rule] = select_rules(load_all(), select, ignore)
        self.ctx = RuleContext(
            store=store, as_of=as_of or date.today(), payer_type=payer_type, options=options or {}
        )
        # The codes of the rules this run applies: a rule that defers to another (MN001 leaves
        # pregnancy-only claims to PG004) reports itself when the other is not running.
        self.ctx.options.setdefault("rule_codes", frozenset(r.code for r in self.rules))
        # A claim read whole has no read findings: the rules that only replay them are skipped.
        self._plan_read = [(r.func, r.finding) for r in self.rules]
        self._plan_whole = [(r.func, r.finding) for r in self.rules
                            if not getattr(r.func, "replays_read_findings", False)]
        # A rule with `silent_unless(ctx)` yields nothing while that is false (e.g. the DOC
        # family without notes): asked once per claim, and the rules it shuts are skipped.
        self._gates = tuple(dict.fromkeys(
            gate for r in self.rules if (gate := getattr(r.func, "silent_unless", None)) is not None))
        self._gated_plans: dict[tuple, list] = {}

    def _gated_plan(self, key: tuple) -> list:
        """The plan for (read findings?, each gate open?): without the rules a shut gate silences."""
        plan = self._gated_plans.get(key)
        if plan is None:
            shut = {gate for gate, open_ in zip(self._gates, key[1:]) if not open_}
            plan = self._gated_plans[key] = [
                (func, finding) for func, finding in (self._plan_read if key[0] else self._plan_whole)
                if getattr(func, "silent_unless", None) not in shut]
        return plan

    def check(self, claim: Claim) -> ClaimResult:
        findings: list[Finding] = []
        ctx = self.ctx
        ctx.claim_memo(claim).clear()
        claim_id = claim.claim_id
        if self._gates:
            plan = self._gated_plan((bool(claim.read_findings), *[gate(ctx) for gate in self._gates]))
        else:
            plan = self._plan_read if claim.read_findings else self._plan_whole
        for func, finding in plan:
            for hit in func(claim, ctx):
                findings.append(finding(hit, claim_id))
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        ledger = ctx.options.get("run_ledger")
        if ledger is not None:  # later claims of the run are compared with this one (HX rules)
            ledger.add(claim)
        dates = claim.dates_of_service
        rows = None
        if claim.source_row is not None:
            rows = {None: claim.source_row}
            rows.update((ln.number, ln.source_row) for ln in claim.lines if ln.source_row)
        return ClaimResult(claim_id, claim.source, findings, len(claim.lines),
                           dates[0] if dates else None, dates[-1] if dates else None, rows)

    def iter_file(self, path: Path, jobs: int | None = 1) -> Iterator[ClaimResult | InputResult]:
        """Every claim of one file; an unreadable file becomes one InputResult with its error.

        ``jobs`` > 1 checks the file in that many processes (None: by file size); the
        results are the same, in the same order.
        """
        if jobs != 1:  # multiprocessing loads only for a run that may use workers
            from . import parallel

            if jobs is None:
                jobs = parallel.auto_jobs(path)
        if jobs > 1 and parallel.can_split(self):
            yield from parallel.iter_file_parallel(self, path, jobs)
            return
        for _index, result in self.iter_file_indexed(path):
            yield result

    def iter_file_indexed(self, path: Path, owns=None) -> Iterator[tuple[int | None, ClaimResult | InputResult | None]]:
        """(claim index, result) for every claim, then (None, InputResult) when the file has
        findings of its own or cannot be read. ``owns(claim)`` False: the claim is not
        checked and its result is None (a worker's share of a file)."""
        file_findings: list[Finding] = []
        claims = 0
        try:
            for item in long_run(iter_claims(path)):
                if isinstance(item, Finding):
                    file_findings.append(item)
                else:
                    claims += 1
                    if owns is None or owns(item):
                        yield claims - 1, self.check(item)
                    else:
                        yield claims - 1, None
        except (InputError, OSError, UnicodeDecodeError, ValueError) as exc:
            yield None, InputResult(str(path), error=_describe(exc, path), findings=file_findings)
            return
        if claims == 0:
            why = file_findings[0].message if file_findings else "the file holds no claim"
            yield None, InputResult(str(path), error=f"{path}: no claim could be read: {why}",
                                    findings=file_findings)
        elif file_findings:
            yield None, InputResult(str(path), findings=file_findings)

    def reopen_store(self) -> None:
        """Open the code-set store again (a worker process must not share the parent's)."""
        from ..codesets.store import CodeStore

        self._parent_store = self.ctx.store  # kept: closing it here could disturb the parent
        self.ctx.store = CodeStore.open(self.ctx.store.path, build_if_missing=False)


QUARTERLY_TABLES = {"ncci_ptp": "import-ncci", "mue": "import-ncci"}


def table_notices(store, summary: Summary) -> list[str]:
    """Say when quarterly edit tables are older than the dates of service checked.

    The ICD-10-CM release per date is handled by DX004; NCCI PTP and MUE tables are
    applied to every date, so a run over later dates says how old they are.
    """
    notices = []
    if summary.last_date is None:
        return notices
    newest: dict[str, object] = {}  # kind (ncci_ptp, mue) -> the table in force longest
    for table in store.tables():
        kind = table.name.split(":")[0]  # imported tables are named kind:release (kind:medicaid:release)
        if kind in QUARTERLY_TABLES and not table.name.startswith(f"{kind}:medicaid:"):  # Medicare's tables
            held = newest.get(kind)
            if held is None or held.effective_to is not None and (
                    table.effective_to is None or table.effective_to > held.effective_to):
                newest[kind] = table
    for kind, table in newest.items():
        command = QUARTERLY_TABLES[kind]
        if table.effective_to and summary.last_date > table.effective_to:
            notices.append(
                f"{table.release} ({table.name}) is in force to {table.effective_to.isoformat()}; dates of "
                f"service up to {summary.last_date.isoformat()} were checked against it. Edits added "
                f"since then are not applied: import the current quarter (`cleanclaim data {command} FILE`).")
    return notices


def _describe(exc: Exception, path: Path) -> str:
    text = str(exc)
    return text if str(path) in text else f"{path}: {text}"


def iter_check(paths: list[Path | str], checker: Checker,
               jobs: int | None = 1) -> Iterator[ClaimResult | InputResult]:
    """Results of every file in order; ``jobs``: processes per file (None: by file size).

    Worker processes are used for a run of one file only: rules may relate claims across
    the files of a run (the batch ledger), and what workers learn stays in the workers.
    """
    files = expand_paths(paths)
    if len(files) > 1:
        jobs = 1
    for path in files:
        if not path.exists():
            yield InputResult(str(path), error=f"{path}: no such file")
            continue
        if jobs == 1 or "iter_file" in vars(checker):  # hooked (e.g. --record): as it asks
            yield from checker.iter_file(path)
        else:
            yield from checker.iter_file(path, jobs)


def check_paths(paths: list[Path | str], **checker_options) -> tuple[list[ClaimResult], list[InputResult], Summary]:
    """Check files and collect every result (the Python API's one-call entry point)."""
    checker = Checker(**checker_options)
    claims: list[ClaimResult] = []
    inputs: list[InputResult] = []
    summary = Summary()
    for result in iter_check(paths, checker):
        if isinstance(result, ClaimResult):
            claims.append(result)
            summary.add(result)
        else:
            inputs.append(result)
            summary.add_input(result)
    summary.inputs = len(expand_paths(paths))
    return claims, inputs, summary
