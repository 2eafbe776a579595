"""NegEx / ConText trigger terms (Chapman et al. 2001, J Biomed Inform 34:301-310;
Harkema et al. 2009, J Biomed Inform 42:839-851), compiled once.

Pre triggers act on the words after them, post triggers on the words before; pseudo
triggers look like triggers and are not; termination terms end a scope.
"""

from __future__ import annotations

import re


def _words(*phrases: str) -> re.Pattern:
    alternatives = "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(r"(?<![\w/])(?:" + alternatives + r")(?![\w/])", re.IGNORECASE)


# NegEx pre-negation triggers (Chapman et al. 2001, table 1, and the 2009 list).
NEGATION_PRE = _words(
    "no", "not", "denies", "denied", "deny", "denying", "without", "negative for", "neg for",
    "no signs of", "no sign of", "no evidence of", "no evidence", "absence of", "absent",
    "free of", "never", "none", "nor", "rules out", "ruled out", "not demonstrate",
    "no complaints of", "no c/o", "fails to reveal", "unremarkable for", "resolution of",
    "no new", "not have", "doesn't have", "does not have", "did not have", "w/o", "negative",
    "non", "no history of", "no hx of", "no h/o", "no report of", "no reports of",
    "not report", "did not report", "does not report", "no longer has",
)
# NegEx post-negation triggers.
NEGATION_POST = _words(
    "denied", "absent", "not present", "not seen", "not noted", "not observed",
    "is ruled out", "are ruled out", "was ruled out", "were ruled out", "ruled out",
    "was negative", "were negative", "is negative", "are negative", "negative", "neg",
    "none", "resolved", "unlikely", "free", "not reported", "not found", "not appreciated",
    "not elicited", "not tested", "nil",
)
# Pseudo triggers: look like negation, are not (NegEx).
PSEUDO = _words(
    "no increase", "no change", "no significant change", "no further", "not only",
    "not necessarily", "not certain", "not certain if", "not ruled out", "no longer",
    "gram negative", "without difficulty", "without any further", "not drain", "not cause",
    "no interval change", "not all", "not just", "without fail", "not been able",
    "not able", "unable", "cannot", "can not", "can't", "could not", "is not able",
    "non-weight", "non weight", "no more than", "not more than", "not to exceed",
    "not tolerate", "does not tolerate", "did not tolerate", "not sit", "not stand",
    "not walk", "not lift", "not sleep",
)
# Termination terms (NegEx "conjunctions"; ConText termination).
TERMINATION = re.compile(
    r"(?<![\w/])(?:but|however|although|though|nevertheless|yet|except|aside\s+from|apart\s+from|"
    r"still|which|who|because|unless|reports?|reported|reporting|endorses?|endorsed|complains?|"
    r"complained|c/o|states?|stated|notes?|noted|presents?|presented|describes?|rates?|rated|"
    r"today|currently|now|cause\s+of|source\s+of|secondary\s+to|otherwise|while|whereas)"
    r"(?![\w/])|[;\u2014\u2013]|\s--?\s|[ \t]*\t[ \t]*|[ ]{3,}",  # a column gap (3+ spaces, tab) ends a scope
    re.IGNORECASE,
)
# History (ConText "historical"): pre triggers.
HISTORY_PRE = _words(
    "history of", "hx of", "h/o", "hx", "pmh", "pmh of", "pmhx", "past history of",
    "past medical history", "past medical history of", "previous", "previously", "prior",
    "prior history of", "in the past", "formerly", "former", "status post", "s/p",
    "family history of", "fhx of", "fh of", "mother has", "father has", "remote history of",
    "had a history of", "with a history of", "significant for a history of", "last visit",
    "previous visit", "previous session", "last session", "at last visit", "at eval",
    "at evaluation", "at initial eval", "at initial evaluation", "initial evaluation",
    "at intake", "on intake", "at start of care", "at soc", "at ie", "last week",
    "last year", "last month", "years ago", "as a child",
)
HISTORY_POST = _words(
    "years ago", "yrs ago", "months ago", "weeks ago", "in the past", "previously",
    "at last visit", "last visit", "at eval", "at evaluation", "at intake", "at initial eval",
    "at initial evaluation", "at ie", "at soc", "at start of care", "resolved", "last week",
    "last month", "last year", "prior visit", "previous visit", "last session",
)
# Not history although they look like it.
HISTORY_PSEUDO = _words(
    "history of present illness", "history and physical", "social history", "past week",
    "no history of", "no hx of", "no h/o", "prior to treatment", "prior to tx",
    "prior to session", "prior authorization", "prior auth", "previous level of function",
)
# Hypothetical / future / conditional (ConText "hypothetical").
HYPOTHETICAL_PRE = _words(
    "if", "should", "in case", "in the event", "call if", "return if", "return for",
    "watch for", "monitor for", "as needed", "prn", "will", "plan to", "planned",
    "plan is to", "next visit", "next session", "consider", "considering",
    "might", "goal", "goals", "stg", "ltg", "to achieve", "r/o", "rule out", "possible",
    "at risk for", "risk of", "in order to", "recommend", "recommended", "recommends",
)
HYPOTHETICAL_POST = _words("next visit", "next session", "if needed", "as needed", "prn",
                           "as tolerated next visit")
