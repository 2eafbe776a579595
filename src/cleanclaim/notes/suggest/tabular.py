"""An in-memory search index over one ICD-10-CM release: titles and inclusion terms.

Every billable code is indexed under its title and under the tabular's inclusion terms
written at the code or at one of its non-billable ancestors (a term under M54.5 applies
to M54.50..M54.59). Sibling codes that differ only by side, 7th-character encounter or
trimester share a *family* (same category, same content words); a family is resolved to
one code from the attributes documented in the note.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .lexicon import CONTENT, ENCOUNTER, SIDE, SOFT, TRIMESTER, Token, load_lexicon, tokenize

_CODE_REF = re.compile(r"\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z-]+)?\b")
# a side written with its limb in a title ("right upper limb", "bilateral upper limbs",
# "unspecified upper limb": G56.0-): the limb is soft when the condition has 2+ words of its own
_SIDED_LIMB = re.compile(r"\b(?:right|left|bilateral|unspecified) (?:upper|lower) (?:limbs?|extremit(?:y|ies))\b", re.I)
_NOT_SPECIFIED = re.compile(r"\b(?:not specified as|unspecified (?:as|whether))\s+\w+(?:\s+or\s+\w+)?", re.I)
_INDEXES: dict[tuple, "TabularIndex"] = {}
NEAR_WORDS = 3  # the two words of a two-word name at most this many content words apart in a note


@dataclass(frozen=True)
class Name:
    """One way the tabular names a code: its title or an inclusion term."""

    code: str  # no dot
    text: str
    source: str  # title | term | parent_term
    content: frozenset
    soft: frozenset
    side: str | None
    encounter: str | None
    trimester: str | None
    acronym: bool = False  # the name is one abbreviation ("PCP"): ambiguous in free text
    base: frozenset | None = None  # content words before a 7th-character encounter phrase
    alternative: bool = False  # one side of "X or Y" required, the other soft (free-text matching only)


@dataclass
class Match:
    """A name matched by a query: which query tokens it used and how well it is covered."""

    name: Name
    score: float
    coverage: float
    matched: frozenset  # normalised content words found
    tokens: tuple = field(default_factory=tuple)  # the query Tokens used (with offsets)


INDEX_VERSION = "9"


def _cache_file(store, release_id: str) -> Path | None:
    path = getattr(store, "path", None)
    if path is None:
        return None
    lexicon = resources.files("cleanclaim.notes").joinpath("data/suggest_lexicon.yaml").read_bytes()
    code = Path(__file__).read_bytes() + Path(__file__).with_name("lexicon.py").read_bytes()
    digest = hashlib.sha256(lexicon + INDEX_VERSION.encode() + code).hexdigest()[:12]
    return Path(path).with_name(f"{Path(path).stem}.suggest-{release_id}-{digest}.pickle")


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class TabularIndex:
    """Search titles and inclusion terms of one release. Build with :meth:`for_release`."""

    def __init__(self, store, release_id: str, exclude_terms: frozenset = frozenset()) -> None:
        self.release_id = release_id
        lex = load_lexicon()
        self.codes = {c.code: (c.billable, c.description)
                      for c in store.icd_children("", release_id, billable_only=False)}
        self.names: list[Name] = []
        billable = sorted(c for c, (b, _) in self.codes.items() if b)
        for code in billable:
            self._add(code, self.codes[code][1], "title", lex)
        self.below: dict[str, list[str]] = {}
        owners = set()
        for note in store.icd_notes_of_kind(release_id, ("inclusion_term", "includes")):
            owner, text = note.owner, note.text.strip()
            if "-" in owner or owner not in self.codes or _CODE_REF.search(text) or text.lower() in exclude_terms:
                continue
            self._add(owner, text, "term" if self.codes[owner][0] else "parent_term", lex)
            owners.add(owner)
        for code in billable:  # a term under a non-billable code names every billable code below it
            for n in range(3, len(code)):
                if code[:n] in owners:
                    self.below.setdefault(code[:n], []).append(code)
        self._finish()

    def _finish(self) -> None:
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(self.names):
            for word in name.content:
                self.postings[word].append(i)
        # word weights from the tabular's own names (the "X or Y" variants are not counted twice)
        df: dict[str, int] = defaultdict(int)
        for name in self.names:
            if not name.alternative:
                for word in name.content:
                    df[word] += 1
        total = sum(1 for n in self.names if not n.alternative)
        self.idf = {w: math.log((total + 1) / (df.get(w, 0) + 0.5)) for w in self.postings}
        self.families: dict[tuple, list[str]] = defaultdict(list)
        for name in self.names:
            if name.source == "title" and not name.alternative:
                self.families[self.family_key(name)].append(name.code)
        self._title = {}
        for n in self.names:
            if n.source == "title" and not n.alternative:
                self._title.setdefault(n.code, n)

    def __getstate__(self):
        return {"release_id": self.release_id, "codes": self.codes, "names": self.names, "below": self.below}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._finish()

    @classmethod
    def for_release(cls, store, release_id: str, exclude_terms=frozenset()) -> "TabularIndex":
        """The index of a release (cached per process, and on disk next to the store when no
        terms are excluded), optionally without some terms (held-out evaluation)."""
        exclude = frozenset(t.lower().strip() for t in exclude_terms)
        key = (str(getattr(store, "path", id(store))), release_id, hash(exclude))
        if key in _INDEXES:
            return _INDEXES[key]
        cache = _cache_file(store, release_id) if not exclude else None
        index = None
        if cache is not None and cache.exists():
            try:
                with open(cache, "rb") as fh:
                    index = pickle.load(fh)
            except Exception:  # a stale or broken cache is rebuilt
                index = None
        if index is None:
            index = cls(store, release_id, exclude)
            if cache is not None:
                try:
                    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
                    with open(tmp, "wb") as fh:
                        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, cache)
                except OSError:
                    pass
        _INDEXES[key] = index
        return index

    def _add(self, code: str, text: str, source: str, lex) -> None:
        tokens = name_tokens(text, lex)
        # "tear or rupture", "bronchus or lung": either word names the condition; the name is
        # indexed once with each alternative required and the other soft
        self._add_tokens(code, text, source, tokens)
        # variants for notes (free text) only: "X or Y" needs one of the two; "not specified as X"
        # needs no X
        loose = _not_specified_soft(text, tokens)
        pairs = _or_pairs(text, loose)
        for a, b in pairs:
            for drop in (a, b):
                self._add_tokens(code, text, source, [Token(t.norm, t.start, t.end, SOFT) if t is drop else t
                                                      for t in loose], alternative=True)
        if not pairs and loose != tokens:
            self._add_tokens(code, text, source, loose, alternative=True)

    def _add_tokens(self, code: str, text: str, source: str, tokens, alternative: bool = False) -> None:
        limb = _SIDED_LIMB.search(text)
        if limb:  # "Carpal tunnel syndrome, bilateral upper limbs": the limb goes with the side
            inside = [t for t in tokens if t.kind == CONTENT and limb.start() <= t.start < limb.end()]
            if len({t.norm for t in tokens if t.kind == CONTENT} - {t.norm for t in inside}) >= 2:
                tokens = [Token(t.norm, t.start, t.end, SOFT) if t in inside else t for t in tokens]
        content = frozenset(t.norm for t in tokens if t.kind == CONTENT)
        if not content:
            return
        attrs = {k: next((t.norm for t in tokens if t.kind == k), None) for k in (SIDE, ENCOUNTER, TRIMESTER)}
        # a name written only in capitals/digits ("PCP", "HR+", "HR+ with HER2+") is an abbreviation:
        # in free text "hr" (hour) or "pcp" must not match it
        acronym = all(re.fullmatch(r"[A-Z0-9]{2,6}", text[t.start:t.end]) or text[t.start:t.end].isdigit()
                      for t in tokens if t.kind == CONTENT)
        base = None
        if attrs[ENCOUNTER] is not None and len(code) == 7:  # "..., subsequent encounter for closed fracture ..."
            cut = next(t.start for t in tokens if t.kind == ENCOUNTER)
            base = frozenset(t.norm for t in tokens if t.kind == CONTENT and t.start < cut)
        self.names.append(Name(code, text, source, content, frozenset(t.norm for t in tokens if t.kind == SOFT),
                               attrs[SIDE], attrs[ENCOUNTER], attrs[TRIMESTER], acronym, base, alternative))

    @staticmethod
    def family_key(name: Name) -> tuple:
        """Siblings told apart only by side / encounter / trimester. A 7-character code's
        encounter titles differ in more words ("subsequent encounter for closed fracture with
        routine healing"), so its family is every code whose title says the same before that phrase."""
        if name.base is not None:
            return name.code[:3], name.base, "7th"
        return name.code[:3], name.content

    def title(self, code: str) -> str:
        entry = self.codes.get(code)
        return entry[1] if entry else ""

    def title_name(self, code: str) -> Name | None:
        return self._title.get(code)

    def side_of(self, code: str) -> str | None:
        name = self._title.get(code)
        return name.side if name else None

    def weight(self, words) -> float:
        return sum(self.idf.get(w, 0.0) for w in words)

    # ------------------------------------------------------------------ search
    def match(self, tokens: list[Token], *, exclude_prefixes: tuple = (), min_coverage: float = 0.0,
              free_text: bool = False) -> list[Match]:
        """Every name sharing a content word with ``tokens``, scored by how much of the name
        the tokens cover (idf-weighted) and how much of the tokens the name explains.
        ``free_text``: the tokens are a sentence of a note, not a query -- one-abbreviation
        names are skipped and every word of a name must be among the tokens."""
        query = {}
        for t in tokens:
            if t.kind == CONTENT and t.norm in self.idf:
                query.setdefault(t.norm, []).append(t)
        soft_query = {t.norm for t in tokens if t.kind == SOFT}
        query_weight = self.weight(query) or 1.0
        seen: dict[int, int] = {}
        for word in query:
            for i in self.postings.get(word, ()):
                seen[i] = seen.get(i, 0) + 1
        if free_text:  # every word of the name must be there: count, don't score
            seen = {i: n for i, n in seen.items() if n == len(self.names[i].content)}
        out = []
        order = {(t.start, t.norm): n for n, t in enumerate(t for t in tokens if t.kind == CONTENT)}
        for i in seen:
            name = self.names[i]
            if exclude_prefixes and name.code.startswith(exclude_prefixes):
                continue
            if (free_text and name.acronym) or (name.alternative and not free_text):
                continue
            matched = name.content & query.keys()
            if free_text and len(matched) < len(name.content):
                continue  # in free text every word of the name must be there
            own = self.weight(name.content)
            coverage = self.weight(matched) / own if own else 0.0
            if coverage < min_coverage:
                continue
            explained = self.weight(matched) / query_weight
            soft_bonus = 0.02 * len(name.soft & soft_query) - 0.01 * ("other" in name.soft and "other" not in soft_query)
            fit = 2 * coverage * explained / (coverage + explained) if coverage + explained else 0.0
            score = 0.6 * fit + 0.4 * coverage * coverage + soft_bonus + 0.01 * (name.source == "title")
            used = tuple(sorted((t for w in matched for t in query[w]), key=lambda t: t.start))
            if free_text and len(matched) == 2:  # a two-word name is one phrase: "prolonged walking" in a
                a, b = (query[w] for w in matched)  # sentence about pregnancy is no "Prolonged pregnancy"
                if min(abs(order[(x.start, x.norm)] - order[(y.start, y.norm)]) for x in a for y in b) > NEAR_WORDS:
                    continue
            if free_text:
                spread = max(t.end for t in used) - min(t.start for t in used)
                score *= max(0.5, 1.0 - max(0, spread - 30) / 150)  # words far apart: weaker
                if len(name.content) == 1 and self.idf.get(next(iter(name.content)), 0.0) < 7.0:
                    score *= 0.75  # one common word ("Pain, unspecified")
            out.append(Match(name, score, coverage, frozenset(matched), used))
        out.sort(key=lambda m: (-m.score, m.name.code))
        return out

    def resolve(self, name: Name, *, side: str | None = None, encounter: str | None = None,
                trimester: str | None = None, soft_query=frozenset()) -> list[str]:
        """The family member(s) of ``name`` that fit the documented attributes (a bilateral
        condition with no bilateral code gives the right and the left code)."""
        if name.code in self.below:  # a term under a non-billable code: the codes below it
            members = [self._title[c] for c in self.below[name.code] if c in self._title]
        else:
            anchor = self._title.get(name.code, name)
            members = [self._title[c] for c in self.families.get(self.family_key(anchor), [name.code])
                       if c in self._title]
        if not members:
            return [name.code]
        pick = _by_attribute(members, "side", side)
        if side == "bilateral" and not any(m.side == "bilateral" for m in members):
            both = [m for m in members if m.side in ("right", "left")]
            if len({m.side for m in both}) == 2:
                pick = both
        pick = _by_attribute(pick, "encounter", encounter)
        pick = _by_attribute(pick, "trimester", trimester)
        own = name.code if name.source == "term" else None  # an inclusion term names its own code
        if len(pick) > 1 and len({m.side for m in pick}) == 1:
            pick = [_prefer_unspecified(pick, soft_query, own)]
        elif len(pick) > 1:
            by_side: dict = {}
            for m in pick:
                by_side.setdefault(m.side, []).append(m)
            pick = [_prefer_unspecified(group, soft_query, own) for group in by_side.values()]
        return sorted({m.code for m in pick})


def name_tokens(text: str, lex=None) -> list[Token]:
    """Tokens of a tabular name (or a query written like one): words in parentheses and
    brackets are soft (nonessential modifiers, guideline I.A.7-8)."""
    return tokenize(text, lex, tabular=True)


def _not_specified_soft(text: str, tokens) -> list[Token]:
    """What a name says is "not specified as" / "unspecified whether" made soft: a note need not
    say it ("not specified as traumatic")."""
    for m in _NOT_SPECIFIED.finditer(text):
        tokens = [Token(t.norm, t.start, t.end, SOFT) if t.kind == CONTENT and m.start() <= t.start < m.end() else t
                  for t in tokens]
    return tokens


def _or_pairs(text: str, tokens) -> list[tuple[Token, Token]]:
    return [(a, b) for a, b in zip(tokens, tokens[1:]) if a.kind == CONTENT and b.kind == CONTENT
            and re.fullmatch(r"\s+or\s+", text[a.end:b.start])]


def _by_attribute(members: list[Name], attr: str, wanted: str | None) -> list[Name]:
    values = {getattr(m, attr) for m in members}
    if len(values) <= 1:
        return members
    if wanted is not None:
        exact = [m for m in members if getattr(m, attr) == wanted]
        if exact:
            return exact
    unspecified = [m for m in members if getattr(m, attr) is None]
    return unspecified or members


def _prefer_unspecified(members: list[Name], soft_query, own: str | None = None) -> Name:
    def rank(m: Name):  # the member whose own words the query says ("incomplete" tear), the code an
        # inclusion term is written under, else the unspecified one
        return (-len((m.soft | m.content) & soft_query), m.code != own, "other" in m.soft and "other" not in soft_query,
                "unspecified" not in m.soft, len(m.code), m.code)
    return min(members, key=rank)
