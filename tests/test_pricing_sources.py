"""The figures the pricing tests rely on, read straight from CMS's files in /work/shared.

Skipped on a fresh clone without ../shared; then tests/test_pricing.py still checks the
same figures through the bundled store.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.model import Claim, Payer, Provider, ServiceLine
from cleanclaim.pricing import PricingOptions, price_claim

PFS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-pfs-2025"
pytestmark = pytest.mark.skipif(not PFS.exists(), reason="shared CMS files not present")
CODES = ("97140", "97110", "97530", "97112", "97124", "97161", "99213", "G0283")


def _rvus() -> dict[str, list[str]]:
    with open(PFS / "PPRRVU2025_Oct.csv", newline="", encoding="latin-1") as fh:
        return {r[0]: r for r in csv.reader(fh) if r and r[0] in CODES and not r[1]}


@pytest.mark.parametrize("code", CODES)
def test_store_rvus_equal_cms_file(store, code):
    row = _rvus()[code]  # by position: 5 work, 6 non-fac PE, 8 facility PE, 10 MP, 18 MULT PROC, 24 CF
    pfs = store.pfs(code)
    assert (pfs.status, pfs.work_rvu, pfs.pe_nonfacility_rvu, pfs.pe_facility_rvu, pfs.mp_rvu, pfs.mult_proc) == \
        (row[3], float(row[5]), float(row[6]), float(row[8]), float(row[10]), row[18])
    assert Decimal(row[24]) == Decimal("32.3465")


def test_albany_locality_and_gpci_equal_cms_files(store):
    zips = [ln for ln in (PFS / "ZIP5_OCT2025.txt").read_text().splitlines() if ln[2:7] == "12203"]
    carrier, locality, plus4 = zips[0][7:12], zips[0][12:14], zips[0][20]
    assert (carrier, locality, plus4) == ("13282", "99", "0")
    with open(PFS / "GPCI2025.csv", newline="") as fh:
        gpci = next(r for r in csv.reader(fh) if r[:1] == [carrier] and r[2] == locality)
    assert [float(v) for v in gpci[4:7]] == [1.0, 0.949, 0.732]
    line = ServiceLine(1, "97140", ["GP"], units=Decimal(1), date_of_service=date(2025, 6, 2))
    price = price_claim(Claim("A", payer=Payer(claim_filing_indicator="MB"),
                              billing_provider=Provider("billing", zip_code="12203"), lines=[line]),
                        store, config=PricingOptions())
    rvu = _rvus()["97140"]
    by_hand = (Decimal(rvu[5]) * Decimal(gpci[4]) + Decimal(rvu[6]) * Decimal(gpci[5])
               + Decimal(rvu[10]) * Decimal(gpci[6])) * Decimal(rvu[24])
    assert price.lines[0].allowed == by_hand.quantize(Decimal("0.01")) == Decimal("26.42")


def test_zip_plus4_flag_equals_cms_file(store):
    flagged = [ln[2:7] for ln in (PFS / "ZIP5_OCT2025.txt").read_text().splitlines() if ln[20:21] == "1"]
    assert len(flagged) == 580 and "07726" in flagged
    assert all(store.zip_locality(z).plus4_required for z in flagged[:50])
