"""Policy packs: schema errors name file, line and key; overlays; user folders; the CLI; and a
biller's change to a visit cap in YAML changes the finding without code changes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.formats.dict_reader import claim_from_dict
from cleanclaim.policies import BUILTIN_DIR, PackLoadError, load_packs, read_pack

ACME = {"name": "ACME HEALTH PLAN", "payer_id": "60054", "claim_filing_indicator": "CI"}


def packs(*dirs):
    return load_packs(list(dirs), include_config=False)


def test_builtin_packs_are_valid_and_every_rule_is_dated_and_cited():
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        pack, errors = read_pack(path)
        assert errors == [], errors
        for r in pack.rules:
            assert r.effective_from and len(r.citation) > 8, r.id


def test_chains_resolve_with_overlays():
    ps = packs()
    assert ps.resolve("medicaid-ny").chain == ["base", "medicaid", "medicaid-ny"]
    # medicaid-ny replaces the medicaid base's order rule by id (NY statute cited)
    [order] = ps.resolve("medicaid-ny").section("referral")
    assert "§365-a(2)(h)" in order.citation and order.pack == "medicaid-ny"


def test_claims_pick_the_most_specific_pack():
    ps = packs()
    medicare = claim_from_dict({"payer": "medicare", "lines": []})
    ny = claim_from_dict({"payer": "medicaid", "billing_provider": {"npi": "1234567893", "state": "NY"}, "lines": []})
    nj = claim_from_dict({"payer": "medicaid", "billing_provider": {"npi": "1234567893", "state": "NJ"}, "lines": []})
    assert ps.for_claim(medicare).name == "medicare"
    assert ps.for_claim(ny).name == "medicaid-ny"
    assert ps.for_claim(nj).name == "medicaid"


def test_medicare_kx_thresholds_by_year():
    policy = packs().resolve("medicare")
    # CMS: $2,330 (2024), $2,410 (2025), $2,480 (2026); PT+SLP combined, OT separate
    assert [policy.kx_threshold(y, "PT").get("amount") for y in (2024, 2025, 2026)] == [2330, 2410, 2480]
    assert policy.kx_threshold(2026, "SLP").id == "medicare.kx-2026-pt-slp"
    assert policy.kx_threshold(2026, "OT").id == "medicare.kx-2026-ot"
    assert policy.kx_threshold(2023, "PT") is None


def test_ny_medicaid_visit_limits_over_time():
    policy = packs().resolve("medicaid-ny")
    caps = lambda day: {r.id: r.get("visits") for r in policy.visit_caps(day)}  # noqa: E731
    assert caps(date(2017, 6, 1)) == {"ny.pt-visits-2011": 20, "ny.ot-visits": 20, "ny.slp-visits": 20}
    assert caps(date(2019, 6, 1)) == {"ny.pt-visits-2018": 40, "ny.ot-visits": 20, "ny.slp-visits": 20}
    assert caps(date(2021, 1, 1)) == {}


BAD = """\
pack: my-plan
title: My plan
extends: commercial-default
applies_to: {payer_ids: ["60054"]}
visit_caps:
  - id: acme.cap
    effective_from: 2026-13-01
    citation: "ACME SBC 2026"
    disciplines: [PT, XX]
    visits: twelve
prior_auth:
  - id: acme.cap
    effective_from: 2026-01-01
    codes: ["97140"]
    required: true
    colour: blue
