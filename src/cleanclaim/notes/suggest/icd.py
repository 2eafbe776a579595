"""ICD-10-CM candidates from a note: affirmed words of each sentence matched against the
tabular of the release in force, resolved to billable codes by side / encounter / trimester,
then the tabular's Excludes1 notes and the chapter-15 conventions (pregnancy.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .aftercare import joint_aftercare
from .context import context_tokens, masked_ranges
from .lexicon import CONTENT, ENCOUNTER, SIDE, SOFT, Token, load_lexicon, tokenize
from .pregnancy import TRIMESTER_NAMES, PregnancyFacts, pregnancy_facts
from .tabular import Match, TabularIndex, dotted

SECTION_WEIGHT = {"assessment": 1.0, "orders": 0.9, "subjective": 0.8, None: 0.8, "objective": 0.5,
                  "treatment": 0.45, "plan": 0.45, "goals": 0.3}
MIN_COVERAGE = 0.7
MIN_WEIGHT = 3.0
PER_SENTENCE = 4
MIN_SCORE = 0.48  # a sentence must be explained by the name to some extent
DEFAULT_ENCOUNTER = "subsequent"  # therapy after active treatment: 7th character D (guideline I.C.19.a)
PREGNANCY_WORDS = ("gestational", "pregnan", "puerper", "obstetric", "maternal", "antenatal")
# words that only say "pregnant": a name matched on these alone is no condition (O26.9-, O30.9-)
PREGNANCY_CONTEXT = frozenset({"pregnancy", "related", "associated", "induced", "prenatal", "antenatal", "week",
                               "weeks", "trimester", "gestational"})
# Z3A by rule; external causes (chapter 20) are not suggested; P codes are for the newborn's record
NOTE_EXCLUDED = ("Z3A", "V", "W", "X", "Y", "P")
STATUS = ("Z9",)  # status codes: "status post ..." is history to ConText but a status to ICD-10-CM


@dataclass
class Candidate:
    code: str  # no dot
    score: float
    spans: list = field(default_factory=list)
    why: str = ""
    rule: str = "tabular"  # tabular | chapter15 | z3a | incidental
    name_text: str = ""
    words: frozenset = frozenset()  # the content words the tabular name matched
    reranked: bool = False
    sections: set = field(default_factory=set)  # sections of the evidence ('' = before any heading)

    @property
    def chapter15(self) -> bool:
        return self.code.startswith("O")


def _section_weight(note, offset: int) -> float:
    names = note.sections_at(offset) if note.section_list else set()
    if "history" in names:
        return 0.0
    if not names:
        return SECTION_WEIGHT[None]
    return max(SECTION_WEIGHT.get(n, 0.6) for n in names)


def _side_for(match: Match, sentence_tokens) -> str | None:
    sides = [t for t in sentence_tokens if t.kind == SIDE]
    if not sides or not match.tokens:
        return None
    if any(t.norm == "bilateral" for t in sides) and len({t.norm for t in sides}) == 1:
        return "bilateral"
    anchor = match.tokens[0].start

    def distance(t):
        return min(abs(t.start - u.start) for u in match.tokens)

    nearest = min(sides, key=lambda t: (distance(t), t.start > anchor))
    return nearest.norm if distance(nearest) <= 60 else None


def _merge(spans, text: str) -> list:
    """Sorted spans, joined where they overlap or only spaces/punctuation lie between."""
    out: list = []
    for a, b in sorted(set(spans)):
        if out and (a <= out[-1][1] or not text[out[-1][1]:a].strip(" ,-/()")):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


LONG_SENTENCE = 300  # characters: a dictated run-on "sentence" is read clause by clause
_CLAUSE = re.compile(r",\s+|;\s+|\s+-{1,2}\s+|\s+[\u2013\u2014]\s+")


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int


def _units(note) -> list:
    """The note's sentences; one longer than LONG_SENTENCE is cut into its clauses (at commas,
    semicolons and dashes) so that a condition named in passing is not diluted by the rest."""
    out = []
    for sentence in note.sentences or []:
        if sentence.end - sentence.start <= LONG_SENTENCE:
            out.append(sentence)
            continue
        start = sentence.start
        for m in _CLAUSE.finditer(note.text, sentence.start, sentence.end):
            out.append(_Unit(start, m.start()))
            start = m.end()
        out.append(_Unit(start, sentence.end))
    return out


def tabular_candidates(note, index: TabularIndex, facts: PregnancyFacts) -> dict[str, Candidate]:
    """Codes whose tabular wording the note's affirmed sentences cover."""
    masked = masked_ranges(note.text)
    tokens = [t for t in tokenize(note.text, note=True) if not any(a <= t.start < b for a, b in masked)]
    tokens, past = context_tokens(note, tokens)
    encounter = next((t.norm for t in tokens if t.kind == ENCOUNTER), DEFAULT_ENCOUNTER)
    found: dict[str, Candidate] = {}
    resolved: dict[tuple, set] = {}
    for sentence in _units(note):
        inside = [t for t in tokens if sentence.start <= t.start < sentence.end]
        before = [t for t in past if sentence.start <= t.start < sentence.end]
        weight = _section_weight(note, sentence.start)
        where = (note.sections_at(sentence.start) if note.section_list else set()) or {""}
        matches = []
        if any(t.kind == CONTENT for t in inside) and weight > 0:
            matches = index.match(inside, exclude_prefixes=NOTE_EXCLUDED, min_coverage=MIN_COVERAGE, free_text=True)
        content = [t for t in inside if t.kind == CONTENT]
        if facts.pregnant and content and weight > 0 and not any(t.norm == "pregnancy" for t in inside):
            # the patient is pregnant: a sentence need not repeat it ("30w1d with dichorionic-diamniotic
            # twins" -> O30.04- "Twin pregnancy, dichorionic/diamniotic"); only chapter-15 names that
            # need two more words of their own may use it
            implied = Token("pregnancy", content[0].start, content[0].start, CONTENT)
            matches += [m for m in index.match(inside + [implied], exclude_prefixes=NOTE_EXCLUDED,
                                               min_coverage=MIN_COVERAGE, free_text=True)
                        if m.name.code.startswith("O") and "pregnancy" in m.matched
                        and len(m.matched - PREGNANCY_CONTEXT - {"pregnancy"}) >= 2]
            matches.sort(key=lambda m: (-m.score, m.name.code))
        if before:  # "status post TKA": only status codes may use historical words
            weight = weight or SECTION_WEIGHT[None]
            matches += [m for m in index.match(inside + before, min_coverage=MIN_COVERAGE, free_text=True)
                        if m.name.code.startswith(STATUS)]
            matches.sort(key=lambda m: (-m.score, m.name.code))
        accepted: list[Match] = []
        for m in matches:
            if len(accepted) >= PER_SENTENCE or m.score < MIN_SCORE:
                break
            if index.weight(m.matched) < MIN_WEIGHT or m.matched <= PREGNANCY_CONTEXT:
                continue
            used = {(t.start, t.norm) for t in m.tokens}
            if any(used <= {(t.start, t.norm) for t in a.tokens} for a in accepted):
                continue  # a better name already explains these words
            accepted.append(m)
        soft_query = frozenset(t.norm for t in inside if t.kind in (SOFT, CONTENT))
        for m in accepted:
            side = _side_for(m, inside + before)
            codes = index.resolve(m.name, side=side, encounter=encounter, trimester=facts.trimester,
                                  soft_query=soft_query)
            resolved.setdefault(index.family_key(m.name), set()).update(codes)
            score = m.score * weight
            spans = _merge([(t.start, t.end) for t in m.tokens], note.text)
            why = (f"the note's words {', '.join(repr(note.text[a:b]) for a, b in spans[:3])} match the tabular "
                   f"{'title' if m.name.source == 'title' else 'inclusion term'} \"{m.name.text}\""
                   + (f" (side: {side})" if side else ""))
            for code in codes:
                cand = found.get(code)
                if cand is None:
                    found[code] = Candidate(code, score, spans, why, name_text=m.name.text, words=m.matched,
                                            sections=set(where))
                    continue
                cand.sections |= where
                cand.words = cand.words | m.matched
                if score > cand.score:
                    cand.why = why
                cand.score = max(cand.score, score) + 0.03
                cand.spans = _merge(cand.spans + spans, note.text)
    # a side written anywhere beats the unspecified-side sibling of the same family
    for codes in resolved.values():
        sided = [c for c in codes if c in found and index.side_of(c)]
        if sided:
            for code in codes:
                if code in found and not index.side_of(code) and len(codes) > 1:
                    found.pop(code)
    _drop_less_specific(found, index)
    return found


