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
    info = import_icd10(source)
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
