"""835 reader: the X12 guide samples, real-world cases R-02/R-03, envelopes and errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from cleanclaim.formats.x12.errors import X12InputError
from cleanclaim.formats.x12.remit835 import iter_835_text, read_835
from cleanclaim.remits.model import Remittance

SHARED = Path(__file__).resolve().parents[2] / "shared"

SAMPLES = SHARED / "samples" / "x12"
CASES = SHARED / "cases" / "real-world-cases.jsonl"


def wrap(body: str, *, st="0001", isa="000000001") -> str:
    """An ISA/GS/ST envelope around 835 body segments (SE count computed)."""
    segs = [s for s in body.replace("\n", "").split("~") if s.strip()]
    isa_seg = (f"ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *240315*1200*^*00501*"
               f"{isa}*0*T*:~")
    return (isa_seg + "GS*HP*PAYER*PROVIDER*20240315*1200*1*X*005010X221A1~"
            f"ST*835*{st}~" + "".join(s.strip() + "~" for s in segs) + f"SE*{len(segs) + 2}*{st}~GE*1*1~"
            f"IEA*1*{isa}~")


def only(text: str, store=None) -> Remittance:
    items = list(iter_835_text(text, "t.835", store))
    remits = [i for i in items if isinstance(i, Remittance)]
    assert len(remits) == 1, items
    return remits[0]


def case(case_id: str) -> dict:
    if not CASES.exists():
        pytest.skip("shared real-world cases not present")
    for line in CASES.read_text().splitlines():
        row = json.loads(line)
        if row["id"] == case_id:
            return row
    pytest.skip(f"{case_id} not in the cases file")


# -- guide samples (values asserted from the files themselves) ------------------------------

def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("shared X12 samples not present")
    return path


def test_managed_care_sample(store):
    remits, file_problems = read_835(sample("managed-care.835"), store)
    assert file_problems == []
    (r,) = remits
    assert (r.payer.name, r.payee.name, r.payee.npi) == ("RUSHMORE LIFE", "ACME MEDICAL CENTER", "5544667733")
    assert r.payment_amount == D("945.00") and r.payment_method == "ACH" and r.trace_number == "7170066655"
    assert r.payee_tax_id == "777667755"
    # BPR16 20002316 is not a calendar date: reported with its segment, remit date falls back to DTM*405
    bad = [p for p in r.problems if p.code == "RM002"]
    assert len(bad) == 1 and bad[0].segment_id == "BPR" and bad[0].segment_number == 2
    assert "t" in str(bad[0]) and "managed-care.835: segment 2 (BPR)" in str(bad[0])
    assert r.remit_date == date(2002, 3, 14)
    assert [c.claim_id for c in r.claims] == ["5554555444", "8765432112"]
    first, second = r.claims
    assert (first.charge, first.paid, first.patient_responsibility) == (D("800.00"), D("450.00"), D("300.00"))
    assert first.adjustments[0].label == "CO-A2" and first.adjustments[0].amount == D("50.00")
    assert first.lines[0].procedure_code == "99211" and first.lines[0].service_date == date(2002, 3, 1)
    assert first.lines[0].service_date_end == date(2002, 3, 4)
    assert [a.label for a in second.lines[0].adjustments] == ["PR-1", "CO-45"]
    assert all(c.balanced and all(ln.balanced for ln in c.lines) for c in r.claims)
    assert r.balanced and r.claim_paid_total == D("945.00")


def test_secondary_payment_sample(store):
    (r,), _ = read_835(sample("secondary-payment.835"), store)
    assert r.payment_amount == D("1222.00")
    # the sample puts the date in BPR15 (one '*' short): warned, not taken; DTM*405 dates the remit
    assert r.payment_date is None and r.remit_date == date(2005, 4, 12)
    assert (r.payee.id_qualifier, r.payee.id) == ("FI", "599944521")
    a, b = r.claims
    assert a.claim_id == "L0004828311" and a.frequency_code == "1" and a.lines == []
    assert a.adjustments[0].label == "OA-23" and a.adjustments[0].amount == D("9411.64")
    assert a.statement_start == date(2005, 3, 3) and a.statement_end == date(2005, 3, 4)
    l1, l2 = b.lines
    assert (l1.procedure_code, l1.modifiers, l1.allowed, l1.units) == ("12345", ["26"], D("150.00"), D("1.00"))
    assert l2.revenue_code == "220" and l2.allowed == D("500.00")
    # one CAS segment with two triplets: PR-1 150 and PR-2 70
    assert [(x.label, x.amount) for x in l2.adjustments] == [("PR-1", D("150.00")), ("PR-2", D("70.00")),
                                                            ("CO-42", D("85.00"))]
    assert l2.balance_difference == 0 and b.balanced and r.balanced
    # the sample writes SVC01 with '>' under ISA16 ':': read, with one warning
    assert sorted((p.code, p.severity) for p in r.problems) == [("RM002", "warning"), ("RM030", "warning")]


def test_cob_sample_negative_adjustment(store):
    (r,), _ = read_835(sample("cob-contractural-adjustment.835"), store)
    (claim,) = r.claims
    (line,) = claim.lines
    assert [(a.label, a.amount) for a in line.adjustments] == [("OA-23", D("516.00")), ("OA-94", D("-9.00"))]
    assert line.charge - line.adjustment_total == line.paid == D("34.00")
    assert line.allowed == D("550.00") and r.balanced


# -- real-world cases with published answers ----------------------------------------------

def test_r02_reversal_correction_and_plb():
    row = case("R-02")
    r = only(wrap(row["input"]))
    a1 = [c for c in r.claims if c.claim_id == "A1"]
    assert [c.status_code for c in a1] == ["22", "1"]
    assert a1[0].is_reversal and a1[0].charge == D("-150") and a1[0].balanced
    net = sum(c.paid for c in a1)
    assert net == D(row["expected"]["claim_A1_net_paid"])  # 20
    assert r.claim_paid_total == D("80") and r.provider_adjustment_total == D("10")
    plb = r.provider_adjustments[0]
    assert (plb.provider_id, plb.reason_code, plb.reference, plb.fiscal_period_end) == (
        "1234567890", "WO", "ICN0", date(2024, 12, 31))
    assert r.payment_amount == D("70") and r.balanced  # 80 - 10 = 70 = BPR02
    assert not [p for p in r.problems if p.code.startswith("RM01")]


def test_r03_line_and_claim_balancing(store):
    row = case("R-03")
    r = only(wrap("BPR*I*95*C*CHK************20240315~" + row["input"]), store)
    (claim,) = r.claims
    l1, l2 = claim.lines
    assert (l1.procedure_code, l1.modifiers, l1.units) == ("97110", ["GP"], D("3"))
    assert l1.adjustment_total == D("25") and l1.balanced  # 120-25=95
    assert l2.adjustment_total == D("80") and l2.paid == 0 and l2.balanced  # 80-(20+60)=0
    assert claim.charge - sum(a.amount for a in claim.all_adjustments) == claim.paid == D("95")  # 200-105=95
    assert r.balanced and not [p for p in r.problems if p.severity == "error"]
    # "unknown CARC: warn, don't reject": the same claim with a code the shipped list lacks
    unknown = only(wrap("BPR*I*95*C*CHK************20240315~" + row["input"].replace("**97*60", "**Q97*60")), store)
    assert [p.code for p in unknown.problems if p.code == "RM020"] == ["RM020"]
    assert unknown.claims[0].lines[1].adjustments[1].carc == "Q97" and unknown.balanced


def test_unbalanced_line_claim_and_payment_are_warnings():
    r = only(wrap("BPR*I*100*C*CHK************20240315~CLP*X1*1*200*95**12*ICN~"
                  "SVC*HC:97110*200*95**1~CAS*CO*45*90~"))
    codes = sorted(p.code for p in r.problems if p.code.startswith("RM01"))
    assert codes == ["RM010", "RM011", "RM012"]
    msg = next(p for p in r.problems if p.code == "RM010")
    assert "charge 200 - adjustments 90 = 110, paid 95" in msg.message and msg.segment_id == "SVC"


def test_six_cas_triplets_remarks_svc06_ref6r():
    body = ("BPR*I*0*C*NON************20240315~CLP*C9*4*600*0**12*ICN9~MOA***MA130*N211~"
            "CAS*CO*16*10~SVC*HC:97140:GP:59*300*0**2*HC:97140:GP*3~DTM*472*20240301~"
            "CAS*CO*97*100*1*4*50**236*50**B15*40**16*30**18*20~REF*6R*LN0001~AMT*B6*0~LQ*HE*N20~LQ*HE*M15~"
            "SVC*HC:97530*290*0**1~CAS*CO*197*290~")
    r = only(wrap(body))
    (claim,) = r.claims
    assert claim.is_denied and [m.code for m in claim.remarks] == ["MA130", "N211"]
    line = claim.lines[0]
    assert [a.carc for a in line.adjustments] == ["97", "4", "236", "B15", "16", "18"]
    assert line.adjustments[0].quantity == D("1")
    assert (line.original_code, line.original_modifiers, line.original_units) == ("97140", ["GP"], D("3"))
    assert line.modifiers == ["GP", "59"] and line.control_number == "LN0001" and line.allowed == 0
    assert [m.code for m in line.remarks] == ["N20", "M15"] and line.service_date == date(2024, 3, 1)


def test_several_interchanges_payer_scoped_to_each_set():
    one = wrap("BPR*I*10*C*CHK************20240315~N1*PR*PAYER ONE~N1*PE*CLINIC*XX*1234567893~"
               "CLP*A*1*10*10**12*I1~", st="0001", isa="000000001")
    two = wrap("BPR*I*5*C*CHK************20240316~N1*PR*PAYER TWO~REF*2U*P2~N1*PE*CLINIC*XX*1234567893~"
               "CLP*B*1*5*5**12*I2~", st="0002", isa="000000002")
    items = list(iter_835_text(one + "\n" + two, "two.835"))
    remits = [i for i in items if isinstance(i, Remittance)]
    assert [(r.payer.name, r.payer.id, r.set_control) for r in remits] == [
        ("PAYER ONE", None, "0001"), ("PAYER TWO", "P2", "0002")]
    assert remits[1].interchange_control == "000000002" and all(r.balanced for r in remits)


def test_unknown_and_expired_codes_warn(store):
    r = only(wrap("BPR*I*0*C*NON************20240315~CLP*Z*4*50*0**12*I~CAS*CO*Z999*20**A2*30~"
                  "MOA***XYZ1~"), store)
    found = {(p.code, p.severity) for p in r.problems}
    assert ("RM020", "warning") in found and ("RM021", "warning") in found  # A2 stopped 2008-01-01
    assert r.claims[0].balanced


def test_bad_amount_names_file_segment_and_id():
    r = only(wrap("BPR*I*1O*C*CHK************20240315~CLP*A*1*1O*0**12*I~"))
    bad = [p for p in r.problems if p.code == "RM002"]
    assert [(p.segment_number, p.segment_id) for p in bad] == [(2, "BPR"), (3, "CLP")]
    assert str(bad[1]).startswith("t.835: segment 3 (CLP)")


def test_other_implementation_guide_is_read_with_a_warning():
    r = only(wrap("BPR*I*10*C*CHK************20240315~CLP*A*1*10*10**12*I1~").replace("005010X221A1", "004010X091A1"))
    assert r.claims[0].paid == D("10")
    assert [(p.code, p.segment_id) for p in r.problems if "005010X221" in p.message] == [("RM001", "ST")]


def test_not_x12_raises_with_file_name(tmp_path):
    path = tmp_path / "x.835"
    path.write_text("hello")
    with pytest.raises(X12InputError, match="x.835"):
        read_835(path)


def test_truncated_set_still_yields_what_was_read():
    text = wrap("BPR*I*10*C*CHK************20240315~CLP*A*1*10*10**12*I1~")
    text = text[: text.index("SE*")]
    items = list(iter_835_text(text, "cut.835"))
    remits = [i for i in items if isinstance(i, Remittance)]
    assert remits[0].claims[0].claim_id == "A"
    assert any(p.code == "RM001" and "not closed" in p.message for p in remits[0].problems)
