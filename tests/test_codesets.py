"""The real code-set store: values asserted from the CMS, CDC, NUCC and X12 tables."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from cleanclaim.codesets.store import CodeStore
from cleanclaim.codesets.tabular import in_range, parse_targets

_BUILT: dict[str, Path] = {}


def ensure_store(base: Path) -> Path:
    """Build the store once per session under `base`; point the env vars at it."""
    if "store" not in _BUILT:
        os.environ["CLEANCLAIM_DATA_DIR"] = str(base / "imports")
        os.environ["CLEANCLAIM_STORE"] = str(base / "store.sqlite")
        CodeStore.open().close()
        _BUILT["store"] = base / "store.sqlite"
    os.environ["CLEANCLAIM_DATA_DIR"] = str(base / "imports")
    os.environ["CLEANCLAIM_STORE"] = str(_BUILT["store"])
    return _BUILT["store"]


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> CodeStore:
    path = ensure_store(tmp_path_factory.getbasetemp())
    opened = CodeStore.open(path, build_if_missing=False)
    yield opened
    opened.close()


# ---------------------------------------------------------------- NCCI PTP / MUE
def test_ptp_active_pair_no_modifier(store):
    edit = store.ptp_edit("97140", "97124", date(2024, 6, 14))
    assert edit.modifier_indicator == "0"
    assert edit.deletion_date is None  # 9999-12-31 = active
    assert edit.effective_date is None
    assert "effective-date column missing" in edit.release


def test_ptp_deleted_pair_applies_only_before_deletion(store):
    edit = store.ptp_edit("97140", "97530", date(2019, 6, 14))
    assert edit.modifier_indicator == "1"
    assert edit.deletion_date == date(2019, 12, 31)
    assert store.ptp_edit("97140", "97530", date(2019, 12, 31)) is not None  # last day in force
    assert store.ptp_edit("97140", "97530", date(2024, 6, 14)) is None


def test_ptp_is_ordered_pair(store):
    assert store.ptp_edit("97124", "97140", date(2024, 6, 14)) is None


def test_mue_bundled_modalities(store):
    assert store.mue("97010").units == 0
    assert store.mue("97014").units == 0
    assert store.mue("97010").mai == 3


# ---------------------------------------------------------------- PFS, GPCI, ZIP
def test_pfs_status_and_therapy_mppr(store):
    assert store.pfs("97010").status == "B"
    assert store.pfs("97014").status == "I"
    manual = store.pfs("97140")
    assert manual.mult_proc == "5"
    assert (manual.work_rvu, manual.pe_nonfacility_rvu, manual.pe_facility_rvu, manual.mp_rvu) == (
        0.43, 0.40, 0.40, 0.01)
    assert manual.conversion_factor == 32.3465
    assert manual.global_days == "XXX"


def test_pfs_modifier_key(store):
    assert store.pfs("97140", "26") is None
    professional = store.pfs("71046", "26")
    assert professional is not None and professional.modifier == "26"


def test_gpci_locality_padding(store):
    alabama = store.gpci("10112", "0")  # 25LOCCO writes locality 00 as 0
    assert alabama.state == "AL" and alabama.pe == 0.869
    assert store.gpci("02102", "01").work == 1.5  # Alaska 1.5 work floor


def test_zip_locality(store):
    zip_row = store.zip_locality("01434")
    assert (zip_row.carrier, zip_row.locality, zip_row.plus4_required) == ("14212", "01", True)
    assert store.zip_locality("00000") is None


# ---------------------------------------------------------------- NUCC, CARC/RARC
def test_nucc_massage_therapist(store):
    assert store.taxonomy("225700000X").classification == "Massage Therapist"
    assert store.taxonomy("225100000X").classification == "Physical Therapist"


def test_adjustment_codes(store):
    carc = store.adjustment_code("carc", "97")
    assert "included in the payment/allowance for another service" in carc.description
    assert store.adjustment_code("group", "CO").description == "Contractual Obligations"
    assert store.adjustment_code("carc", "ZZZ") is None


# ---------------------------------------------------------------- ICD-10-CM releases
def test_release_in_window(store):
    release = store.icd_release(date(2021, 9, 30))
    assert release.release_id == "fy2021" and release.note is None and release.has_tabular_notes


def test_release_gap_fy2022_uses_fy2024(store):
    release = store.icd_release(date(2021, 10, 1))
    assert release.release_id == "fy2024"
    assert release.note_severity == "info" and "FY2022 release is not loaded" in release.note
    assert not release.has_tabular_notes and release.notes_release_id == "2025-04"


def test_release_gap_before_2020_uses_fy2021(store):
    release = store.icd_release(date(2016, 3, 1))
    assert release.release_id == "fy2021" and "FY2016" in release.note


def test_release_fy2025_and_april_2025(store):
    assert store.icd_release(date(2025, 3, 31)).release_id == "fy2025"
    assert store.icd_release(date(2025, 4, 1)).release_id == "2025-04"


def test_release_fy2026_before_april_notes_october_missing(store):
    release = store.icd_release(date(2025, 11, 3))
    assert release.release_id == "2026-04" and release.note_severity == "info"
    assert "2026-04-01" in release.note
    assert store.icd_release(date(2026, 5, 1)).note is None


def test_release_after_newest_warns(store):
    release = store.icd_release(date(2026, 10, 15))
    assert release.release_id == "2026-04"
    assert release.note_severity == "warning" and "import-icd10" in release.note


def test_release_icd9_era(store):
    assert store.icd_release(date(2014, 5, 1)).era == "icd9"
    assert store.icd_release(date(2015, 10, 1)).era == "icd10"


def test_m545_billable_fy2021_category_fy2024(store):
    assert store.icd_code("M54.5", "fy2021").billable
    fy2024 = store.icd_code("m545", "fy2024")
    assert fy2024 is not None and not fy2024.billable
    assert [c.dotted for c in store.icd_children("M54.5", "fy2024")] == ["M54.50", "M54.51", "M54.59"]
    assert store.icd_children("M54.5", "fy2021") == []


def test_seventh_character_codes(store):
    for release_id in ("fy2021", "fy2024", "fy2025", "2025-04", "2026-04"):
        code = store.icd_code("S39.012A", release_id)
        assert code.billable and code.description.endswith("initial encounter"), release_id
        assert not store.icd_code("S39.012", release_id).billable
    # 7th characters D and S do not apply to S06 codes with 7th character 7 (death)
    assert store.icd_code("S06.1X7D", "2026-04") is None
    assert store.icd_code("S06.1X7A", "2026-04").billable


def test_o26_893_third_trimester(store):
    code = store.icd_code("O26.893", "2026-04")
    assert code.billable and "third trimester" in code.description


def test_z331_excludes1(store):
    notes = store.icd_notes("Z33.1", "fy2021", kinds={"excludes1"})
    texts = [n.text for n in notes]
    assert "complications of pregnancy (O00-O9A)" in texts
    assert ("O00", "O9A") in [t for n in notes for t in n.targets]


def test_notes_inherited_from_chapter(store):
    notes = store.icd_notes("O26.893", "2026-04")
    chapter = [n for n in notes if n.owner == "O00-O9A" and n.kind == "excludes1"]
    assert [n.targets for n in chapter] == [(("Z34", "Z34"),)]
    assert notes[0].owner.startswith("O26")  # own / nearest ancestors first


def test_notes_for_release_without_xml_come_from_nearest(store):
    notes = store.icd_notes("Z33.1", "fy2024", kinds={"excludes1"})
    assert notes and {n.release_id for n in notes} == {"2025-04"}


def test_tables_listed_with_provenance(store):
    names = {t.name for t in store.tables()}
    assert {"ncci_ptp", "mue", "pfs", "nucc", "carc_rarc", "icd10cm:2026-04"} <= names
    pfs = next(t for t in store.tables() if t.name == "pfs")
    assert pfs.rows > 15000 and pfs.origin == "bundled"


# ---------------------------------------------------------------- pure helpers
@pytest.mark.parametrize("text, targets", [
    ("supervision of normal pregnancy (Z34.-)", (("Z34", "Z34"),)),
    ("complications of pregnancy (O00-O9A)", (("O00", "O9A"),)),
    ("diabetes (E08.-E13.-)", (("E08", "E13"),)),
    ("(O31.1-, O31.3-)", (("O311", "O311"), ("O313", "O313"))),
    ("vitamin B12 deficiency anemia (D51.-)", (("D51", "D51"),)),
    ("type 2 (see below)", ()),
])
def test_parse_targets(text, targets):
    assert parse_targets(text) == targets


def test_in_range_uses_icd_order():
    assert in_range("O9A2", "O00", "O9A")
    assert in_range("O99", "O00", "O9A")
    assert not in_range("P00", "O00", "O9A")
