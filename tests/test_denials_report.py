"""`cleanclaim denials report` over the shipped examples (claims recorded, remits imported).

Expected figures follow from the issue 5 definitions applied to the scenario that
examples/make_remits.py documents (which claims each payer denies and why), checked
against the raw 835 segments where money is involved.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REMITS = EXAMPLES / "remits"
SENT = sorted((REMITS / "sent").glob("2026-*.837p")) + [
    EXAMPLES / "prenatal-massage.837", EXAMPLES / "prenatal-massage.csv", EXAMPLES / "payer-policies.837",
    REMITS / "sent" / "PM1005-corrected.837p"]


def build_demo_store(path: Path) -> str:
    """Record every example claim and import every example answer into a SQLite store."""
    importer = pytest.importorskip("cleanclaim.remits.importer")
    from cleanclaim.codesets.store import CodeStore
    from cleanclaim.formats import iter_claims
    from cleanclaim.model import Claim
    from cleanclaim.store import open_history

    url = str(path / "history.sqlite")
    store = CodeStore.open()
    with open_history(url) as history:
        for f in SENT:
            for c in iter_claims(f):
                if isinstance(c, Claim):
                    history.record(c, source=str(f))
        for f in sorted(REMITS.glob("*.835")) + [REMITS / "prenatal-massage.277"]:
            result = importer.import_file(history, f, store)
            IMPORTED[f.name] = result
    return url


IMPORTED: dict = {}


def test_examples_import_cleanly_and_balance(demo_db):
    """Every example answer imports, balances and matches a recorded claim; the only warnings
    are the two codes deliberately absent from the shipped CARC/RARC list."""
    assert set(IMPORTED) == {p.name for p in REMITS.glob("*.835")} | {"prenatal-massage.277"}
    problems = []
    for name, result in IMPORTED.items():
        assert result.unbalanced == 0 and result.unmatched_claims == 0 and not result.duplicate, name
        problems += [(name, p.code, p.claim_id) for p in result.problems]
    assert sorted(problems) == [("history-medicaid.835", "RM020", "PMH12D")] * 2


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return build_demo_store(tmp_path_factory.mktemp("denials"))


@pytest.fixture(scope="module")
def summary(demo_db):
    result = CliRunner().invoke(main, ["denials", "report", "--db", demo_db, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _raw_claims(name: str):
    """[(CLP01, CLP02, [(code, paid)])] from one example 835."""
    out = []
    for seg in (REMITS / name).read_text().split("~"):
        els = seg.strip().split("*")
        if els[0] == "CLP":
            out.append((els[1], els[2], []))
        elif els[0] == "SVC":
            out[-1][2].append((els[1].split(":")[1], Decimal(els[3])))
    return out


def test_denials_counted_by_the_issue_definition(summary):
    t = summary["totals"]
    # ACME: 15 earlier 97124 CO-50 + PM1002 (CO-97), PM1003 (CO-146), PM1004 (CO-50),
    # PP3001 (CO-50), PP3002 (CO-197), PP3103 (CO-119);
    # Medicare: PMH03M CO-236, PMH09M OA-18, PMH14M CO-29, PM1005 CO-4, PP3003 CO-B7,
    # PP3203 CO-119 (CO-253 alone is sequestration, never a denial);
    # Medicaid: CO-27, CARC 310, 2 x CO-B7, 3 x CO-197.
    payers = {r["payer"]: (r["claims"], r["denied"]) for r in summary["by_payer"]}
    assert payers["ACME HEALTH PLAN"][1] == 21
    assert payers["MEDICARE PART B"][1] == 6
    assert payers["SUNRISE MEDICAID PLAN"][1] == 7
    assert t["denied_claims"] == 34 and t["frontend_rejections"] == 1
    assert t["submissions"] == t["claims_answered"] + 1
    assert t["denial_rate"] == round(35 / t["submissions"], 4)
    assert t["first_pass_paid_rate"] == round((t["claims_answered"] - 34) / t["submissions"], 4)


def test_every_root_cause_bucket_of_the_examples_is_reported(summary):
    buckets = {r["bucket"]: r for r in summary["by_bucket"]}
    assert {"medical_necessity", "authorization", "coding_bundling", "credentialing", "duplicate",
            "eligibility", "timely_filing", "front-end rejection"} <= set(buckets)
    assert buckets["front-end rejection"]["dollars_denied"] == "45.00"  # PM1006, 97140 x1
    assert buckets["medical_necessity"]["denials"] == 17  # 15 + PM1004 + PP3001


def test_top_carc_is_co50_and_unknown_code_is_marked(summary):
    top = summary["top_carcs"][0]
    assert top["code"] == "CO-50" and top["lines"] == 17 and top["known"]
    assert "medical necessity" in top["description"]
    unknown = next(r for r in summary["top_carcs"] if r["code"] == "CO-310")
    assert unknown["known"] is False


def test_recovered_dollars_are_what_the_later_answers_paid(summary):
    """PM1005 97110 (corrected with GP) and the appealed ACME 97124: paid in corrections.835."""
    later = [(cid, lines) for cid, status, lines in _raw_claims("corrections.835") if status == "1"]
    paid = {cid: dict(lines) for cid, lines in later}
    expected = paid["PM1005"]["97110"] + next(v["97124"] for k, v in paid.items() if k != "PM1005")
    assert Decimal(summary["totals"]["dollars_recovered"]) == expected
    statuses = {(d["claim_id"], d["code"]): d["status"] for d in summary["denials"]}
    assert statuses[("PM1005", "97110")] == "recovered"


def test_dollars_denied_is_the_billed_charge_of_denied_lines(summary):
    total = sum(Decimal(d["dollars_denied"]) for d in summary["denials"] if d["bucket"] != "front-end rejection")
    assert Decimal(summary["totals"]["dollars_denied"]) == total
    pm1002 = [d for d in summary["denials"] if d["claim_id"] == "PM1002"]
    assert [(d["line"], d["code"], d["dollars_denied"], d["carc"]) for d in pm1002] == [(2, "97124", "80.00", "97")]


def test_underpayment_is_the_seeded_mppr_on_every_unit(summary):
    """PM2003: Medicare took 50% PE off both 97112 units (only the second is reduced: 100-04 ch.5 10.7)."""
    pytest.importorskip("cleanclaim.pricing")
    rows = summary["underpayments"]
    assert [(r["claim_id"], r["code"]) for r in rows] == [("PM2003", "97112")]


def test_since_limits_the_answers(demo_db):
    result = CliRunner().invoke(main, ["denials", "report", "--db", demo_db, "--format", "json",
                                       "--since", "2026-12-01"])
    data = json.loads(result.output)
    assert data["period"]["first"] >= "2026-12-01"
    assert {r["month"] for r in data["by_month"]} == {"2026-12"}


def test_html_is_self_contained_with_three_png_charts(demo_db, tmp_path):
    out = tmp_path / "report.html"
    charts = tmp_path / "charts"
    result = CliRunner().invoke(main, ["denials", "report", "--db", demo_db, "--format", "html", "-o", str(out),
                                       "--charts", str(charts)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    images = text.split("src='data:image/png;base64,")[1:]
    assert len(images) == 3
    for chunk in images:
        assert base64.b64decode(chunk.split("'", 1)[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http" not in text.split("<body>", 1)[1].replace("x12.org", "")  # nothing fetched
    assert sorted(p.name for p in charts.iterdir()) == ["denial_rate_by_month.png", "dollars_by_bucket.png",
                                                         "top_carcs.png"]
    import re

    readable = re.sub(r"base64,[A-Za-z0-9+/=]+", "", text)
    assert "SYN" not in readable  # no patient key anywhere


def test_text_report_names_the_buckets(demo_db):
    result = CliRunner().invoke(main, ["denials", "report", "--db", demo_db])
    assert result.exit_code == 0
    assert "Medical necessity or documentation" in result.output
    assert "first-pass paid rate" in result.output


def test_empty_store_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["denials", "report", "--db", str(tmp_path / "empty.sqlite")])
    assert result.exit_code == 0
    assert "remit import" in result.output


def test_clean_rate_is_check_run_again_on_the_recorded_claims(demo_db):
    """No stored check outcomes: each recorded claim is checked again from its file."""
    from cleanclaim.codesets.store import CodeStore
    from cleanclaim.remits.analytics import recheck_recorded
    from cleanclaim.store import open_history

    with open_history(demo_db) as history:
        records = {r.claim_id: r.clean for r in recheck_recorded(history, CodeStore.open())}
    assert records["PM1001"] is True and records["PM1002"] is False  # NC001 seeded
    assert records["PMH03M"] is False  # NC002: 97110/97140 column 2 of 97150 without 59
    assert records["PMH14M"] is False  # HX005: past the 12-month Medicare filing limit
    assert records["PMH05A"] is True  # clean before it went out; ACME still denied it (CO-50)


def test_postgresql_gives_the_same_report(summary, tmp_path):
    """The same examples imported into PostgreSQL (when .ci/run provides one) report the same figures."""
    import os
    import uuid

    import sqlalchemy as sa

    base = os.environ.get("CLEANCLAIM_TEST_PG_URL")
    if not base:
        pytest.skip("CLEANCLAIM_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    from cleanclaim.store.db import resolve_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_url(base))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        importer = pytest.importorskip("cleanclaim.remits.importer")
        from cleanclaim.codesets.store import CodeStore
        from cleanclaim.formats import iter_claims
        from cleanclaim.model import Claim
        from cleanclaim.store import open_history

        with open_history(url) as history:
            for f in SENT:
                for c in iter_claims(f):
                    if isinstance(c, Claim):
                        history.record(c, source=str(f))
            for f in sorted(REMITS.glob("*.835")) + [REMITS / "prenatal-massage.277"]:
                importer.import_file(history, f, CodeStore.open())
        result = CliRunner().invoke(main, ["denials", "report", "--db", url, "--format", "json"])
        assert result.exit_code == 0, result.output
        pg = json.loads(result.output)
        for key in ("totals", "by_payer", "by_bucket", "by_month", "by_code", "top_carcs", "underpayments"):
            assert pg[key] == summary[key], key
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_report_shows_the_risk_model_quality(summary):
    """DH002's model, trained on every first-pass line: informative out of fold, calibrated bins."""
    model = summary["risk_model"]
    assert model["trained_on"] == sum(r["lines"] for r in summary["by_code"])
    assert model["brier_out_of_fold"] < model["brier_base_rate"]
    assert sum(b["lines"] for b in model["calibration"]) == model["trained_on"]
