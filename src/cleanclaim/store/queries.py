"""Read the history: service lines, authorisations, roster, therapy year-to-date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from .schema import authorizations, claim_lines, claims, provider_roster, therapy_ytd
from .types import Authorization, ClaimKey, HistoryLine, RosterEntry

# Medicare therapy threshold disciplines: PT and SLP combined, OT separate (SSA 1833(g);
# CMS 100-02 ch. 15 section 220.1 / 100-04 ch. 5 section 10.3).
DISCIPLINE_MODIFIERS = {"PT/SLP": ("GP", "GN"), "OT": ("GO",)}
MEDICARE_INDICATORS = ("MA", "MB")


def discipline_name(value: str) -> str:
    """'PT', 'SLP', 'PT/SLP', 'PT+SLP' -> 'PT/SLP'; 'OT' -> 'OT'; else ValueError."""
    text = value.strip().upper().replace("+", "/").replace(" ", "")
    if text in ("PT", "SLP", "ST", "PT/SLP", "SLP/PT"):
        return "PT/SLP"
    if text == "OT":
        return "OT"
    raise ValueError(f"{value!r} is not a therapy discipline (PT/SLP or OT)")


def _not(key: ClaimKey | None):
    if key is None:
        return sa.true()
    return sa.not_(sa.and_(claims.c.billing_npi == key.billing_npi, claims.c.payer_key == key.payer_key,
                           claims.c.claim_number == key.claim_number))


def service_lines(conn, patient_key: str, *, payer_key=None, start=None, end=None,
                  exclude_claim: ClaimKey | None = None) -> list[HistoryLine]:
    """Lines of the patient's claims that still count (status active), oldest first."""
    if not patient_key:
        return []
    query = (sa.select(claims.c.billing_npi, claims.c.payer_key, claims.c.claim_number,
                       claims.c.frequency_code, claims.c.payer_claim_number, claims.c.prior_authorization,
                       claims.c.claim_filing_indicator,
                       claim_lines)
             .join(claim_lines, claim_lines.c.claim_id == claims.c.id)
             .where(claims.c.patient_key == patient_key, claims.c.status == "active", _not(exclude_claim)))
    if payer_key is not None:
        query = query.where(claims.c.payer_key == payer_key)
    if start is not None:
        query = query.where(sa.func.coalesce(claim_lines.c.dos_end, claim_lines.c.dos) >= start)
    if end is not None:
        query = query.where(claim_lines.c.dos <= end)
    query = query.order_by(claim_lines.c.dos, claims.c.id, claim_lines.c.line_number)
    return [
        HistoryLine(
            claim=ClaimKey(r.billing_npi, r.payer_key, r.claim_number),
            line_number=r.line_number,
            dos=r.dos,
            code=r.procedure_code,
            modifiers=tuple(r.modifiers.split()),
            units=r.units_milli,
            charge=r.charge_cents,
            rendering_npi=r.rendering_npi,
            allowed=r.allowed_cents,
            place_of_service=r.place_of_service,
            control_number=r.control_number,
            frequency_code=r.frequency_code,
            payer_claim_number=r.payer_claim_number,
            prior_authorization=r.prior_authorization,
            claim_filing_indicator=r.claim_filing_indicator,
        )
        for r in conn.execute(query)
    ]


def find_authorizations(conn, patient_key: str, payer_key: str, *,
                        exclude_claim: ClaimKey | None = None) -> list[Authorization]:
    """The patient's authorisations with this payer, with units billed on recorded claims."""
    rows = conn.execute(sa.select(authorizations).where(
        authorizations.c.patient_key == patient_key, authorizations.c.payer_key == payer_key)
        .order_by(authorizations.c.start_date, authorizations.c.number)).all()
    found = []
    for r in rows:
        codes = tuple(r.codes.split())
        billed = Decimal(0)
        for ln in service_lines(conn, patient_key, payer_key=payer_key, start=r.start_date, end=r.end_date,
                                exclude_claim=exclude_claim):
            if ln.prior_authorization == r.number and (not codes or ln.code in codes):
                billed += ln.units or Decimal(0)
        found.append(Authorization(r.number, r.payer_key, codes, r.start_date, r.end_date,
                                   r.units_authorized, r.units_used, billed, r.source))
    return found


def find_roster(conn, npi: str) -> RosterEntry | None:
    r = conn.execute(sa.select(provider_roster).where(provider_roster.c.npi == (npi or "").strip())).first()
    if r is None:
        return None
    return RosterEntry(r.npi, r.name, r.taxonomy, r.credential,
                       tuple(k for k in r.in_network.split("|") if k), r.source)


def therapy_year_to_date(conn, patient_key: str, year: int, discipline: str) -> tuple[Decimal, str] | None:
    """Allowed therapy amounts for the Medicare threshold: imported figure + recorded allowed after it.

    The threshold accrues on allowed amounts from every provider, so an imported figure
    (e.g. from a HETS 270/271 eligibility response) is the base; allowed amounts known
    from this history (835s) for Medicare Part B lines of the discipline, dated after
    the imported figure's as-of date, are added. The text says which figures were used.
    """
    name = discipline_name(discipline)
    imported = conn.execute(sa.select(therapy_ytd).where(
        therapy_ytd.c.patient_key == patient_key, therapy_ytd.c.year == year,
        therapy_ytd.c.discipline == name)).first()
    start = date(year, 1, 1)
    if imported is not None:
        start = max(start, imported.as_of + timedelta(days=1))
    known, unknown, total = 0, 0, Decimal(0)
    for ln in service_lines(conn, patient_key, start=start, end=date(year, 12, 31)):
        if ln.dos is None or ln.dos.year != year or not ln.modifier_set & set(DISCIPLINE_MODIFIERS[name]):
            continue
        if (ln.claim_filing_indicator or "").upper() not in MEDICARE_INDICATORS:
            continue
        if ln.allowed is None:
            unknown += 1
        else:
            known += 1
            total += ln.allowed
    parts = []
    if imported is not None:
        parts.append(f"imported {imported.amount_cents} as of {imported.as_of.isoformat()} ({imported.source})")
    if known:
        parts.append(f"{total} allowed on {known} recorded line(s)"
                     + (f" after {imported.as_of.isoformat()}" if imported is not None else ""))
    if unknown:
        parts.append(f"{unknown} recorded line(s) with no allowed amount yet not counted")
    if imported is None and not known:
        return None
    amount = (imported.amount_cents if imported is not None else Decimal(0)) + total
    return amount, f"{name} {year}: " + "; ".join(parts)

