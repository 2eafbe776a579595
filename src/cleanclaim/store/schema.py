"""The history tables as the code reads and writes them (the migrations create them).

Kept in step with ``migrations/``: a new migration that changes a table changes it here
too. Money columns (``*_cents``) and units (``units_milli``) are integers in the
database and :class:`~decimal.Decimal` in Python.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa


class Cents(sa.types.TypeDecorator):
    """Decimal dollars in Python, whole cents in the database."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


class Milli(sa.types.TypeDecorator):
    """Decimal units in Python, thousandths in the database."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int((Decimal(value) * 1000).to_integral_value())

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 1000).normalize()


metadata = sa.MetaData()

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("billing_npi", sa.String(10), nullable=False),
    sa.Column("payer_key", sa.String(80), nullable=False),
    sa.Column("claim_number", sa.String(38), nullable=False),
    sa.Column("frequency_code", sa.String(1), nullable=False),
    sa.Column("original_reference", sa.String(50)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("replaced_by", sa.Integer),
    sa.Column("payer_claim_number", sa.String(50)),
    sa.Column("claim_filing_indicator", sa.String(2)),
    sa.Column("patient_key", sa.String(80)),
    sa.Column("patient_birth_date", sa.Date),
    sa.Column("prior_authorization", sa.String(50)),
    sa.Column("total_charge_cents", Cents),
    sa.Column("first_dos", sa.Date),
    sa.Column("last_dos", sa.Date),
    sa.Column("source", sa.String(500)),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

claim_lines = sa.Table(
    "claim_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    sa.Column("line_number", sa.Integer, nullable=False),
    sa.Column("dos", sa.Date),
    sa.Column("dos_end", sa.Date),
    sa.Column("procedure_code", sa.String(10), nullable=False),
    sa.Column("modifiers", sa.String(20), nullable=False),
    sa.Column("units_milli", Milli),
    sa.Column("charge_cents", Cents),
    sa.Column("allowed_cents", Cents),
    sa.Column("place_of_service", sa.String(2)),
    sa.Column("rendering_npi", sa.String(10)),
    sa.Column("control_number", sa.String(50)),
)

provider_roster = sa.Table(
    "provider_roster",
    metadata,
    sa.Column("npi", sa.String(10), primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("taxonomy", sa.String(10)),
    sa.Column("credential", sa.String(10)),
    sa.Column("in_network", sa.String(1000), nullable=False),
    sa.Column("source", sa.String(500)),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

authorizations = sa.Table(
    "authorizations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("payer_key", sa.String(80), nullable=False),
    sa.Column("patient_key", sa.String(80), nullable=False),
    sa.Column("number", sa.String(50), nullable=False),
    sa.Column("codes", sa.String(1000), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("units_authorized", sa.Integer),
    sa.Column("units_used", sa.Integer, nullable=False),
    sa.Column("source", sa.String(500)),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

therapy_ytd = sa.Table(
    "therapy_ytd",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("patient_key", sa.String(80), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("discipline", sa.String(6), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

# Tables `history show` counts (others' migrations add theirs to their own listings).
COUNTED = ("claims", "claim_lines", "provider_roster", "authorizations", "therapy_ytd")
