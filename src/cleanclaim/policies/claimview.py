"""Claim-side helpers the pack-driven rules share: identity, payer key, taxonomy, discipline,
benefit-year windows and the per-run batch ledger (claims checked earlier in this run)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..model import Claim, ServiceLine
from ..store import keys
from .model import Policy, PolicyRule, discipline_for_taxonomy


def payer_key(claim: Claim) -> str | None:
    """Payer id, else the normalised payer name; None without either (no SBR09 fallback here:
    rosters and authorisations are filed under a real payer)."""
    return keys.payer_key(claim.payer, fallback=False)


def claim_identity(claim: Claim):
    """Billing NPI + payer key + CLM01 (a store ClaimKey), None when incomplete."""
    return keys.claim_key(claim)


def rendering_taxonomy(claim: Claim, line: ServiceLine, ctx) -> tuple[str | None, str]:
    """(taxonomy, where from): the PRV of 2420A/2310B/billing, else the roster entry of the NPI.

    Where from: "PRV, 2420A rendering", "PRV, 2310B rendering", "billing provider PRV, 2000A:
    no rendering provider on the claim", "roster" or "none"."""
    provider = claim.rendering_for(line)
    if provider is not None and provider.taxonomy:
        if provider is line.rendering_provider:
            return provider.taxonomy, "PRV, 2420A rendering"
        if provider is claim.rendering_provider:
            return provider.taxonomy, "PRV, 2310B rendering"
        return provider.taxonomy, "billing provider PRV, 2000A: no rendering provider on the claim"
    history = getattr(ctx, "history", None)
    if history is not None and provider is not None and provider.npi:
        entry = roster_entry(ctx, provider.npi)
        if entry is not None and entry.taxonomy:
            return entry.taxonomy, "roster"
    return None, "none"


def roster_entry(ctx, npi: str):
    cache = ctx.memo("policy.roster")
    if npi not in cache:
        cache[npi] = ctx.history.roster(npi)
    return cache[npi]


def line_discipline(policy: Policy, claim: Claim, line: ServiceLine, ctx) -> str | None:
    """PT/OT/SLP from GP/GO/GN, else from the rendering taxonomy (2257 massage therapist: MT)."""
    taxonomy, _ = rendering_taxonomy(claim, line, ctx)
    return policy.discipline(line.modifiers, taxonomy, line.date_of_service)


def history_discipline(modifiers, taxonomy: str | None = None) -> str | None:
    for modifier, discipline in (("GP", "PT"), ("GO", "OT"), ("GN", "SLP")):
        if modifier in modifiers:
            return discipline
    return discipline_for_taxonomy(taxonomy)


def benefit_year(rule: PolicyRule, dos: date) -> tuple[date, date]:
    """The benefit year holding ``dos``: calendar, or a plan year from plan_year_start (MM-DD)."""
    if rule.get("benefit_year", "calendar") != "plan":
        return date(dos.year, 1, 1), date(dos.year, 12, 31)
    month, day = (int(x) for x in str(rule.get("plan_year_start", "01-01")).split("-"))
    start = date(dos.year, month, day)
    if start > dos:
        start = date(dos.year - 1, month, day)
    end = date(start.year + 1, month, day) - timedelta(days=1)
    return start, end


LEDGER_PATIENTS = 50_000  # patients (per table) a run remembers; memory stays flat on any batch


def _put(table: OrderedDict, key, identity, value) -> None:
    """Store ``value`` for a claim identity under ``key``, keeping the latest keys only."""
    claims = table.get(key)
    if claims is None:
        claims = table[key] = {}
        if len(table) > LEDGER_PATIENTS:
            table.popitem(last=False)
    else:
        table.move_to_end(key)
    claims[identity] = value


