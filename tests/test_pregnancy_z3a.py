"""Every Z3A reading agrees with its ICD-10-CM tabular title in the shipped store."""

from __future__ import annotations

import re
from datetime import date

from cleanclaim.rules.pregnancy import weeks_from_z3a

# Chapter 15 trimester note: 1st < 14 weeks 0 days; 2nd 14w0d to < 28w0d; 3rd 28w0d until delivery.


def _trimester_from_title(title: str) -> int | None:
    if "not specified" in title:
        return None
    m = re.match(r"(?:(less|greater) than )?(\d+) weeks gestation of pregnancy", title, re.I)
    assert m, title
    weeks = int(m.group(2))
    if m.group(1) and m.group(1).lower() == "less":
        weeks -= 1  # "less than 8 weeks": at most 7 weeks 6 days
    return 1 if weeks < 14 else 2 if weeks < 28 else 3


def test_every_z3a_code_reads_as_its_tabular_title(store):
    release = store.icd_release(date(2026, 9, 15))
    seen = 0
    for n in range(100):
        code = f"Z3A{n:02d}"
        found = store.icd_code(code, release.release_id)
        if found is None:
            continue
        seen += 1
        assert weeks_from_z3a(code)[1] == _trimester_from_title(found.description), (code, found.description)
    assert seen == 38  # Z3A.00, .01, .08-.42 (35 codes) and .49
    assert store.icd_code("Z3A01", release.release_id).description == "Less than 8 weeks gestation of pregnancy"
