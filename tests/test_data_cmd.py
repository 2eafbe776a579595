"""`cleanclaim data` commands against the real store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cleanclaim.cli import main
from test_codesets import ensure_store


def test_data_info_json_lists_tables(tmp_path_factory):
    ensure_store(tmp_path_factory.getbasetemp())
    result = CliRunner().invoke(main, ["data", "info", "--format", "json"])
    assert result.exit_code == 0, result.output
    tables = {t["name"]: t for t in json.loads(result.output)["tables"]}
    assert tables["ncci_ptp"]["rows"] == 2546017
    assert "effective-date column missing" in tables["ncci_ptp"]["note"]
    assert tables["icd10cm:2026-04"]["effective_from"] == "2025-10-01"


def test_data_info_table(tmp_path_factory):
    ensure_store(tmp_path_factory.getbasetemp())
    result = CliRunner().invoke(main, ["data", "info"])
    assert result.exit_code == 0 and "nucc" in result.output


def test_data_build_up_to_date(tmp_path_factory):
    ensure_store(tmp_path_factory.getbasetemp())
    result = CliRunner().invoke(main, ["data", "build"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_import_ncci_cli_reports_bad_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "imports"))
    monkeypatch.setenv("CLEANCLAIM_STORE", str(tmp_path / "store.sqlite"))
    bad = tmp_path / "ptp.csv"
    bad.write_text("Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale\n"
                   "97140,97530,,20250101,*,1\n")
    result = CliRunner().invoke(main, ["data", "import-ncci", str(bad)])
    assert result.exit_code != 0
    assert "ptp.csv line 2: 6 columns, expected 7" in result.output