def _drop_less_specific(found: dict[str, Candidate], index: TabularIndex) -> None:
    """A residual 'unspecified' code goes when a sibling candidate says more (M54.9 Dorsalgia,
    unspecified next to M54.50), and a code whose matched words are all inside another
    candidate's (R52 Pain next to M54.6 Pain in thoracic spine)."""
    for code in list(found):
        name = index.title_name(code)
        if name is None:
            continue
        others = [c for c in found if c != code]
        if "unspecified" in name.soft and len(code) > 3 and any(o[:len(code) - 1] == code[:-1] for o in others):
            found.pop(code)
            continue
        words = found[code].words
        if words and any(words < found[o].words for o in others):
            found.pop(code)
            continue
        # "Sprain of unspecified ligament of ankle" beside "Sprain of other ligament of ankle"
        # (talofibular): the same category, the other code says more
        if "unspecified" in name.soft and any(o[:3] == code[:3] and (index.title_name(o) or name).content >= name.content
                                              and index.side_of(o) == index.side_of(code) for o in others):
            found.pop(code)


SITE_NEUTRAL = frozenset({"pain", "joint", "unspecified", "other", "site", "region", "ache", "algia"})


def _integral_drop(found: dict[str, Candidate], index: TabularIndex) -> None:
    """Signs and symptoms routinely associated with a definitive diagnosis are not coded
    with it (Official Guidelines I.B.5): R52 Pain, unspecified next to any other pain code or
    diagnosis; a "Pain in <site>" code (M25.56- Pain in knee) next to a diagnosis of the same
    site (M17.- osteoarthritis of knee)."""
    for code in list(found):
        if not _symptom(code, index) or code.startswith(("Z", "O")):
            continue
        others = [o for o in found if o != code and not o.startswith(("Z", "O"))]
        if code == "R52" and any(o != code for o in found):
            found.pop(code)
            continue
        name = index.title_name(code)
        site = (name.content if name else frozenset()) - SITE_NEUTRAL
        for o in others:
            other = index.title_name(o)
            if other is None or _symptom(o, index):
                continue
            if site and site <= other.content | found[o].words:
                found.pop(code)
                break


