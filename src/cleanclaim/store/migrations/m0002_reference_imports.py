"""Imported reference data: provider roster, prior authorisations, therapy year-to-date."""

from __future__ import annotations

import sqlalchemy as sa


def upgrade(conn) -> None:
    meta = sa.MetaData()
    sa.Table(
        "provider_roster",
        meta,
        sa.Column("npi", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(200)),
        sa.Column("taxonomy", sa.String(10)),  # NUCC code
        sa.Column("credential", sa.String(10)),  # PT, PTA, OT, OTA, LMT, MD, ...
        sa.Column("in_network", sa.String(1000), nullable=False, server_default=""),  # payer keys, '|'-separated
        sa.Column("source", sa.String(500)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    auths = sa.Table(
        "authorizations",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("payer_key", sa.String(80), nullable=False),
        sa.Column("patient_key", sa.String(80), nullable=False),
        sa.Column("number", sa.String(50), nullable=False),  # what goes in REF*G1
        sa.Column("codes", sa.String(1000), nullable=False, server_default=""),  # space-separated; empty = any
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("units_authorized", sa.Integer),  # None = not limited by units (visits/dates only)
        sa.Column("units_used", sa.Integer, nullable=False, server_default="0"),  # as the payer reported
        sa.Column("source", sa.String(500)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("payer_key", "number", name="uq_authorizations_number"),
    )
    sa.Index("ix_authorizations_patient", auths.c.patient_key, auths.c.payer_key)
    sa.Table(
        "therapy_ytd",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("patient_key", sa.String(80), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("discipline", sa.String(6), nullable=False),  # PT/SLP | OT
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),  # the date the figure was true
        sa.Column("source", sa.String(500), nullable=False),  # e.g. "HETS 271 eligibility response"
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("patient_key", "year", "discipline", name="uq_therapy_ytd"),
    )
    meta.create_all(conn)
