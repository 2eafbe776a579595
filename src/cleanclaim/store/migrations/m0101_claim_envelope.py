"""Where each recorded 837 claim was sent: its interchange, group and transaction set
control numbers (ISA13, GS06, ST02), so a 999 that rejects a set (AK1 GS06, AK2 ST02,
IK5/AK9 R) can be tied to the claims of that set. A frozen copy of
``cleanclaim.remits.schema.claim_envelope`` as of this migration.
"""

from __future__ import annotations

import sqlalchemy as sa


def upgrade(conn) -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "claim_envelope", metadata,
        sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=False),  # claims.id (STORE m0001)
        sa.Column("sender_id", sa.String(15)),  # GS02 application sender code
        sa.Column("interchange_control", sa.String(9)),  # ISA13
        sa.Column("group_control", sa.String(9), nullable=False),  # GS06
        sa.Column("set_control", sa.String(9), nullable=False),  # ST02
        sa.Column("group_date", sa.String(8)),  # GS04 CCYYMMDD
    )
    table.create(conn)
    sa.Index("ix_claim_envelope_group_set", table.c.group_control, table.c.set_control).create(conn)