DIAGNOSTIC_SECTIONS = frozenset({"assessment", "orders"})  # where the provider states the diagnoses
FINDING_SECTIONS = frozenset({"objective", "treatment", "plan", "goals"})  # exam, techniques, intentions


def _anchored(cand: Candidate) -> bool:
    return bool(cand.sections & DIAGNOSTIC_SECTIONS)


def _assessment_drop(found: dict[str, Candidate], index: TabularIndex) -> None:
    """When the assessment (or the order's diagnosis) names conditions, the signs and symptoms
    told elsewhere are theirs: a symptom code found only outside the diagnostic statement goes
    (Official Guidelines IV.D: symptoms are coded when no definitive diagnosis is established;
    I.B.5: not when routinely associated with it), and so does any code found only in the exam,
    the treatment or the plan ("scar mobilization", "SLR reproduces thigh pain", "no pain with
    cough") -- they describe findings and techniques, the diagnosis is the provider's statement."""
    if not any(_anchored(c) for c in found.values()):
        return
    for code in list(found):
        cand = found[code]
        if _anchored(cand):
            continue
        if cand.sections <= FINDING_SECTIONS or (_symptom(code, index) and not code.startswith(("Z", "O"))):
            found.pop(code)


# "scoliosis-related back pain", "back pain due to scoliosis": the symptom is the diagnosis's own
LINK_BEFORE_SYMPTOM = re.compile(r"([A-Za-z]+)[\s-]*(?:related|associated|induced)\s*(?:\w+\s+)?$", re.IGNORECASE)
LINK_AFTER_SYMPTOM = re.compile(r"\s*,?\s*(?:due to|secondary to|caused by|because of|from|attributed to|related to|"
                                r"associated with)\s+([^.;:\n]{0,40})", re.IGNORECASE)


