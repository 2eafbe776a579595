"""X12 837P reader behaviour on synthetic interchanges: loops, bad claims, envelopes, delimiters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cleanclaim.findings import Finding
from cleanclaim.formats.x12 import X12InputError, iter_837, iter_837_text, parse_isa
from cleanclaim.formats.x12 import reader as x12_reader
from cleanclaim.model import Claim
from cleanclaim.rules import select_rules
from cleanclaim.rules.base import REGISTRY

ISA = "ISA*00*          *00*          *ZZ*SUBMITTERID    *ZZ*RECEIVERID     *240105*1200*^*00501*000000001*0*P*:~"
GS = "GS*HC*SUBMITTERID*RECEIVERID*20240105*1200*1*X*005010X222A1"

HEADER = [
    "BHT*0019*00*B1*20240105*1200*CH",
    "NM1*41*2*CLINIC*****46*S1",
    "PER*IC*BILLING*TE*5555550100",
    "NM1*40*2*PAYER A*****46*P1",
    "HL*1**20*1",
    "PRV*BI*PXC*225100000X",
    "NM1*85*2*NORTH CLINIC*****XX*1234567893",
    "N3*1 MAIN ST",
    "N4*SPRINGFIELD*IL*62701",
    "REF*EI*991234567",
    "HL*2*1*22*0",
    "SBR*P*18*******MB",
    "NM1*IL*1*DOE*JANE****MI*SYN000001A",
    "DMG*D8*19500101*F",
    "NM1*PR*2*MEDICARE B*****PI*00952",
]


def claim_segments(claim_id: str, sv1: str = "SV1*HC:97110:GP*100.00*UN*2***1", dtp: str = "20240105") -> list[str]:
    return [
        f"CLM*{claim_id}*100.00***11:B:1*Y*A*Y*Y",
        "HI*ABK:M5450",
        "LX*1",
        sv1,
        f"DTP*472*D8*{dtp}",
    ]


def transaction(body: list[str], st: str = "0001", se_count: int | None = None) -> list[str]:
    segs = [f"ST*837*{st}*005010X222A1", *HEADER, *body]
    return [*segs, f"SE*{se_count if se_count is not None else len(segs) + 1}*{st}"]


def interchange(*sets: list[str], isa: str = ISA, ge: str | None = None, iea: str | None = None) -> str:
    segs = [GS]
    for s in sets:
        segs += s
    segs += [ge or f"GE*{len(sets)}*1", iea or "IEA*1*000000001"]
    return isa + "~".join(segs) + "~"


def read(text: str) -> tuple[list[Claim], list[Finding]]:
    items = list(iter_837_text(text, "test.837"))
    return [i for i in items if isinstance(i, Claim)], [i for i in items if isinstance(i, Finding)]


def test_loops_2300_2310_2400_2420_fill_the_claim():
    body = [
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*DOE*JIM",
        "DMG*D8*20100203*M",
        "CLM*PT9*180.00***22:B:7*Y*A*Y*Y",
        "DTP*431*D8*20231201",
        "REF*G1*AUTH77",
        "REF*9F*REF88",
        "REF*F8*ORIG123",
        "HI*ABK:M5450*ABF:M6281",
        "HI*ABF:R262",
        "NTE*ADD*CLAIM NOTE",
        "NM1*DN*1*REFER*RITA****XX*1111111112",
        "NM1*82*1*THERAPIST*TOM****XX*2222222224",
        "PRV*PE*PXC*225100000X",
        "NM1*77*2*NORTH CLINIC ANNEX*****XX*3333333336",
        "N3*2 SIDE ST",
        "N4*SPRINGFIELD*IL*627040001",
        "LX*1",
        "SV1*HC:97110:GP:59:KX:CQ*120.00*MJ*38*11**1:2:3",
        "DTP*472*RD8*20240105-20240107",
        "REF*6R*LINE1",
        "NTE*ADD*LINE NOTE",
        "NM1*82*1*ASSISTANT*ANA****XX*4444444440",
        "PRV*PE*PXC*225200000X",
        "LX*2",
        "SV1*HC:97140*60.00*UN*1***3",
        "DTP*472*D8*20240105",
    ]
    (claim,), file_findings = read(interchange(transaction(body)))
    assert file_findings == [] and claim.read_findings == []
    assert (claim.claim_id, claim.total_charge, claim.place_of_service, claim.frequency_code) == (
        "PT9", Decimal("180.00"), "22", "7")
    assert (claim.onset_date, claim.prior_authorization, claim.referral_number, claim.original_reference) == (
        date(2023, 12, 1), "AUTH77", "REF88", "ORIG123")
    assert [(d.code, d.position) for d in claim.diagnoses] == [("M5450", 1), ("M6281", 2), ("R262", 3)]
    assert claim.notes == ["CLAIM NOTE"]
    assert claim.referring_provider.npi == "1111111112"
    assert (claim.rendering_provider.npi, claim.rendering_provider.taxonomy) == ("2222222224", "225100000X")
    assert (claim.service_facility.npi, claim.service_facility.zip_code) == ("3333333336", "627040001")
    # HL 23: the patient's DMG, the subscriber's member id.
    assert (claim.patient_birth_date, claim.patient_gender, claim.patient_key) == (date(2010, 2, 3), "M", "SYN000001A")
    first, second = claim.lines
    assert (first.procedure_code, first.modifiers) == ("97110", ["GP", "59", "KX", "CQ"])
    assert (first.unit_basis, first.units, first.minutes) == ("MJ", Decimal("38"), 38)
    assert (first.place_of_service, first.diagnosis_pointers) == ("11", [1, 2, 3])
    assert (first.date_of_service, first.date_of_service_end) == (date(2024, 1, 5), date(2024, 1, 7))
    assert (first.control_number, first.notes) == ("LINE1", ["LINE NOTE"])
    assert (first.rendering_provider.npi, first.rendering_provider.taxonomy) == ("4444444440", "225200000X")
    assert second.rendering_provider is None and second.minutes is None
    assert claim.rendering_for(second).npi == "2222222224"
    assert [ln.number for ln in claim.lines] == [1, 2]
    assert claim.segment_number == 21 and first.segment_number == 36


def test_a_bad_claim_among_good_ones_is_reported_with_its_segment():
    body = (
        claim_segments("GOOD1")
        + ["CLM*BAD2*ABC***11:B:1*Y*A*Y*Y", "HI*ABK:M5450", "LX*1",
           "SV1*HC:97110*50.00*UN*1***X", "DTP*472*D8*20240230"]
        + claim_segments("GOOD3")
    )
    claims, file_findings = read(interchange(transaction(body)))
    assert file_findings == []
    assert [c.claim_id for c in claims] == ["GOOD1", "BAD2", "GOOD3"]
    assert claims[0].read_findings == [] and claims[2].read_findings == []
    bad = claims[1]
    assert [(f.code, f.details["segment_id"], f.details["segment_number"]) for f in bad.read_findings] == [
        ("X12005", "CLM", 22), ("X12005", "SV1", 25), ("X12005", "DTP", 26)]
    assert "CLM02" in bad.read_findings[0].message and "segment 22" in bad.read_findings[0].message
    assert bad.read_findings[1].line == 1 and "SV107" in bad.read_findings[1].message
    assert "calendar date" in bad.read_findings[2].message
    # What could be read is kept.
    assert bad.total_charge is None and bad.lines[0].procedure_code == "97110"
    assert bad.lines[0].charge == Decimal("50.00") and bad.lines[0].date_of_service is None


def test_missing_clm01_still_yields_the_claim():
    (claim,), _ = read(interchange(transaction(claim_segments(""))))
    assert claim.claim_id.startswith("(no CLM01")
    assert [f.code for f in claim.read_findings] == ["X12005"]
    assert "CLM01" in claim.read_findings[0].message


def test_truncated_file_reports_the_open_set_and_its_claims():
    text = interchange(transaction(claim_segments("T1") + claim_segments("T2")))
    cut = text[: text.index("SE*")]
    claims, file_findings = read(cut)
    assert [c.claim_id for c in claims] == ["T1", "T2"]
    for claim in claims:  # the set, its group and its interchange are all unclosed
        assert [(f.code, f.details["segment_id"]) for f in claim.read_findings] == [
            ("X12004", "SE"), ("X12004", "GE"), ("X12004", "IEA")]
        assert "not closed" in claim.read_findings[0].message
    assert file_findings == []
    assert claims[1].lines[0].date_of_service == date(2024, 1, 5)  # the last segment is read


def test_file_cut_inside_a_segment_names_the_segment_and_the_cut_claim():
    text = interchange(transaction(claim_segments("T1") + claim_segments("T2")))
    cut = text[: text.index("SV1*HC:97110", text.index("CLM*T2")) + len("SV1*HC:97")]
    claims, _ = read(cut)
    assert [c.claim_id for c in claims] == ["T1", "T2"]
    message = claims[1].read_findings[0].message
    assert "ends inside a SV1 segment" in message and "claim T2 was cut off" in message
    assert claims[1].lines == []  # the partial SV1 is not read as a service line


def test_last_iea_without_terminator_is_still_read():
    text = interchange(transaction(claim_segments("T1")))
    claims, file_findings = read(text.rstrip("~"))
    assert [c.claim_id for c in claims] == ["T1"] and claims[0].read_findings == []
    assert file_findings == []


def test_inconsistent_component_separator_warns_once_per_element_and_reads():
    body = claim_segments("GT1", sv1="SV1*HC>97110>GP*100.00*UN*2***1>2")
    body.insert(1, "HI*ABK>M5450*ABF>M6281")
    (claim,), _ = read(interchange(transaction(body)))
    assert claim.lines[0].procedure_code == "97110" and claim.lines[0].modifiers == ["GP"]
    assert claim.lines[0].diagnosis_pointers == [1, 2]
    assert [d.code for d in claim.diagnoses] == ["M5450", "M6281", "M5450"]
    warned = [(f.code, f.severity, f.details["segment_id"]) for f in claim.read_findings]
    assert warned == [("X12006", "warning", "HI"), ("X12006", "warning", "HI"), ("X12006", "warning", "SV1"),
                      ("X12006", "warning", "SV1")]
    assert "ISA16 declares ':'" in claim.read_findings[0].message


def test_crlf_after_terminator_and_crlf_with_lf_terminator():
    text = interchange(transaction(claim_segments("CR1")))
    (claim,), findings = read(text.replace("~", "~\r\n"))
    assert findings == [] and claim.read_findings == [] and claim.lines[0].units == Decimal("2")
    lf_isa = ISA[:-1] + "\n"
    lf_text = interchange(transaction(claim_segments("LF1")), isa=lf_isa).replace("~", "\n")
    (claim,), findings = read(lf_text.replace("\n", "\r\n"))  # CR left before each LF terminator
    assert findings == [] and claim.read_findings == []
    assert claim.claim_id == "LF1" and claim.lines[0].date_of_service == date(2024, 1, 5)


def test_repetition_separator_by_version():
    assert parse_isa(ISA).delimiters.repetition == "^"  # 00501: ISA11 is the repetition separator
    isa_4010 = ISA.replace("*^*00501*", "*U*00401*")
    assert parse_isa(isa_4010).delimiters.repetition is None  # 00401: ISA11 is 'U', the standards id
    # A repetition separator in a non-repeating HI element: warned, the first repeat read.
    body = claim_segments("RP1")
    body[1] = "HI*ABK:M5450^ABF:M6281"
    (claim,), _ = read(interchange(transaction(body)))
    assert [d.code for d in claim.diagnoses] == ["M5450"]
    assert [f.code for f in claim.read_findings] == ["X12006"]
    assert "repetition separator" in claim.read_findings[0].message


def test_other_delimiters_declared_by_the_isa_are_used():
    isa = ISA.replace("*", "|").replace("|^|", "|!|")[:-2] + ">~"
    assert parse_isa(isa).delimiters == parse_isa(isa).delimiters.__class__("|", ">", "!", "~")
    text = interchange(transaction(claim_segments("PIPE1", sv1="SV1*HC>97110>GP*100.00*UN*2***1")), isa=isa)
    text = isa + text[len(isa):].replace("*", "|").replace(":", ">")
    (claim,), findings = read(text)
    assert findings == [] and claim.read_findings == []
    assert claim.lines[0].modifiers == ["GP"] and claim.place_of_service == "11"


def test_envelope_count_and_control_number_mismatches_mark_the_claims_they_reject():
    # A bad GE or IEA trailer gets the whole group / interchange rejected by the receiver
    # (999 AK9 R; TA1), so each claim in it carries the error, not only the file.
    text = interchange(transaction(claim_segments("E1")), ge="GE*2*9", iea="IEA*3*000000002")
    (claim,), findings = read(text)
    assert findings == []
    assert [(f.code, f.details["segment_id"]) for f in claim.read_findings] == [
        ("X12003", "GE"), ("X12003", "GE"), ("X12003", "IEA"), ("X12003", "IEA")]
    assert "GE01 declares 2" in claim.read_findings[0].message and "has 1" in claim.read_findings[0].message
    assert all(f.claim_id == "E1" and f.severity == "error" for f in claim.read_findings)


def test_a_bad_ge_marks_only_its_own_group():
    good = [GS, *transaction(claim_segments("G1")), "GE*1*1"]
    bad = ["GS*HC*SUBMITTERID*RECEIVERID*20240105*1200*2*X*005010X222A1",
           *transaction(claim_segments("G2"), st="0002"), "GE*5*2"]
    text = ISA + "~".join(good + bad + ["IEA*2*000000001"]) + "~"
    (first, second), findings = read(text)
    assert findings == [] and first.read_findings == []
    assert [f.code for f in second.read_findings] == ["X12003"]


def test_se02_differs_from_st02():
    st = transaction(claim_segments("C1"))
    st[-1] = st[-1].replace("*0001", "*0002")
    (claim,), _ = read(interchange(st))
    assert [f.code for f in claim.read_findings] == ["X12002"]
    assert "SE02" in claim.read_findings[0].message


def test_two_interchanges_and_a_non_837_set():
    first = interchange(transaction(claim_segments("A1")))
    remit = "ST*835*0001~BPR*I*1*C*ACH~SE*3*0001~"
    isa2 = ISA.replace("*000000001*", "*000000002*")  # its own ISA13 (a repeat is X12011)
    second = isa2 + GS + "~" + remit + "GE*1*1~IEA*1*000000002~"
    claims, findings = read(first + "\n" + second)
    assert [c.claim_id for c in claims] == ["A1"]
    assert [f.code for f in findings] == ["X12010"] and "not an 837P" in findings[0].message


def test_decimal_point_in_diagnosis_is_removed_and_warned():
    body = claim_segments("DP1")
    body[1] = "HI*ABK:M54.50"
    (claim,), _ = read(interchange(transaction(body)))
    assert claim.diagnoses[0].code == "M5450"
    assert [(f.code, f.severity) for f in claim.read_findings] == [("X12008", "warning")]


def test_unreadable_input_raises_with_where_and_why(tmp_path):
    empty = tmp_path / "empty.837"
    empty.write_text("")
    with pytest.raises(X12InputError) as err:
        list(iter_837(empty))
    assert str(err.value) == f"{empty}: the file is empty"
    with pytest.raises(X12InputError) as err:
        list(iter_837_text("claim_id,code\n1,97110\n", "claims.csv"))
    assert str(err.value) == "claims.csv: segment 1: not an X12 file: it does not start with an ISA segment"
    with pytest.raises(X12InputError) as err:
        list(iter_837_text("ISA*00*00~GS*HC~", "short.837"))
    assert "segment 1 (ISA)" in str(err.value) and "cannot be delimited" in str(err.value)


def test_claims_stream_out_set_by_set(monkeypatch):
    text = interchange(transaction(claim_segments("S1"), st="0001"), transaction(claim_segments("S2"), st="0002"))
    cut = text.index("ST*837*0002")
    consumed = []

    def chunks():
        for piece in (text[:cut], text[cut:]):
            consumed.append(piece)
            yield piece

    items = x12_reader._Reader("stream.837").run(chunks())
    first = next(items)
    # claims wait for their interchange's IEA (a bad trailer rejects them all), then come in order
    assert first.claim_id == "S1" and len(consumed) == 2
    assert [c.claim_id for c in items] == ["S2"]


def test_an_interchange_over_the_claim_limit_streams(monkeypatch):
    monkeypatch.setattr(x12_reader, "CLAIMS_PER_SET", 2)
    sets = [transaction(claim_segments(f"I{n}"), st=f"000{n}") for n in range(1, 5)]
    items = list(iter_837_text(interchange(*sets, iea="IEA*9*000000001"), "big"))
    assert [i.claim_id for i in items if isinstance(i, Claim)] == ["I1", "I2", "I3", "I4"]
    codes = [i.code for i in items if isinstance(i, Finding)]
    assert codes == ["X12009", "X12003"]  # the late IEA problem is file-level: claims already out
    assert "applies to 4 claims already reported" in [i for i in items if isinstance(i, Finding)][1].message


def test_a_set_over_the_claim_limit_streams(monkeypatch):
    monkeypatch.setattr(x12_reader, "CLAIMS_PER_SET", 2)
    body = claim_segments("L1") + claim_segments("L2") + claim_segments("L3")
    items = list(iter_837_text(interchange(transaction(body, se_count=3)), "big"))
    kinds = [(type(i).__name__, getattr(i, "code", getattr(i, "claim_id", None))) for i in items]
    assert kinds[0] == ("Finding", "X12009")
    assert [i.claim_id for i in items if isinstance(i, Claim)] == ["L1", "L2", "L3"]
    se = [i for i in items if isinstance(i, Finding) and i.code == "X12002"]
    assert len(se) == 1 and "3 claims already reported" in se[0].message


def test_rules_replay_read_findings_so_select_and_ignore_work():
    st = transaction(claim_segments("R1"), se_count=5)
    (claim,), _ = read(interchange(st))
    hits = list(REGISTRY["X12002"].func(claim, None))
    assert [h.message for h in hits] == [claim.read_findings[0].message]
    assert list(REGISTRY["X12005"].func(claim, None)) == []
    codes = [r.code for r in select_rules(REGISTRY, ["X12"], ["X12002"])]
    assert "X12001" in codes and "X12002" not in codes


def test_data_after_iea_is_reported_and_its_claims_still_read():
    text = interchange(transaction(claim_segments("IN1"))) + "\n" + "~".join(transaction(claim_segments("OUT1"))) + "~"
    claims, findings = read(text)
    assert [c.claim_id for c in claims] == ["IN1", "OUT1"]
    assert [(f.code, f.details["segment_id"]) for f in findings] == [("X12007", "ST")]
    assert "outside a GS/GE group" in findings[0].message


def test_repeated_hi_segments_continue_positions_up_to_twelve():
    body = claim_segments("HI13")
    codes = [f"M{540 + i}" for i in range(13)]
    body[1] = "HI*" + "*".join(f"ABF:{c}" for c in codes[:7])
    body.insert(2, "HI*" + "*".join(f"ABF:{c}" for c in codes[7:]))
    (claim,), _ = read(interchange(transaction(body)))
    assert [(d.code, d.position) for d in claim.diagnoses] == [(c, i) for i, c in enumerate(codes, 1)]
    (finding,) = claim.read_findings
    assert finding.code == "X12005" and "13th diagnosis" in finding.message
    assert finding.details["segment_number"] == 19  # the second HI segment


def test_the_garbage_collector_is_back_on_whenever_the_caller_runs():
    import gc

    assert gc.isenabled()
    text = interchange(transaction(claim_segments("G1") + claim_segments("G2")))
    seen = [gc.isenabled() for _ in iter_837_text(text, "gc")]
    assert seen == [True, True] and gc.isenabled()
    with pytest.raises(X12InputError):
        list(iter_837_text("not x12", "gc"))
    assert gc.isenabled()


def test_a_bad_patient_dmg_belongs_to_that_patients_claims_only():
    body = (
        ["HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*JIM", "DMG*D8*20101340*M"]
        + claim_segments("P1")
        + ["HL*4*2*23*0", "PAT*19", "NM1*QC*1*DOE*ANN", "DMG*D8*20120304*F"]
        + claim_segments("P2")
    )
    first, second = read(interchange(transaction(body)))[0]
    assert [f.code for f in first.read_findings] == ["X12005"]
    assert "DMG02" in first.read_findings[0].message and first.read_findings[0].claim_id == "P1"
    assert first.patient_birth_date is None and first.patient_gender == "M"
    assert second.read_findings == [] and second.patient_birth_date == date(2012, 3, 4)
