"""Remit import into the history store (SQLite and PostgreSQL): one transaction per file,
idempotent by content hash, matching to recorded claims, reversal links, denials."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from history_support import BACKENDS, history_url, make_claim
from test_remit835 import SAMPLES, wrap

from cleanclaim.remits import importer
from cleanclaim.remits import schema as t
from cleanclaim.store import open_history
from cleanclaim.store.schema import claim_lines, claims


@pytest.fixture(params=BACKENDS)
def history(request, tmp_path):
    h = open_history(history_url(request, tmp_path))
    yield h
    h.close()


def write(tmp_path, name, body, **kw):
    path = tmp_path / name
    path.write_text(wrap(body, **kw))
    return path


def rows(history, table, *where):
    with history.engine.connect() as conn:
        return conn.execute(sa.select(table).where(*where).order_by(table.c.id)).all()


def count_all(history) -> dict[str, int]:
    with history.engine.connect() as conn:
        return {tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one() for tb in t.TABLES}


def test_migration_matches_schema(history):
    inspector = sa.inspect(history.engine)
    for table in t.TABLES:
        assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
    assert "m0100_remits" in history.applied_migrations()


R03 = ("BPR*I*95*C*CHK************20240315~N1*PR*ACME HEALTH~REF*2U*PAYER1~N1*PE*CLINIC*XX*1234567893~"
       "CLP*C3*1*200*95*20*12*ICN5~SVC*HC:97110:GP*120*95**3~DTM*472*20250303~CAS*CO*45*5~CAS*PR*2*20~"
       "AMT*B6*115~SVC*HC:97530:GP*80*0**1~DTM*472*20250303~CAS*CO*45*20**97*60~LQ*HE*M15~")


def test_import_matches_lines_and_marks_denials(history, store, tmp_path):
    claim = make_claim("C3", lines=[("97110", ["GP"], 3), ("97530", ["GP"], 1)], dos="2025-03-03")
    claim.lines[0].charge, claim.lines[1].charge = D("120"), D("80")
    claim.lines[0].control_number = "L1"
    history.record(claim)
    body = R03.replace("AMT*B6*115~", "REF*6R*L1~AMT*B6*115~").replace("SVC*HC:97530:GP*", "SVC*HC:97530*")
    result = importer.import_file(history, write(tmp_path, "r03.835", body), store)
    assert (result.kind, result.claims, result.lines, result.matched_claims, result.denials) == ("835", 1, 2, 1, 1)
    (rc,) = rows(history, t.remit_claim)
    assert rc.match_method == "claim_id+npi" and rc.history_claim_id is not None
    assert rc.balanced and rc.denial and rc.denied_charge == D("80.00") and rc.bucket == "coding_bundling"
    assert (rc.denial_group, rc.denial_carc) == ("CO", "97")
    l1, l2 = rows(history, t.remit_line)
    assert (l1.history_line_number, l1.match_method, l1.denial) == (1, "control_number", False)
    # the payer dropped GP on line 2: matched by code and date
    assert (l2.history_line_number, l2.match_method) == (2, "code_date_no_mods")
    assert l2.denial and l2.denied_charge == D("80.00") and l2.paid == 0
    assert [(a.group_code, a.carc, a.amount, a.known) for a in rows(history, t.remit_adjustment,
                                                                    t.remit_adjustment.c.remit_line_id == l2.id)] \
        == [("CO", "45", D("20.00"), True), ("CO", "97", D("60.00"), True)]
    assert [r.code for r in rows(history, t.remit_remark)] == ["M15"]
    allowed = rows(history, claim_lines, claim_lines.c.line_number == 1)[0].allowed_cents
    assert allowed == D("115.00")
    assert rows(history, claims)[0].payer_claim_number == "ICN5"


def test_same_file_twice_adds_nothing(history, store, tmp_path):
    path = write(tmp_path, "a.835", R03)
    first = importer.import_file(history, path, store)
    before = count_all(history)
    again = importer.import_file(history, path, store)
    assert not first.duplicate and again.duplicate and again.file_id == first.file_id
    assert count_all(history) == before and before["remit_claim"] == 1


def test_crash_mid_import_leaves_nothing(history, store, tmp_path, monkeypatch):
    body = R03 + "CLP*C4*1*50*50**12*ICN6~"
    path = write(tmp_path, "b.835", body)
    real, calls = importer.insert_claim, []

    def failing(*args, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected failure")
        return real(*args, **kw)

    monkeypatch.setattr(importer, "insert_claim", failing)
    with pytest.raises(RuntimeError, match="injected"):
        importer.import_file(history, path, store)
    assert len(calls) == 2  # the first claim was written inside the transaction
    assert set(count_all(history).values()) == {0}
    monkeypatch.setattr(importer, "insert_claim", real)
    assert importer.import_file(history, path, store).claims == 2  # and the retry imports it whole


@pytest.mark.parametrize("payment_first", [True, False])
def test_reversal_and_correction_are_linked(history, store, tmp_path, payment_first):
    first = write(tmp_path, "pay.835", "BPR*I*100*C*CHK************20240301~CLP*A1*1*150*100**12*ICN1~"
                                       "CAS*CO*45*50~", isa="000000001")
    r02 = ("BPR*I*70*C*CHK************20240315~CLP*A1*22*-150*-100**12*ICN1~CAS*CO*45*-50~"
           "CLP*A1*1*150*120**12*ICN2~CAS*CO*45*30~CLP*B2*1*100*60**12*ICN3~CAS*CO*45*40~"
           "PLB*1234567890*20241231*WO:ICN0*10~")
    second = write(tmp_path, "r02.835", r02, isa="000000002")
    for path in (first, second) if payment_first else (second, first):
        importer.import_file(history, path, store)
    found = {(r.status_code, r.payer_claim_control): r for r in rows(history, t.remit_claim)}
    original, reversal, correction, other = (found[k] for k in (("1", "ICN1"), ("22", "ICN1"), ("1", "ICN2"),
                                                                ("1", "ICN3")))
    assert reversal.reversal and reversal.reversal_of_id == original.id
    assert correction.correction_of_id == reversal.id and other.correction_of_id is None
    assert not reversal.denial and original.paid + reversal.paid + correction.paid == D("120.00")
    (remit,) = rows(history, t.remittance, t.remittance.c.payment_amount == D("70"))
    assert remit.balanced and remit.provider_adjustment_total == D("10.00")
    (plb,) = rows(history, t.remit_provider_adjustment)
    assert (plb.reason_code, plb.reference, plb.amount) == ("WO", "ICN0", D("10.00"))


@pytest.mark.parametrize("name,claims_in_file,paid", [
    ("managed-care.835", 2, D("945.00")), ("secondary-payment.835", 2, D("1222.00")),
    ("cob-contractural-adjustment.835", 1, D("34.00"))])
def test_guide_samples_import_whole(history, store, name, claims_in_file, paid):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("shared X12 samples not present")
    result = importer.import_file(history, path, store)
    assert result.claims == claims_in_file and result.unbalanced == 0
    (remit,) = rows(history, t.remittance)
    assert remit.claim_paid_total == paid and remit.balanced


ACK999 = ("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*PROVIDER       *240315*1200*^*00501*000000003*0*T*:~"
          "GS*FA*CH*PROV*20240315*1200*3*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*17*005010X222A1~"
          "AK2*837*0001*005010X222A1~IK5*A~AK2*837*0002*005010X222A1~IK3*NM1*22*2010BA*8~IK4*9*67*7*XX~IK5*R*5~"
          "AK9*P*2*2*1~SE*10*0001~GE*1*3~IEA*1*000000003~")

A277 = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *240316*1200*^*00501*000000004*0*T*:~"
        "GS*HN*PAYER*PROV*20240316*1200*4*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*B1*20240316*1200*TH~"
        "HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*PAYER1~TRN*1*B1~DTM*050*20240316~DTM*009*20240316~"
        "HL*2*1*21*1~NM1*41*2*CLINIC*****46*X~TRN*2*BATCH1~STC*A1:19:PR*20240316*WQ*300~"
        "HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~"
        "HL*4*3*PT~NM1*QC*1*DOE*J****MI*M1~TRN*2*C3~STC*A7:562:85*20240316*U*200~REF*1K*PCN1~"
        "DTP*472*RD8*20250303-20250303~"
        "HL*5*3*PT~NM1*QC*1*ROE*K****MI*M2~TRN*2*C9~STC*A2:20*20240316*WQ*100~"
        "SE*19*0001~GE*1*4~IEA*1*000000004~")


def test_999_and_277ca_import(history, store, tmp_path):
    claim = make_claim("C3", lines=[("97110", ["GP"], 3)])
    history.record(claim)
    (tmp_path / "a.999").write_text(ACK999)
    (tmp_path / "a.277").write_text(A277)
    r999 = importer.import_file(history, tmp_path / "a.999", store)
    assert (r999.kind, r999.responses, r999.rejected) == ("999", 2, 1)
    assert [p.code for p in r999.problems] == ["RM006"]  # no recorded claim was sent in set 0002
    r277 = importer.import_file(history, tmp_path / "a.277", store)
    assert (r277.kind, r277.responses, r277.rejected, r277.matched_claims) == ("277CA", 2, 1, 1)
    resp = rows(history, t.frontend_response, t.frontend_response.c.kind == "277CA")
    rejected = [r for r in resp if not r.accepted]
    assert [(r.claim_id, r.status_code, r.claim_status_code, r.charge) for r in rejected] == [
        ("C3", "A7", "562", D("200.00"))]
    assert rejected[0].history_claim_id is not None and rejected[0].payer_claim_control == "PCN1"
    ik = rows(history, t.frontend_code, t.frontend_code.c.source.in_(["IK3", "IK4"]))
    assert [(c.source, c.code, c.segment_id, c.segment_position, c.element_position, c.bad_value)
            for c in ik] == [("IK3", "8", "NM1", 22, None, None), ("IK4", "7", "NM1", None, "9", "XX")]


def test_overlong_values_are_cut_with_a_warning(history, store, tmp_path):
    body = "BPR*I*0*C*NON************20240315~CLP*Z1*4*10*0**12*I~CAS*CO*TOOLONG*10~" \
           "SVC*HC:97110*99999999999999*0~"
    result = importer.import_file(history, write(tmp_path, "long.835", body), store)
    assert result.claims == 1 and any(p.code == "RM004" and "carc" in p.message for p in result.problems)
    assert [a.carc for a in rows(history, t.remit_adjustment)] == ["TOOLO"]
    assert [ln.charge for ln in rows(history, t.remit_line)] == [None]  # too large for Numeric(12, 2)
    assert any(p.code == "RM004" and "too large" in p.message for p in result.problems)