def _linked_symptom_drop(found: dict[str, Candidate], index: TabularIndex, text: str) -> None:
    """A symptom the note ties to a coded diagnosis with "X-related", "due to X", "secondary to X"
    is part of that diagnosis (Official Guidelines I.B.5): not coded beside it."""
    lex = load_lexicon()
    for code in list(found):
        if not _symptom(code, index) or code.startswith(("Z", "O")):
            continue
        words: set = set()
        for start, end in found[code].spans:
            m = LINK_BEFORE_SYMPTOM.search(text, max(0, start - 40), start)
            if m and m.end() == start:
                words.add(lex.stem(m.group(1)))
            m = LINK_AFTER_SYMPTOM.match(text, end)
            if m:
                words |= {lex.stem(w) for w in re.findall(r"[A-Za-z']+", m.group(1))[:4]}
        if words and any(o != code and not _symptom(o, index) and not o.startswith(("Z", "O")) and words & c.words
                         for o, c in found.items()):
            found.pop(code)


def _excludes1_drop(found: dict[str, Candidate], store, release_id: str) -> None:
    """Excludes1 at a candidate naming another candidate: the excluded condition is coded
    there, not here (M54.5 Excludes1 "low back strain (S39.012)": S39.012D stays, M54.50 goes)."""
    for code in list(found):
        for n in store.icd_notes(code, release_id, kinds={"excludes1"}):
            if any(o != code and first <= o[:len(first)] and o[:len(last)] <= last
                   for first, last in n.targets for o in found):
                found.pop(code, None)
                break


def _symptom(code: str, index: TabularIndex) -> bool:
    """Chapter 18 codes and pain codes (M25.5-, M54.-, M79.6-, '...algia'): signs and symptoms,
    sequenced after a definitive diagnosis (guideline I.B.4-I.B.5)."""
    title = index.title(code).lower()
    return code.startswith("R") or "pain" in title or "algia" in title


