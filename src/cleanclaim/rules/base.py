"""The rule decorator, the registry and the context rules receive.

Rules stay pure: they read the claim and ready lookups from ``ctx`` and return
findings. They never open files or databases themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..findings import Finding

if TYPE_CHECKING:
    from ..codesets.store import CodeStore
    from ..model import Claim

DOC_SECTIONS = ("What it checks", "Why payers deny it", "Example", "Fix", "Authority")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,3}\d{3}$")  # DX001, X12001, FHIR001


@dataclass
class RuleContext:
    """What a rule may look at besides the claim."""

    store: "CodeStore"
    as_of: date
    payer_type: str | None = None  # medicare | medicaid | commercial (from --payer)
    options: dict[str, Any] = field(default_factory=dict)
    # Claim/remit history (cleanclaim.store) when the run has one; None for a plain scrub.
    history: Any = None
    # Per-run caches of values derived from immutable inputs (codes, dates): memo(name).
    caches: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)
    _claim: Any = field(default=None, repr=False, compare=False)
    _claim_memo: dict = field(default_factory=dict, repr=False, compare=False)
    _payer_types: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, name: str, limit: int = 65536) -> dict:
        """A per-run cache dict for ``name`` (emptied when it grows past ``limit`` entries).

        Keys must hold every input the cached value depends on (codes, dates, release).
        """
        cache = self.caches.get(name)
        if cache is None or len(cache) > limit:
            cache = self.caches[name] = {}
        return cache

    def claim_memo(self, claim: "Claim") -> dict:
        """Scratch space for values several rules derive from the same claim object.

        Emptied when another claim is checked (and by the engine before every claim).
        """
        if self._claim is not claim:
            self._claim = claim
            self._claim_memo = {}
        return self._claim_memo

    def payer_type_for(self, claim: "Claim") -> str:
        """--payer wins; else SBR09 (MB -> medicare, MC -> medicaid, others -> commercial);
        with no SBR09, the payer name when it says MEDICARE or MEDICAID (see payer_type_basis)."""
        if self.payer_type:
            return self.payer_type
        payer = claim.payer  # the answer rests on SBR09 and the payer name only: asked once each
        key = (payer.claim_filing_indicator, payer.name)
        found = self._payer_types.get(key)
        if found is None:
            if len(self._payer_types) > 4096:
                self._payer_types.clear()
            found = self._payer_types[key] = payer_type_basis(claim)[0]
        return found

    def ncci_program(self, claim: "Claim") -> str:
        """Whose NCCI PTP/MUE tables apply: 'medicaid' for a Medicaid claim (the store falls
        back to Medicare's when no Medicaid table is imported), else 'medicare'."""
        return "medicaid" if self.payer_type_for(claim) == "medicaid" else "medicare"


def payer_type_basis(claim: "Claim") -> tuple[str, str]:
    """(payer type, where it came from: 'SBR09' | 'payer name' | 'assumed') without --payer.

    A missing SBR09 (837P TR3 2000B SBR09, required) leaves the payer name: one naming
    MEDICARE (not Medicare Advantage, not also MEDICAID) is Medicare, one naming MEDICAID or
    MEDI-CAL (not also MEDICARE) is Medicaid; anything else is assumed commercial.
    """
    indicator = (claim.payer.claim_filing_indicator or "").strip().upper()
    if indicator:
        if indicator in ("MA", "MB", "MEDICARE"):
            return "medicare", "SBR09"
        if indicator in ("MC", "MEDICAID"):
            return "medicaid", "SBR09"
        return "commercial", "SBR09"
    words = set(re.findall(r"[A-Z]+(?:-[A-Z]+)?", (claim.payer.name or "").upper()))
    medicare = "MEDICARE" in words and not words & {"ADVANTAGE", "MAPD", "HMO", "PPO", "SUPPLEMENT"}
    medicaid = bool(words & {"MEDICAID", "MEDI-CAL"})
    if medicare and not medicaid:
        return "medicare", "payer name"
    if medicaid and "MEDICARE" not in words:
        return "medicaid", "payer name"
    return "commercial", "assumed"


@dataclass
class Rule:
    code: str
    name: str
    severity: str
    func: Callable[["Claim", RuleContext], Iterable["Hit"]]
    summary: str
    doc: str
    carc: str | None = None

    @property
    def family(self) -> str:
        return self.code[:-3]

    def sections(self) -> dict[str, str]:
        """The doc split by its '## Heading' sections."""
        parts: dict[str, str] = {}
        current = None
        for line in self.doc.splitlines():
            m = re.match(r"^\s*##\s+(.+?)\s*$", line)
            if m:
                current = m.group(1)
                parts[current] = ""
            elif current:
                parts[current] += line.strip() + "\n"
        return {k: v.strip() for k, v in parts.items()}

    def finding(self, hit: "Hit", claim_id: str | None) -> Finding:
        """The Finding for one hit of this rule, with code, name, severity and CARC."""
        return Finding(
            code=self.code,
            name=self.name,
            severity=hit.severity or self.severity,
            message=hit.message,
            fix=hit.fix,
            authority=hit.authority,
            line=hit.line,
            claim_id=claim_id,
            fix_safety=hit.fix_safety,
            carc=hit.carc or self.carc,
            details=dict(hit.details),
        )


@dataclass
class Hit:
    """What a rule function yields; the engine turns it into a Finding."""

    message: str
    line: int | None = None
    fix: str | None = None
    authority: str | None = None
    severity: str | None = None  # overrides the rule's default
    fix_safety: str | None = None  # "safe" | "unsafe"
    carc: str | None = None
    details: dict = field(default_factory=dict)


REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str = "error", carc: str | None = None):
    """Register a rule. Its docstring is its documentation (see DOC_SECTIONS)."""
    if not CODE_PATTERN.match(code):
        raise ValueError(f"bad rule code {code!r}")

    def register(func):
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        doc = (func.__doc__ or "").strip("\n")
        summary = doc.strip().splitlines()[0].strip() if doc.strip() else name
        REGISTRY[code] = Rule(code, name, severity, func, summary, _dedent(doc), carc)
        func.rule = REGISTRY[code]
        return func

    return register


def _dedent(text: str) -> str:
    import textwrap

    lines = text.splitlines()
    if not lines:
        return ""
    return (lines[0].strip() + "\n" + textwrap.dedent("\n".join(lines[1:]))).strip()


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in patterns)


# Problems met while reading input are reported whatever --select says (a claim that was
# not read whole must never be called clean); only an explicit --ignore turns one off.
ALWAYS_ON = ("X12", "CSV", "FHIR")


def select_rules(
    rules: dict[str, Rule], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Rule]:
    """Rules whose code matches a --select code/prefix (default ALL) and no --ignore one.

    Raises ValueError for a code or prefix that matches no rule (a typo must not turn
    every check off silently).
    """
    select = [s.strip().upper() for s in (select or ["ALL"]) if s.strip()] or ["ALL"]
    ignore = [s.strip().upper() for s in (ignore or []) if s.strip()]
    for pattern in select + ignore:
        if pattern != "ALL" and not any(code.startswith(pattern) for code in rules):
            raise ValueError(f"{pattern!r} matches no rule code; `cleanclaim rule` lists them")
    return [
        r
        for code, r in sorted(rules.items())
        if (code.startswith(ALWAYS_ON) or _matches(code, select)) and not _matches(code, ignore)
    ]
