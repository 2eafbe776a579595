"""Trial-7 findings on the code-set store, its imports and the NC/MU/TN rules.

Values come from the CDC ICD-10-CM FY2026 tabular (April 1, 2026 release, in the store),
the CMS NCCI PTP/MUE 2024 Q3 practitioner tables and the CMS PFS (in the store), and
synthetic files in CMS's own layouts for the import paths.
"""

from __future__ import annotations

from datetime import date

import pytest

from cleanclaim.codesets.imports import import_icd10, import_ncci
from cleanclaim.codesets.store import CodeStore
from cleanclaim.codesets.tabular import is_icd10cm_shape, parse_targets
from cleanclaim.engine import Checker
from cleanclaim.formats.dict_reader import claim_from_dict

from test_codesets import store  # noqa: F401  (session store fixture)
from test_codesets_imports import PTP_HEADER, _order_line, user_dirs  # noqa: F401

# ---------------------------------------------------------------- 1. ICD-10-CM code shape


def test_every_code_of_every_release_has_the_shared_shape(store):  # noqa: F811
    """The shape check is derived from the tabular: every code in every loaded release passes."""
    codes = [c for (c,) in store._con.execute("SELECT DISTINCT code FROM icd_code")]
    assert len(codes) > 90000
    assert [c for c in codes if not is_icd10cm_shape(c)] == []
    # FY2026 chapter 17 block QA0 (letter, letter, digit): SCN2A-related neurodevelopmental disorder
    assert store.icd_code("QA0.0101", "2026-04").billable
    assert store.icd_code("QA0.0101", "2026-04").description == "SCN2A-related neurodevelopmental disorder"
    assert is_icd10cm_shape("QA0.0101") and is_icd10cm_shape("qa00101") and is_icd10cm_shape("Z3A.20")
    assert not is_icd10cm_shape("97110") and not is_icd10cm_shape("M5") and not is_icd10cm_shape("M54.50123")


def test_note_targets_read_the_qa0_block_but_not_words():
    assert parse_targets("Congenital malformations (Q00-QA0)") == (("Q00", "QA0"),)
    assert parse_targets("SCN2A-related (QA0.0101)") == (("QA00101", "QA00101"),)
    assert parse_targets("human immunodeficiency virus (HIV)") == ()


def test_import_icd10_accepts_the_qa0_block(user_dirs):  # noqa: F811
    source = user_dirs / "icd10cm_order_2027.txt"
    source.write_text("\n".join([
        _order_line(1, "M6281", "1", "Muscle weakness (generalized)"),
        _order_line(2, "QA0", "0", "Neurodevelopmental disorders related to specific genetic pathogenic variants"),
        _order_line(3, "QA00101", "1", "SCN2A-related neurodevelopmental disorder"),
    ]) + "\n")
    info = import_icd10(source, partial=True)  # a few codes: a partial file on purpose
    assert info.rows == 3
    store = CodeStore.open(build_if_missing=False)
    assert store.icd_release(date(2026, 11, 2)).release_id == "fy2027"
    assert store.icd_code("QA0.0101", "fy2027").billable


@pytest.mark.parametrize("raw", ["QA00101", "QA0.0101", "qa0.011"])
def test_csv_reader_accepts_qa0_codes(tmp_path, raw):
    from cleanclaim.formats.csv_reader import iter_csv

    path = tmp_path / "qa.csv"
    path.write_text("claim_id,date_of_service,procedure_code,units,charge,dx1\n"
                    f"Q1,2026-05-01,97110,1,50,{raw}\n")
    (claim,) = list(iter_csv(path))
    assert claim.read_findings == []
    assert claim.diagnoses[0].code == raw.replace(".", "").upper()


# ---------------------------------------------------------------- 2. a newer PTP release deletes an edit


def _check(store, claim: dict, payer: str = "medicare", select=("NC",), as_of=date(2026, 12, 1)):
    return Checker(store=store, as_of=as_of, payer_type=payer, select=list(select)).check(
        claim_from_dict(claim)).findings


def _pair(c1: str, c2: str, day: str) -> dict:
    return {"diagnoses": ["M54.50"], "lines": [
        {"code": c1, "modifiers": ["GP"], "units": 1, "date": day},
        {"code": c2, "modifiers": ["GP"], "units": 1, "date": day}]}


