"""Claims and their service lines (claim identity: billing NPI + payer key + CLM01).

Only what the cross-claim rules need is stored: no names, addresses, diagnoses or
notes. The patient is the opaque ``patient_key`` plus birth date. Money is whole cents
and units are thousandths (integers behave the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa


def upgrade(conn) -> None:
    meta = sa.MetaData()
    claims = sa.Table(
        "claims",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("billing_npi", sa.String(10), nullable=False),
        sa.Column("payer_key", sa.String(80), nullable=False),
        sa.Column("claim_number", sa.String(38), nullable=False),  # CLM01
        sa.Column("frequency_code", sa.String(1), nullable=False, server_default="1"),  # CLM05-3
        sa.Column("original_reference", sa.String(50)),  # REF*F8 on a 7/8 claim
        # active | replaced (by a frequency-7 claim) | void (by a frequency-8 claim, or a void itself)
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        sa.Column("replaced_by", sa.Integer),  # claims.id of the replacement/void
        sa.Column("payer_claim_number", sa.String(50)),  # payer's ICN (835 CLP07), when known
        sa.Column("claim_filing_indicator", sa.String(2)),  # SBR09
        sa.Column("patient_key", sa.String(80)),
        sa.Column("patient_birth_date", sa.Date),
        sa.Column("prior_authorization", sa.String(50)),  # REF*G1
        sa.Column("total_charge_cents", sa.BigInteger),
        sa.Column("first_dos", sa.Date),
        sa.Column("last_dos", sa.Date),
        sa.Column("source", sa.String(500)),  # file name the claim was recorded from
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("billing_npi", "payer_key", "claim_number", name="uq_claims_identity"),
    )
    sa.Index("ix_claims_patient", claims.c.patient_key, claims.c.first_dos)
    lines = sa.Table(
        "claim_lines",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("line_number", sa.Integer, nullable=False),
        sa.Column("dos", sa.Date),
        sa.Column("dos_end", sa.Date),
        sa.Column("procedure_code", sa.String(10), nullable=False),
        sa.Column("modifiers", sa.String(20), nullable=False, server_default=""),  # space-separated
        sa.Column("units_milli", sa.BigInteger),  # units x 1000
        sa.Column("charge_cents", sa.BigInteger),
        sa.Column("allowed_cents", sa.BigInteger),  # from an 835 when known (REMIT fills it)
        sa.Column("place_of_service", sa.String(2)),
        sa.Column("rendering_npi", sa.String(10)),
        sa.Column("control_number", sa.String(50)),  # REF*6R
    )
    sa.Index("ix_claim_lines_claim", lines.c.claim_id)
    sa.Index("ix_claim_lines_dos_code", lines.c.dos, lines.c.procedure_code)
    meta.create_all(conn)
