"""Aftercare Z codes: rehabilitation after a joint replacement.

ICD-10-CM tabular Z47.1 "Aftercare following joint replacement surgery", with its note "Use
additional code to identify the joint (Z96.6-)"; Official Guidelines I.C.21.c.7: aftercare
codes cover the healing or recovery phase after the initial treatment and are generally
first-listed; the status code Z96.6- goes with them. Once the recovery phase is over, the
joint's presence is a status (Z96.6-) only. Aftercare of an injury is NOT coded with Z47.- but
with the injury code and 7th character D (the tabular's Excludes1 at Z47: "aftercare for
healing fracture-code to fracture with 7th character D"); that is done by the tabular search.
"""

from __future__ import annotations

import re
from datetime import date

from .dating import DATE, parse_date

JOINT_STATUS = "Z966"  # Z96.6- Presence of orthopedic joint implants
AFTERCARE = "Z471"
RECOVERY_DAYS = 183  # the recovery phase after joint replacement: about six months of rehabilitation

_I = re.IGNORECASE
POSTOP = re.compile(r"\b(?:post[- ]?op(?:erative)?(?! history)|POD\s*#?\s*\d+|aftercare)\b", _I)
INTERVAL = re.compile(r"\b(\d{1,3})\s*(days?|d|weeks?|wks?|w|months?|mos?)\s+(?:s/p|status post|post[- ]?op\w*|"
                      r"after|following|out from|since)\b", _I)
AGO = re.compile(r"\b(?:s/p|status post|post[- ]?op\w*|after)\b[^.\n]{0,50}?\b(\d{1,3})\s*(days?|d|weeks?|wks?|w|months?|mos?)"
                 r"\s+ago\b", _I)
SURGERY_DATE = re.compile(r"\b(?:arthroplasty|replacement|TKA|THA|TSA|TKR|THR|surgery|operation)\b[^.\n]{0,30}?"
                          + DATE, _I)
PER_DAY = {"d": 1, "w": 7, "m": 30}


def recent_surgery(text: str, dos: date | None) -> tuple[int, int] | None:
    """The span saying the operation was recent (post-op, "6 weeks s/p", a surgery date within
    the recovery phase of the date of service), else None."""
    for m in [*INTERVAL.finditer(text), *AGO.finditer(text)]:
        days = int(m.group(1)) * PER_DAY[m.group(2)[0].lower()]
        if days <= RECOVERY_DAYS:
            return m.start(), m.end()
    if dos is not None:
        for m in SURGERY_DATE.finditer(text):
            when = parse_date(m.group(1))
            if when is not None and 0 <= (dos - when).days <= RECOVERY_DAYS:
                return m.start(), m.end()
    m = POSTOP.search(text)
    return (m.start(), m.end()) if m else None


def joint_aftercare(found: dict, note, dos, store, release_id: str, make) -> None:
    """Add Z47.1 (first-listed) beside a Z96.6- status code when the replacement is recent."""
    status = [c for c in found.values() if c.code.startswith(JOINT_STATUS)]
    if not status or AFTERCARE in found:
        return
    code = store.icd_code(AFTERCARE, release_id)
    if code is None or not code.billable:
        return
    span = recent_surgery(note.text, dos if isinstance(dos, date) else None)
    if span is None:
        return
    best = max(status, key=lambda c: c.score)
    found[AFTERCARE] = make(AFTERCARE, max(best.score, 0.9) + 0.1, [span],
                            f"rehabilitation in the recovery phase after joint replacement "
                            f"({note.text[span[0]:span[1]]!r}): Z47.1 {code.description} first, with the joint's "
                            "Z96.6- code (tabular 'use additional code'; guideline I.C.21.c.7)",
                            set(best.sections) | {"assessment"})
