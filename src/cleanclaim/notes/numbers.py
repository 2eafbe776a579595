"""Number words as digits, offsets kept: dictated notes write "five out of ten",
"twenty minutes", "thirteen weeks six days".

:func:`digits_for_words` rewrites each cardinal from zero to ninety-nine ("twenty-two",
"twenty two", "forty") as its digits padded with spaces to the word's length, so every
offset into the result is an offset into the original text (spans, lines and quotes stay
valid). The element extractors read the result, so the same patterns find a pain score,
timed minutes and a plan of care whether the figure is dictated or typed (CMS 100-02
ch.15 §220.3: the figures must be documented, not typed in a given form).
"""

from __future__ import annotations

import re

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}

_NUMBER = re.compile(
    r"(?<![\w-])(?:(?P<tens>" + "|".join(_TENS) + r")(?:[- ](?P<unit>" + "|".join(_UNITS) + r"))?"
    r"|(?P<single>" + "|".join(list(_TEENS) + list(_UNITS)) + r"))(?![\w])",
    re.IGNORECASE,
)


# The same cardinals as a non-capturing pattern, to embed in other patterns (gestational age).
NUMBER_WORDS = (r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_UNITS) + r"))?"
                r"|" + "|".join(list(_TEENS) + list(_UNITS)) + r")")


def number_value(words: str) -> int | None:
    """'thirteen' -> 13, 'twenty-eight' -> 28; None when ``words`` is not one cardinal."""
    m = _NUMBER.fullmatch(words.strip())
    return _value(m) if m else None


def _value(m: re.Match) -> int:
    if m.group("single"):
        word = m.group("single").lower()
        return _TEENS.get(word, _UNITS.get(word, 0))
    value = _TENS[m.group("tens").lower()]
    if m.group("unit"):
        value += _UNITS[m.group("unit").lower()]
    return value


def digits_for_words(text: str) -> str:
    """``text`` with cardinal number words written as digits, same length (space-padded)."""
    def repl(m: re.Match) -> str:
        digits = str(_value(m))
        return digits + " " * (len(m.group()) - len(digits))
    return _NUMBER.sub(repl, text)
