"""Find, validate and resolve policy packs (built-in, config [policies] dirs, --policies DIR)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Policy, PolicyRule
from .schema import SECTIONS, PackError, validate
from .yamlload import LinedDict, LinedList, PackYamlError, load_yaml

if TYPE_CHECKING:
    from ..model import Claim

BUILTIN_DIR = Path(__file__).with_name("packs")
FILING_TYPES = {"MA": "medicare", "MB": "medicare", "MC": "medicaid"}


class PackLoadError(ValueError):
    """One or more packs are invalid; ``errors`` lists each (file:line: key: message).

    A setup error: the commands exit 2 (input/usage error), never 1 ("a claim has errors")."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Pack:
    name: str
    title: str
    path: str
    extends: str | None = None
    applies_to: dict[str, list[str]] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    notes: str = ""
    rules: list[PolicyRule] = field(default_factory=list)
    builtin: bool = True
    line_of_extends: int = 1
    line_of_remove: int = 1
    invalid_ids: set[str] = field(default_factory=set)  # partial_pack: rules left out for schema errors

    def matches(self, payer_type: str, payer_id: str | None, state: str | None) -> int | None:
        """A specificity score when this pack applies (payer id > state > payer type), else None."""
        if not self.applies_to:
            return None
        score = 0
        for key, value, weight in (("payer_types", payer_type, 1), ("states", state, 2),
                                   ("payer_ids", payer_id, 4)):
            allowed = self.applies_to.get(key)
            if allowed is None:
                continue
            if value is None or str(value) not in [str(a) for a in allowed]:
                return None
            score += weight
        return score


def read_pack(path: Path | str, builtin: bool = False) -> tuple[Pack | None, list[PackError]]:
    """One pack file, validated. Returns (pack or None, errors)."""
    try:
        doc = load_yaml(path)
    except PackYamlError as exc:
        return None, [PackError(exc.path, exc.line, "yaml", str(exc).split(": ", 1)[1])]
    errors = validate(doc, str(path))
    if errors:
        return None, errors
    return _build(doc, path, builtin), []


def partial_pack(path: Path | str, builtin: bool = False) -> Pack | None:
    """What can be read of a pack file with schema errors: its valid rules only (the ids of the
    invalid ones kept in ``invalid_ids``), so ``remove`` and overlap problems can be reported in
    the same pass as the schema errors. None when the file has no usable name."""
    from .schema import NAME, TOP, check_entry_problems

    try:
        doc = load_yaml(path)
    except PackYamlError:
        return None
    if not isinstance(doc, LinedDict) or not isinstance(doc.get("pack"), str) or not NAME.match(doc["pack"]):
        return None
    cleaned = LinedDict({k: v for k, v in doc.items() if k not in SECTIONS})
    cleaned.line, cleaned.key_lines = doc.line, getattr(doc, "key_lines", {})
    for key in ("extends", "title", "notes"):
        if key in cleaned and not isinstance(cleaned[key], str):
            cleaned.pop(key)
    for key in ("applies_to", "remove", "enforcement"):
        if key in cleaned and TOP[key][0] is not None and TOP[key][0](cleaned[key]):
            cleaned.pop(key)
    if not isinstance(cleaned.get("applies_to"), (dict, type(None))):
        cleaned.pop("applies_to")
    invalid: set[str] = set()
    for section in [k for k in doc if k in SECTIONS]:
        entries = doc[section]
        kept = LinedList()
        kept.line, kept.item_lines = getattr(entries, "line", 0), []
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, LinedDict) and not check_entry_problems(entry, section):
                kept.append(entry)
                kept.item_lines.append(entries.line_of(i))
            elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
                invalid.add(entry["id"])
        cleaned[section] = kept
    try:
        pack = _build(cleaned, path, builtin)
    except (TypeError, ValueError, AttributeError):
        return None
    pack.invalid_ids = invalid
    return pack


def _build(doc, path: Path | str, builtin: bool) -> Pack:
    applies = {k: [str(v) for v in vals] for k, vals in (doc.get("applies_to") or {}).items()}
    pack = Pack(name=doc["pack"], title=doc.get("title", ""), path=str(path), extends=doc.get("extends"),
                applies_to=applies, remove=[str(r) for r in doc.get("remove", [])],
                notes=doc.get("notes", ""), builtin=builtin, line_of_extends=doc.line_of("extends"),
                line_of_remove=doc.line_of("remove"))
    for section in SECTIONS:
        for entry in doc.get(section, []):
            values: dict[str, Any] = {k: v for k, v in entry.items()
                                      if k not in ("id", "effective_from", "effective_to", "citation")}
            values["enforcement"] = entry.get("enforcement") or doc.get("enforcement") or "payer"
            for key in ("codes", "taxonomies", "modifiers", "liability_modifiers"):
                if key in values:
                    values[key] = [str(v) for v in values[key]]
            pack.rules.append(PolicyRule(section, entry["id"], entry["effective_from"],
                                         entry.get("effective_to"), " ".join(entry["citation"].split()),
                                         values, pack.name, str(path), entry.line,
                                         dict(getattr(entry, "key_lines", {}) or {})))
    return pack


