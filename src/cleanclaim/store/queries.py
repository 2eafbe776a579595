"""Read the history: service lines, authorisations, roster, therapy year-to-date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from .schema import Cents, Milli, authorizations, provider_roster, therapy_ytd
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


_LINE_COLUMNS = dict(dos=sa.Date, dos_end=sa.Date, units_milli=Milli, charge_cents=Cents,
                    allowed_cents=Cents)
_STATEMENTS: dict[tuple[bool, ...], sa.TextClause] = {}


def _lines_statement(payer: bool, start: bool, end: bool, exclude: bool, replaced: bool = False) -> sa.TextClause:
    """The service-lines query for this combination of filters, built once (plain SQL, bound
    parameters: the same text on SQLite and PostgreSQL, no per-call expression building)."""
    key = (payer, start, end, exclude, replaced)
    if key not in _STATEMENTS:
        where = ["c.patient_key = :patient", "c.status = 'active'"]
        if payer:
            where.append("c.payer_key = :payer")
        if start:
            where.append("COALESCE(l.dos_end, l.dos) >= :start")
        if end:
            where.append("l.dos <= :end")
        if exclude:
            where.append("NOT (c.billing_npi = :x_npi AND c.payer_key = :x_payer AND c.claim_number = :x_number)")
        if replaced:  # the claim a replacement (7) or void (8) names in REF*F8 stops counting at once
            where.append("NOT (c.billing_npi = :x_npi AND c.payer_key = :x_payer AND "
                         "(c.claim_number = :x_ref OR COALESCE(c.payer_claim_number, '') = :x_ref))")
        sql = ("SELECT c.billing_npi, c.payer_key, c.claim_number, c.frequency_code, c.payer_claim_number, "
               "c.prior_authorization, c.claim_filing_indicator, l.line_number, l.dos, l.procedure_code, "
               "l.modifiers, l.units_milli, l.charge_cents, l.rendering_npi, l.allowed_cents, "
               "l.place_of_service, l.control_number, c.recorded_at "
               "FROM claims c JOIN claim_lines l ON l.claim_id = c.id "
               f"WHERE {' AND '.join(where)} ORDER BY l.dos, c.id, l.line_number")
        stmt = sa.text(sql)
        dated = [sa.bindparam(name, type_=sa.Date) for name, used in (("start", start), ("end", end)) if used]
        if dated:
            stmt = stmt.bindparams(*dated)
        stmt = stmt.columns(
            *(sa.column(name, _LINE_COLUMNS.get(name, sa.String)) for name in (
                "billing_npi", "payer_key", "claim_number", "frequency_code", "payer_claim_number",
                "prior_authorization", "claim_filing_indicator")),
            sa.column("line_number", sa.Integer),
            *(sa.column(name, _LINE_COLUMNS.get(name, sa.String)) for name in (
                "dos", "procedure_code", "modifiers", "units_milli", "charge_cents", "rendering_npi",
                "allowed_cents", "place_of_service", "control_number")),
            sa.column("recorded_at", sa.DateTime(timezone=True)))
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def service_lines(conn, patient_key: str, *, payer_key=None, start=None, end=None,
                  exclude_claim: ClaimKey | None = None, replaces: str | None = None) -> list[HistoryLine]:
    """Lines of the patient's claims that still count (status active), oldest first.

    exclude_claim: the claim being checked (its own stored version is not "another claim").
    replaces: its REF*F8 when it is a replacement (CLM05-3 = 7) or void (8): the claim of the
    same billing NPI and payer with that payer claim number or CLM01 no longer counts, from
    this check on (X12 837P TR3 2300 CLM05-3 / REF*F8), not only once the replacement is recorded.
    """
    if not patient_key:
        return []
    params = {"patient": patient_key}
    if payer_key is not None:
        params["payer"] = payer_key
    if start is not None:
        params["start"] = start
    if end is not None:
        params["end"] = end
    if exclude_claim is not None:
        params.update(x_npi=exclude_claim.billing_npi, x_payer=exclude_claim.payer_key,
                      x_number=exclude_claim.claim_number)
    replaced = bool(exclude_claim is not None and replaces and replaces.strip())
    if replaced:
        params["x_ref"] = replaces.strip()
    stmt = _lines_statement(payer_key is not None, start is not None, end is not None, exclude_claim is not None,
                            replaced)
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
            recorded_at=r.recorded_at,
        )
        for r in conn.execute(stmt, params)
    ]


_REFERENCED = sa.text(
    "SELECT status FROM claims WHERE billing_npi = :npi AND payer_key = :payer "
    "AND (payer_claim_number = :ref OR claim_number = :ref) ORDER BY id DESC")


def referenced_claim(conn, key: ClaimKey, reference: str) -> str | None:
    """Status ('active', 'replaced', 'void') of the claim a REF*F8 names (same billing NPI and
    payer; by the payer's claim number or CLM01 -- a void may carry the original's own CLM01),
    or None when no recorded claim has it."""
    row = conn.execute(_REFERENCED, {"npi": key.billing_npi, "payer": key.payer_key, "ref": reference.strip()}).first()
    return row.status if row is not None else None


_SUPERSEDED = sa.text(
    "SELECT c.status, COALESCE(s.source, c.source) AS source, COALESCE(s.claim_number, c.claim_number) AS by_claim "
    "FROM claims c LEFT JOIN claims s ON s.id = c.replaced_by "
    "WHERE c.billing_npi = :npi AND c.payer_key = :payer AND c.claim_number = :number "
    "AND c.status IN ('void', 'replaced')")


def superseded(conn, key: ClaimKey) -> tuple[str, str | None, str] | None:
    """(status 'void' | 'replaced', source file of the claim that did it, its CLM01) when the
    recorded claim with this identity was voided or replaced; None otherwise."""
    row = conn.execute(_SUPERSEDED, {"npi": key.billing_npi, "payer": key.payer_key,
                                     "number": key.claim_number}).first()
    return (row.status, row.source, row.by_claim) if row is not None else None


_AUTHS = sa.select(authorizations).where(
    authorizations.c.patient_key == sa.bindparam("patient"), authorizations.c.payer_key == sa.bindparam("payer"),
).order_by(authorizations.c.start_date, authorizations.c.number)
_ROSTER = sa.select(provider_roster).where(provider_roster.c.npi == sa.bindparam("npi"))
_YTD = sa.select(therapy_ytd).where(
    therapy_ytd.c.patient_key == sa.bindparam("patient"), therapy_ytd.c.year == sa.bindparam("year"),
    therapy_ytd.c.discipline == sa.bindparam("discipline"))


def find_authorizations(conn, patient_key: str, payer_key: str, *,
                        exclude_claim: ClaimKey | None = None, replaces: str | None = None) -> list[Authorization]:
    """The patient's authorisations with this payer, with units billed on recorded claims."""
    rows = conn.execute(_AUTHS, {"patient": patient_key, "payer": payer_key}).all()
    if not rows:
        return []
    recorded = service_lines(conn, patient_key, payer_key=payer_key, start=min(r.start_date for r in rows),
                             end=max(r.end_date for r in rows), exclude_claim=exclude_claim,
                             replaces=replaces)
    found = []
    for r in rows:
        codes = tuple(r.codes.split())
        lines = sorted((ln.dos, ln.claim.claim_number, ln.line_number, ln.units or Decimal(0)) for ln in recorded
                       if (ln.prior_authorization or "").strip().upper() == r.number.strip().upper()
                       and ln.dos is not None and r.start_date <= ln.dos <= r.end_date
                       and (not codes or ln.code in codes))
        billed = sum((b[3] for b in lines), Decimal(0))
        found.append(Authorization(r.number, r.payer_key, codes, r.start_date, r.end_date,
                                   r.units_authorized, r.units_used, billed, r.source, tuple(lines)))
    return found


