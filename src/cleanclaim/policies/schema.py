"""The policy-pack schema, checked in plain Python.

A pack is one YAML file::

    pack: commercial-default          # name other packs extend
    title: Commercial plans (defaults)
    extends: base                     # the pack this one overlays (omit for a root)
    applies_to: {payer_types: [commercial]}   # also payer_ids: [...], states: [NY]
    remove: [some.rule-id]            # drop rules inherited from the packs below
    enforcement: payer                # payer (default): the payer's own policy; assumed: a default
    visit_caps:                       # one list per section below
      - id: commercial.visit-cap      # same id as an inherited rule = replaces it
        effective_from: 2024-01-01
        effective_to: null            # open-ended
        citation: "payer document and date"
        disciplines: [PT, OT, SLP]
        visits: 30

Every rule has ``id``, ``effective_from``, ``citation`` (and may have ``effective_to``
and ``note``); the other keys depend on the section (see SECTIONS). Problems come back
as :class:`PackError` naming file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .yamlload import LinedDict, LinedList

DISCIPLINES = ("PT", "OT", "SLP", "MT")  # MT: massage therapy outside a therapy plan of care
PAYER_TYPES = ("medicare", "medicaid", "commercial")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# CPT category I (5 digits), category II/III, PLA, MAAA (4 digits + F/T/U/M), HCPCS level II
# (a letter A-V + 4 digits): the shapes `history import-auths` accepts (store/imports.py).
from ..store.keys import PROCEDURE_CODE  # noqa: E402

PROCEDURE_PREFIX = re.compile(r"\d{1,5}|\d{4}[FTUM]|[A-V]\d{0,4}")  # what may stand before '*'
# ICD-10-CM: a letter, a digit, an alphanumeric (category), then up to 4 more after an optional dot.
ICD_CODE = re.compile(r"[A-Z]\d(?:[0-9A-Z](?:\.?[0-9A-Z]{1,4})?)?")
TAXONOMY = re.compile(r"^([0-9A-Z]{9}X|[0-9A-Z]{1,9}\*)$")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _list_of(pattern: re.Pattern | tuple, what: str):
    def check(value):
        if not isinstance(value, list) or not value:
            return f"must be a non-empty list of {what}"
        for item in value:
            text = str(item)
            ok = text in pattern if isinstance(pattern, tuple) else bool(pattern.match(text))
            if not ok:
                return f"{item!r} is not {what}"
        return None

    return check


def _of_type(kind, what: str, allow_none: bool = False):
    def check(value):
        if value is None and allow_none:
            return None
        if isinstance(value, bool) and kind is not bool:
            return f"must be {what}"
        if not isinstance(value, kind):
            return f"must be {what}, not {type(value).__name__}"
        return None

    return check


def _positive_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return "must be a number >= 0"
    return None


def _whole(minimum: int, what: str):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {type(value).__name__}"
        if value < minimum:
            return f"must be at least {minimum} ({what})"
        return None

    return check


def _choice(*choices):
    def check(value):
        return None if value in choices else f"must be one of {', '.join(map(str, choices))}"

    return check


def _month_day(value):
    return None if MONTH_DAY.match(str(value)) else "must be MM-DD (e.g. 07-01)"


def _modifier(value):
    return None if MODIFIER.match(str(value)) else "must be a two-character modifier"


CODE_SHAPES = ("5 characters: CPT 5 digits, or 4 digits + F/T/U/M; HCPCS level II a letter A-V + 4 digits; "
               "or a prefix with * (97*), a range (97010-97799), ALL")
ICD_SHAPES = ("ICD-10-CM: a letter, a digit, then letters/digits with an optional dot (M54.50, Z3A, O26.89), "
              "a prefix or a range (R25-R29)")


def procedure_code_problem(text: str) -> str | None:
    """Why ``text`` is not a CPT/HCPCS code, prefix (97*), range (97010-97799) or ALL (None: it is)."""
    if text in ("ALL", "*"):
        return None
    if text.endswith("*"):
        return None if PROCEDURE_PREFIX.fullmatch(text[:-1]) else f"{text!r} is not a CPT/HCPCS prefix ({CODE_SHAPES})"
    if "-" in text:
        first, _, last = text.partition("-")
        bad = [end for end in (first, last) if not PROCEDURE_CODE.fullmatch(end)]
        if bad:
            return f"range {text!r}: {', '.join(repr(b) for b in bad)} is not a CPT/HCPCS code ({CODE_SHAPES})"
        if first > last:
            return f"range {text!r} starts after it ends ({first} > {last})"
        kind = lambda c: (c[0] if c[0].isalpha() else "#", c[-1] if c[-1].isalpha() else "#")  # noqa: E731
        if kind(first) != kind(last):
            return (f"range {text!r} mixes code kinds (CPT category I/II/III, HCPCS level II letter): "
                    "give one range per kind")
        return None
    return None if PROCEDURE_CODE.fullmatch(text) else f"{text!r} is not a CPT/HCPCS code ({CODE_SHAPES})"


def icd_problem(text: str) -> str | None:
    """Why ``text`` is not an ICD-10-CM code, prefix (Z3A, Z3A*) or range (R25-R29) (None: it is)."""
    if "-" in text:
        first, _, last = text.partition("-")
        bad = [end for end in (first, last) if not ICD_CODE.fullmatch(end)]
        if bad:
            return f"range {text!r}: {', '.join(repr(b) for b in bad)} is not {ICD_SHAPES}"
        if first.replace(".", "") > last.replace(".", ""):
            return f"range {text!r} starts after it ends"
        return None
    return None if ICD_CODE.fullmatch(text.rstrip("*")) else f"{text!r} is not {ICD_SHAPES}"


def _items(problem_of, what: str):
    """A non-empty list whose every item passes ``problem_of``; one (index, message) per bad item."""
    def check(value):
        if not isinstance(value, list) or not value:
            return f"must be a non-empty list of {what}"
        found = [(i, problem) for i, item in enumerate(value) if (problem := problem_of(str(item)))]
        return found or None

    return check


CODES = _items(procedure_code_problem, "CPT/HCPCS codes, prefixes (97*), ranges (97010-97799) or ALL")
ICDS = _items(icd_problem, "ICD-10-CM codes, prefixes or ranges (M54.5, Z3A, R25-R29)")
TAXONOMIES = _list_of(TAXONOMY, "a NUCC taxonomy code or prefix (225100000X, 2251*)")
MODIFIERS = _list_of(MODIFIER, "a two-character modifier")
TEXT = _of_type(str, "text")
BOOL = _of_type(bool, "true or false")
INT = _of_type(int, "a whole number")

# enforcement: "payer" -- the rule is the payer's own published policy (or law): findings keep
# their rule's severity; "assumed" -- a cleanclaim default standing in for a policy the payer
# has not been configured with: its error findings are reported as warnings.
ENFORCEMENT = ("payer", "assumed")

def _date(allow_none: bool = False):
    plain = _of_type(date, "a date YYYY-MM-DD" + (" or null" if allow_none else ""), allow_none)

    def check(value):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{value} is not a calendar date (no such day: {_why_not_a_day(value)})"
        return plain(value)

    return check


def _why_not_a_day(text: str) -> str:
    import calendar

    year, month, day = (int(x) for x in text.split("-"))
    if not 1 <= month <= 12:
        return f"month {month:02d}"
    return f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"


COMMON = {"id": (TEXT, True), "effective_from": (_date(), True),
          "effective_to": (_date(allow_none=True), False),
          "citation": (TEXT, True), "note": (TEXT, False),
          "enforcement": (_choice(*ENFORCEMENT), False)}

# section -> {key: (check, required)}
SECTIONS: dict[str, dict] = {
    "coverage": {"codes": (CODES, True), "covered": (BOOL, True),
                 "liability_modifiers": (MODIFIERS, False)},
    "diagnosis_requirements": {"codes": (CODES, True), "any_of": (ICDS, True),
                               "not_sufficient": (ICDS, False)},
    "credentials": {"codes": (CODES, True), "taxonomies": (TAXONOMIES, True), "allowed": (BOOL, True),
                    "bill_under": (TEXT, False), "modifiers": (MODIFIERS, False)},
    "referral": {"codes": (CODES, True), "taxonomies": (TAXONOMIES, False),
                 "accepts": (_list_of(("referring_provider", "referral_number"), "referring_provider "
                                      "or referral_number"), False)},
    "prior_auth": {"codes": (CODES, True), "required": (BOOL, True)},
    "visit_caps": {"disciplines": (_list_of(DISCIPLINES, "PT, OT, SLP or MT"), True),
                   "visits": (_whole(1, "a cap of 0 visits would deny every visit; use coverage: covered: false"),
                              True),
                   "benefit_year": (_choice("calendar", "plan"), False), "plan_year_start": (_month_day, False),
                   "visit_unit": (_choice("date_per_discipline", "date"), False)},
    "dollar_caps": {"disciplines": (_list_of(DISCIPLINES, "PT, OT, SLP or MT"), True),
                    "amount": (_positive_number, True), "basis": (_choice("allowed", "charge"), False),
                    "benefit_year": (_choice("calendar", "plan"), False), "plan_year_start": (_month_day, False)},
    "kx_thresholds": {"year": (INT, True), "amount": (_positive_number, True),
                      "disciplines": (_list_of(DISCIPLINES, "PT, OT, SLP or MT"), True)},
    "modifiers": {"modifier": (_modifier, True),
                  "kind": (_choice("discipline", "assistant", "liability", "threshold"), True),
                  "discipline": (_choice(*DISCIPLINES), False), "meaning": (TEXT, True),
                  "payment_percent": (_positive_number, False)},
    "pfs_status": {"status": (TEXT, True), "meaning": (TEXT, True), "paid": (BOOL, True)},
    "timely_filing": {"days": (_whole(1, "days after the date of service"), True),
                      "next_workday": (BOOL, False)},  # a last day off work moves to the next workday
    "unit_method": {"method": (_choice("cms-8-minute", "cpt-midpoint"), True)},
    "edit_tables": {"ptp": (TEXT, True), "mue": (TEXT, True), "shipped": (BOOL, True)},
}
TOP = {"pack": (TEXT, True), "title": (TEXT, True), "extends": (TEXT, False),
       "applies_to": (None, False), "remove": (_list_of(re.compile(r".+"), "a rule id"), False),
       "notes": (TEXT, False), "enforcement": (_choice(*ENFORCEMENT), False)}
APPLIES_TO = {"payer_types": _list_of(PAYER_TYPES, "medicare, medicaid or commercial"),
              "payer_ids": _list_of(re.compile(r"^\S+$"), "a payer id"),
              "states": _list_of(re.compile(r"^[A-Z]{2}$"), "a two-letter state code")}


@dataclass(frozen=True)
class PackError:
    """One problem in a pack file: where it is and why."""

    path: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path  # line 0: the file or folder itself
        return f"{where}: {self.key}: {self.message}"


def validate(doc, path: str) -> list[PackError]:
    """Every schema problem in one loaded pack document (empty list = valid)."""
    if not isinstance(doc, LinedDict):
        return [PackError(path, getattr(doc, "line", 1) or 1, "pack", "the file must be a YAML mapping")]
    errors: list[PackError] = []

    def err(line: int, key: str, message: str) -> None:
        errors.append(PackError(path, line, key, message))

    for key in doc:
        if key not in TOP and key not in SECTIONS:
            known = ", ".join(list(TOP) + list(SECTIONS))
            err(doc.line_of(key), str(key), f"unknown key (known: {known})")
    for key, (check, required) in TOP.items():
        if key not in doc:
            if required:
                err(doc.line or 1, key, "required key is missing")
            continue
        if check and (problem := check(doc[key])):
            err(doc.line_of(key), key, problem)
    if isinstance(doc.get("pack"), str) and not NAME.match(doc["pack"]):
        err(doc.line_of("pack"), "pack", "use lower-case letters, digits, '.', '-' or '_'")
    _check_applies_to(doc, err)
    seen: dict[str, int] = {}
    for section in [k for k in doc if k in SECTIONS]:  # file order: a repeated id is named where it repeats
        spec = SECTIONS[section]
        entries = doc[section]
        if not isinstance(entries, LinedList):
            err(doc.line_of(section), section, "must be a list of rules")
            continue
        for i, entry in enumerate(entries):
            where = f"{section}[{i}]"
            if not isinstance(entry, LinedDict):
                err(entries.line_of(i), where, "each rule must be a mapping")
                continue
            _check_entry(entry, where, {**COMMON, **spec}, err)
            rule_id = entry.get("id")
            if isinstance(rule_id, str):
                if rule_id in seen:
                    err(entry.line_of("id"), f"{where}.id", f"id {rule_id!r} already used on line {seen[rule_id]}")
                seen[rule_id] = entry.line_of("id")
    return errors


def _check_applies_to(doc: LinedDict, err) -> None:
    value = doc.get("applies_to")
    if value is None:
        return
    if not isinstance(value, LinedDict):
        err(doc.line_of("applies_to"), "applies_to", "must be a mapping (payer_types, payer_ids, states)")
        return
    for key in value:
        if key not in APPLIES_TO:
            err(value.line_of(key), f"applies_to.{key}", f"unknown key (known: {', '.join(APPLIES_TO)})")
        elif problem := APPLIES_TO[key](value[key]):
            err(value.line_of(key), f"applies_to.{key}", problem)


def check_entry_problems(entry: LinedDict, section: str) -> list[PackError]:
    """The schema problems of one rule of ``section`` (empty: the rule is usable)."""
    found: list[PackError] = []
    _check_entry(entry, section, {**COMMON, **SECTIONS[section]},
                 lambda line, key, message: found.append(PackError("", line, key, message)))
    return found


def _check_entry(entry: LinedDict, where: str, spec: dict, err) -> None:
    for key in entry:
        if key not in spec:
            err(entry.line_of(key), f"{where}.{key}", f"unknown key (known: {', '.join(spec)})")
    for key, (check, required) in spec.items():
        if key not in entry:
            if required:
                err(entry.line, f"{where}.{key}", "required key is missing")
        elif problem := check(entry[key]):
            if isinstance(problem, list):  # one error per bad item, at the item's own line
                value = entry[key]
                for index, message in problem:
                    line = value.line_of(index) if isinstance(value, LinedList) else entry.line_of(key)
                    err(line, f"{where}.{key}", message)
            else:
                err(entry.line_of(key), f"{where}.{key}", problem)
    if entry.get("benefit_year") == "plan" and "plan_year_start" not in entry:
        err(entry.line_of("benefit_year"), f"{where}.plan_year_start",
            "required with benefit_year: plan (MM-DD the plan year starts)")
    start, end = entry.get("effective_from"), entry.get("effective_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        err(entry.line_of("effective_to"), f"{where}.effective_to", "ends before effective_from")
    citation = entry.get("citation")
    if isinstance(citation, str) and len(citation.strip()) < 8:
        err(entry.line_of("citation"), f"{where}.citation", "name the source (NCD/LCD id, manual section, "
                                                            "or payer document and date)")
