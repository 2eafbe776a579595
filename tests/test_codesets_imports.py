"""Imports of newer CMS NCCI and CDC ICD-10-CM files (synthetic files in the publishers' layouts)."""

from __future__ import annotations

from datetime import date

import pytest

from cleanclaim.codesets.imports import ImportFormatError, import_icd10, import_ncci
from cleanclaim.codesets.store import CodeStore

PTP_HEADER = (
    "CPT only copyright 2024 American Medical Association. All rights reserved.\n"
    "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
)


@pytest.fixture()
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "imports"))
    monkeypatch.setenv("CLEANCLAIM_STORE", str(tmp_path / "store.sqlite"))
    return tmp_path


def test_import_ncci_respects_effective_date(user_dirs):
    source = user_dirs / "ccipra_v311r0_f1.txt"
    source.write_text(PTP_HEADER
                      + "97140\t97530\t\t20250101\t*\t1\tMutually exclusive procedures\n"
                      + "97161\t97140\t\t20250401\t20251231\t0\tStandards of medical/surgical practice\n")
    info = import_ncci(source, release="2025Q1")
    assert info.rows == 2 and info.origin == "imported" and info.effective_from == date(2025, 1, 1)
    store = CodeStore.open(build_if_missing=False)
    # bundled row ended 2019-12-31; the imported row starts 2025-01-01
    assert store.ptp_edit("97140", "97530", date(2024, 6, 14)) is None
    edit = store.ptp_edit("97140", "97530", date(2025, 2, 3))
    assert edit.effective_date == date(2025, 1, 1) and edit.deletion_date is None
    assert "effective-date column missing" not in edit.release
    assert store.ptp_edit("97161", "97140", date(2025, 3, 31)) is None
    assert store.ptp_edit("97161", "97140", date(2025, 4, 1)).modifier_indicator == "0"
    assert store.ptp_edit("97161", "97140", date(2026, 1, 1)) is None
    assert "ncci_ptp:2025Q1:f1" in {t.name for t in store.tables()}  # part f1, from the CMS file name
    # the bundled edits are still there
    assert store.ptp_edit("97140", "97124", date(2024, 6, 14)).modifier_indicator == "0"


def test_import_ncci_bad_row_says_where(user_dirs):
    source = user_dirs / "ptp.txt"
    source.write_text(PTP_HEADER + "97140\t97530\t\t20250101\t*\t1\tx\n97140\t97110\t\t2025-01-01\t*\t1\tx\n")
    with pytest.raises(ImportFormatError, match=r"ptp.txt line 4: date '2025-01-01' is not YYYYMMDD"):
        import_ncci(source)
    source.write_text(PTP_HEADER + "97140\t97530\t\t20250101\t*\t7\tx\n")
    with pytest.raises(ImportFormatError, match=r"line 3: modifier indicator '7'"):
        import_ncci(source)


def test_import_ncci_rejects_unrelated_file(user_dirs):
    source = user_dirs / "notes.txt"
    source.write_text("hello\nworld\n")
    with pytest.raises(ImportFormatError, match="no data rows"):
        import_ncci(source)


def _order_line(number: int, code: str, billable: str, description: str) -> str:
    return f"{number:05d} {code:<7} {billable} {description[:60]:<60} {description}"


def test_import_icd10_order_file_becomes_newest_release(user_dirs):
    source = user_dirs / "icd10cm-order-2027.txt"
    source.write_text("\n".join([
        _order_line(1, "M54", "0", "Dorsalgia"),
        _order_line(2, "M545", "0", "Low back pain"),
        _order_line(3, "M5450", "1", "Low back pain, unspecified"),
    ]) + "\n")
    info = import_icd10(source, partial=True)  # a few codes: a partial file on purpose
    assert (info.effective_from, info.effective_to) == (date(2026, 10, 1), date(2027, 9, 30))
    store = CodeStore.open(build_if_missing=False)
    release = store.icd_release(date(2026, 10, 15))
    assert release.release_id == "fy2027" and release.note is None
    assert store.icd_code("M54.50", "fy2027").billable
    assert store.icd_release(date(2027, 10, 1)).note_severity == "warning"  # past the import: warn again


def test_import_icd10_bad_flag_says_where(user_dirs):
    source = user_dirs / "icd10cm-order-2027.txt"
    source.write_text(_order_line(1, "M54", "0", "Dorsalgia") + "\n" + _order_line(2, "M545", "Y", "x") + "\n")
    with pytest.raises(ImportFormatError, match=r"line 2: billable flag 'Y' at column 15"):
        import_icd10(source)


