"""Record checked claims: identity, replacement (CLM05-3 = 7) and void (8).

A claim's identity is billing provider NPI + payer key + CLM01. Recording a claim whose
identity is already stored for the same patient with a date of service in common replaces
the stored version (its lines are rewritten), so re-checking a file never double-counts
visits; the same identity for another patient or other dates is a reused CLM01 and is not
recorded (the stored claim is kept). Frequency 7 and 8 follow the X12 837P
TR3 (005010X222A1) 2300 CLM05-3 and REF*F8 notes: a replacement claim supersedes the
claim named by REF*F8 (the payer's claim control number of the original), and a void
claim cancels it; neither the replaced nor the voided claim counts any more (CMS
Medicare Claims Processing Manual 100-04 ch. 1 and NUBC frequency codes 7/8).

Only what the history rules need is stored: no patient name, address or diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from ..model import Claim
from .schema import claim_lines, claims
from .keys import claim_key, payer_key  # noqa: F401 (re-exported)
from .types import ClaimKey

REPLACEMENT, VOID = "7", "8"

# Built once and executed with parameters: SQLAlchemy then reuses the compiled SQL instead of
# building and hashing a new expression for every claim (recording is per claim).
_ROW_FOR = sa.select(claims.c.id, claims.c.status, claims.c.replaced_by).where(
    claims.c.billing_npi == sa.bindparam("k_npi"), claims.c.payer_key == sa.bindparam("k_payer"),
    claims.c.claim_number == sa.bindparam("k_number"))
_ORIGINAL_BY = {
    column.name: sa.select(claims.c.id, claims.c.status, claims.c.replaced_by).where(
        column == sa.bindparam("ref"), claims.c.billing_npi == sa.bindparam("k_npi"),
        claims.c.payer_key == sa.bindparam("k_payer"), claims.c.claim_number != sa.bindparam("k_number"),
    ).order_by(claims.c.id.desc())
    for column in (claims.c.payer_claim_number, claims.c.claim_number)
}
_INSERT_CLAIM = sa.insert(claims)
_UPDATE_CLAIM = sa.update(claims).where(claims.c.id == sa.bindparam("row_id"))
_DELETE_LINES = sa.delete(claim_lines).where(claim_lines.c.claim_id == sa.bindparam("row_id"))
_INSERT_LINES = sa.insert(claim_lines)


@dataclass
class Recorded:
    """What recording one claim did."""

    outcome: str  # recorded | replaced-version | replacement | void | skipped
    key: ClaimKey | None = None
    claim_row: int | None = None
    superseded: int = 0  # other claims this one replaced or voided
    reason: str = ""


def record_claim(conn, claim: Claim, *, source: str | None = None) -> Recorded:
    """Store one checked claim in the open transaction ``conn``."""
    key = claim_key(claim)
    if key is None:
        return Recorded("skipped", reason="no identity (billing NPI, payer id/name and CLM01 are needed)")
    too_long = _too_long(key, claim)
    if too_long:
        return Recorded("skipped", reason=f"{too_long} longer than the history stores")
    freq = (claim.frequency_code or "1").strip() or "1"
    existing = _row_for(conn, key)
    if existing is not None and freq not in (REPLACEMENT, VOID):
        other = identity_conflict(conn, existing.id, claim)
        if other:  # a reused CLM01, not a re-check: never overwrite the stored claim (HX008)
            return Recorded("skipped", key, reason=f"CLM01 already recorded for {other} (HX008); the recorded"
                                                   " claim is kept: send this one under a new CLM01")
    original = _original(conn, key, claim.original_reference) if freq in (REPLACEMENT, VOID) else None
    if freq == VOID:
        return _void(conn, claim, key, existing, original, source)
    row_id, outcome = _upsert(conn, claim, key, existing, source, status="active")
    superseded = 0
    if original is not None:
        _supersede(conn, original, row_id, "replaced")
        superseded, outcome = 1, "replacement"
    return Recorded(outcome, key, row_id, superseded)


_STORED = sa.select(claims.c.patient_key).where(claims.c.id == sa.bindparam("row_id"))
_STORED_DATES = sa.select(claim_lines.c.dos).where(claim_lines.c.claim_id == sa.bindparam("row_id"))


def identity_conflict(conn, row_id: int, claim: Claim) -> str | None:
    """Why the recorded claim ``row_id`` (same identity as ``claim``) is another claim rather
    than an earlier version of it: "another patient", "other dates of service", else None.

    A re-check (same patient, a date of service in common) replaces the stored version; a
    reused CLM01 (another patient, or no date in common) does not (837P TR3 2300 CLM01; only
    CLM05-3 = 7/8 replaces or voids a claim, CMS 100-04 ch. 1 §120)."""
    stored = conn.execute(_STORED, {"row_id": row_id}).scalar_one_or_none()
    if stored and claim.patient_key and stored.strip() != claim.patient_key.strip():
        return "another patient"
    dates = {d for d in conn.execute(_STORED_DATES, {"row_id": row_id}).scalars() if d is not None}
    if dates and claim.dates_of_service and not dates & set(claim.dates_of_service):
        return "other dates of service"
    return None


# Column widths of m0001 that key or match a claim: longer values are never cut (a cut value
# would match the wrong claim or patient); the claim is not recorded instead.
_KEY_WIDTHS = (("billing NPI", "billing_npi", 10), ("payer key", "payer_key", 80), ("CLM01", "claim_number", 38))


def _too_long(key: ClaimKey, claim: Claim) -> str | None:
    for what, field, width in _KEY_WIDTHS:
        if len(getattr(key, field)) > width:
            return what
    if claim.patient_key and len(claim.patient_key) > 80:
        return "patient key"
    return None


def _fit(value: str | None, width: int) -> str | None:
    """A free-text value cut to its column width (references, places; never keys)."""
    if value is None:
        return None
    value = str(value).strip()
    return value[:width] or None


def _void(conn, claim, key, existing, original, source) -> Recorded:
    target = original if original is not None else existing
    if target is not None and target.id == (existing.id if existing is not None else None):
        # The void carries the original's own CLM01: the stored claim itself stops counting.
        conn.execute(_UPDATE_CLAIM, {"row_id": target.id, "status": "void", "frequency_code": VOID,
                                     "original_reference": _fit(claim.original_reference, 50)})
        return Recorded("void", key, target.id, 1)
    row_id, _ = _upsert(conn, claim, key, existing, source, status="void", with_lines=False)
    if target is not None:
        _supersede(conn, target, row_id, "void")
        return Recorded("void", key, row_id, 1)
    return Recorded("void", key, row_id, 0, reason="the voided claim is not in the history")


def _key_params(key: ClaimKey) -> dict:
    return {"k_npi": key.billing_npi, "k_payer": key.payer_key, "k_number": key.claim_number}


def _row_for(conn, key: ClaimKey):
    return conn.execute(_ROW_FOR, _key_params(key)).first()


def _original(conn, key: ClaimKey, reference: str | None):
    """The claim REF*F8 names: by the payer's claim number (835 CLP07) first, else by CLM01."""
    if not reference or not reference.strip():
        return None
    params = {**_key_params(key), "ref": reference.strip()}
    for column in ("payer_claim_number", "claim_number"):
        row = conn.execute(_ORIGINAL_BY[column], params).first()
        if row is not None:
            return row
    return None


