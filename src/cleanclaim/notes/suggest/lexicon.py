"""Tokens shared by notes and the ICD-10-CM tabular (notes/data/suggest_lexicon.yaml).

Both sides go through :func:`tokenize`, so a note's "LBP" and the tabular's "Low back pain"
become the same token. Every token keeps the character offsets of the words it came from.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

CONTENT, SOFT, SIDE, ENCOUNTER, TRIMESTER = "content", "soft", "side", "encounter", "trimester"
_WORD = re.compile(r"[A-Za-z][A-Za-z']*|\d+")


@dataclass(frozen=True)
class Token:
    """One normalised token: ``kind`` content | soft | side | encounter | trimester."""

    norm: str
    start: int
    end: int
    kind: str = CONTENT


@dataclass(frozen=True)
class Lexicon:
    stopwords: frozenset
    note_stopwords: frozenset
    soft: frozenset
    irregular: dict
    attributes: tuple  # (compiled regex, kind, value), longest phrases first
    synonyms: tuple  # (compiled regex, canonical words)
    any_synonym: re.Pattern | None = None  # one scan to skip the synonym loop

    def stem(self, word: str) -> str:
        """Lower case, US spelling, irregular and regular plurals folded."""
        w = word.lower().strip("'")
        if w.endswith("'s"):
            w = w[:-2]
        w = self.irregular.get(w, w)
        w = re.sub(r"is(ation|ing|ed|e)$", r"iz\1", w) if "mobilis" in w or "stabilis" in w else w
        if len(w) > 3 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ys", "as")):
            w = w[:-1]
        return self.irregular.get(w, w)


def _phrase_regex(phrases, case_sensitive: bool = False) -> re.Pattern:
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<![\w/])(?:" + alternatives + r")(?![\w/])", 0 if case_sensitive else re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = yaml.safe_load(resources.files("cleanclaim.notes").joinpath("data/suggest_lexicon.yaml").read_text("utf-8"))
    attributes = []
    for kind in (SIDE, ENCOUNTER, TRIMESTER):
        for value, phrases in raw[kind].items():
            single = [p for p in phrases if len(p.rstrip(".")) == 1]
            multi = [p for p in phrases if p not in single]
            if multi:
                attributes.append((_phrase_regex(multi), kind, value))
            if single:  # "R", "L": side only in capitals, never part of "L4-L5"
                attributes.append((re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(s.upper()) for s in single)
                                              + r")(?![\w/-]|\d)"), kind, value))
    synonyms = tuple((re.compile(r"(?<![\w/])(?:" + pattern + r")(?![\w/])", re.IGNORECASE), canonical.split())
                     for pattern, canonical in raw["synonyms"].items())
    any_synonym = re.compile("|".join(f"(?:{r.pattern})" for r, _ in synonyms), re.IGNORECASE)
    return Lexicon(frozenset(raw["stopwords"].split()), frozenset(raw.get("note_stopwords", "").split()),
                   frozenset(str(w) for w in raw["soft"]), dict(raw["irregular"]),
                   tuple(attributes), synonyms, any_synonym)


def tokenize(text: str, lexicon: Lexicon | None = None, *, tabular: bool = False, note: bool = False) -> list[Token]:
    """Tokens of ``text`` in order. ``tabular=True``: words in (parentheses) and [brackets]
    are soft (ICD-10-CM nonessential modifiers and synonyms). ``note=True``: the lexicon's
    note stopwords (ordinary words that are also one-word tabular terms) are dropped."""
    lex = lexicon or load_lexicon()
    taken: list[tuple[int, int]] = []
    out: list[Token] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for regex, kind, value in lex.attributes:
        for m in regex.finditer(text):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                out.append(Token(value, m.start(), m.end(), kind))
    soft_ranges = [(m.start(), m.end()) for m in re.finditer(r"\([^)]*\)|\[[^\]]*\]", text)] if tabular else []
    for regex, words in (lex.synonyms if lex.any_synonym is None or lex.any_synonym.search(text) else ()):
        for m in regex.finditer(text):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                kind = SOFT if any(a <= m.start() < b for a, b in soft_ranges) else CONTENT
                out.extend(Token(lex.stem(w), m.start(), m.end(), kind) for w in words)
    for m in _WORD.finditer(text):
        if not free(m.start(), m.end()):
            continue
        norm = lex.stem(m.group())
        if norm in lex.stopwords or (len(norm) == 1 and not norm.isdigit()):
            continue
        if note and (norm.isdigit() or m.group().lower() in lex.note_stopwords):
            continue
        soft = norm in lex.soft or any(a <= m.start() < b for a, b in soft_ranges)
        out.append(Token(norm, m.start(), m.end(), SOFT if soft else CONTENT))
    out.sort(key=lambda t: (t.start, t.end))
    return out