@dataclass
class BatchLedger:
    """What earlier claims of this run contributed, by claim identity (re-checks replace).

    visits[(patient, payer)][identity] = {(dos, discipline), ...}
    therapy[patient][identity] = [(dos, discipline, allowed), ...]  (Medicare KX)
    amounts[(patient, payer)][identity] = [(dos, discipline, allowed, charge), ...]  (dollar caps)

    Each table keeps the LEDGER_PATIENTS most recently seen patients: a batch is grouped by
    date or patient, and a run that needs exact counts over more patients records its
    claims in the history (`check --record`), which the rules read as well.
    """

    visits: OrderedDict = field(default_factory=OrderedDict)
    therapy: OrderedDict = field(default_factory=OrderedDict)
    amounts: OrderedDict = field(default_factory=OrderedDict)
    # (billing NPI, payer key, REF*F8) of claims a replacement/void of this run took out: their
    # recorded versions in the history no longer count for the later claims of the run
    replaced: set = field(default_factory=set)

    def replaced_in_run(self, line) -> bool:
        """Whether a recorded history line belongs to a claim a replacement/void of this run named."""
        if not self.replaced:
            return False
        npi, payer, number = line.claim
        return (npi, payer, number) in self.replaced or (
            bool(line.payer_claim_number) and (npi, payer, line.payer_claim_number) in self.replaced)

    def put_amounts(self, patient: str, payer: str, identity, amounts, replaces: str | None = None) -> None:
        self.supersede(identity, replaces)
        _put(self.amounts, (patient, payer), identity, list(amounts))

    def other_amounts(self, patient: str, payer: str, identity, replaces: str | None = None) -> dict:
        return _others(self.amounts.get((patient, payer), {}), identity, replaces)

    def put_visits(self, patient: str, payer: str, identity, visits, replaces: str | None = None) -> None:
        self.supersede(identity, replaces)
        _put(self.visits, (patient, payer), identity, set(visits))

    def other_visits(self, patient: str, payer: str, identity, replaces: str | None = None) -> dict:
        return _others(self.visits.get((patient, payer), {}), identity, replaces)

    def put_therapy(self, patient: str, identity, amounts, replaces: str | None = None) -> None:
        self.supersede(identity, replaces)
        _put(self.therapy, patient, identity, list(amounts))

    def other_therapy(self, patient: str, identity, replaces: str | None = None) -> dict:
        return _others(self.therapy.get(patient, {}), identity, replaces)

    def drop(self, identity) -> None:
        for table in (self.visits, self.therapy, self.amounts):
            for claims in table.values():
                claims.pop(identity, None)

    def supersede(self, identity, replaces: str | None) -> None:
        """A replacement/void was checked: the claim its REF*F8 names stops counting in this run."""
        if not (identity and replaces):
            return
        self.replaced.add((identity[0], identity[1], replaces))
        for table in (self.visits, self.therapy, self.amounts):
            for claims in table.values():
                for key in [k for k in claims if _replaced_by(k, identity, replaces)]:
                    del claims[key]


def _replaced_by(key, identity, replaces: str | None) -> bool:
    """Whether the claim ``key`` is the one REF*F8 ``replaces`` names (same billing NPI and payer)."""
    return bool(replaces and identity and key != tuple(identity) and key[2] == replaces
                and key[0] == identity[0] and key[1] == identity[1])


def _others(claims: dict, identity, replaces: str | None) -> dict:
    """Claims of the run other than this one and the one it replaces or voids."""
    return {k: v for k, v in claims.items() if k != identity and not _replaced_by(k, identity, replaces)}


def replaced_reference(claim: Claim) -> str | None:
    """REF*F8 of a replacement (CLM05-3 = 7) or void (8); None for any other claim."""
    if (claim.frequency_code or "1").strip() not in ("7", "8"):
        return None
    return (claim.original_reference or "").strip() or None


def batch_ledger(ctx) -> BatchLedger:
    """The run's ledger (lives in the checker's context, so one per run)."""
    cache = ctx.memo("policy.batch", limit=1 << 62)
    ledger = cache.get("ledger")
    if ledger is None:
        ledger = cache["ledger"] = BatchLedger()
    return ledger


def is_void(claim: Claim) -> bool:
    return (claim.frequency_code or "1") == "8"