def test_import_icd10_needs_a_year(user_dirs):
    source = user_dirs / "order.txt"
    source.write_text(_order_line(1, "M54", "0", "Dorsalgia") + "\n")
    with pytest.raises(ImportFormatError, match="release year"):
        import_icd10(source)


def test_import_cms_mue_csv_replaces_bundled_value(user_dirs):
    source = user_dirs / "MCR_MUE_PractitionerServices.csv"
    source.write_text(
        '"CPT codes, descriptions and other data only are copyright 2024 American Medical Association."\n'
        '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n'
        '"97110","6","3 Date of Service Edit: Clinical","Clinical: Data"\n')
    info = import_ncci(source, release="2025Q1")
    assert info.name == "mue:2025Q1" and info.rows == 1
    store = CodeStore.open(build_if_missing=False)
    assert (store.mue("97110").units, store.mue("97110").mai) == (6, 3)
    assert "imported" in store.mue("97110").release
    assert store.mue("97010").units == 0  # bundled rows untouched


def test_medicaid_tables_apply_to_medicaid_claims_only(user_dirs):
    """Medicaid has its own NCCI edits (SSA §1903(r)(1)(B)(iv)); importing them must not change
    what a Medicare claim is checked against. A CMS Medicaid file is named MCD-..."""
    source = user_dirs / "MCD-PTP-PRA-v261q1.txt"
    # a Medicaid row that differs from Medicare's: 97140/97124 with indicator 1 instead of 0
    source.write_text(PTP_HEADER + "97140\t97124\t\t20250101\t*\t1\tMutually exclusive procedures\n")
    info = import_ncci(source, release="2026Q1")
    assert info.name == "ncci_ptp:medicaid:2026Q1" and "Medicaid" in info.release
    store = CodeStore.open(build_if_missing=False)
    assert store.has_program_ncci("medicaid")
    day = date(2026, 2, 2)
    assert store.ptp_edit("97140", "97124", day).modifier_indicator == "0"  # Medicare's bundled row
    medicaid = store.ptp_edit("97140", "97124", day, "medicaid")
    assert medicaid.modifier_indicator == "1" and "Medicaid" in medicaid.release
    assert store.ptp_edit("97110", "97530", day, "medicaid") is None  # only the Medicaid table counts


def test_medicaid_mue_file_without_mai_is_a_line_edit(user_dirs):
    source = user_dirs / "MCD-MUE-PRA-v261q1.txt"
    source.write_text("HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Rationale\n"
                      "97124\t3\tClinical: Data\n")
    info = import_ncci(source, release="2026Q1")
    assert info.name == "mue:medicaid:2026Q1" and "MAI" in info.note
    store = CodeStore.open(build_if_missing=False)
    assert store.mue("97124", "medicaid").units == 3 and store.mue("97124", "medicaid").mai == 1
    assert store.mue("97124").units == 4  # Medicare practitioner MUE for 97124 is unchanged
    with pytest.raises(ImportFormatError, match="adjudication indicator"):
        bad = user_dirs / "mue.txt"
        bad.write_text("97124\t3\tClinical: Data\n")
        import_ncci(bad, program="medicare")


def test_medicaid_claim_is_checked_against_the_imported_medicaid_table(user_dirs):
    from cleanclaim.engine import Checker
    from cleanclaim.formats.dict_reader import claim_from_dict

    source = user_dirs / "MCD-PTP-PRA-v261q1.txt"
    source.write_text(PTP_HEADER + "97140\t97124\t\t20250101\t*\t1\tMutually exclusive procedures\n")
    import_ncci(source, release="2026Q1")
    store = CodeStore.open(build_if_missing=False)
    claim = {"diagnoses": ["M54.50"], "lines": [
        {"code": "97140", "modifiers": ["GP"], "units": 1, "date": "2026-09-14"},
        {"code": "97124", "modifiers": ["GP"], "units": 1, "date": "2026-09-14"}]}
    found = {p: Checker(store=store, as_of=date(2026, 12, 1), payer_type=p, select=["NC"])
             .check(claim_from_dict(claim)).findings for p in ("medicaid", "medicare")}
    # Medicaid row: indicator 1 (a modifier may bypass) and no "Medicare table applied" caveat
    assert [f.code for f in found["medicaid"]] == ["NC002"]
    assert "Medicaid NCCI PTP 2026Q1" in found["medicaid"][0].authority
    assert "Medicare practitioner table was applied" not in found["medicaid"][0].message
    assert [f.code for f in found["medicare"]] == ["NC001"]  # Medicare's bundled indicator 0
