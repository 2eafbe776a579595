"""VC002 / History.therapy_ytd: recorded lines dated after the claim being checked do not
count toward its KX year-to-date, and the text says so ("dated after this claim, not
counted") instead of calling them lines with no allowed amount yet. The Medicare therapy
threshold accrues in date-of-service order (SSA §1833(g); CMS 100-04 ch.5 §10.3):
$2,410 for PT/SLP in 2025 (CY2025 PFS final rule).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from history_support import BACKENDS, history_url, make_claim

from cleanclaim.store import open_history
from cleanclaim.store.imports import import_therapy_ytd
from cleanclaim.store.schema import claim_lines, claims


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    path = tmp_path / "ytd.csv"
    path.write_text("patient_key,year,discipline,amount,as_of,source\n"
                    "P-1,2025,PT,2420.00,2025-03-01,HETS 271 eligibility response\n")
    import_therapy_ytd(h, path)
    h.record(make_claim("M1", lines=[("97110", ["GP"], 1, "2025-03-10")], indicator="MB"))
    h.record(make_claim("M2", lines=[("97110", ["GP"], 1, "2025-04-20")], indicator="MB"))
    with h.begin() as conn:
        m1 = conn.execute(sa.select(claims.c.id).where(claims.c.claim_number == "M1")).scalar_one()
        conn.execute(sa.update(claim_lines).where(claim_lines.c.claim_id == m1).values(allowed_cents=Decimal("30.25")))
    yield h
    h.close()


def test_lines_after_the_claim_are_not_counted(history):
    amount, text = history.therapy_ytd("P-1", 2025, "PT", through=date(2025, 3, 15))
    assert amount == Decimal("2450.25")  # 2,420.00 imported + M1's 30.25; M2 (04-20) is later
    assert "1 recorded line(s) dated after this claim, not counted" in text
    assert "no allowed amount yet" not in text
    # a later line with an allowed amount is not added either
    with history.begin() as conn:
        conn.execute(sa.update(claim_lines).values(allowed_cents=Decimal("30.25")))
    assert history.therapy_ytd("P-1", 2025, "PT", through=date(2025, 3, 15))[0] == Decimal("2450.25")
    assert history.therapy_ytd("P-1", 2025, "PT")[0] == Decimal("2480.50")  # no date: the whole year


def test_vc002_message_names_later_lines(history, make_checker):
    checker = make_checker(select=["VC002"], as_of=date(2025, 12, 1))
    checker.ctx.history = history
    claim = make_claim("N1", lines=[("97110", ["GP"], 1, "2025-03-15")], indicator="MB")
    [f] = checker.check(claim).findings
    assert f.code == "VC002" and "$2,410 threshold" in f.message
    assert "dated after this claim, not counted" in f.message and "no allowed amount yet" not in f.message
