"""999 / 277CA readers and line matching details."""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from decimal import Decimal as D

from test_remit835 import only, wrap
from test_remit_store import A277, ACK999

from cleanclaim.formats.x12.acks import iter_acks_text
from cleanclaim.remits.match import match_lines
from cleanclaim.remits.model import FrontEndResponse, RemitClaim, RemitLine


def responses(text):
    return [i for i in iter_acks_text(text, "t") if isinstance(i, FrontEndResponse)]


def test_999_sets_errors_and_status():
    accepted, rejected = responses(ACK999)
    assert (accepted.acknowledged_set_control, accepted.accepted, accepted.status_code) == ("0001", True, "A")
    assert (rejected.acknowledged_group_control, rejected.acknowledged_set_id) == ("17", "837")
    assert not rejected.accepted and [(c.source, c.code) for c in rejected.codes] == [
        ("IK3", "8"), ("IK4", "7"), ("IK5", "R"), ("IK5", "5")]
    assert rejected.response_date == date(2024, 3, 15)


def test_999_group_rejected_without_set_answers():
    text = ACK999.replace("AK2*837*0001*005010X222A1~IK5*A~AK2*837*0002*005010X222A1~IK3*NM1*22*2010BA*8~"
                          "IK4*9*67*7*XX~IK5*R*5~AK9*P*2*2*1~SE*10*", "AK9*R*2*2*0*4~SE*4*")
    (group,) = responses(text)
    assert not group.accepted and group.status_code == "R" and [c.code for c in group.codes] == ["R", "4"]


def test_277ca_claim_and_line_status():
    text = A277.replace("HL*5*3*PT~", "SVC*HC:97110*100~STC*A7:454*20240316*U*100~REF*FJ*L1~HL*5*3*PT~") \
        .replace("SE*19*", "SE*22*")
    rejected, accepted = responses(text)
    assert (rejected.claim_id, rejected.accepted, rejected.billing_npi, rejected.sender_name) == (
        "C3", False, "1234567893", "ACME HEALTH")
    assert (rejected.service_date, rejected.service_date_end, rejected.charge) == (
        date(2025, 3, 3), date(2025, 3, 3), D("200"))
    line_code = rejected.codes[-1]
    assert (line_code.code, line_code.claim_status_code, line_code.line_control) == ("A7", "454", "L1")
    assert (accepted.claim_id, accepted.accepted, accepted.status_code) == ("C9", True, "A2")


def test_mia_remarks_are_read():
    r = only(wrap("BPR*I*0*C*NON************20240315~CLP*I1*1*10*10**MA*ICN~MIA*0***0*MA01***************N1~"))
    assert [(m.code, m.source) for m in r.claims[0].remarks] == [("MA01", "MIA"), ("N1", "MIA")]


Row = namedtuple("Row", "line_number procedure_code modifiers dos control_number")


def test_line_match_uses_the_code_as_billed_and_each_line_once():
    day = date(2025, 3, 3)
    stored = [Row(1, "97140", "GP 59", day, None), Row(2, "97140", "GP", day, None), Row(3, "97110", "GP", day, "X")]
    claim = RemitClaim(1, "C", "1", lines=[
        # the payer recoded 97140-GP-59 to 97530 (SVC06 holds what was billed)
        RemitLine(1, "97530", original_code="97140", original_modifiers=["GP", "59"], service_date=day),
        RemitLine(2, "97140", modifiers=[], service_date=day),  # modifiers dropped
        RemitLine(3, "97110", control_number="X")])
    assert match_lines(claim, stored) == {1: (1, "code_date"), 2: (2, "code_date_no_mods"),
                                          3: (3, "control_number")}
