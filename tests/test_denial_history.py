"""DH rules on the example history: ACME's 97124 denials, the learned risk score, silence without history."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from cleanclaim.formats import iter_claims
from cleanclaim.formats.dict_reader import claim_from_dict
from cleanclaim.model import Claim

from test_denials_report import EXAMPLES, build_demo_store

AS_OF = date(2026, 12, 1)
MEDICAID = {"name": "SUNRISE MEDICAID PLAN", "payer_id": "77001", "claim_filing_indicator": "MC"}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from cleanclaim.store import open_history

    url = build_demo_store(tmp_path_factory.mktemp("dh"))
    with open_history(url) as h:
        yield h


@pytest.fixture()
def checker(make_checker, history):
    c = make_checker(select=["DH"], as_of=AS_OF)
    c.ctx.history = history
    return c


def _example(claim_id: str) -> Claim:
    return next(c for c in iter_claims(EXAMPLES / "prenatal-massage.837") if getattr(c, "claim_id", "") == claim_id)


def test_acme_97124_denied_8_of_last_10(checker):
    """The earlier ACME answers: 97124 denied CO-50 except two; PM1002 (CO-97) is in the last 10."""
    result = checker.check(_example("PM1004"))
    assert [(f.code, f.line) for f in result.findings] == [("DH001", 1)]
    f = result.findings[0]
    assert "denied 97124 on 8 of its last 10 claims" in f.message
    assert f.details["reason"] == "CO-50" and f.details["bucket"] == "medical_necessity"
    assert "PM1004" not in [e["claim_id"] for e in f.details["evidence"]]  # its own answer is left out
    assert "diagnoses pointed to support the service" in f.fix  # the medical-necessity advice


def test_clean_examples_stay_quiet(checker):
    for cid in ("PM1001", "PM1007"):
        assert checker.check(_example(cid)).findings == []


def test_risk_score_flags_an_unenrolled_provider_on_a_new_code(checker):
    claim = claim_from_dict({"claim_id": "T3", "payer": MEDICAID, "diagnoses": ["O26.893"],
                             "rendering_provider": "1245319599", "prior_authorization": "A1",
                             "lines": [{"code": "97530", "modifiers": ["GP"], "units": 1, "date": "2026-11-20"}]})
    [finding] = checker.check(claim).findings
    assert finding.code == "DH002" and finding.line == 1
    assert finding.details["risk"] >= 0.5
    top = finding.details["evidence"][0]
    assert top["feature"].startswith(("rendering=1245319599", "payer x rendering=77001|1245319599"))
    assert (top["denied"], top["lines"]) == (4, 4)  # PMH16D, PMH17D: CO-B7, two lines each


def test_model_beats_the_base_rate_out_of_fold(history):
    from cleanclaim.remits.denial_index import DenialIndex
    from cleanclaim.remits.risk import train

    model = train(DenialIndex.from_history(history, AS_OF))
    assert model is not None
    assert model.brier < model.brier_base  # calibrated out-of-fold scores are informative
    assert model.platt[0] > 0  # higher raw score, higher probability


def test_calibration_on_synthetic_truth():
    """Lines drawn with known denial probabilities: calibrated scores land near them."""
    from cleanclaim.remits.denial_index import DenialIndex, Outcome
    from cleanclaim.remits.risk import outcome_features, train

    rng = np.random.default_rng(7)
    truth = {"97110": 0.1, "97124": 0.8, "97140": 0.3}
    outcomes = []
    for i in range(900):
        code = ["97110", "97124", "97140"][i % 3]
        outcomes.append(Outcome("P1", "PAYER", f"C{i}", date(2026, 1, 1), None, code, ("GP",), 1.0, None, False,
                                bool(rng.random() < truth[code]), None, None, None))
    model = train(DenialIndex(outcomes))
    for code, p in truth.items():
        score, _ = model.score(outcome_features(outcomes[list(truth).index(code)]))
        assert abs(score - p) < 0.08, (code, score)


def test_silent_without_history(make_checker):
    checker = make_checker(select=["DH"], as_of=AS_OF)
    assert checker.check(_example("PM1004")).findings == []


def test_silent_with_too_little_history():
    from cleanclaim.remits.denial_index import DenialIndex, Outcome
    from cleanclaim.remits.risk import train

    few = [Outcome("P1", "PAYER", f"C{i}", date(2026, 1, 1), None, "97110", (), 1.0, None, False, i % 2 == 0,
                   None, None, None) for i in range(20)]
    assert train(DenialIndex(few)) is None
