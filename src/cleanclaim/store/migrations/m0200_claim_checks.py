"""What `check --record` found on each recorded claim when it was checked (before it went
out): clean or not, error and warning counts, the error finding codes. The denial report's
clean-claim rate reads it instead of checking the claim files again (which may have moved,
and which today's rules would judge differently). One row per claim (the latest check);
no patient data.
"""

from __future__ import annotations

import sqlalchemy as sa


def upgrade(conn) -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "claim_checks", metadata,
        sa.Column("claim_row", sa.Integer, primary_key=True, autoincrement=False),  # claims.id (m0001)
        sa.Column("claim_number", sa.String(38), nullable=False),  # CLM01
        sa.Column("payer_key", sa.String(80), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clean", sa.Boolean, nullable=False),  # no error and no warning finding
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("codes", sa.String(1000), nullable=False, server_default=""),  # errors: "PG004 NC002:1" (code:line)
    )
    table.create(conn)
