"""What each payer did with each procedure code before: the history behind the DH rules.

Built once per run from the store (``analytics.load``): one :class:`Outcome` per line of
each claim's *first* adjudication (the answer to the claim as first sent; later
reprocessing after an appeal does not erase the denial), dated on or before ``as_of``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .analytics import Dataset, load, tracks


@dataclass(frozen=True)
class Outcome:
    payer_id: str
    payer_name: str
    claim_id: str
    remit_date: date | None
    service_date: date | None
    code: str
    modifiers: tuple[str, ...]
    units: float
    rendering_npi: str | None
    has_prior_auth: bool
    denied: bool
    group: str | None
    carc: str | None
    bucket: str | None


def payer_keys(payer) -> set[str]:
    """How a claim's payer can appear on a remit: payer id and name, upper case."""
    return {k.strip().upper() for k in (payer.payer_id, payer.name) if k and k.strip()}


class DenialIndex:
    """First-pass line outcomes by payer, newest last."""

    def __init__(self, outcomes: list[Outcome]):
        self.outcomes = sorted(outcomes, key=lambda o: (o.remit_date or date.min, o.claim_id))
        self._by_payer: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            for key in {o.payer_id.upper(), o.payer_name.upper()} - {""}:
                self._by_payer[key].append(o)

    def __len__(self) -> int:
        return len(self.outcomes)

    def for_payer(self, payer) -> list[Outcome]:
        seen: dict[int, Outcome] = {}
        for key in payer_keys(payer):
            for o in self._by_payer.get(key, []):
                seen[id(o)] = o
        return sorted(seen.values(), key=lambda o: (o.remit_date or date.min, o.claim_id))

    def last_claims(self, payer, code: str, limit: int = 10, exclude_claim: str | None = None) -> list[Outcome]:
        """The payer's last ``limit`` claims with ``code`` (one outcome per claim, newest last),
        leaving out ``exclude_claim`` (the claim being checked: its own earlier answer)."""
        per_claim: dict[str, Outcome] = {}
        for o in self.for_payer(payer):
            if o.code == code and o.claim_id != exclude_claim:
                prior = per_claim.get(o.claim_id)
                if prior is None or (o.denied and not prior.denied):
                    per_claim[o.claim_id] = o
        ordered = sorted(per_claim.values(), key=lambda o: (o.remit_date or date.min, o.claim_id))
        return ordered[-limit:]

    @classmethod
    def from_dataset(cls, data: Dataset, as_of: date | None = None, extra: dict | None = None) -> "DenialIndex":
        extra = extra or {}
        out = []
        for t in tracks(data.answers):
            first = t.first
            if first is None or (as_of and first.remit_date and first.remit_date > as_of):
                continue
            whole = first.status == "4"
            for ln in first.lines:
                rendering, auth = extra.get((first.history_claim_id, ln.history_line_number), (None, False))
                out.append(Outcome(first.payer_id or "", first.payer_name or "", first.claim_id, first.remit_date,
                                   ln.service_date, ln.code, tuple(ln.modifiers), float(ln.units or 1),
                                   rendering or first.rendering_npi, auth, whole or ln.denial,
                                   ln.group or first.group, ln.carc or first.carc, ln.bucket or first.bucket))
        return cls(out)

    @classmethod
    def from_history(cls, history, as_of: date | None = None) -> "DenialIndex":
        data = load(history)
        return cls.from_dataset(data, as_of, claim_facts(history))


def claim_facts(history) -> dict:
    """{(claims.id, line_number): (rendering NPI, has REF*G1)} from STORE's tables."""
    with history.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        if not {"claims", "claim_lines"} <= names:
            return {}
        rows = conn.execute(sa.text(
            "SELECT l.claim_id, l.line_number, l.rendering_npi, c.prior_authorization "
            "FROM claim_lines l JOIN claims c ON c.id = l.claim_id"))
        return {(r[0], r[1]): (r[2], bool(r[3])) for r in rows}


def index_for(ctx) -> DenialIndex | None:
    """The run's index (built on first use and kept in ``ctx.memo``); None without history."""
    history = getattr(ctx, "history", None)
    if history is None or not hasattr(history, "engine"):
        return None
    cache = ctx.memo("denial_history")
    key = (id(history), ctx.as_of)
    if key not in cache:
        try:
            cache[key] = DenialIndex.from_history(history, ctx.as_of)
        except sa.exc.SQLAlchemyError:
            cache[key] = None
    return cache[key]
