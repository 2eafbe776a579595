"""Trial-9 N3: `data import-icd10` refuses an order file with under half the codes of the
previous release unless --partial is given.

Authority: CDC ICD-10-CM order file (icd10cm_order_YYYY.txt) lists every code of the release,
A00 to Z99: the shipped FY2026 (April 1, 2026) release has 98,186 codes.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.codesets.imports import ImportFormatError, import_icd10
from cleanclaim.codesets.store import CodeStore


@pytest.fixture()
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "imports"))
    monkeypatch.setenv("CLEANCLAIM_STORE", str(tmp_path / "store.sqlite"))
    return tmp_path


def _order_file(path, codes):
    lines = [f"{n:05d} {code:<7} {1} {'Synthetic short title':<60} Synthetic long title"
             for n, code in enumerate(codes, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def test_truncated_order_file_is_refused_and_says_why(user_dirs):
    source = _order_file(user_dirs / "icd10cm_order_2027.txt", ["M5450", "S82101D"])
    with pytest.raises(ImportFormatError) as exc:
        import_icd10(source)
    message = str(exc.value)
    assert "2 codes" in message and "98,186 codes of the previous release" in message
    assert "--partial" in message
    store = CodeStore.open(build_if_missing=False)
    assert "fy2027" not in {r[0] for r in store._con.execute("SELECT release_id FROM icd_release")}


def test_partial_flag_imports_it(user_dirs):
    source = _order_file(user_dirs / "icd10cm_order_2027.txt", ["M5450", "S82101D"])
    result = CliRunner().invoke(main, ["data", "import-icd10", str(source)])
    assert result.exit_code == 1 and "under half" in result.output
    result = CliRunner().invoke(main, ["data", "import-icd10", str(source), "--partial"])
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output