def pack_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


class PackSet:
    """Every known pack by name; user packs replace built-in packs of the same name."""

    def __init__(self, packs: dict[str, Pack], default_state: str | None = None) -> None:
        self.packs = packs
        self.default_state = default_state
        self._cache: dict[tuple, Policy] = {}

    def names(self) -> list[str]:
        return sorted(self.packs)

    def chain(self, name: str) -> list[Pack]:
        """The pack and the packs it extends, root first."""
        chain: list[Pack] = []
        current: str | None = name
        while current is not None:
            pack = self.packs[current]
            chain.insert(0, pack)
            current = pack.extends
        return chain

    def resolve(self, name: str) -> Policy:
        """The Policy of one named pack: its chain with overlays applied (same id replaces)."""
        chain = self.chain(name)
        by_id: dict[str, list[PolicyRule]] = {}
        for pack in chain:
            for rule_id in pack.remove:
                by_id.pop(rule_id, None)
            for rule in pack.rules:
                older = by_id.pop(rule.id, [])  # re-insert: overlays keep their own order
                by_id[rule.id] = _until(older, rule.effective_from) + [rule]
        rules: dict[str, list[PolicyRule]] = {}
        for versions in by_id.values():
            for rule in versions:
                rules.setdefault(rule.section, []).append(rule)
        return Policy(chain=[p.name for p in chain], rules=rules)

    def select(self, payer_type: str, payer_id: str | None = None, state: str | None = None) -> str:
        """The most specific pack that applies (user packs win ties); 'base' when none does."""
        best: tuple | None = None
        for pack in self.packs.values():
            score = pack.matches(payer_type, payer_id, state)
            if score is not None:
                key = (score, not pack.builtin, len(self.chain(pack.name)), pack.name)
                if best is None or key > best[0]:
                    best = (key, pack.name)
        if best is not None:
            return best[1]
        return "base" if "base" in self.packs else self.names()[0]

    def for_claim(self, claim: "Claim", ctx=None) -> Policy:
        """The resolved policy for a claim: payer type (ctx/--payer or SBR09), payer id, state."""
        if ctx is not None:
            payer_type = ctx.payer_type_for(claim)
        else:
            payer_type = FILING_TYPES.get((claim.payer.claim_filing_indicator or "").upper(), "commercial")
        where = claim.service_facility if claim.service_facility and claim.service_facility.state \
            else claim.billing_provider
        state = (where.state if where else None) or self.default_state
        key = (payer_type, claim.payer.payer_id, state)
        if key not in self._cache:
            self._cache[key] = self.resolve(self.select(payer_type, claim.payer.payer_id, state))
        return self._cache[key]


def _until(older: list[PolicyRule], start) -> list[PolicyRule]:
    """Inherited versions of a rule id an overlay redefines from ``start``: they stay in force
    before that date (ended the day before), so a 2026 change leaves 2025 as it was."""
    from dataclasses import replace
    from datetime import timedelta

    kept = []
    for rule in older:
        if rule.effective_from >= start:
            continue
        end = start - timedelta(days=1)
        kept.append(replace(rule, effective_to=min(rule.effective_to, end) if rule.effective_to else end))
    return kept


def configured_dirs(config=None) -> list[Path]:
    """[policies] dirs from the user config, made absolute against the config file."""
    if config is None:
        from ..config import load_config

        config = load_config()
    dirs = config.get("policies", "dirs", []) or []
    if isinstance(dirs, str):
        dirs = [dirs]
    return [config.resolve_path(d) for d in dirs]