"""


def test_schema_errors_name_file_line_and_key(tmp_path):
    path = tmp_path / "my-plan.yaml"
    path.write_text(BAD)
    _pack, errors = read_pack(path)
    got = {(e.line, e.key) for e in errors}
    assert (7, "visit_caps[0].effective_from") in got  # 2026-13-01 is a string, not a date
    assert (9, "visit_caps[0].disciplines") in got
    assert (10, "visit_caps[0].visits") in got
    assert (12, "prior_auth[0].citation") in got  # missing: reported at the rule's line
    assert (16, "prior_auth[0].colour") in got
    assert (12, "prior_auth[0].id") in got  # id used twice
    assert all(str(e).startswith(f"{path}:") for e in errors)


def test_yaml_syntax_error_and_broken_extends(tmp_path):
    (tmp_path / "a.yaml").write_text("pack: a\ntitle: A\nextends: nowhere\n")
    (tmp_path / "b.yaml").write_text("pack: b\ntitle: [unclosed\n")
    with pytest.raises(PackLoadError) as info:
        packs(tmp_path)
    text = str(info.value)
    assert f"{tmp_path / 'a.yaml'}:3: extends: no pack named 'nowhere'" in text
    assert f"{tmp_path / 'b.yaml'}:" in text and "not valid YAML" in text


def test_policy_validate_cli(tmp_path):
    bad = tmp_path / "my-plan.yaml"
    bad.write_text(BAD)
    result = CliRunner().invoke(main, ["policy", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:10: visit_caps[0].visits: must be a whole number" in result.output
    good = tmp_path / "ok.yaml"
    good.write_text(CAP_PACK.format(visits=12))
    result = CliRunner().invoke(main, ["policy", "validate", str(good)])
    assert result.exit_code == 0 and "valid" in result.output


def test_bad_or_missing_pack_is_a_setup_error_exit_2(tmp_path):
    # exit 2 is an input/usage error (as for an unreadable claim file); 1 means "a claim has errors"
    (tmp_path / "bad.yaml").write_text(BAD)
    claims = tmp_path / "c.csv"
    claims.write_text("claim_id,date_of_service,procedure_code,units,charge,dx1\nC1,2025-03-03,97110,1,40,M54.50\n")
    result = CliRunner().invoke(main, ["check", str(claims), "--policies", str(tmp_path), "--format", "json"])
    assert result.exit_code == 2 and f"{tmp_path / 'bad.yaml'}:10: visit_caps[0].visits" in result.output
    missing = tmp_path / "nowhere"
    for args in (["check", str(claims)], ["policy", "list"]):
        result = CliRunner().invoke(main, [*args, "--policies", str(missing)])
        assert result.exit_code == 2 and f"{missing}: policies: policy folder not found" in result.output
        assert ":0:" not in result.output


def test_policy_list_and_show_cli():
    result = CliRunner().invoke(main, ["policy", "list"])
    assert result.exit_code == 0
    for name in ("base", "medicare", "medicaid", "medicaid-ny", "commercial-default"):
        assert name in result.output
    result = CliRunner().invoke(main, ["policy", "show", "medicare", "--on", "2025-06-01", "--format", "json"])
    shown = json.loads(result.output)
    assert shown["chain"] == ["base", "medicare"]
    assert [r["amount"] for r in shown["rules"]["kx_thresholds"]] == [2410, 2410]
    assert CliRunner().invoke(main, ["policy", "show", "nope"]).exit_code != 0


# A biller's own pack: ACME's plan allows 12 visits a year (same rule id replaces the default).
CAP_PACK = """\
pack: acme
title: ACME Health Plan (our contract)
extends: commercial-default
applies_to: {{payer_ids: ["60054"]}}
visit_caps:
  - id: commercial.visit-cap
    effective_from: 2026-01-01
    citation: "ACME 2026 Summary of Benefits and Coverage, rehabilitation services"
    disciplines: [PT, OT, SLP]
    visits: {visits}