def chapter15(found: dict[str, Candidate], facts: PregnancyFacts, store, index: TabularIndex,
              release_id: str, note_text: str) -> list[Candidate]:
    """O-codes first for a pregnant patient (guideline I.C.15.a.1), Z3A from completed weeks."""
    # first-listed: the condition the provider's assessment names (Official Guidelines IV.G),
    # a definitive diagnosis before a symptom (I.B.4-I.B.5)
    ordered = sorted(found.values(), key=lambda c: (not _anchored(c), _symptom(c.code, index), -c.score))
    puerperium = facts.postpartum and not facts.ga_strong
    if not facts.pregnant and not puerperium:
        return ordered
    trimester_label = TRIMESTER_NAMES.get(facts.trimester or "", "unspecified")
    tri_why = (f"trimester {trimester_label} from {facts.trimester_source}" if facts.trimester
               else "trimester not documented (unspecified trimester)")
    evidence = [s for s in (facts.ga_span, facts.trimester_span) if s] or facts.pregnant_spans[:1]
    if facts.incidental_span and not puerperium:
        z331 = Candidate("Z331", 0.5, [facts.incidental_span],
                         "the provider states the pregnancy is incidental to the visit: Z33.1 (guideline "
                         "I.C.15.a.1; the tabular excludes Z33.1 with O00-O9A)", "incidental")
        return [c for c in ordered if not c.chapter15] + [z331]
    o_codes = [c for c in ordered if c.chapter15]
    conditions = []
    for cand in [c for c in ordered if not c.chapter15 and not c.code.startswith("Z")]:
        replaced = _pregnancy_excludes(cand, facts, store, index, release_id)
        if replaced is None:
            conditions.append(cand)
            continue
        replaced.spans = _merge(replaced.spans + evidence, note_text)
        if not any(o.code == replaced.code for o in o_codes):
            o_codes.append(replaced)
    specific = [o for o in o_codes if not o.code.startswith(GENERIC_O)]
    groups: dict[str, list] = {}
    for cand in conditions:
        if specific and cand.code.startswith("R"):
            continue  # a chapter-18 symptom beside a specific O-code is no separate complication (I.B.5)
        groups.setdefault(_o_prefix(cand, conditions, facts, puerperium, store, release_id), []).append(cand)
    for prefix, members in groups.items():
        code = _o_code(store, index, release_id, prefix, facts.trimester, puerperium)
        if not code:
            continue
        what = O_PREFIX_WHY.get(prefix) or f"the tabular's O99 subcategory for conditions in {members[0].code[0]}-chapter"
        lead = facts.preexisting_span or facts.related_span or facts.postpartum_span or (facts.pregnant_spans or [None])[0]
        bonus = 0.05 if (facts.related_span or facts.preexisting_span or prefix.startswith("O99")) else -0.05
        stage = ("postpartum: a condition of the puerperium is coded in chapter 15 (guideline I.C.15.o)"
                 if puerperium else f"pregnant patient, chapter 15 first (guideline I.C.15.a.1)")
        o_codes.append(Candidate(code, members[0].score + bonus,
                                 _merge([s for s in [lead, *evidence] if s], note_text),
                                 f"{stage}: {what}; {'puerperium' if puerperium else tri_why}; "
                                 f"then {', '.join(dotted(c.code) for c in members[:3])} for the condition",
                                 "chapter15"))
    result = sorted(o_codes, key=lambda c: (not c.code.startswith("O12"), -c.score)) + conditions
    result += [c for c in ordered if c.code.startswith("Z") and c not in result]
    if facts.weeks is not None and o_codes and not puerperium:
        z3a = _z3a(store, release_id, facts.weeks)
        if z3a:
            result.append(Candidate(z3a, 0.6 if facts.ga_strong else 0.4, [facts.ga_span],
                                    f"gestational age {facts.ga_text}: {facts.weeks} completed weeks -> {dotted(z3a)} "
                                    "(chapter 15 note: use additional code from category Z3A)", "z3a"))
    return result


GENERIC_O = ("O2689", "O9989", "O9089", "O9A2")
O_PREFIX_WHY = {
    "O9A2": "an injury of a pregnant patient: O9A.2- (injury complicating pregnancy, childbirth and the puerperium)",
    "O9989": "a pre-existing condition aggravated by or complicating the pregnancy: O99.89 (tabular O99 includes "
             "conditions aggravated by the pregnancy; O99.8 covers M00-N99)",
    "O2689": "a condition related to the pregnancy with no specific O-code: O26.89- other specified pregnancy "
             "related conditions",
    "O9089": "a condition of the puerperium with no specific O-code: O90.89 other complications of the puerperium",
}
_CONDITIONS_IN = re.compile(r"([A-Z]\d\d)-([A-Z]\d\d)")


def _o99_subcategory(code: str, store, release_id: str) -> str | None:
    """The O99 subcategory whose inclusion term "Conditions in G00-G99" covers ``code``
    (O99.35 for a G-chapter disease); O99.8 (the catch-all) is left to the caller."""
    best = None
    for n in store.icd_notes_of_kind(release_id, ("inclusion_term",)):
        if not n.owner.startswith("O99") or n.owner.startswith("O998") or not n.text.startswith("Conditions in"):
            continue
        if any(first <= code[:3] <= last for first, last in _CONDITIONS_IN.findall(n.text)):
            best = n.owner if best is None or len(n.owner) > len(best) else best
    return best


def _o_prefix(cand: Candidate, conditions, facts, puerperium: bool, store, release_id: str) -> str:
    o99 = _o99_subcategory(cand.code, store, release_id)
    if o99 and not (facts.caused_span and not facts.preexisting_span):
        return o99
    if cand.code[0] in "ST" and all(c.code[0] in "ST" for c in conditions):
        return "O9A2"
    if facts.preexisting_span:
        return "O9989"
    return "O9089" if puerperium else "O2689"