def load_packs(extra_dirs=None, *, config=None, include_config: bool = True) -> PackSet:
    """Built-in packs, then [policies] dirs from config, then ``extra_dirs`` (--policies).

    A later pack with the name of an earlier one replaces it. Raises PackLoadError listing
    every invalid file (file:line: key: message), a missing folder or a broken ``extends``.
    """
    dirs: list[tuple[Path, bool]] = [(BUILTIN_DIR, True)]
    default_state = None
    if include_config:
        if config is None:
            from ..config import load_config

            config = load_config()
        dirs += [(d, False) for d in configured_dirs(config)]
        default_state = config.get("policies", "state")
    dirs += [(Path(d), False) for d in (extra_dirs or [])]
    packs: dict[str, Pack] = {}
    errors: list[PackError] = []
    for directory, builtin in dirs:
        if not directory.is_dir():
            errors.append(PackError(str(directory), 0, "policies", "policy folder not found"))
            continue
        for path in pack_files(directory):
            pack, problems = read_pack(path, builtin=builtin)
            errors += problems
            if pack is None and problems:
                pack = partial_pack(path, builtin=builtin)  # its other problems, in the same report
            if pack is not None:
                add_pack(packs, pack)
    extends = _check_extends(packs)
    errors += extends
    if not extends:  # what `policy validate` reports, check refuses too
        assembled = PackSet(packs)
        for pack in list(packs.values()):
            if not pack.builtin:
                errors += check_resolved(assembled, pack)
    if errors:
        raise PackLoadError(errors)
    return PackSet(packs, default_state=default_state)


def add_pack(packs: dict[str, Pack], pack: Pack) -> None:
    """Add a pack; a later pack of the same name replaces the earlier one. A pack that
    ``extends`` its own name overlays it instead (e.g. your commercial-default changing one rule
    of the built-in one): the earlier pack stays, renamed NAME@builtin (or NAME@file), and
    the overlay extends it and keeps its applies_to unless it gives its own."""
    earlier = packs.get(pack.name)
    if earlier is not None and pack.extends == pack.name:
        hidden = f"{pack.name}@{'builtin' if earlier.builtin else Path(earlier.path).stem}"
        while hidden in packs:
            hidden += "+"
        packs[hidden] = Pack(**{**earlier.__dict__, "name": hidden, "applies_to": {}})
        pack.extends = hidden
        if not pack.applies_to:
            pack.applies_to = dict(earlier.applies_to)
    packs[pack.name] = pack


SINGLE_VALUED = ("timely_filing", "unit_method")  # one rule in force at a time decides


def check_resolved(packs: "PackSet", pack: Pack) -> list[PackError]:
    """Problems only the resolved chain shows: ``remove`` naming no inherited rule, and two
    rules of a one-value section (timely_filing, unit_method) in force on the same day."""
    errors = []
    chain = packs.chain(pack.name)
    inherited = {r.id for p in chain[:-1] for r in p.rules} | {i for p in chain[:-1] for i in p.invalid_ids}
    for rule_id in pack.remove:
        if rule_id not in inherited:
            errors.append(PackError(pack.path, pack.line_of_remove, "remove",
                                    f"no inherited rule has the id {rule_id!r} (chain: "
                                    f"{' -> '.join(p.name for p in chain)})"))
    policy = packs.resolve(pack.name)
    for section in SINGLE_VALUED:
        rules = policy.rules.get(section, [])
        for i, a in enumerate(rules):
            for b in rules[i + 1:]:
                if a.pack != pack.name and b.pack != pack.name:
                    continue
                start = max(a.effective_from, b.effective_from)
                ends = [e for e in (a.effective_to, b.effective_to) if e is not None]
                if not ends or start <= min(ends):
                    mine = b if b.pack == pack.name else a
                    other = a if mine is b else b
                    errors.append(PackError(pack.path, mine.line, section,
                                            f"{mine.id!r} and {other.id!r} ({other.pack}) are both in force from "
                                            f"{start.isoformat()}: give the new rule the inherited id to replace "
                                            "it, or remove the old one"))
    return errors


def _check_extends(packs: dict[str, Pack]) -> list[PackError]:
    errors = []
    for pack in packs.values():
        seen = {pack.name}
        current = pack
        while current.extends is not None:
            if current.extends not in packs:
                errors.append(PackError(current.path, current.line_of_extends, "extends",
                                        f"no pack named {current.extends!r} (known: {', '.join(sorted(packs))})"))
                break
            if current.extends in seen:
                errors.append(PackError(current.path, current.line_of_extends, "extends",
                                        f"packs extend each other in a loop ({current.extends})"))
                break
            seen.add(current.extends)
            current = packs[current.extends]
    return errors


@functools.lru_cache(maxsize=4)
def default_packs() -> PackSet:
    """Built-in packs plus the config's [policies] dirs, loaded once per process."""
    return load_packs()


def policy_for(claim: "Claim", ctx) -> Policy:
    """The Policy for a claim in a rule: ctx.options['policies'] (a PackSet) or the defaults."""
    if ctx is None:
        return default_packs().for_claim(claim, None)
    memo = ctx.claim_memo(claim)
    policy = memo.get("policy")
    if policy is None:
        packs = ctx.options.get("policies") or default_packs()
        policy = memo["policy"] = packs.for_claim(claim, ctx)
    return policy