"""


def _thirteen_visits():
    lines = [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": f"2026-03-{d:02d}"} for d in range(2, 15)]
    return claim_from_dict({"claim_id": "V13", "payer": ACME, "diagnoses": ["M54.50"], "lines": lines})


def test_changing_the_visit_cap_in_yaml_changes_the_finding(tmp_path, make_checker):
    folder = tmp_path / "packs"
    folder.mkdir()
    claim = _thirteen_visits()

    def vc_lines():
        checker = make_checker(select=["VC001"], options={"policies": packs(folder)})
        return [(f.line, f.details["cap"]) for f in checker.check(claim).findings]

    assert vc_lines() == []  # commercial-default: 30 visits
    (folder / "acme.yaml").write_text(CAP_PACK.format(visits=12))
    assert vc_lines() == [(13, 12)]
    (folder / "acme.yaml").write_text(CAP_PACK.format(visits=10))
    assert vc_lines() == [(11, 10), (12, 10), (13, 10)]


def test_check_policies_option_and_config_dirs(tmp_path, monkeypatch):
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "acme.yaml").write_text(CAP_PACK.format(visits=12))
    csv = tmp_path / "visits.csv"
    rows = ["claim_id,date_of_service,procedure_code,modifiers,units,dx1,billing_npi,payer_name,payer_id,payer_type"]
    rows += [f"V13,2026-03-{d:02d},97110,GP,1,M54.50,1234567893,ACME HEALTH PLAN,60054,CI" for d in range(2, 15)]
    csv.write_text("\n".join(rows) + "\n")
    args = ["check", str(csv), "--select", "VC", "--format", "json", "--as-of", "2026-12-01"]
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    codes = lambda out: [f["code"] for c in json.loads(out)["claims"] for f in c["findings"]]  # noqa: E731
    assert codes(CliRunner().invoke(main, args).output) == []
    assert codes(CliRunner().invoke(main, args + ["--policies", str(folder)]).output) == ["VC001"]
    (tmp_path / "cfg.toml").write_text('[policies]\ndirs = ["packs"]\n')
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "cfg.toml"))
    assert codes(CliRunner().invoke(main, args).output) == ["VC001"]
    (folder / "acme.yaml").write_text(BAD)
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0 and "acme.yaml:10: visit_caps[0].visits" in result.output


def test_user_pack_marks_a_code_not_covered(tmp_path, make_checker):
    (tmp_path / "acme.yaml").write_text(
        "pack: acme\ntitle: ACME\nextends: commercial-default\napplies_to: {payer_ids: ['60054']}\n"
        "coverage:\n  - {id: acme.no-massage, effective_from: 2026-01-01, citation: 'ACME 2026 EOC, exclusions',"
        " codes: ['97124'], covered: false}\n")
    claim = claim_from_dict({"payer": ACME, "diagnoses": ["M54.50"],
                             "lines": [{"code": "97124", "units": 2, "date": "2026-03-05"},
                                       {"code": "97110", "units": 1, "date": "2026-03-05"}]})
    checker = make_checker(select=["CV001"], options={"policies": packs(tmp_path)})
    [finding] = checker.check(claim).findings
    assert finding.line == 1 and "ACME 2026 EOC" in finding.authority


def test_readme_pack_example_is_valid_and_uses_a_plan_year(tmp_path, make_checker):
    """The pack the README shows a biller is valid, and its plan year (from 1 July) counts."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("How a biller changes a visit cap")
    block = readme[readme.index("```yaml\n", start) + 8: readme.index("```", readme.index("```yaml\n", start) + 8)]
    folder = tmp_path / "my-packs"
    folder.mkdir()
    (folder / "acme.yaml").write_text(block)
    _pack, errors = read_pack(folder / "acme.yaml")
    assert errors == []
    checker = make_checker(select=["VC001"], options={"policies": packs(folder)})
    # 12 visits in June 2026 (plan year 2025-07-01..2026-06-30) and 2 in July (a new plan year)
    lines = [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": f"2026-06-{d:02d}"} for d in range(1, 13)]
    lines += [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": f"2026-07-0{d}"} for d in (1, 2)]
    claim = claim_from_dict({"payer": ACME, "diagnoses": ["M54.50"], "lines": lines})
    assert checker.check(claim).findings == []
    lines.insert(0, {"code": "97110", "modifiers": ["GP"], "units": 1, "date": "2026-05-29"})
    claim = claim_from_dict({"payer": ACME, "diagnoses": ["M54.50"], "lines": lines})
    [f] = checker.check(claim).findings
    assert f.line == 13 and "2025-07-01..2026-06-30" in f.message


def test_pack_unit_method_drives_the_timed_unit_rules(tmp_path, make_checker):
    """10 + 10 timed minutes: CPT midpoint rule 2 units (one per code); CMS 8-minute rule 1
    unit in total (20 minutes, CMS 100-04 ch.5 §20.2). A pack's unit_method picks the rule."""
    claim = claim_from_dict({"payer": ACME, "diagnoses": ["M54.50"], "prior_authorization": "A1",
                             "lines": [{"code": "97110", "modifiers": ["GP"], "units": 1, "minutes": 10,
                                        "date": "2026-03-05"},
                                       {"code": "97140", "modifiers": ["GP"], "units": 1, "minutes": 10,
                                        "date": "2026-03-05"}]})
    default = make_checker(select=["TU001"], options={"policies": packs()})
    assert default.check(claim).findings == []
    (tmp_path / "acme.yaml").write_text(
        "pack: acme\ntitle: ACME\nextends: commercial-default\napplies_to: {payer_ids: ['60054']}\n"
        "unit_method:\n  - {id: base.unit-method, effective_from: 2020-01-01, method: cms-8-minute,"
        " citation: 'ACME reimbursement policy RP-12 (2020): CMS 8-minute rule'}\n")
    cms = make_checker(select=["TU001"], options={"policies": packs(tmp_path)})
    assert [f.code for f in cms.check(claim).findings] == ["TU001"]


def test_config_state_picks_the_state_overlay(tmp_path):
    from cleanclaim.config import load_config

    (tmp_path / "cfg.toml").write_text('[policies]\nstate = "NY"\n')
    ps = load_packs(config=load_config(tmp_path / "cfg.toml"))
    claim = claim_from_dict({"payer": "medicaid", "lines": []})  # no state on the claim
    assert ps.for_claim(claim).name == "medicaid-ny"
    assert packs().for_claim(claim).name == "medicaid"


def test_validate_a_folder(tmp_path):
    (tmp_path / "a.yaml").write_text(CAP_PACK.format(visits=20))
    (tmp_path / "b.yaml").write_text("pack: b\ntitle: B\nextends: acme\nremove: [commercial.visit-cap]\n")
    result = CliRunner().invoke(main, ["policy", "validate", str(tmp_path)])
    assert result.exit_code == 0 and "2 pack file(s) valid: acme, b" in result.output
    assert packs(tmp_path).resolve("b").visit_caps(date(2026, 5, 1)) == []


DOLLAR_PACK = """\
pack: acme
title: ACME
extends: commercial-default
applies_to: {{payer_ids: ["60054"]}}
dollar_caps:
  - id: acme.rehab-dollars
    effective_from: 2026-01-01
    citation: "ACME 2026 Summary of Benefits and Coverage: rehabilitation maximum"
    disciplines: [PT, OT]
    amount: {amount}
    basis: {basis}
"""


def _pt_claim(claim_id, days, charge=100):
    lines = [{"code": "97110", "modifiers": ["GP"], "units": 1, "charge": charge, "date": f"2026-03-{d:02d}"}
             for d in days]
    claim = claim_from_dict({"claim_id": claim_id, "payer": ACME, "diagnoses": ["M54.50"], "lines": lines})
    claim.patient_key = "P-9"
    return claim


def test_dollar_cap_on_charges_across_claims_of_a_run(tmp_path, make_checker):
    (tmp_path / "acme.yaml").write_text(DOLLAR_PACK.format(amount=500, basis="charge"))
    checker = make_checker(select=["VC003"], options={"policies": packs(tmp_path)})
    assert checker.check(_pt_claim("D1", [2, 3, 4])).findings == []  # $300
    assert checker.check(_pt_claim("D1", [2, 3, 4])).findings == []  # re-checked: still $300, not $600
    [f] = checker.check(_pt_claim("D2", [9, 10, 11])).findings  # $400, $500, then $600 > $500
    assert f.line == 3 and "$600.00" in f.message and "$300.00 from earlier claims in this run" in f.message


def test_dollar_cap_on_allowed_amounts_from_a_fee_schedule(tmp_path, make_checker, monkeypatch):
    (tmp_path / "fees.csv").write_text("payer,code,amount\n60054,97110,80.00\n")
    (tmp_path / "cfg.toml").write_text('[pricing]\nfee_schedules = ["fees.csv"]\n')
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "cfg.toml"))
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "acme.yaml").write_text(DOLLAR_PACK.format(amount=400, basis="allowed"))
    checker = make_checker(select=["VC003"], options={"policies": packs(tmp_path / "packs")})
    [f] = checker.check(_pt_claim("D3", range(2, 8))).findings  # 6 x $80: the 6th reaches $480 > $400
    assert f.line == 6 and "allowed amounts" in f.message and "$480.00" in f.message


