"""The bundled examples flag exactly what they seed, and nothing on the clean claims."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# The example practice pack for ACME (enforcement: payer), as `make demo` runs it:
#   cleanclaim check examples/ --policies examples/policies --as-of 2026-12-01
POLICIES = ["--policies", str(EXAMPLES / "policies")]

SEEDED = {
    "PM1001": [],
    "PM1002": [("NC001", 2)],  # 97124 bundled into 97140 (NCCI PTP indicator 0)
    "PM1003": [("DX002", 1)],  # M54.5 is a header on a 2026 date
    "PM1004": [("PG004", None)],  # Z33.1 alone
    "PM1005": [("TH001", 1)],  # Medicare 97110 without GP
    "PM1006": [("CL001", 1)],  # pointer to a diagnosis that is not there
    "PM1007": [],
    "PM2001": [],
    "PM2002": [("TU001", 1)],  # 40 timed minutes = 3 units, 4 billed
    "PM2003": [],  # CMS 100-04 ch.5 §20.2 example 1: 97112 x2, 97110 x1
    # examples/payer-policies.837: the payer policy packs (issue #3 "Done when")
    "PP3001": [("MN001", 1)],  # massage pointing to F41.9 + Z33.1: no covered diagnosis (ACME policy: error)
    "PP3002": [("PA001", 1)],  # 97140 to ACME without REF*G1 (ACME precertification list: error)
    "PP3003": [("CR001", 1)],  # licensed massage therapist (225700000X) billing Medicare
    "PP3101": [], "PP3102": [],  # 30 PT visits this year ...
    "PP3103": [("VC001", 1)],  # ... the 31st is over the commercial-default cap of 30 (warning)
    "PP3201": [], "PP3202": [],  # 26 Medicare PT visits: $2,444.78 allowed ...
    "PP3203": [("VC002", 1), ("VC002", 2)],  # ... the next passes the $2,480 2026 KX threshold
    "PP3204": [],  # the visit after, with KX
    # examples/medicare-albany.csv: clean; priced by test_expected_payment_matches_the_cms_hand_calculation
    "MA4001": [("DX004", None)],  # info: the October 2025 ICD-10-CM release is not shipped
}


def test_examples_flag_exactly_the_seeded_problems():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01", *POLICIES])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    got = {c["claim_id"]: [(f["code"], f["line"]) for f in c["findings"]] for c in report["claims"]}
    assert got == SEEDED
    # MN001 and PA001 come from ACME's own documents in examples/policies/acme.yaml (enforcement:
    # payer): denials, so errors. VC001 is still the commercial-default 30-visit cap, an assumed
    # default: a warning (docs/policies.md).
    assert report["summary"] == {**report["summary"], "claims": 21, "clean": 10, "errors": 10, "warnings": 1}
    severity = {(c["claim_id"], f["code"]): f["severity"] for c in report["claims"] for f in c["findings"]}
    assert [severity[k] for k in [("PP3001", "MN001"), ("PP3002", "PA001"), ("PP3103", "VC001")]] == \
        ["error", "error", "warning"]


def test_without_the_practice_pack_the_defaults_only_warn():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01"])
    report = json.loads(result.output)
    got = {c["claim_id"]: [(f["code"], f["line"]) for f in c["findings"]] for c in report["claims"]}
    assert got == SEEDED  # the same findings ...
    severity = {(c["claim_id"], f["code"]): f["severity"] for c in report["claims"] for f in c["findings"]}
    assert [severity[k] for k in [("PP3001", "MN001"), ("PP3002", "PA001")]] == ["warning"] * 2  # ... assumed


def test_every_finding_has_fix_and_authority():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01", *POLICIES])
    for claim in json.loads(result.output)["claims"]:
        for f in claim["findings"]:
            assert f["fix"] and f["authority"], f


def test_text_report_has_summary_and_clean_rate():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--as-of", "2026-12-01", *POLICIES])
    assert "clean-claim rate 47.6%" in result.output
    assert "NC001" in result.output


def test_select_never_hides_read_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("claim_id,date_of_service,procedure_code,units,dx1\nB1,2026-13-01,97110,1,M54.50\n")
    result = CliRunner().invoke(main, ["check", str(bad), "--select", "NC", "--format", "json"])
    report = json.loads(result.output)
    assert [f["code"] for f in report["claims"][0]["findings"]] == ["CSV001"]
    assert result.exit_code == 1


def test_select_typo_is_an_error():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--select", "ZZ"])
    assert result.exit_code == 2 and "matches no rule" in result.output


def test_a_file_with_no_claim_is_unreadable(tmp_path):
    not_claims = tmp_path / "remit.837"
    not_claims.write_text(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261120*0930*^*00501*000000001*0*T*:~"
        "GS*HP*PAYER*PRACTICE*20261120*0930*1*X*005010X221A1~ST*835*0001*005010X221A1~SE*2*0001~GE*1*1~IEA*1*000000001~"
    )
    result = CliRunner().invoke(main, ["check", str(not_claims), "--format", "json"])
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert "no claim could be read" in report["inputs"][0]["error"]
    assert "835" in report["inputs"][0]["error"]


def test_old_quarterly_tables_are_named_in_the_summary():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01"])
    notices = json.loads(result.output)["summary"]["notices"]
    assert any("NCCI practitioner PTP 2024 Q3" in n and "2024-09-30" in n for n in notices)


def _findings(claim_id: str) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--format", "json", "--as-of", "2026-12-01", *POLICIES])
    return next(c for c in json.loads(result.output)["claims"] if c["claim_id"] == claim_id)["findings"]


def test_policy_examples_cite_their_authority():
    """Each issue-#3 example names the pack rule and its source."""
    mn, pa = _findings("PP3001")[0], _findings("PP3002")[0]
    assert "base.therapy-needs-treated-condition" in mn["authority"] and "[policy acme:" in mn["authority"]
    assert "ACME Health Plan Medical Policy" in mn["authority"] and "ICD-10-CM Official Guidelines" in mn["authority"]
    assert "ACME Health Plan Provider Manual 2026, Precertification List" in pa["authority"]
    assert "enforcement: assumed" not in mn["authority"] + pa["authority"]
    assert "SSA §1861(s)" in _findings("PP3003")[0]["authority"]
    visit = _findings("PP3103")[0]
    assert "visit 31" in visit["message"] and "30 from earlier claims in this run" in visit["message"]
    kx = _findings("PP3203")
    # 26 visits of 97110 x3 + 97140 x1 at the 2026 PFS for ZIP 12207 (carrier 13282 locality 99):
    # 26 x ($73.08 + $20.95) = $2,444.78, then $73.08 more is $2,517.86 > $2,480 (CY2026 threshold).
    assert "$2,517.86" in kx[0]["message"] and "$2,480" in kx[0]["message"]
    assert "earlier claims in this run $2,444.78" in kx[0]["message"]


def test_expected_payment_matches_the_cms_hand_calculation():
    """One unit of 97140 in Albany, NY (ZIP 12207 -> Medicare locality 13282-99), on a 2025 date.

    CY2025 PFS RVU file: work 0.43, non-facility PE 0.40, MP 0.01; CY2025 GPCI for
    locality 99 of carrier 13282: work 1.000, PE 0.949, MP 0.732; CY2025 conversion factor
    32.3465 (CMS-1807-F). (0.43 x 1.000 + 0.40 x 0.949 + 0.01 x 0.732) x 32.3465 = $26.42.
    Paid: 80% ($21.14) less 2% sequestration ($0.42) = $20.72.
    """
    result = CliRunner().invoke(main, ["price", str(EXAMPLES / "medicare-albany.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    (claim,) = json.loads(result.output)["claims"]
    assert claim["total_allowed"] == "26.42" and claim["total_expected"] == "20.72"
    assert claim["lines"][0]["locality"].startswith("13282-99")
