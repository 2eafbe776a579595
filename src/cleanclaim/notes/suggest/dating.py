"""Dates a note states: its date of service, the last menstrual period and the due date.

Gestational age is counted from the first day of the last menstrual period (ICD-10-CM
chapter 15 note on trimesters), so GA = date of service - LMP; an estimated date of
delivery (EDD/EDC) lies 280 days (40w0d) after the LMP (Naegele's rule, ACOG Committee
Opinion 700 "Methods for Estimating the Due Date"), so GA = 280 days - (EDD - date of service).
"""

from __future__ import annotations

import re
from datetime import date, datetime

_I = re.IGNORECASE
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
DATE = (r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{4}"
        rf"|(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        rf"|\d{{1,2}}\s+(?:{_MONTHS})[a-z]*\.?,?\s+\d{{4}})")
DOS = re.compile(r"\b(?:DOS|date of service|date of visit|visit date|service date|encounter date|"
                 r"date seen|treatment date|date)\b\s*[:#-]?\s*" + DATE, _I)
LMP = re.compile(r"\b(?:LMP|last menstrual period|last period)\b\s*(?:was|of|on|=|:|-)?\s*(?:on\s+)?" + DATE, _I)
EDD = re.compile(r"\b(?:EDD|EDC|estimated (?:date of )?(?:delivery|due date|date of confinement)|due date|due)\b"
                 r"\s*(?:is|was|of|on|=|:|-)?\s*(?:on\s+)?(?:by\s+)?(?:\w+\s+)?" + DATE, _I)
FULL_TERM_DAYS = 280


def parse_date(text: str) -> date | None:
    """A date written as ISO, US numeric (M/D/YYYY, M/D/YY, M-D-YYYY) or with a month name."""
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text.strip().rstrip(".,"))
    text = re.sub(r"\s+", " ", text.replace(".", "").replace(",", ""))
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%b %d %Y", "%B %d %Y",
                "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text[:4].lower() == "sept":
        return parse_date("Sep" + text[4:])
    return None


def date_of_service(text: str) -> date | None:
    """The first date the note labels as its date of service (DOS, Date of service, Date: ...)."""
    for m in DOS.finditer(text):
        found = parse_date(m.group(1))
        if found:
            return found
    return None


def gestational_age_from_dates(text: str, dos: date | None) -> tuple[int, int, tuple[int, int], str] | None:
    """(weeks, days, span, basis) from an LMP or an EDD written in the note, on ``dos``."""
    if dos is None:
        return None
    for regex, basis in ((LMP, "LMP"), (EDD, "EDD")):
        for m in regex.finditer(text):
            when = parse_date(m.group(1))
            if when is None:
                continue
            days = (dos - when).days if basis == "LMP" else FULL_TERM_DAYS - (when - dos).days
            if 28 <= days <= 43 * 7:
                return days // 7, days % 7, (m.start(), m.end()), f"{basis} {when.isoformat()}"
    return None