def test_newer_ptp_import_deletes_a_bundled_edit(user_dirs):  # noqa: F811
    """CMS ends 97140/97124 (bundled 2024 Q3: active, indicator 0) on 2025-03-31 in a newer
    quarter: after that day the pair is no edit, before it the newer row still applies."""
    source = user_dirs / "ptp_f1.txt"
    source.write_text(PTP_HEADER + "97140\t97124\t*\t19960101\t20250331\t0\tStandards of medical/surgical practice\n")
    import_ncci(source, release="2025Q1-f1")
    store = CodeStore.open(build_if_missing=False)
    assert store.ptp_edit("97140", "97124", date(2025, 6, 1)) is None
    edit = store.ptp_edit("97140", "97124", date(2025, 3, 31))
    assert (edit.modifier_indicator, edit.deletion_date) == ("0", date(2025, 3, 31))
    assert "2025Q1-f1" in edit.release
    assert _check(store, _pair("97140", "97124", "2025-06-01")) == []
    assert [f.code for f in _check(store, _pair("97140", "97124", "2025-03-03"))] == ["NC001"]
    # pairs the import does not list keep the bundled table's history
    assert store.ptp_edit("97150", "97110", date(2025, 6, 1)).modifier_indicator == "1"
    ranks = {t.name: t.precedence for t in store.tables()}
    assert ranks["ncci_ptp"] == 0 and ranks["ncci_ptp:2025Q1-f1:f1"] == 1


def test_a_later_import_deletes_an_edit_of_an_earlier_import(user_dirs):  # noqa: F811
    first = user_dirs / "ptp_f2.txt"
    first.write_text(PTP_HEADER + "97112\t97116\t\t20250101\t*\t1\tMutually exclusive procedures\n")
    import_ncci(first, release="2025Q1")
    later = user_dirs / "ccipra-v312r0-f1.txt"
    later.write_text(PTP_HEADER + "97112\t97116\t\t20250101\t20250630\t1\tMutually exclusive procedures\n")
    import_ncci(later, release="2025Q3")
    store = CodeStore.open(build_if_missing=False)
    assert store.ptp_edit("97112", "97116", date(2025, 8, 1)) is None
    assert store.ptp_edit("97112", "97116", date(2025, 6, 30)).deletion_date == date(2025, 6, 30)
    assert _check(store, _pair("97112", "97116", "2025-08-01")) == []
    # imported in the other order, the later release (latest effective date) still decides
    early = user_dirs / "early-f3.txt"
    early.write_text(PTP_HEADER + "97530\t97116\t\t20240101\t*\t1\tMutually exclusive procedures\n")
    late = user_dirs / "late-f3.txt"
    late.write_text(PTP_HEADER + "97530\t97116\t\t20240101\t20250331\t1\tMutually exclusive procedures\n"
                    + "97530\t97750\t\t20250401\t*\t1\tMutually exclusive procedures\n")
    import_ncci(late, release="2025Q2")
    import_ncci(early, release="2024Q1")
    store = CodeStore.open(build_if_missing=False)
    assert store.ptp_edit("97530", "97116", date(2025, 5, 1)) is None
    # equal newest effective dates: the quarter in the label ranks 2025Q3 above a later-imported 2025Q1
    q3 = user_dirs / "q3.txt"
    q3.write_text(PTP_HEADER + "97164\t97140\t\t20250101\t20250731\t0\tMutually exclusive procedures\n")
    q1 = user_dirs / "q1.txt"
    q1.write_text(PTP_HEADER + "97164\t97140\t\t20250101\t*\t0\tMutually exclusive procedures\n")
    import_ncci(q3, release="2025Q3")
    import_ncci(q1, release="2025Q1")
    store = CodeStore.open(build_if_missing=False)
    assert store.ptp_edit("97164", "97140", date(2025, 9, 1)) is None
    assert store.ptp_edit("97164", "97140", date(2025, 7, 31)).modifier_indicator == "0"


# ---------------------------------------------------------------- 10. multi-part quarters add up


