"""Pack validation: code shapes, ranges, ICD-10-CM shapes and existence, calendar dates, and
every problem of a file in one pass (file:line: key).

Shapes: CPT category I 5 digits; category II/III, PLA, MAAA 4 digits + F/T/U/M (AMA CPT);
HCPCS level II a letter A-V + 4 digits (CMS HCPCS) -- the check `history import-auths`
makes. ICD-10-CM: a letter, a digit, an alphanumeric, then up to 4 characters after the
dot (ICD-10-CM Official Guidelines I.A; tabular list). Existence: the shipped tabular.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.policies import PackLoadError, load_packs, read_pack
from cleanclaim.policies.schema import icd_problem, procedure_code_problem
from cleanclaim.store.imports import PROCEDURE_CODE as IMPORT_SHAPE
from cleanclaim.store.keys import PROCEDURE_CODE

PACK = """\
pack: acme
title: ACME
extends: commercial-default
applies_to: {payer_ids: ["60054"]}
remove: [no.such-rule]
prior_auth:
  - id: acme.pa
    effective_from: 2026-02-30
    citation: "ACME PA list 2026"
    codes: ["9714O", "97140-97124"]
    required: true
diagnosis_requirements:
  - id: acme.dx
    effective_from: 2026-01-01
    citation: "ACME policy 2026"
    codes: ["97124"]
    any_of: ["M54.50", "M54.9O", "XYZ", "O26.89"]
timely_filing:
  - id: acme.tf
    effective_from: 2026-01-01
    citation: "ACME Provider Manual 2026 section 7"
    days: 90
"""


@pytest.mark.parametrize("code,ok", [
    ("97140", True), ("0001F", True), ("0042T", True), ("0001U", True), ("0002M", True), ("G0283", True),
    ("9714O", False), ("97140GP", False), ("9714", False), ("W1234", False), ("g0283", False),
    ("97*", True), ("G0*", True), ("ALL", True), ("97010-97799", True),
    ("97140-97124", False), ("97140-9714O", False), ("X*", False),
    ("0001F-0015F", True), ("G0281-G0283", True), ("97010-G0283", False), ("0001F-00015", False),
])
def test_procedure_code_shapes(code, ok):
    assert (procedure_code_problem(code) is None) is ok


def test_same_shape_check_as_import_auths():
    assert PROCEDURE_CODE is IMPORT_SHAPE


@pytest.mark.parametrize("code,ok", [
    ("M54.50", True), ("M5450", True), ("Z3A", True), ("Z3A.20", True), ("O9A", True), ("S00-T88", True),
    ("R25-R29", True), ("M54", True), ("M5", True), ("Z34*", True), ("U07.1", True),
    ("XYZ", False), ("M", False), ("5450", False), ("M54.50123", False), ("R29-R25", False), ("M54..5", False),
])
def test_icd_shapes(code, ok):
    assert (icd_problem(code) is None) is ok


def test_not_a_calendar_date(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(PACK)
    _pack, errors = read_pack(path)
    assert any(e.line == 8 and e.key == "prior_auth[0].effective_from"
               and e.message.startswith("2026-02-30 is not a calendar date") and "February 2026 has 28 days" in e.message
               for e in errors)


def test_every_problem_in_one_pass(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(PACK)
    with pytest.raises(PackLoadError) as info:
        load_packs([tmp_path], include_config=False)
    got = {(e.line, e.key) for e in info.value.errors}
    assert got == {(8, "prior_auth[0].effective_from"),
                   (10, "prior_auth[0].codes"),  # 9714O and the reversed range, one error each
                   (17, "diagnosis_requirements[0].any_of"),  # XYZ
                   (5, "remove"),  # reported with the schema errors, not in a second pass
                   (19, "timely_filing")}  # overlaps commercial.timely-filing from 2026-01-01
    assert len([e for e in info.value.errors if e.line == 10]) == 2


def test_validate_cli_warns_on_unknown_icd(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(PACK.replace('remove: [no.such-rule]\n', '').replace('"XYZ", ', '')
                    .replace("2026-02-30", "2026-02-28").replace('"9714O", "97140-97124"', '"97140"')
                    .replace("id: acme.tf", "id: commercial.timely-filing"))
    result = CliRunner().invoke(main, ["policy", "validate", str(path)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert lines == [f"warning: {path}:16: diagnosis_requirements[acme.dx].any_of: 'M54.9O' matches no ICD-10-CM "
                     "code in the loaded releases, so it never applies (check it against the ICD-10-CM tabular)"]
    assert "1 pack file(s) valid: acme (1 warning(s))" in result.output


def test_policy_show_names_a_user_rule_by_its_path(tmp_path):
    """A user's commercial-default.yaml overlaying the built-in one: `show` tells them apart."""
    path = tmp_path / "commercial-default.yaml"
    path.write_text("pack: commercial-default\ntitle: Mine\nextends: commercial-default\nvisit_caps:\n"
                    "  - id: commercial.visit-cap\n    effective_from: 2026-01-01\n"
                    "    citation: \"My plan SBC 2026, visit limit\"\n    disciplines: [PT]\n    visits: 20\n")
    result = CliRunner().invoke(main, ["policy", "show", "commercial-default", "--policies", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"(2026-01-01..open; {path}:5)" in result.output
    assert "(2014-01-01..2025-12-31; built-in commercial-default.yaml:" in result.output
