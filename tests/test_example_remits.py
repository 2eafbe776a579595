"""The shipped payer answers (examples/remits/) balance and hold what issue 5 asks for.

Balancing is checked here with a few lines of independent arithmetic over the raw
segments (X12 005010X221A1 section 1.10.2): each SVC02 - its CAS = SVC03, each CLP03 -
all CAS under it = CLP04, and BPR02 = sum CLP04 - sum PLB amounts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.codesets.store import CodeStore

REMITS = Path(__file__).resolve().parents[1] / "examples" / "remits"
FILES = sorted(REMITS.glob("*.835"))


def _sets(path: Path):
    """Each ST..SE of a file as a list of element lists."""
    text = path.read_text()
    segments = [s.strip() for s in text.split("~") if s.strip()]
    current = None
    for seg in segments:
        els = seg.split("*")
        if els[0] == "ST":
            current = []
        if current is not None:
            current.append(els)
        if els[0] == "SE":
            yield current
            current = None


def _cas_total(els) -> Decimal:
    return sum((Decimal(els[i]) for i in range(3, len(els), 3) if els[i]), Decimal(0))


def _check_set(st) -> dict:
    bpr = Decimal(next(e for e in st if e[0] == "BPR")[2])
    clp_paid = Decimal(0)
    plb = Decimal(0)
    claim = line = None
    claims = []
    for els in st:
        tag = els[0]
        if tag == "CLP":
            claim = {"id": els[1], "status": els[2], "charge": Decimal(els[3]), "paid": Decimal(els[4]),
                     "adj": Decimal(0), "lines": []}
            claims.append(claim)
            clp_paid += claim["paid"]
            line = None
        elif tag == "SVC":
            line = {"charge": Decimal(els[2]), "paid": Decimal(els[3]), "adj": Decimal(0)}
            claim["lines"].append(line)
        elif tag == "CAS":
            (line or claim)["adj"] += _cas_total(els)
        elif tag == "PLB":
            plb += sum((Decimal(els[i]) for i in range(4, len(els), 2)), Decimal(0))
    for c in claims:
        for ln in c["lines"]:
            assert ln["charge"] - ln["adj"] == ln["paid"], (c["id"], ln)
        line_adj = sum((ln["adj"] for ln in c["lines"]), Decimal(0))
        assert c["charge"] - c["adj"] - line_adj == c["paid"], c["id"]
        assert sum((ln["charge"] for ln in c["lines"]), Decimal(0)) == c["charge"], c["id"]
    assert bpr == clp_paid - plb
    return {"claims": claims, "plb": plb}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_835_balances(path):
    sets = list(_sets(path))
    assert sets
    for st in sets:
        _check_set(st)


def _all_segments():
    return [els for path in FILES for st in _sets(path) for els in st]


def test_examples_hold_several_payers_reversal_plb_and_unknown_codes():
    segs = _all_segments()
    payers = {e[2] for e in segs if e[0] == "N1" and e[1] == "PR"}
    assert payers == {"ACME HEALTH PLAN", "MEDICARE PART B", "SUNRISE MEDICAID PLAN"}
    statuses = {e[2] for e in segs if e[0] == "CLP"}
    assert {"1", "4", "22"} <= statuses
    reasons = {e[i].split(":")[0] for e in segs if e[0] == "PLB" for i in range(3, len(e), 2)}
    assert {"WO", "L6", "FB"} <= reasons
    store = CodeStore.open()
    carcs = {e[i] for e in segs if e[0] == "CAS" for i in range(2, len(e), 3)}
    rarcs = {e[2] for e in segs if e[0] == "LQ"}
    unknown_carc = {c for c in carcs if store.adjustment_code("carc", c) is None}
    unknown_rarc = {r for r in rarcs if store.adjustment_code("rarc", r) is None}
    assert unknown_carc == {"310"} and unknown_rarc == {"N899"}
    groups = {(e[1], e[i]) for e in segs if e[0] == "CAS" for i in range(2, len(e), 3)}
    for wanted in [("CO", "45"), ("PR", "2"), ("PR", "3"), ("CO", "50"), ("CO", "97"), ("CO", "197"),
                   ("CO", "B7"), ("CO", "29"), ("OA", "18"), ("CO", "253")]:
        assert wanted in groups, wanted


def test_reversal_negates_the_original_payment():
    """CLP02 22 carries the original CLP's amounts negated (X221A1 1.10.2.8)."""
    claims = [c for path in FILES for st in _sets(path) for c in _check_set(st)["claims"]]
    for rev in (c for c in claims if c["status"] == "22"):
        originals = [c for c in claims if c["id"] == rev["id"] and c["status"] in ("1", "2", "3")]
        assert any(o["charge"] == -rev["charge"] and o["paid"] == -rev["paid"] for o in originals)


def test_medicare_sequestration_is_two_percent_of_the_payment():
    """CO-253 = 2% of (allowed - coinsurance) on every paid Medicare line (the 2% Part B cut)."""
    for path in FILES:
        for st in _sets(path):
            if not any(e[0] == "N1" and e[2] == "MEDICARE PART B" for e in st):
                continue
            for i, els in enumerate(st):
                if els[0] != "SVC" or Decimal(els[3]) <= 0:
                    continue
                block = st[i + 1:next(j for j in range(i + 1, len(st)) if st[j][0] in ("SVC", "CLP", "SE", "PLB"))]
                cas = {(e[1], e[k]): Decimal(e[k + 1]) for e in block if e[0] == "CAS" for k in range(2, len(e), 3)}
                allowed = Decimal(next(e[2] for e in block if e[0] == "AMT" and e[1] == "B6"))
                expected = ((allowed - cas[("PR", "2")]) * Decimal("0.02")).quantize(Decimal("0.01"))
                assert abs(cas[("CO", "253")]) == abs(expected)


def test_277ca_rejects_pm1006_only():
    text = (REMITS / "prenatal-massage.277").read_text()
    segs = [s.strip().split("*") for s in text.split("~") if s.strip()]
    status = {}
    for i, els in enumerate(segs):
        if els[0] == "TRN" and els[1] == "2" and els[2].startswith("PM"):
            stc = segs[i + 1]
            status[els[2]] = stc[1].split(":")[0]
    assert status.pop("PM1006") == "A7"
    assert set(status.values()) == {"A2"}
