"""HX007: an original claim sent again after a void (CLM05-3 = 8) or a replacement (7).

X12 837P TR3 (005010X222A1) 2300 CLM05-3: 8 voids/cancels the prior claim REF*F8 names, 7
replaces it; sending the original again does not undo either. The history keeps the claim
void/replaced (it is not counted again), and the finding says to bill under a new CLM01.
"""

from __future__ import annotations

import pytest
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import open_history
from cleanclaim.store.run_ledger import RunLedger

DOS = "2026-08-10"


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


def _claim(claim_id, source, **kw):
    claim = make_claim(claim_id, lines=[("97110", ["GP"], 2)], dos=DOS, **kw)
    claim.source = source
    return claim


def _check(make_checker, claim, history=None, ledger=None):
    checker = make_checker(select=["HX007"], options={"run_ledger": ledger} if ledger else {})
    checker.ctx.history = history
    return checker.check(claim).findings


def test_resent_original_of_a_voided_claim_is_a_warning(history, make_checker):
    history.record(_claim("A1", "batch1.csv"), source="batch1.csv")
    history.record(_claim("A1V", "batch2.csv", frequency="8", original="A1"), source="batch2.csv")
    [f] = _check(make_checker, _claim("A1", "batch3.csv"), history)
    assert (f.code, f.severity, f.carc) == ("HX007", "warning", "CO-18")
    assert f.message.startswith("Claim A1 was voided by claim A1V (CLM05-3 = 8) and is sent again as an original")
    assert "new original claim with a new CLM01" in f.fix and "CLM05-3" in f.authority
    # and the history keeps it void: recording the resent original does not bring it back
    history.record(_claim("A1", "batch3.csv"), source="batch3.csv")
    assert history.claim_status_counts() == {"void": 2}
    assert history.service_lines("P-1", payer_key="PAYER1") == []


def test_rechecking_the_batch_that_holds_the_void_is_not_a_resend(history, make_checker):
    history.record(_claim("A1", "batch1.csv"), source="batch1.csv")
    history.record(_claim("A1V", "batch1.csv", frequency="8", original="A1"), source="batch1.csv")
    assert _check(make_checker, _claim("A1", "batch1.csv"), history) == []


def test_void_with_its_own_clm01_stays_void_when_resent(history, make_checker):
    history.record(_claim("A1", "batch1.csv"), source="batch1.csv")
    history.record(_claim("A1", "batch2.csv", frequency="8", original="A1"), source="batch2.csv")
    [f] = _check(make_checker, _claim("A1", "batch3.csv"), history)
    assert f.message.startswith("Claim A1 was voided (CLM05-3 = 8)")
    history.record(_claim("A1", "batch3.csv"), source="batch3.csv")
    assert history.claim_status_counts() == {"void": 1}


def test_resent_original_of_a_replaced_claim(history, make_checker):
    history.record(_claim("A1", "batch1.csv"), source="batch1.csv")
    history.record(_claim("A1R", "batch2.csv", frequency="7", original="A1"), source="batch2.csv")
    [f] = _check(make_checker, _claim("A1", "batch3.csv"), history)
    assert "was replaced by claim A1R (CLM05-3 = 7)" in f.message and "another replacement" in f.fix


def test_void_earlier_in_the_same_run(make_checker):
    ledger = RunLedger()
    ledger.add(_claim("A1", "b.csv"))
    assert _check(make_checker, _claim("A1", "b.csv"), ledger=ledger) == []  # seen, not voided
    ledger.add(_claim("A1V", "b.csv", frequency="8", original="A1"))
    [f] = _check(make_checker, _claim("A1", "c.csv"), ledger=ledger)
    assert f.code == "HX007" and "voided by claim A1V" in f.message
    ledger.add(_claim("A1", "c.csv"))  # the resend is not counted in the run either
    assert ledger.service_lines("P-1") == []


def test_a_new_clm01_is_clean(history, make_checker):
    history.record(_claim("A1", "batch1.csv"), source="batch1.csv")
    history.record(_claim("A1V", "batch2.csv", frequency="8", original="A1"), source="batch2.csv")
    assert _check(make_checker, _claim("A2", "batch3.csv"), history) == []
