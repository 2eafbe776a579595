"""Pure helpers for ICD-10-CM tabular text: code normalisation and note target ranges."""

from __future__ import annotations

import re

# A category is a letter, then a digit or a letter, then a letter or digit: A00, Z3A and the
# FY2026 chapter-17 block QA0 (QA0.0101). In note text a category with a letter second must
# have a digit third, so words in parentheses such as "(HIV)" are not read as codes.
_CATEGORY = r"[A-Z](?:\d[0-9A-Z]|[A-Z]\d)"
_CODE = _CATEGORY + r"(?:\.[0-9A-Z]{0,4})?"
ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}$")
# "(Z34.-)", "(O00-O9A)", "(E08.-E13.-)", "(O31.1-, O31.3-)", "(O99.28, O99.810-O99.815)"
_PAREN = re.compile(r"\(([^()]*)\)")
_SEPARATORS = re.compile(r"^(?:\s|,|;|and|or|-|\.)*$")


def is_icd10cm_shape(code: str) -> bool:
    """Whether a code has the ICD-10-CM shape: 3 to 7 characters, a letter, then a digit or a
    letter, then letters/digits ('M5450', 'Z3A20', 'QA00101'); dotted or not, any case.

    The shape is the one every code of every loaded release has (tests check it against the
    store); whether the code exists on a date is the store's answer, not this one's.
    """
    return bool(ICD10CM_SHAPE.match(normalize_code(code)))


def normalize_code(code: str) -> str:
    """'m54.50 ' -> 'M5450' (no dot, upper case)."""
    return code.strip().replace(".", "").upper()


def _clean(code: str) -> str:
    return normalize_code(code.rstrip("-").rstrip("."))


def parse_targets(text: str) -> tuple[tuple[str, str], ...]:
    """Code ranges named in parentheses of a note, as (first, last) dotless prefixes."""
    targets: list[tuple[str, str]] = []
    for group in _PAREN.findall(text):
        if not re.search(_CODE, group):
            continue
        found: list[tuple[str, str]] = []
        pos = 0
        ok = True
        for match in re.finditer(
            rf"({_CODE})(\.?-)?(?:(\s*-\s*|(?<=-))({_CODE})(\.?-)?)?", group
        ):
            between = group[pos : match.start()]
            if not _SEPARATORS.match(between):
                ok = False
                break
            first = _clean(match.group(1))
            last = _clean(match.group(4)) if match.group(4) else first
            found.append((first, last))
            pos = match.end()
        rest = group[pos:]
        if ok and _SEPARATORS.match(rest):
            targets.extend(found)
    return tuple(targets)


def in_range(code: str, first: str, last: str) -> bool:
    """Whether a dotless code falls in an inclusive prefix range (ICD order is ASCII order)."""
    return first <= code[: len(first)] and code[: len(last)] <= last