def _absolute(source: str | None) -> str | None:
    """The claim file as an absolute path, so that readers of the store (denial report, appeal)
    find it from any folder; an existing file only (stdin and other names stay as given)."""
    if not source:
        return source
    from pathlib import Path

    path = Path(source)
    try:
        return str(path.resolve()) if not path.is_absolute() and path.is_file() else source
    except OSError:
        return source


def _supersede(conn, row, by_id: int, status: str) -> None:
    conn.execute(_UPDATE_CLAIM, {"row_id": row.id, "status": status, "replaced_by": by_id})


def _upsert(conn, claim: Claim, key: ClaimKey, existing, source, *, status: str, with_lines: bool = True):
    dates = claim.dates_of_service
    values = dict(
        billing_npi=key.billing_npi,
        payer_key=key.payer_key,
        claim_number=key.claim_number,
        frequency_code=((claim.frequency_code or "1").strip() or "1")[:1],
        original_reference=_fit(claim.original_reference, 50),
        claim_filing_indicator=_fit(claim.payer.claim_filing_indicator, 2),
        patient_key=claim.patient_key,
        patient_birth_date=claim.patient_birth_date,
        prior_authorization=_fit(claim.prior_authorization, 50),
        total_charge_cents=claim.total_charge,
        first_dos=dates[0] if dates else None,
        last_dos=dates[-1] if dates else None,
        source=_fit(_absolute(source if source is not None else claim.source), 500),
        recorded_at=datetime.now(timezone.utc),
    )
    if existing is None:
        row_id = conn.execute(_INSERT_CLAIM, {"status": status, **values}).inserted_primary_key[0]
        outcome = "recorded"
    else:
        row_id = existing.id
        # A claim already replaced or voided (by another claim, or by a void with its own CLM01)
        # stays superseded when re-sent: a void or replacement is not undone by resending the
        # original (HX007 tells the biller to send a new claim under a new CLM01 instead).
        if (existing.replaced_by is not None and existing.replaced_by != row_id) or existing.status == "void":
            status = existing.status
        else:
            values["replaced_by"] = None
        conn.execute(_UPDATE_CLAIM, {"row_id": row_id, "status": status, **values})
        conn.execute(_DELETE_LINES, {"row_id": row_id})
        outcome = "replaced-version"
    if with_lines and claim.lines:
        conn.execute(_INSERT_LINES, [_line_values(claim, ln, row_id) for ln in claim.lines])
    return row_id, outcome


def _line_values(claim: Claim, ln, claim_row: int) -> dict:
    rendering = claim.rendering_for(ln)
    return dict(
        claim_id=claim_row,
        line_number=ln.number,
        dos=ln.date_of_service,
        dos_end=ln.date_of_service_end,
        procedure_code=(ln.procedure_code or "").strip().upper()[:10],
        modifiers=" ".join(m.strip().upper() for m in ln.modifiers if m and m.strip())[:20],
        units_milli=ln.units,
        charge_cents=ln.charge,
        allowed_cents=None,
        place_of_service=_fit(ln.place_of_service or claim.place_of_service, 2),
        rendering_npi=rendering.npi if rendering and rendering.npi and len(rendering.npi) <= 10 else None,
        control_number=_fit(ln.control_number, 50),
    )