_AUTH_ELSEWHERE = sa.text(
    "SELECT COUNT(*) FROM authorizations WHERE payer_key = :payer AND UPPER(number) = :number "
    "AND patient_key <> :patient")


def authorization_elsewhere(conn, patient_key: str, payer_key: str, number: str) -> bool:
    """Whether this payer's authorisation ``number`` is stored for another patient (never says whom)."""
    return bool(conn.execute(_AUTH_ELSEWHERE, {"payer": payer_key, "number": number.strip().upper(),
                                               "patient": patient_key}).scalar_one())


def find_roster(conn, npi: str) -> RosterEntry | None:
    r = conn.execute(_ROSTER, {"npi": (npi or "").strip()}).first()
    if r is None:
        return None
    return RosterEntry(r.npi, r.name, r.taxonomy, r.credential,
                       tuple(k for k in r.in_network.split("|") if k), r.source)


def after_figure(line: HistoryLine, as_of: date) -> bool:
    """Whether a recorded line is outside an imported year-to-date figure dated ``as_of``: dated
    after it, or recorded (checked before sending) after it -- a claim sent after the figure's
    date cannot be in it, whatever its date of service. The claim being checked never is."""
    if line.dos is not None and line.dos > as_of:
        return True
    recorded = line.recorded_at
    return recorded is not None and recorded.date() > as_of


def therapy_year_to_date(conn, patient_key: str, year: int, discipline: str, *,
                         exclude_claim: ClaimKey | None = None, replaces: str | None = None,
                         through: date | None = None) -> tuple[Decimal, str] | None:
    """Allowed therapy amounts for the Medicare threshold: imported figure + recorded allowed after it.

    The threshold accrues on allowed amounts from every provider, so an imported figure
    (e.g. from a HETS 270/271 eligibility response) is the base; allowed amounts known
    from this history (835s) for Medicare Part B lines of the discipline, dated after
    the imported figure's as-of date, are added. With ``through`` (the date of service of the
    claim being checked), lines dated after it are not counted (the text says how many).
    The text says which figures were used.
    """
    name = discipline_name(discipline)
    imported = conn.execute(_YTD, {"patient": patient_key, "year": year, "discipline": name}).first()
    known, unknown, later, total = 0, 0, 0, Decimal(0)
    for ln in service_lines(conn, patient_key, start=date(year, 1, 1), end=date(year, 12, 31),
                            exclude_claim=exclude_claim, replaces=replaces):
        if ln.dos is None or ln.dos.year != year or not ln.modifier_set & set(DISCIPLINE_MODIFIERS[name]):
            continue
        if imported is not None and not after_figure(ln, imported.as_of):
            continue
        if (ln.claim_filing_indicator or "").upper() not in MEDICARE_INDICATORS:
            continue
        if through is not None and ln.dos > through:
            later += 1
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
                     + (f" not in the figure of {imported.as_of.isoformat()}" if imported is not None else ""))
    if unknown:
        parts.append(f"{unknown} recorded line(s) with no allowed amount yet (no 835)")
    if later:
        parts.append(f"{later} recorded line(s) dated after this claim, not counted")
    if imported is None and not known:
        return None
    amount = (imported.amount_cents if imported is not None else Decimal(0)) + total
    return amount, f"{name} {year}: " + "; ".join(parts)

