"""Trial of issue 5 (remit side): duplicates by payer + TRN, files with errors refused
whole, segment numbers, the seventh CAS triplet, the denial definition, buckets."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from test_remit835 import only, wrap

from cleanclaim.cli import main
from cleanclaim.remits import importer
from cleanclaim.remits.buckets import claim_denial
from cleanclaim.remits.explain import explain
from cleanclaim.store import open_history

# One payment: BPR02 95 = CLP04 95; TRN02 check number CHK123, TRN03 1512345678.
PAY = ("BPR*I*95*C*CHK************20240315~TRN*1*CHK123*1512345678~N1*PR*ACME HEALTH~REF*2U*PAYER1~"
       "N1*PE*CLINIC*XX*1234567893~CLP*C3*1*200*95*20*12*ICN5~SVC*HC:97110:GP*120*95**3~DTM*472*20250303~"
       "CAS*CO*45*5~CAS*PR*2*20~SVC*HC:97530:GP*80*0**1~DTM*472*20250303~CAS*CO*45*20**97*60~LQ*HE*M15~")


@pytest.fixture
def history(tmp_path):
    h = open_history(str(tmp_path / "h.sqlite"))
    yield h
    h.close()


def put(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_resent_and_crlf_copies_add_nothing(history, store, tmp_path):
    first = importer.import_file(history, put(tmp_path, "a.835", wrap(PAY)), store)
    assert (first.remittances, first.claims, first.refused) == (1, 1, None)
    resent = importer.import_file(history, put(tmp_path, "b.835", wrap(PAY, isa="000000777")), store)
    crlf = importer.import_file(history, put(tmp_path, "c.835", wrap(PAY).replace("~", "~\r\n")), store)
    for again in (resent, crlf):
        assert again.duplicate and again.remittances == 0 and again.file_id is None
        assert len(again.skipped) == 1 and "TRN02 CHK123" in again.skipped[0] and "a.835" in again.skipped[0]
    assert count(history, "remittance") == 1 and count(history, "remit_file") == 1


def test_a_new_payment_in_a_file_with_a_resent_one_is_imported(history, store, tmp_path):
    importer.import_file(history, put(tmp_path, "a.835", wrap(PAY)), store)
    two = wrap(PAY)
    second_set = wrap(PAY.replace("CHK123", "CHK124"), st="0002")
    st2 = second_set[second_set.index("ST*835"):second_set.index("GE*")]
    two = two.replace("GE*1*1~", st2 + "GE*2*1~")
    result = importer.import_file(history, put(tmp_path, "two.835", two), store)
    assert (result.remittances, result.duplicate, len(result.skipped)) == (1, False, 1)
    assert count(history, "remittance") == 2


def test_file_cut_short_is_refused_whole(history, store, tmp_path):
    text = wrap(PAY, st="0001")
    # a closed first set, then a second set with no SE, no GE/IEA
    second = wrap(PAY.replace("CHK123", "CHK999"), st="0002")
    cut = text[:text.index("GE*")] + second[second.index("ST*835"):second.index("SE*")]
    result = importer.import_file(history, put(tmp_path, "cut.835", cut), store)
    assert result.refused and result.file_id is None
    assert count(history, "remittance") == 0 and count(history, "remit_file") == 0
    unclosed = [p for p in result.errors if "not closed" in p.message]
    assert unclosed and unclosed[0].set_control == "0002"


def test_cli_exit_codes_and_duplicate_report(tmp_path):
    db = tmp_path / "h.sqlite"
    good = put(tmp_path, "a.835", wrap(PAY))
    bad = put(tmp_path, "bad.835", wrap(PAY.replace("CLP*C3*1*200", "CLP*C3*1*2OO")))
    ok = CliRunner().invoke(main, ["remit", "import", str(good), "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    again = CliRunner().invoke(main, ["remit", "import", str(good), "--db", str(db)])
    assert again.exit_code == 0 and "nothing added" in again.output
    refused = CliRunner().invoke(main, ["remit", "import", str(bad), "--db", str(db)])
    assert refused.exit_code == 1 and "NOT imported" in refused.output and "CLP03 '2OO'" in refused.output


def test_segment_numbers_name_the_cas_lq_and_bpr(store):
    # ISA=1 GS=2 ST=3 BPR=4 ...; the unknown CARC's CAS is set segment 11, file segment 13
    body = PAY.replace("CAS*CO*45*5~CAS*PR*2*20~", "CAS*CO*45*5~CAS*CO*Z99*20~").replace("BPR*I*95", "BPR*I*99")
    remit = only(wrap(body), store)
    rm020 = next(p for p in remit.problems if p.code == "RM020")
    assert (rm020.segment_number, rm020.segment_id, rm020.file_segment, rm020.set_control) == (11, "CAS", 13, "0001")
    rm012 = next(p for p in remit.problems if p.code == "RM012")
    assert (rm012.segment_number, rm012.segment_id, rm012.file_segment) == (2, "BPR", 4)


def test_seventh_cas_triplet_is_an_error_naming_cas20(store):
    # TR3 005010X221A1: CAS holds six triplets (CAS02..CAS19); a seventh cannot be read
    cas = "CAS*CO*45*1**45*1**45*1**45*1**45*1**45*1**16*70~"
    remit = only(wrap(PAY.replace("CAS*CO*45*5~", cas)))
    errors = [p for p in remit.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].code == "RM002" and "CAS20" in errors[0].message


def test_invalid_group_code_is_an_error(store):
    remit = only(wrap(PAY.replace("CAS*CO*45*5~", "CAS*QQ*45*5~")))
    assert any(p.code == "RM002" and "CAS01 'QQ'" in p.message for p in remit.problems)
    out = CliRunner().invoke(main, ["remit", "explain", "XX-45"])
    assert out.exit_code == 1 and "not a claim adjustment group code" in out.output


SECONDARY = ("BPR*I*20*C*CHK************20240315~TRN*1*S1*1512345678~N1*PR*SECOND PAYER~N1*PE*CLINIC*XX*1234567893~"
             "CLP*S1*{status}*100*20**12*ICN9~CAS*OA*23*80~SVC*HC:97110*100*20**1~DTM*472*20250303~")


@pytest.mark.parametrize("status,denied", [("2", False), ("20", False), ("1", True)])
def test_oa23_on_a_secondary_claim_is_not_a_denial(status, denied, store):
    # CARC 23: "The impact of prior payer(s) adjudication including payments and/or adjustments."
    assert store.adjustment_code("carc", "23").description.startswith("The impact of prior payer(s) adjudication")
    claim = only(wrap(SECONDARY.format(status=status))).claims[0]
    assert claim_denial(claim).denied is denied


@pytest.mark.parametrize("carc,text", [
    ("A2", "Contractual adjustment."),
    ("42", "Charges exceed our fee schedule or maximum allowable amount. (Use CARC 45)"),
    ("24", "Charges are covered under a capitation agreement/managed care plan."),
    ("45", "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.")])
def test_contractual_codes_are_not_denials(carc, text, store):
    assert store.adjustment_code("carc", carc).description == text
    e = explain(store, "CO", carc, [], amount=D("50"))
    assert not e.denial and "contractual" in e.text
    body = ("BPR*I*450*C*CHK************20240315~TRN*1*M1*1512345678~N1*PR*HMO~N1*PE*CLINIC*XX*1234567893~"
            f"CLP*M1*1*800*450**12*ICN1~CAS*CO*{carc}*50~SVC*HC:97110*800*450**1~CAS*CO*45*300~")
    assert not claim_denial(only(wrap(body)).claims[0]).denied


def test_co16_with_ma130_is_a_billing_error_not_ncci(store):
    # RARC MA130: "...no appeal rights are afforded because the claim is unprocessable..."
    assert "unprocessable" in store.adjustment_code("rarc", "MA130").description
    for rarcs in ([], ["MA130"]):
        e = explain(store, "CO", "16", rarcs)
        assert e.denial and e.bucket == "billing_error"


def count(history, table) -> int:
    import sqlalchemy as sa

    from cleanclaim.remits import schema as t

    with history.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(getattr(t, table))).scalar_one()


PLB_PAY = ("BPR*I*83.63*C*ACH************20240320~TRN*1*EFT777*1512345678~N1*PR*ACME HEALTH~"
           "N1*PE*CLINIC*XX*1234567893~CLP*P9*1*100*95**12*ICN7~SVC*HC:97110*100*95**1~CAS*CO*45*5~"
           "PLB*1234567893*20241231*WO:ICN1*12.50*L6*-1.13~")


def test_show_lists_payment_trn_and_plb_newest_first(tmp_path):
    db = tmp_path / "h.sqlite"
    older, newer = put(tmp_path, "old.835", wrap(PAY)), put(tmp_path, "new.835", wrap(PLB_PAY, isa="000000002"))
    # imported newest first: the listing must still order by remit date, not by import
    assert CliRunner().invoke(main, ["remit", "import", str(newer), str(older), "--db", str(db)]).exit_code == 0
    out = CliRunner().invoke(main, ["remit", "show", "--db", str(db)]).output
    listed = [ln.split()[0] for ln in out.splitlines()[1:3]]
    assert listed == ["P9", "C3"]
    # BPR02 83.63 = CLP04 95 - PLB (12.50 - 1.13); PLB03-1 WO overpayment recovery, L6 interest owed
    assert "EFT EFT777" in out and "BPR02 83.63" in out
    assert "PLB WO Overpayment recovery: 12.50 (taken from the payment), reference ICN1" in out
    assert "PLB L6 Interest owed: -1.13 (added to the payment)" in out
    shown = json.loads(CliRunner().invoke(main, ["remit", "show", "P9", "--db", str(db), "--format", "json"]).output)
    pay = shown["payments"][0]
    assert (pay["trace_number"], pay["payment_amount"], pay["balanced"]) == ("EFT777", "83.63", True)
    assert [a["reason_code"] for a in pay["provider_adjustments"]] == ["WO", "L6"]


def test_reversal_links_show_claim_and_remit_date(tmp_path):
    db = tmp_path / "h.sqlite"
    rev = ("BPR*I*0*C*NON************20240401~TRN*1*R1*1512345678~N1*PR*ACME HEALTH~REF*2U*PAYER1~"
           "N1*PE*CLINIC*XX*1234567893~CLP*C3*22*-200*-95*-20*12*ICN5~SVC*HC:97110:GP*-120*-95**-3~"
           "CAS*CO*45*-5~CAS*PR*2*-20~SVC*HC:97530:GP*-80*0**-1~CAS*CO*45*-20**97*-60~"
           "CLP*C3*1*200*95*20*12*ICN6~SVC*HC:97110:GP*120*95**3~CAS*CO*45*5~CAS*PR*2*20~"
           "SVC*HC:97530:GP*80*0**1~CAS*CO*45*20**97*60~")
    paths = [put(tmp_path, "a.835", wrap(PAY)), put(tmp_path, "b.835", wrap(rev, isa="000000009"))]
    assert CliRunner().invoke(main, ["remit", "import", *map(str, paths), "--db", str(db)]).exit_code == 0
    out = CliRunner().invoke(main, ["remit", "show", "C3", "--db", str(db)]).output
    assert "reverses the payment of the C3 remit of 2024-03-15" in out
    assert "corrects: follows the reversal in the C3 remit of 2024-04-01" in out and "#" not in out


def test_read_commands_refuse_a_missing_database(tmp_path):
    from cleanclaim.remits.query import open_existing_history
    from cleanclaim.store import HistoryError

    missing = tmp_path / "nope" / "x.sqlite"
    with pytest.raises(HistoryError, match="no such history database"):
        open_existing_history(str(missing))
    out = CliRunner().invoke(main, ["remit", "show", "--db", str(missing)])
    assert out.exit_code == 2 and not missing.parent.exists()  # setup error (README exit codes)


def test_reversal_dated_before_its_payment_is_a_warning(history, store, tmp_path):
    early = ("BPR*I*0*C*NON************20240301~TRN*1*R2*1512345678~N1*PR*ACME HEALTH~REF*2U*PAYER1~"
             "N1*PE*CLINIC*XX*1234567893~CLP*C3*22*-200*-95*-20*12*ICN5~SVC*HC:97110:GP*-120*-95**-3~"
             "CAS*CO*45*-5~CAS*PR*2*-20~SVC*HC:97530:GP*-80*0**-1~CAS*CO*45*-20**97*-60~")
    importer.import_file(history, put(tmp_path, "a.835", wrap(PAY)), store)  # paid 2024-03-15
    result = importer.import_file(history, put(tmp_path, "r.835", wrap(early, isa="000000005")), store)
    rm013 = [p for p in result.problems if p.code == "RM013"]
    assert len(rm013) == 1 and "2024-03-01" in rm013[0].message and "2024-03-15" in rm013[0].message
    assert rm013[0].severity == "warning" and result.refused is None


def _999(group: str, set_control: str) -> str:
    return ("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*PROVIDER       *250310*1200*^*00501*000000003*0*T*:~"
            f"GS*FA*CH*PROV*20250310*1200*3*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*{group}*005010X222A1~"
            f"AK2*837*{set_control}*005010X222A1~IK3*CLM*25**8~IK4*2*782*7*999999~IK5*R*5~AK9*R*1*1*0~"
            "SE*9*0001~GE*1*3~IEA*1*000000003~")


def test_999_rejection_marks_the_claims_of_the_rejected_837_set(tmp_path):
    from datetime import datetime

    from history_support import make_claim

    from cleanclaim.formats.write837 import write_837

    sent = tmp_path / "batch.837"
    claims = [make_claim(f"C{i}", lines=[("97110", ["GP"], 1)]) for i in (1, 2, 3)]
    with open(sent, "w") as out:  # GS06 7; ST02 0001 holds C1 and C2, ST02 0002 holds C3
        write_837(claims, out, control_number=7, claims_per_transaction=2, created=datetime(2025, 3, 5, 9, 0))
    db = tmp_path / "h.sqlite"
    recorded = CliRunner().invoke(main, ["check", "--record", "--db", str(db), str(sent)])
    assert "recorded 3 claim(s)" in recorded.output + (recorded.stderr if recorded.stderr_bytes else "")
    ack = put(tmp_path, "rej.999", _999("7", "0002"))
    out = CliRunner().invoke(main, ["remit", "import", str(ack), "--db", str(db)])
    assert out.exit_code == 0 and "1 recorded claim(s) marked front-end rejected" in out.output, out.output
    shown = CliRunner().invoke(main, ["remit", "show", "C3", "--db", str(db)]).output
    assert "999 REJECTED" in shown and "ST02 0002 of group GS06 7" in shown
    # 999 TR3 005010X231A1: IK304 8 / IK403 7 / IK502 5
    assert "IK304 8 Segment has data element errors" in shown
    assert "CLM02 value '999999': IK403 7 Invalid code value" in shown
    assert "IK5 reason 5: One or more segments in error" in shown
    assert CliRunner().invoke(main, ["remit", "show", "C1", "--db", str(db)]).exit_code == 1  # its set was not rejected


def test_999_for_an_unrecorded_set_warns(tmp_path, store):
    history = open_history(str(tmp_path / "h.sqlite"))
    try:
        result = importer.import_file(history, put(tmp_path, "rej.999", _999("99", "0001")), store)
    finally:
        history.close()
    assert result.rejected == 1 and result.rejected_claims == 0
    assert any(p.code == "RM006" and "GS06 99" in p.message for p in result.problems)


@pytest.mark.parametrize("name,claims", [("cob-contractural-adjustment.835", 1), ("managed-care.835", 2),
                                         ("secondary-payment.835", 2)])
def test_shared_guide_samples_have_no_denials(name, claims, history, store):
    """X12 guide samples: OA-23 on CLP02 2 claims, CO-A2 claim-level, CO-42/CO-45, PR-1/PR-2:
    all contractual, prior-payer or patient responsibility -- 0 denials, $0 denied."""
    from test_remit835 import SAMPLES

    path = SAMPLES / name
    if not path.exists():
        pytest.skip("shared X12 samples not present")
    result = importer.import_file(history, path, store)
    assert (result.claims, result.denials, result.refused) == (claims, 0, None)