def test_parts_of_one_quarter_accumulate(user_dirs):  # noqa: F811
    f1 = user_dirs / "ccipra-v311r0-f1.txt"
    f1.write_text(PTP_HEADER + "97530\t97110\t\t20250101\t*\t0\tMutually exclusive procedures\n"
                  + "97140\t97124\t*\t19960101\t20250331\t0\tStandards of medical/surgical practice\n")
    f2 = user_dirs / "ccipra-v311r0-f2.txt"
    f2.write_text(PTP_HEADER + "97112\t97116\t\t20250101\t*\t1\tMutually exclusive procedures\n"
                  + "97530\t97110\t\t20250101\t*\t0\tMutually exclusive procedures\n")  # also in f1
    one = import_ncci(f1, release="2025Q1")
    two = import_ncci(f2, release="2025Q1")
    assert (one.name, one.rows) == ("ncci_ptp:2025Q1:f1", 2)
    assert (two.name, two.rows) == ("ncci_ptp:2025Q1:f2", 1)
    assert "f1, f2" in two.message and "1 row(s) already in another part skipped" in two.message
    store = CodeStore.open(build_if_missing=False)
    rows = {t.name: t.rows for t in store.tables() if t.name.startswith("ncci_ptp:")}
    assert rows == {"ncci_ptp:2025Q1:f1": 2, "ncci_ptp:2025Q1:f2": 1}
    day = date(2025, 5, 1)
    assert store.ptp_edit("97530", "97110", day).modifier_indicator == "0"  # from f1
    assert store.ptp_edit("97112", "97116", day).modifier_indicator == "1"  # from f2
    # importing f2 again replaces f2 only; --replace drops the other parts
    again = import_ncci(f2, release="2025Q1")
    assert "replaced the earlier import of ncci_ptp:2025Q1:f2" in again.message
    import_ncci(f2, release="2025Q1", replace=True)
    store = CodeStore.open(build_if_missing=False)
    assert {t.name for t in store.tables() if t.name.startswith("ncci_ptp:")} == {"ncci_ptp:2025Q1:f2"}


# ---------------------------------------------------------------- 12. imported MUE by effective date

MUE_2026 = ('"CPT codes, descriptions and other data only are copyright 2025 American Medical Association."\n'
            '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n'
            '"97110","4","3 Date of Service Edit: Clinical","Clinical: Data"\n')


def test_imported_mue_applies_from_its_effective_date(user_dirs):  # noqa: F811
    source = user_dirs / "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv"
    source.write_text(MUE_2026)
    info = import_ncci(source)
    assert info.effective_from == date(2026, 1, 1)
    store = CodeStore.open(build_if_missing=False)
    assert store.mue("97110", dos=date(2026, 2, 1)).units == 4
    assert store.mue("97110", dos=date(2026, 2, 1)).effective_from == date(2026, 1, 1)
    assert store.mue("97110", dos=date(2023, 2, 1)).units == 6  # bundled 2024 Q3 value
    five = {"diagnoses": ["M54.50"], "lines": [{"code": "97110", "modifiers": ["GP"], "units": 5}]}
    for day, codes in (("2023-02-01", []), ("2026-02-02", ["MU001"])):
        five["lines"][0]["date"] = day
        assert [f.code for f in _check(store, five, select=("MU",))] == codes


def test_mue_import_needs_an_effective_date(user_dirs):  # noqa: F811
    from cleanclaim.codesets.imports import ImportFormatError

    source = user_dirs / "mue.csv"
    source.write_text(MUE_2026)
    with pytest.raises(ImportFormatError, match="no effective date: pass --effective-from"):
        import_ncci(source)
    assert import_ncci(source, effective_from=date(2025, 7, 1)).effective_from == date(2025, 7, 1)


# ---------------------------------------------------------------- 9. Medicare-status MUE 0


@pytest.mark.parametrize("payer, severity", [("medicare", "error"), ("commercial", "warning"),
                                             ("medicaid", "warning")])
def test_mue_zero_from_medicare_status_i(store, payer, severity):  # noqa: F811
    """97014: practitioner MUE 0, rationale 'CMS Policy', PFS status I (Medicare uses G0283)."""
    assert (store.mue("97014").units, store.mue("97014").rationale, store.pfs("97014").status) == (
        0, "CMS Policy", "I")
    claim = {"diagnoses": ["M54.50"], "lines": [{"code": "97014", "units": 1, "date": "2026-03-05"}]}
    (finding,) = _check(store, claim, payer=payer, select=("MU",))
    assert finding.severity == severity
    if severity == "warning":
        assert "Medicare PFS status I" in finding.message and "CMS Policy" in finding.message


# ---------------------------------------------------------------- 23. data info wraps


def test_data_info_wraps_long_release_names_at_80_columns(store, monkeypatch):  # noqa: F811
    from click.testing import CliRunner

    from cleanclaim.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(main, ["data", "info"])
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(line.replace("│", " ").split()) for line in result.output.splitlines())
    assert "…" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    words = set(text.split())
    for table in store.tables():  # every word of every release name is shown, none cut
        assert set(table.release.split()) <= words, table.release
    assert "CMS PFS CY2025 October release (released 2025-09-11)" in {t.release for t in store.tables()}
