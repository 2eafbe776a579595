"""`check --jobs N`: worker processes give the same results, in input order."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.engine import ClaimResult, InputResult, Summary, iter_check
from cleanclaim.engine import parallel
from cleanclaim.formats.write837 import write_837

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "x12"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PATIENTS = ("MBR000000003", "MBR000000004")  # workers 0/1 of 2 and 1/2 of 3


def _repeat_patients(claims):
    """Two patients with 350 claims each: rules that relate a patient's claims in one run
    (visit caps over the batch ledger) must see the same claims with any number of workers."""
    for n, claim in enumerate(claims):
        claim.patient_key = PATIENTS[n % 2]
        yield claim


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """700 synthetic claims in sets of 300: three chunks of 256 claims, three ST/SE sets."""
    path = tmp_path_factory.mktemp("parallel") / "batch.837"
    with open(path, "w", encoding="ascii", newline="") as out:
        write_837(_repeat_patients(_generator().claims(700, seed=5)), out, claims_per_transaction=300)
    return path


def _results(path: Path, checker, jobs: int) -> list[dict]:
    found = []
    for result in iter_check([path], checker, jobs=jobs):
        if isinstance(result, ClaimResult):
            found.append(result.to_dict())
        else:
            found.append({"input": result.to_dict()})
    return found


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_give_the_same_results_in_input_order(batch, make_checker, jobs):
    checker = make_checker()
    one = _results(batch, checker, 1)
    assert [r["claim_id"] for r in one] == [f"SYN{n:08d}" for n in range(700)]
    codes = {f["code"] for r in one for f in r["findings"]}
    assert "VC001" in codes  # a finding that depends on the patient's other claims in the run
    assert len({parallel.owner(type("C", (), {"patient_key": p})(), jobs) for p in PATIENTS}) == 2
    assert _results(batch, make_checker(), jobs) == one


@pytest.mark.parametrize("name", ["x04_se_count.837", "x01_bad_short_isa.837"])
def test_file_level_findings_and_claim_findings_match(name, make_checker):
    path = FIXTURES / name
    one = _results(path, make_checker(), 1)
    assert _results(path, make_checker(), 2) == one


def test_unreadable_file_is_the_same_input_error(tmp_path, make_checker):
    path = tmp_path / "empty.837"
    path.write_text("")
    results = list(iter_check([path], make_checker(), jobs=2))
    assert len(results) == 1 and isinstance(results[0], InputResult)
    assert "empty" in results[0].error


def test_hooked_checker_stays_in_one_process(make_checker):
    """--record / --price wrap checker.check; their hooks must see every claim here."""
    checker = make_checker()
    original = checker.check
    checker.check = lambda claim: original(claim)
    assert not parallel.can_split(checker)


def test_auto_jobs_is_one_for_a_small_file():
    assert parallel.auto_jobs(FIXTURES / "x04_se_count.837") == 1


def test_cli_rejects_zero_jobs():
    from cleanclaim.cli import main

    result = CliRunner().invoke(main, ["check", str(FIXTURES / "x04_se_count.837"), "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def test_summary_counts_each_listed_finding(make_checker):
    """A per-day MUE (97124: MUE 4, MAI 3) over on two lines denies both lines: two findings
    listed, and the summary counts what is listed."""
    from cleanclaim.model import Claim, Diagnosis, ServiceLine
    from datetime import date
    from decimal import Decimal

    day = date(2026, 3, 5)
    claim = Claim("MU2", diagnoses=[Diagnosis("M5450", 1)], lines=[
        ServiceLine(1, "97124", ["GP"], units=Decimal(3), charge=Decimal(90), diagnosis_pointers=[1],
                    date_of_service=day),
        ServiceLine(2, "97124", ["GP", "59"], units=Decimal(2), charge=Decimal(60),
                    diagnosis_pointers=[1], date_of_service=day)])
    result = make_checker(select=["MU"]).check(claim)
    listed = [f.line for f in result.findings if f.code == "MU001"]
    assert listed == [1, 2]
    summary = Summary()
    summary.add(result)
    assert summary.to_dict()["findings_by_code"]["MU001"] == len(listed)


def test_several_files_stay_in_one_process(batch, make_checker, monkeypatch):
    """Rules may relate claims across the files of a run; workers would not share that."""
    monkeypatch.setattr(parallel, "iter_file_parallel",
                        lambda *a: pytest.fail("a run of two files must not use workers"))
    results = list(iter_check([batch, FIXTURES / "x04_se_count.837"], make_checker(), jobs=2))
    assert sum(isinstance(r, ClaimResult) for r in results) == 702
