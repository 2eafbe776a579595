"""Run notices about quarterly NCCI tables older than the dates checked."""

from datetime import date

from cleanclaim.codesets.types import TableInfo
from cleanclaim.engine import Summary, table_notices


class _Store:
    def __init__(self, *tables):
        self._tables = tables

    def tables(self):
        return list(self._tables)


def _table(name, release, start, end, origin="bundled"):
    return TableInfo(name, "CMS", release, start, end, 1, "x", origin=origin)


BUNDLED_PTP = _table("ncci_ptp", "CMS NCCI practitioner PTP 2024 Q3", date(2024, 7, 1), date(2024, 9, 30))
BUNDLED_MUE = _table("mue", "CMS NCCI practitioner MUE 2024 Q3", date(2024, 7, 1), date(2024, 9, 30))


def _summary(last):
    summary = Summary()
    summary.last_date = last
    return summary


def test_old_quarter_is_named_for_later_dates():
    (ptp, mue) = table_notices(_Store(BUNDLED_PTP, BUNDLED_MUE), _summary(date(2026, 9, 28)))
    assert "PTP 2024 Q3 (ncci_ptp) is in force to 2024-09-30" in ptp and "import-ncci" in ptp
    assert "(mue)" in mue


def test_an_imported_later_quarter_silences_the_bundled_one():
    imported = _table("ncci_ptp:2026Q4", "CMS NCCI PTP 2026Q4 (imported)", date(2026, 10, 1), None, "imported")
    notices = table_notices(_Store(BUNDLED_PTP, imported, BUNDLED_MUE), _summary(date(2026, 11, 2)))
    assert len(notices) == 1 and "(mue)" in notices[0]


def test_a_medicaid_import_does_not_silence_the_medicare_notice():
    """Medicaid's own tables apply to Medicaid claims only: Medicare's bundled quarter stays old."""
    medicaid = _table("ncci_ptp:medicaid:2026Q4", "CMS Medicaid NCCI PTP 2026Q4 (imported)",
                      date(2026, 10, 1), None, "imported")
    notices = table_notices(_Store(BUNDLED_PTP, medicaid, BUNDLED_MUE), _summary(date(2026, 11, 2)))
    assert len(notices) == 2 and "PTP 2024 Q3 (ncci_ptp)" in notices[0]