def test_commercial_visit_cap_cites_the_ehb_rehabilitative_category():
    # 45 CFR 156.110(a)(7) is the EHB category "rehabilitative and habilitative services and
    # devices"; 156.115 is how EHB are provided. 156.122 is prescription drugs: not cited.
    pack = load_packs(include_config=False).packs["commercial-default"]
    [cap] = [r for r in pack.rules if r.id == "commercial.visit-cap"]
    assert "45 CFR 156.110(a)(7)" in cap.authority and "156.115" in cap.authority
    assert "156.122" not in cap.authority


def test_same_id_with_a_later_start_replaces_the_rule_only_from_that_date(tmp_path, make_checker):
    # ACME's commercial.visit-cap from 2026-01-01 (12 visits); in 2025 the inherited
    # commercial-default cap (30 visits a year) still applies, ended 2025-12-31.
    (tmp_path / "acme.yaml").write_text(CAP_PACK.format(visits=12))
    policy = packs(tmp_path).resolve("acme")
    caps = sorted((r.effective_from, r.effective_to, r.get("visits")) for r in policy.rules["visit_caps"])
    assert caps == [(date(2014, 1, 1), date(2025, 12, 31), 30), (date(2026, 1, 1), None, 12)]
    lines = [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": f"2025-{m:02d}-{d:02d}"}
             for m in (3, 4, 5, 6) for d in range(1, 9)]  # 32 visits in 2025
    claim = claim_from_dict({"claim_id": "Y25", "payer": ACME, "diagnoses": ["M54.50"], "lines": lines})
    checker = make_checker(select=["VC001"], options={"policies": packs(tmp_path)})
    assert [(f.line, f.details["cap"]) for f in checker.check(claim).findings] == [(31, 30), (32, 30)]


