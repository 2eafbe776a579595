"""A resolved policy: the dated, cited rules of one pack chain (base -> payer -> overlay)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..codesets.tabular import in_range

DISCIPLINE_BY_TAXONOMY = (  # NUCC taxonomy prefix -> therapy discipline
    ("2251", "PT"), ("2252", "PT"), ("225X", "OT"), ("224Z", "OT"), ("235Z", "SLP"), ("2257", "MT"))
ASSISTANT_TAXONOMIES = ("2252", "224Z")  # PT assistant 225200000X, OT assistant 224Z00000X


@dataclass(frozen=True)
class PolicyRule:
    """One rule of a pack: its section, id, dates, citation and section-specific values."""

    section: str
    id: str
    effective_from: date
    effective_to: date | None
    citation: str
    values: dict[str, Any]
    pack: str
    path: str
    line: int
    key_lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> line in the file

    def active(self, on: date | None) -> bool:
        if on is None:
            return True
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def assumed(self) -> bool:
        """A cleanclaim default standing in for the payer's policy (enforcement: assumed)."""
        return self.values.get("enforcement") == "assumed"

    def severity(self, severity: str | None = None) -> str | None:
        """The finding's severity: an error from an assumed rule is only a warning."""
        return "warning" if self.assumed and severity in (None, "error") else severity

    @property
    def assumed_note(self) -> str:
        """Said after a finding's message when the rule is an assumed default ('' otherwise)."""
        if not self.assumed:
            return ""
        return (f" This is cleanclaim's assumed default ({self.pack} pack), not your payer's published"
                " policy: a warning until your own pack sets it with enforcement: payer.")

    @property
    def authority(self) -> str:
        """The citation plus where the rule lives (pack file and line)."""
        tag = "; enforcement: assumed" if self.assumed else ""
        return f"{self.citation} [policy {self.pack}: {self.id}{tag}]"

    def applies_to_code(self, code: str) -> bool:
        return code_matches(code, self.values.get("codes", ["ALL"]))

    def dates_text(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{self.effective_from.isoformat()}..{end}"


def code_matches(code: str, patterns) -> bool:
    """97124 against ['97124'], ['97*'], ['97010-97799'] or ['ALL']."""
    for pattern in patterns:
        p = str(pattern)
        if p in ("ALL", "*") or p == code:
            return True
        if p.endswith("*") and code.startswith(p[:-1]):
            return True
        if "-" in p:
            first, last = p.split("-", 1)
            if len(code) == len(first) and first <= code <= last:
                return True
    return False


def code_specificity(code: str, patterns) -> int:
    """3 when ``code`` is named itself, 2 by prefix or range, 1 by ALL, 0 not at all."""
    if code in [str(p) for p in patterns]:
        return 3
    if any(str(p) not in ("ALL", "*") for p in patterns) and code_matches(code, [p for p in patterns
                                                                             if str(p) not in ("ALL", "*")]):
        return 2
    return 1 if code_matches(code, patterns) else 0


def icd_matches(code: str, patterns) -> bool:
    """A dotless ICD-10-CM code against prefixes (M, Z3A, O26.89) and ranges (R25-R29)."""
    code = code.replace(".", "").upper()
    for pattern in patterns:
        p = str(pattern).replace(".", "").upper().rstrip("*")
        if "-" in p:
            first, last = p.split("-", 1)
            if in_range(code, first, last):
                return True
        elif code.startswith(p):
            return True
    return False


def taxonomy_matches(taxonomy: str | None, patterns) -> bool:
    if not taxonomy:
        return False
    for pattern in patterns:
        p = str(pattern)
        if p == taxonomy or (p.endswith("*") and taxonomy.startswith(p[:-1])):
            return True
    return False


@dataclass
class Policy:
    """The rules in force for one claim, after overlays. ``chain`` lists the packs, root first."""

    chain: list[str]
    rules: dict[str, list[PolicyRule]] = field(default_factory=dict)
    _lookups: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.chain[-1] if self.chain else "none"

    def section(self, name: str, on: date | None = None) -> list[PolicyRule]:
        """A section's rules, only those in force on ``on`` when given."""
        return [r for r in self.rules.get(name, []) if r.active(on)]

    def for_code(self, section: str, code: str, on: date | None) -> list[PolicyRule]:
        """Rules naming ``code``, least specific first (ALL < prefix/range < the code itself),
        pack order within a level; so the last one is the one that decides."""
        key = (section, code)
        found = self._lookups.get(key)
        if found is None:
            found = [r for r in self.rules.get(section, []) if r.applies_to_code(code)]
            found.sort(key=lambda r: code_specificity(code, r.values.get("codes", ["ALL"])))
            if len(self._lookups) > 100_000:
                self._lookups.clear()
            self._lookups[key] = found
        return [r for r in found if r.active(on)]

    # The lookups rules use --------------------------------------------------------
    def coverage(self, code: str, on: date | None) -> PolicyRule | None:
        found = self.for_code("coverage", code, on)
        return found[-1] if found else None

    def diagnosis_requirements(self, code: str, on: date | None) -> list[PolicyRule]:
        return self.for_code("diagnosis_requirements", code, on)

    def prior_auth(self, code: str, on: date | None) -> PolicyRule | None:
        found = [r for r in self.for_code("prior_auth", code, on)]
        return found[-1] if found and found[-1].get("required") else None

    def referral(self, code: str, taxonomy: str | None, on: date | None) -> PolicyRule | None:
        for r in reversed(self.for_code("referral", code, on)):
            if r.get("taxonomies") is None or taxonomy_matches(taxonomy, r.get("taxonomies")):
                return r
        return None

    def credential(self, code: str, taxonomy: str | None, on: date | None) -> PolicyRule | None:
        """The last (most specific pack) credential rule naming this taxonomy for this code."""
        for r in reversed(self.for_code("credentials", code, on)):
            if taxonomy_matches(taxonomy, r.get("taxonomies", [])):
                return r
        return None

    def visit_caps(self, on: date | None) -> list[PolicyRule]:
        return self.section("visit_caps", on)

    def kx_threshold(self, year: int, discipline: str) -> PolicyRule | None:
        for r in self.rules.get("kx_thresholds", []):
            if r.get("year") == year and discipline in r.get("disciplines", []):
                return r
        return None

    def timely_filing_days(self, on: date | None) -> int | None:
        found = self.section("timely_filing", on)
        return found[-1].get("days") if found else None

    def unit_method(self, on: date | None) -> str | None:
        found = self.section("unit_method", on)
        return found[-1].get("method") if found else None

    def modifiers(self, kind: str, on: date | None = None) -> dict[str, PolicyRule]:
        return {str(r.get("modifier")): r for r in self.section("modifiers", on) if r.get("kind") == kind}

    def discipline(self, modifiers, taxonomy: str | None, on: date | None = None) -> str | None:
        """PT/OT/SLP from the discipline modifier (GP/GO/GN), else from the rendering taxonomy."""
        by_modifier = self._lookups.get(("discipline-modifiers",))
        if by_modifier is None:
            by_modifier = self._lookups[("discipline-modifiers",)] = self.modifiers("discipline") or {
                "GP": None, "GO": None, "GN": None}
        defaults = {"GP": "PT", "GO": "OT", "GN": "SLP"}
        for m in modifiers:
            if m in by_modifier:
                rule = by_modifier[m]
                return (rule.get("discipline") if rule else None) or defaults.get(m)
        return discipline_for_taxonomy(taxonomy)


def discipline_for_taxonomy(taxonomy: str | None) -> str | None:
    for prefix, discipline in DISCIPLINE_BY_TAXONOMY:
        if taxonomy and taxonomy.startswith(prefix):
            return discipline
    return None
