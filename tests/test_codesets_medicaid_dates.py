"""Trial-9 N5: a Medicaid NCCI import governs Medicaid dates of service from its effective date;
earlier Medicaid dates fall back to the Medicare practitioner table, with the caveat.

Authority: Medicaid NCCI Technical Guidance Manual (quarterly Medicaid PTP/MUE edits by date
of service; SSA §1903(r)(1)(B)(iv), ACA §6507); bundled CMS NCCI practitioner PTP 2024Q3
97140/97124 modifier indicator 0; bundled MUE 97530 = 6.
"""

from __future__ import annotations

from datetime import date

import pytest

from cleanclaim.codesets.imports import import_ncci
from cleanclaim.codesets.store import CodeStore

PTP_HEADER = (
    "CPT only copyright 2024 American Medical Association. All rights reserved.\n"
    "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
)
MUE_HEADER = ('"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
              '"MUE Rationale"\n')


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "imports"))
    monkeypatch.setenv("CLEANCLAIM_STORE", str(tmp_path / "store.sqlite"))
    ptp = tmp_path / "medicaid_ptp.txt"  # Medicaid: 97140/97124 indicator 1 from 2025-01-01
    ptp.write_text(PTP_HEADER + "97140\t97124\t\t20250101\t*\t1\tMutually exclusive procedures\n")
    import_ncci(ptp, program="medicaid", release="2025Q1")
    mue = tmp_path / "MCD_MUE_PractitionerServices_Eff_01-01-2025.csv"
    mue.write_text(MUE_HEADER + '"97530","8","3 Date of Service Edit: Clinical","Clinical: Data"\n')
    import_ncci(mue)
    return CodeStore.open(build_if_missing=False)


def test_store_uses_the_medicaid_table_only_from_its_first_date(store):
    assert store.medicaid_ncci_start("ptp") == (True, date(2025, 1, 1))
    before, after = date(2024, 8, 1), date(2025, 8, 1)
    assert store.ptp_edit("97140", "97124", before, "medicaid").modifier_indicator == "0"  # Medicare
    assert store.ptp_edit("97140", "97124", after, "medicaid").modifier_indicator == "1"  # Medicaid
    assert store.mue("97530", "medicaid", before).units == 6  # Medicare bundled MUE
    assert store.mue("97530", "medicaid", after).units == 8  # Medicaid Eff 01-01-2025


def _check(store, day: str, lines):
    from cleanclaim.engine import Checker
    from cleanclaim.formats.dict_reader import claim_from_dict

    claim = {"diagnoses": ["M54.50"], "lines": [
        {"code": c, "modifiers": ["GP"], "units": u, "date": day} for c, u in lines]}
    return Checker(store=store, as_of=date(2026, 12, 1), payer_type="medicaid",
                   select=["NC", "MU"]).check(claim_from_dict(claim)).findings


def test_medicaid_claim_before_the_import_gets_the_medicare_edits_with_the_caveat(store):
    found = _check(store, "2024-08-01", [("97140", 1), ("97124", 1), ("97530", 7)])
    assert sorted(f.code for f in found) == ["MU001", "NC001"]
    for f in found:
        assert "no imported Medicaid NCCI table covers this date of service" in f.message
        assert "Medicare practitioner table was applied" in f.message


def test_medicaid_claim_after_the_import_uses_the_medicaid_edits(store):
    found = _check(store, "2025-08-01", [("97140", 1), ("97124", 1), ("97530", 7)])
    assert [f.code for f in found] == ["NC002"]  # indicator 1; 7 units within Medicaid's 8
    assert "Medicare practitioner table was applied" not in found[0].message