def test_a_pack_extending_its_own_name_overlays_the_built_in(tmp_path, make_checker):
    # A biller's commercial-default that extends commercial-default: it overlays the built-in one
    # (prior auth, timely filing, LMT defaults kept), and validate and check agree.
    (tmp_path / "commercial-default.yaml").write_text(
        "pack: commercial-default\ntitle: Ours\nextends: commercial-default\n"
        "visit_caps:\n  - {id: commercial.visit-cap, effective_from: 2014-01-01, citation: 'Our policy 2026-01',"
        " disciplines: [PT, OT, SLP, MT], visits: 20}\n")
    result = CliRunner().invoke(main, ["policy", "validate", str(tmp_path / "commercial-default.yaml")])
    assert result.exit_code == 0, result.output
    loaded = packs(tmp_path)
    assert loaded.chain("commercial-default")[-2].name == "commercial-default@builtin"
    assert loaded.select("commercial") == "commercial-default"  # applies_to kept from the built-in
    policy = loaded.resolve("commercial-default")
    assert [r.get("visits") for r in policy.rules["visit_caps"]] == [20]
    assert policy.rules["prior_auth"] and policy.timely_filing_days(date(2026, 1, 1)) is not None


def test_validate_reports_nonsense_values_remove_and_overlaps(tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("pack: typo\ntitle: T\nextends: commercial-default\napplies_to: {payer_ids: ['60054']}\n"
                   "timely_filing:\n"
                   "  - {id: tf, effective_from: 2026-01-01, citation: 'ACME manual 2026 s4', days: -5}\n"
                   "visit_caps:\n  - {id: commercial.visit-cap, effective_from: 2026-01-01, citation: 'ACME SBC 2026',"
                   " disciplines: [PT], visits: 0, benefit_year: plan}\n"
                   "remove: [commercial.nonexistent]\n")
    out = CliRunner().invoke(main, ["policy", "validate", str(bad)]).output
    assert f"{bad}:6: timely_filing[0].days: must be at least 1" in out
    assert f"{bad}:8: visit_caps[0].visits: must be at least 1" in out
    assert "visit_caps[0].plan_year_start: required with benefit_year: plan" in out
    nowhere = tmp_path / "nowhere.yaml"  # a bad extends no longer hides the file's other problems
    nowhere.write_text(bad.read_text().replace("pack: typo", "pack: nowhere-pack")
                       .replace("extends: commercial-default", "extends: nowhere"))
    out = CliRunner().invoke(main, ["policy", "validate", str(nowhere)]).output
    assert f"{nowhere}:3: extends: no pack named 'nowhere'" in out and f"{nowhere}:8: visit_caps[0].visits" in out
    nowhere.unlink()
    bad.write_text(bad.read_text().replace("days: -5", "days: 90").replace("visits: 0, benefit_year: plan",
                                                                          "visits: 12"))
    result = CliRunner().invoke(main, ["policy", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:9: remove: no inherited rule has the id 'commercial.nonexistent'" in result.output
    assert "'tf' and 'commercial.timely-filing' (commercial-default) are both in force from 2026-01-01" \
        in result.output
    # check refuses the same pack (exit 2), so validate and check agree
    claims = tmp_path / "c.csv"
    claims.write_text("claim_id,date_of_service,procedure_code,units,charge,dx1\nC1,2026-03-03,97110,1,40,M54.50\n")
    assert CliRunner().invoke(main, ["check", str(claims), "--policies", str(tmp_path)]).exit_code == 2
