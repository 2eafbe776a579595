"""Store tables for remittances (835) and front-end responses (999, 277CA).

SQLAlchemy Core tables in the history store (SQLite or PostgreSQL). Created by the
migration ``store/migrations/m0100_remits.py``. REMIT writes them (``remits.importer``);
DENIALS reads them. Money is ``Numeric(12, 2)`` (exact on both databases; read back as
Decimal). Dates are ``Date``. Every row of a file hangs off ``remit_file`` and goes in
with it in one transaction (``ON DELETE CASCADE`` everywhere below it).

Denials (issue 5): ``remit_line.denial`` / ``remit_claim.denial`` are set at import by
``remits.buckets.is_denied_*``: CLP02 = 4, or a line paid 0 or reduced by an
adjustment that is not CO-45 and not PR-1/2/3. ``denied_charge`` is the billed
charge of those lines (the claim charge when CLP02 = 4); ``bucket`` is the root cause
(``remits.buckets.BUCKETS``); ``denial_group``/``denial_carc`` the adjustment that decided it.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Money = sa.Numeric(12, 2)
Quantity = sa.Numeric(12, 3)


remit_file = sa.Table(
    "remit_file", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the bytes
    sa.Column("kind", sa.String(8), nullable=False),  # 835 | 999 | 277CA
    sa.Column("source", sa.String(500), nullable=False),  # the file name as given
    sa.Column("byte_size", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("problems", sa.JSON, nullable=False),  # read/balance warnings: [{"code","message",...}]
)

# One row per 835 transaction set (ST..SE): payer and payee are scoped to it.
remittance = sa.Table(
    "remittance", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_id", sa.Integer, sa.ForeignKey("remit_file.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("interchange_control", sa.String(9)),  # ISA13
    sa.Column("group_control", sa.String(9)),  # GS06
    sa.Column("set_control", sa.String(9)),  # ST02
    sa.Column("payer_name", sa.String(120)),  # N1*PR N102
    sa.Column("payer_id", sa.String(80)),  # REF*2U, else N1*PR N104
    sa.Column("payee_name", sa.String(120)),  # N1*PE N102
    sa.Column("payee_id_qualifier", sa.String(3)),  # N1*PE N103 (XX NPI, FI tax id, ...)
    sa.Column("payee_id", sa.String(80)),  # N1*PE N104
    sa.Column("payee_npi", sa.String(10)),  # N104 when N103 = XX
    sa.Column("handling_code", sa.String(2)),  # BPR01 (I remittance+payment, H notification only, ...)
    sa.Column("payment_amount", Money),  # BPR02
    sa.Column("credit_debit", sa.String(1)),  # BPR03
    sa.Column("payment_method", sa.String(3)),  # BPR04 (ACH, CHK, NON, ...)
    sa.Column("payment_date", sa.Date),  # BPR16
    sa.Column("trace_number", sa.String(50)),  # TRN02 (check or EFT number)
    sa.Column("trace_originator", sa.String(10)),  # TRN03
    sa.Column("production_date", sa.Date),  # DTM*405
    sa.Column("remit_date", sa.Date),  # BPR16, else DTM*405: the date used for code validity
    sa.Column("claim_paid_total", Money, nullable=False),  # sum CLP04
    sa.Column("provider_adjustment_total", Money, nullable=False),  # sum PLB amounts
    sa.Column("balanced", sa.Boolean, nullable=False),  # BPR02 = sum CLP04 - sum PLB
    sa.Column("balance_difference", Money, nullable=False),  # BPR02 - (sum CLP04 - sum PLB)
)

# One row per CLP (2100 loop).
remit_claim = sa.Table(
    "remit_claim", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remittance_id", sa.Integer, sa.ForeignKey("remittance.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),  # 1-based order of the CLP in its set
    sa.Column("segment_number", sa.Integer),  # CLP's segment number in its set (ST = 1)
    sa.Column("claim_id", sa.String(38), nullable=False, index=True),  # CLP01 = CLM01
    sa.Column("status_code", sa.String(2), nullable=False),  # CLP02 (1, 2, 3, 4, 19-23, 25)
    sa.Column("charge", Money),  # CLP03
    sa.Column("paid", Money),  # CLP04
    sa.Column("patient_responsibility", Money),  # CLP05
    sa.Column("filing_indicator", sa.String(2)),  # CLP06 (12 PPO, MB Medicare B, ...)
    sa.Column("payer_claim_control", sa.String(50), index=True),  # CLP07 (payer ICN)
    sa.Column("facility_code", sa.String(2)),  # CLP08
    sa.Column("frequency_code", sa.String(1)),  # CLP09
    sa.Column("patient_key", sa.String(80)),  # NM1*QC NM109: opaque, never printed
    sa.Column("rendering_npi", sa.String(10)),  # NM1*82 NM109 when NM108 = XX
    sa.Column("statement_start", sa.Date),  # DTM*232
    sa.Column("statement_end", sa.Date),  # DTM*233
    sa.Column("received_date", sa.Date),  # DTM*050
    sa.Column("remit_date", sa.Date),  # copied from the remittance (reports group by it)
    sa.Column("reversal", sa.Boolean, nullable=False),  # CLP02 = 22
    sa.Column("reversal_of_id", sa.Integer, sa.ForeignKey("remit_claim.id", ondelete="SET NULL")),
    sa.Column("correction_of_id", sa.Integer, sa.ForeignKey("remit_claim.id", ondelete="SET NULL")),
    sa.Column("history_claim_id", sa.Integer, index=True),  # claims.id (STORE m0001) matched by CLP01 = CLM01
    sa.Column("match_method", sa.String(20)),  # claim_id+npi | claim_id | None (no stored claim)
    sa.Column("balanced", sa.Boolean, nullable=False),  # CLP03 - all adjustments = CLP04
    sa.Column("balance_difference", Money, nullable=False),
    sa.Column("denial", sa.Boolean, nullable=False),
    sa.Column("denied_charge", Money, nullable=False),  # 0 when not a denial
    sa.Column("bucket", sa.String(32)),  # root cause of the (first) denial, else None
    sa.Column("denial_group", sa.String(2)),
    sa.Column("denial_carc", sa.String(5)),
)

# One row per SVC (2110 loop).
remit_line = sa.Table(
    "remit_line", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remit_claim_id", sa.Integer, sa.ForeignKey("remit_claim.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),  # 1-based order of the SVC in the CLP
    sa.Column("segment_number", sa.Integer),
    sa.Column("code_qualifier", sa.String(2)),  # SVC01-1 (HC, AD, ...)
    sa.Column("procedure_code", sa.String(48), index=True),  # SVC01-2 (as adjudicated)
    sa.Column("modifiers", sa.String(20), nullable=False),  # SVC01-3..6, space-separated (as claim_lines)
    sa.Column("original_code", sa.String(48)),  # SVC06-2 (as submitted, when the payer changed it)
    sa.Column("original_modifiers", sa.String(20)),  # SVC06-3..6, space-separated
    sa.Column("charge", Money),  # SVC02
    sa.Column("paid", Money),  # SVC03
    sa.Column("revenue_code", sa.String(48)),  # SVC04
    sa.Column("units", Quantity),  # SVC05 (blank = 1)
    sa.Column("original_units", Quantity),  # SVC07
    sa.Column("service_date", sa.Date),  # DTM*472, else DTM*150
    sa.Column("service_date_end", sa.Date),  # DTM*151
    sa.Column("control_number", sa.String(50)),  # REF*6R (= 837 REF*6R)
    sa.Column("allowed", Money),  # AMT*B6
    sa.Column("history_line_number", sa.Integer),  # claim_lines.line_number of the matched claim
    sa.Column("match_method", sa.String(20)),  # control_number | code_date | code_date_no_mods
    sa.Column("balanced", sa.Boolean, nullable=False),  # SVC02 - adjustments = SVC03
    sa.Column("balance_difference", Money, nullable=False),
    sa.Column("denial", sa.Boolean, nullable=False),
    sa.Column("denied_charge", Money, nullable=False),
    sa.Column("bucket", sa.String(32)),
    sa.Column("denial_group", sa.String(2)),
    sa.Column("denial_carc", sa.String(5)),
)

# CAS triplets (one row per triplet); remit_line_id is NULL for claim-level CAS.
remit_adjustment = sa.Table(
    "remit_adjustment", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remit_claim_id", sa.Integer, sa.ForeignKey("remit_claim.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("remit_line_id", sa.Integer, sa.ForeignKey("remit_line.id", ondelete="CASCADE"), index=True),
    sa.Column("position", sa.Integer, nullable=False),  # order within its claim or line
    sa.Column("group_code", sa.String(2), nullable=False),  # CO | PR | OA | PI | CR
    sa.Column("carc", sa.String(5), nullable=False, index=True),
    sa.Column("amount", Money, nullable=False),
    sa.Column("quantity", Quantity),
    sa.Column("known", sa.Boolean, nullable=False),  # CARC in the shipped table and valid on the remit date
)

# Remark codes: MOA/MIA (claim) and LQ*HE (line) RARCs.
remit_remark = sa.Table(
    "remit_remark", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remit_claim_id", sa.Integer, sa.ForeignKey("remit_claim.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("remit_line_id", sa.Integer, sa.ForeignKey("remit_line.id", ondelete="CASCADE"), index=True),
    sa.Column("source", sa.String(3), nullable=False),  # MOA | MIA | LQ
    sa.Column("code", sa.String(8), nullable=False, index=True),
    sa.Column("known", sa.Boolean, nullable=False),
)

# PLB provider-level adjustments (one row per reason/amount pair).
remit_provider_adjustment = sa.Table(
    "remit_provider_adjustment", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remittance_id", sa.Integer, sa.ForeignKey("remittance.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("provider_id", sa.String(50)),  # PLB01
    sa.Column("fiscal_period_end", sa.Date),  # PLB02
    sa.Column("reason_code", sa.String(2), nullable=False),  # PLB03-1 (WO, L6, FB, 72, ...)
    sa.Column("reference", sa.String(50)),  # PLB03-2
    sa.Column("amount", Money, nullable=False),  # positive = taken from the payment
)

# Front-end responses: one row per acknowledged 837 transaction set (999) or per
# claim the payer/clearinghouse answered (277CA 2200D). A rejected claim never reaches
# an 835; DENIALS counts rows with accepted = false as front-end rejections.
frontend_response = sa.Table(
    "frontend_response", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_id", sa.Integer, sa.ForeignKey("remit_file.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),  # 999 | 277CA
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("response_date", sa.Date),  # GS04 (999) / BHT04 (277CA)
    sa.Column("sender_name", sa.String(120)),  # 277CA 2100A NM103 (payer/clearinghouse)
    sa.Column("sender_id", sa.String(80)),  # 277CA 2100A NM109, else GS02
    # 999: the acknowledged group and set
    sa.Column("acknowledged_group_control", sa.String(9)),  # AK102
    sa.Column("acknowledged_set_id", sa.String(3)),  # AK201 (837)
    sa.Column("acknowledged_set_control", sa.String(9)),  # AK202 (the 837 ST02)
    # 277CA: the claim
    sa.Column("claim_id", sa.String(38), index=True),  # 2200D TRN02 = CLM01
    sa.Column("payer_claim_control", sa.String(50)),  # REF*1K
    sa.Column("billing_npi", sa.String(10)),  # 2100C NM1*85 NM109 when XX
    sa.Column("charge", Money),  # STC04
    sa.Column("service_date", sa.Date),  # DTM*472 (start)
    sa.Column("service_date_end", sa.Date),
    # outcome
    sa.Column("status_code", sa.String(3)),  # IK501 (A/E/M/P/R/W/X) or the first STC01-1 (A1..A8, ...)
    sa.Column("claim_status_code", sa.String(5)),  # first STC01-2 (277CA)
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("history_claim_id", sa.Integer, index=True),
    sa.Column("match_method", sa.String(20)),
)

# Codes of a front-end response: IK3/IK4 errors, IK5/AK9 status, each STC.
frontend_code = sa.Table(
    "frontend_code", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("response_id", sa.Integer, sa.ForeignKey("frontend_response.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("source", sa.String(4), nullable=False),  # IK3 | IK4 | IK5 | AK9 | STC
    sa.Column("code", sa.String(8), nullable=False),  # IK304 / IK403 / IK501 / AK901 / STC01-1
    sa.Column("claim_status_code", sa.String(5)),  # STC01-2
    sa.Column("entity_code", sa.String(3)),  # STC01-3
    sa.Column("segment_id", sa.String(3)),  # IK301 (the 837 segment in error)
    sa.Column("segment_position", sa.Integer),  # IK302 (position in the 837 set)
    sa.Column("loop_id", sa.String(6)),  # IK303
    sa.Column("element_position", sa.String(10)),  # IK401 (e.g. "2" or "2:1")
    sa.Column("bad_value", sa.String(99)),  # IK404
    sa.Column("line_control", sa.String(50)),  # 277CA 2220D REF*FJ (line item control number)
    sa.Column("action_code", sa.String(2)),  # STC03 (WQ accepted, U rejected, ...)
    sa.Column("description", sa.Text),  # free text (STC12) when the sender gives it
)

# The 837 envelope each recorded claim came in (migration m0101): ties a 999 (AK1 GS06 +
# AK2 ST02) to the claims of the transaction set it accepts or rejects.
claim_envelope = sa.Table(
    "claim_envelope", metadata,
    sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=False),  # claims.id (STORE m0001)
    sa.Column("sender_id", sa.String(15)),  # GS02 application sender code
    sa.Column("interchange_control", sa.String(9)),  # ISA13
    sa.Column("group_control", sa.String(9), nullable=False),  # GS06
    sa.Column("set_control", sa.String(9), nullable=False),  # ST02
    sa.Column("group_date", sa.String(8)),  # GS04 CCYYMMDD
    sa.Index("ix_claim_envelope_group_set", "group_control", "set_control"),
)

TABLES = (remit_file, remittance, remit_claim, remit_line, remit_adjustment, remit_remark,
          remit_provider_adjustment, frontend_response, frontend_code, claim_envelope)