def _o_code(store, index: TabularIndex, release_id: str, prefix: str, trimester, puerperium: bool) -> str | None:
    if not puerperium:
        return _by_trimester(store, index, release_id, prefix, trimester)
    children = sorted(c.code for c in store.icd_children(prefix, release_id))
    if not children:
        code = store.icd_code(prefix, release_id)
        return prefix if code and code.billable else None
    after = [c for c in children if "puerperium" in index.title(c).lower() and "pregnancy" not in index.title(c).lower()
             and "childbirth" not in index.title(c).lower()]
    return after[0] if after else None


def _pregnancy_excludes(cand: Candidate, facts, store, index: TabularIndex, release_id: str) -> Candidate | None:
    """A code whose Excludes1 sends the pregnancy form of the condition to chapter 15
    (R60 Excludes1 "gestational edema (O12.0-)") becomes that O-code."""
    for n in store.icd_notes(cand.code, release_id, kinds={"excludes1"}):
        if not n.targets or not any(w in n.text.lower() for w in PREGNANCY_WORDS):
            continue
        first, last = n.targets[0]
        if not first.startswith("O") or first != last:
            continue
        tokens = tokenize(n.text.split("(")[0])
        said = {t.norm for t in tokens if t.kind == CONTENT} - PREGNANCY_CONTEXT - {"pregnancy", "puerperium"}
        title = index.title_name(cand.code)
        if said and not said <= (cand.words | (title.content if title else frozenset())):
            continue  # the Excludes1 names another condition ("peripheral neuritis in pregnancy" is not CTS)
        matches = [m for m in index.match(tokens) if m.name.code.startswith(first) and m.name.source == "title"]
        if not matches:
            continue
        code = index.resolve(matches[0].name, trimester=facts.trimester)[0]
        return Candidate(code, cand.score + 0.05, list(cand.spans),
                         f"{cand.why}; in pregnancy the tabular's Excludes1 at {dotted(n.owner)} (\"{n.text}\") sends "
                         f"it to {dotted(code)}; trimester {TRIMESTER_NAMES.get(facts.trimester or '', 'unspecified')} "
                         f"from {facts.trimester_source or 'the note'}", "chapter15", n.text)
    return None


def _by_trimester(store, index: TabularIndex, release_id: str, prefix: str, trimester: str | None) -> str | None:
    children = {c.code for c in store.icd_children(prefix, release_id)}
    if not children:
        code = store.icd_code(prefix, release_id)
        return prefix if code and code.billable else None
    names = [index.title_name(c) for c in sorted(children) if index.title_name(c)]
    pregnancy = [n for n in names if "puerperium" not in n.content and "childbirth" not in n.content]
    pick = [n for n in pregnancy if n.trimester == trimester] or [n for n in pregnancy if n.trimester is None]
    pick = pick or pregnancy or names
    return min(pick, key=lambda n: n.code).code if pick else None


def _z3a(store, release_id: str, weeks: int) -> str | None:
    code = "Z3A01" if weeks < 8 else "Z3A49" if weeks > 42 else f"Z3A{weeks:02d}"
    found = store.icd_code(code, release_id)
    return code if found and found.billable else None


def icd_candidates(note, store, release_id: str, index: TabularIndex | None = None,
                   dos=None) -> list[Candidate]:
    """Sequenced ICD-10-CM candidates of a note (chapter 15 first, Z3A last); ``dos`` dates an
    LMP or EDD the note gives."""
    index = index or TabularIndex.for_release(store, release_id)
    facts = pregnancy_facts(note, dos)
    found = tabular_candidates(note, index, facts)
    _excludes1_drop(found, store, release_id)
    _integral_drop(found, index)
    _linked_symptom_drop(found, index, note.text)
    _assessment_drop(found, index)
    joint_aftercare(found, note, dos, store, release_id,
                    lambda code, score, spans, why, sections: Candidate(code, score, spans, why, "aftercare",
                                                                       sections=sections))
    return chapter15(found, facts, store, index, release_id, note.text)
