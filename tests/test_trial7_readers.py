"""Trial-7 findings in the readers, units, therapy and integrity areas.

Right answers come from the authority named at each test: CPT 97129/97130 descriptors as
the PFS short descriptors, the NCCI MUE table, CMS 100-04 ch.5 §20.1/§20.2, the 837P TR3.
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.rules.timed_units import addon_code, load_timed_codes, split_pairs


def _units(*args):
    result = CliRunner().invoke(main, ["units", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- item 3: initial / add-on pairs ------------------------------------------------


def test_units_keeps_97129_at_one_and_puts_the_rest_on_97130():
    # 15 + 25 = 40 timed minutes = 3 units (§20.2 chart 38-52); 97129 once per day (MUE 1)
    doc = _units("--payer", "medicare", "97129=15", "97130=25")
    assert doc["total_units"] == 3
    assert [(ln["code"], ln["units"]) for ln in doc["lines"]] == [("97129", 1), ("97130", 2)]


def test_units_pair_under_the_cpt_midpoint_rule():
    doc = _units("--payer", "commercial", "97129=40")
    assert [(ln["code"], ln["units"]) for ln in doc["lines"]] == [("97129", 1), ("97130", 2)]


def test_every_pair_in_the_table_matches_the_pfs_and_mue(store):
    table = load_timed_codes()
    initials = [t.code for t in table.values() if t.kind == "initial_15"]
    assert sorted(initials) == ["90912", "97129"]
    for code in initials:
        addon = addon_code(code, table)
        assert re.search(r"1st 15 min", store.pfs(code).short_description), code
        assert re.search(r"ea addl 15", store.pfs(addon).short_description), addon
        assert store.pfs(addon).global_days == "ZZZ"  # an add-on code
        assert store.mue(code).units == 1  # reported once per day
    assert split_pairs({"97129": 3, "97110": 2}, table) == {"97129": 1, "97130": 2, "97110": 2}


def test_th002_never_tells_to_remove_go_from_therapy_list_codes(make_checker, store):
    from cleanclaim.formats.dict_reader import claim_from_dict

    lines = [{"code": c, "modifiers": [m], "units": 1, "date": "2026-06-01"}
             for c, m in (("97129", "GO"), ("97130", "GO"), ("92610", "GN"), ("97545", "GP"))]
    lines.append({"code": "99213", "modifiers": ["GP"], "units": 1, "date": "2026-06-01"})
    result = make_checker(select=["TH002"], payer_type="medicare").check(
        claim_from_dict({"diagnoses": ["R41.844"], "lines": lines}))
    assert [(f.code, f.line) for f in result.findings] == [("TH002", 5)]  # 99213 only


# --- item 13: untimed codes in `units` ---------------------------------------------


def test_units_lists_an_untimed_code_and_computes_the_rest():
    doc = _units("--payer", "medicare", "97010=15", "97110=8")
    assert [u["code"] for u in doc["untimed"]] == ["97010"]
    assert doc["total_minutes"] == 8  # 97010 adds no timed minutes (§20.2)
    assert [(ln["code"], ln["units"]) for ln in doc["lines"]] == [("97110", 1)]


# --- CSV: items 11, 15, 17 ------------------------------------------------------------

HEADER = "claim_id,patient_name,date_of_service,procedure_code,modifiers,units,charge,dx1,dx2,pointers,billing_npi,payer_type\n"


def _csv_claims(tmp_path, body, make_checker=None, **options):
    from cleanclaim.formats.csv_reader import iter_csv

    path = tmp_path / "c.csv"
    path.write_text(HEADER + body)
    claims = [c for c in iter_csv(path) if hasattr(c, "lines")]
    if make_checker is None:
        return claims
    checker = make_checker(**options)
    return [checker.check(c) for c in claims]


def test_misaligned_row_quotes_nothing_and_is_not_read(tmp_path, make_checker):
    # trial 7 shift.csv: an unquoted "Doe, Jane" gives 13 fields against the header's 12
    (result,) = _csv_claims(tmp_path, "S1,Doe, Jane,2026-06-01,97110,GP,1,80,M62.81,,1,1234567893,MB\n",
                            make_checker, payer_type="medicare")
    text = " ".join(f"{f.message} {f.fix}" for f in result.findings)
    assert [f.code for f in result.findings] == ["CSV001"]
    assert "misaligned" in text and "13 fields" in text and "12" in text
    for value in ("Jane", "Doe", "M62.81", "2026-06-01", "1234567893"):
        assert value not in text


def test_excel_midnight_datetime_is_the_date(tmp_path):
    from cleanclaim.formats.csv_reader import parse_day
    from datetime import date

    (claim,) = _csv_claims(tmp_path, "D1,,2026-03-05 00:00:00,97110,GP,1,80,M62.81,,1,1234567893,MB\n")
    assert claim.lines[0].date_of_service == date(2026, 3, 5)
    assert not claim.read_findings
    assert parse_day("3/5/2026 0:00")[0] == date(2026, 3, 5)
    assert parse_day("2026-03-05 14:30:00")[0] is None  # a time of day is not guessed away


def test_bad_diagnosis_reported_once_and_pointers_keep_their_target(tmp_path, make_checker):
    (result,) = _csv_claims(tmp_path, "B1,,2026-06-01,97110,GP,1,80,9XX,M62.81,2,1234567893,MB\n",
                            make_checker, payer_type="medicare")
    codes = [f.code for f in result.findings if f.severity == "error"]
    assert codes == ["CSV001"], [f.message for f in result.findings]
    assert not any(f.code in ("DX001", "MN001", "CL001", "CL006", "CL021") for f in result.findings)
    (only,) = _csv_claims(tmp_path, "B2,,2026-06-01,97110,GP,1,80,9XX,,1,1234567893,MB\n",
                          make_checker, payer_type="medicare")
    assert [f.code for f in only.findings if f.severity == "error"] == ["CSV001"]


# --- FHIR: items 4, 14 -----------------------------------------------------------------

FHIR_DIR = __import__("pathlib").Path(__file__).parent / "fixtures" / "fhir"


def _fhir_claim(claim_id, served="2026-06-01", items=True, identifier=None):
    res = json.loads((FHIR_DIR / "claim_single.json").read_text())
    res["id"] = claim_id
    res["identifier"] = [{"value": identifier or claim_id}]
    if not items:
        res["item"] = []
    for item in res.get("item", []):
        item.pop("servicedPeriod", None)
        item["servicedDate"] = served
    return res


def _check_fhir(tmp_path, make_checker, *resources, payer="commercial"):
    path = tmp_path / "c.ndjson"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in resources) + "\n")
    checker = make_checker(payer_type=payer)
    from cleanclaim.formats.fhir_reader import iter_fhir

    return [checker.check(c) for c in iter_fhir(path) if hasattr(c, "lines")]


def test_fhir_partial_service_date_is_named(tmp_path, make_checker):
    month, year = _check_fhir(tmp_path, make_checker, _fhir_claim("P1", "2026-06"), _fhir_claim("P2", "2026"))
    for result, what in ((month, "year and month only"), (year, "a year only")):
        (f,) = [f for f in result.findings if f.code == "FHIR001" and f.line == 1]
        assert "partial date" in f.message and what in f.message
        assert not [g for g in result.findings if g.code == "CL005"]  # not "no date of service"


def test_fhir_repeated_identifier_gets_fhir001(tmp_path, make_checker):
    first, second = _check_fhir(tmp_path, make_checker, _fhir_claim("F-NC0"),
                                _fhir_claim("F-DUPID", identifier="F-NC0"))
    assert not [f for f in first.findings if f.code == "FHIR001"]
    (dup,) = [f for f in second.findings if f.code == "FHIR001"]
    assert "claim identifier" in dup.message and "line 1" in dup.message


def test_fhir_unparsable_line_gives_only_its_reader_error(tmp_path, make_checker):
    _good, result = _check_fhir(tmp_path, make_checker, _fhir_claim("G1"), '{"resourceType": "Claim", broken',
                                 payer=None)
    assert [f.code for f in result.findings] == ["FHIR001"]  # no CL006 / CL020 noise


def test_fhir_claim_without_items_is_an_error(tmp_path, make_checker):
    (result,) = _check_fhir(tmp_path, make_checker, _fhir_claim("F-NOITEMS", items=False))
    assert "CL022" in [f.code for f in result.findings if f.severity == "error"]


# --- item 7: CLM01 reuse -----------------------------------------------------------------

def _837(tmp_path, claims):
    """A small 837P with claims (CLM01, member id, date of service); synthetic identifiers."""
    from cleanclaim.formats.write837 import write_837
    from cleanclaim.formats.dict_reader import claim_from_dict

    built = []
    for clm01, member, dos in claims:
        c = claim_from_dict({"claim_id": clm01, "payer": "MB", "diagnoses": ["M54.50"],
                             "lines": [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": dos}]})
        c.patient_key = member
        c.payer.name, c.payer.payer_id = "MEDICARE", "13202"
        built.append(c)
    path = tmp_path / "reuse.837"
    with open(path, "w") as out:
        write_837(built, out)
    return path


def _hx(path, *extra):
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--select", "HX001,HX008",
                                       "--as-of", "2026-12-01", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc, _ = json.JSONDecoder().raw_decode(result.output)
    return [[(f["code"], f["severity"]) for f in c["findings"]] for c in doc["claims"]]


def test_same_clm01_other_date_is_not_an_exact_duplicate(tmp_path):
    # CARC 18 = same patient, date of service and service: 09-14 vs 09-21 is not one
    path = _837(tmp_path, [("PM1001", "SYN001", "2026-09-14"), ("PM1001", "SYN001", "2026-09-21")])
    assert _hx(path) == [[], [("HX008", "warning")]]


def test_same_clm01_same_services_is_hx001(tmp_path):
    path = _837(tmp_path, [("PM1001", "SYN001", "2026-09-14"), ("PM1001", "SYN001", "2026-09-14")])
    assert _hx(path) == [[], [("HX001", "error")]]


def test_record_with_reused_clm01_never_crashes(tmp_path):
    path = _837(tmp_path, [("PM1001", "SYN001", "2026-09-14"), ("PM1001", "SYN002", "2026-09-14"),
                           ("PM1002", "SYN003", "2026-09-15")])
    db = tmp_path / "h.sqlite"
    result = CliRunner().invoke(main, ["check", str(path), "--record", "--db", str(db), "--format", "json",
                                       "--select", "HX", "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.output
    doc, _ = json.JSONDecoder().raw_decode(result.output)
    assert [[f["code"] for f in c["findings"]] for c in doc["claims"]] == [[], ["HX008"], []]
    from cleanclaim.store import open_history

    with open_history(str(db)) as history:
        assert history.counts()["claims"] == 2  # PM1001 (the later copy) and PM1002


# --- item 16: a folder with a README -------------------------------------------------------

def test_check_folder_skips_readme_and_says_so(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "README.txt").write_text("notes about this batch\n")
    (batch / "notes.txt").write_text("call the payer on Monday\n")
    (batch / "c.txt").write_text("claim_id,date_of_service,procedure_code,units,dx1,billing_npi\n"
                                 "T1,2026-06-01,97110,1,M62.81,1234567893\n")
    result = CliRunner().invoke(main, ["check", str(batch), "--format", "json", "--select", "CL022"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["summary"]["claims"] == 1 and doc["summary"]["unreadable_inputs"] == 0
    skipped = [n for n in doc["summary"]["notices"] if n.startswith("skipped")]
    assert len(skipped) == 2 and any("README.txt: a README" in n for n in skipped)


# --- item 20: CR001 when the billing taxonomy is given ------------------------------------

def test_cr001_does_not_say_no_taxonomy_when_billing_taxonomy_given(make_checker):
    from cleanclaim.formats.dict_reader import claim_from_dict

    claim = claim_from_dict({"payer": "MB", "diagnoses": ["M54.50"], "rendering_provider": "1992999999",
                             "billing_provider": {"npi": "1234567893", "taxonomy": "225100000X"},
                             "lines": [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": "2026-06-01"}]})
    (f,) = make_checker(select=["CR001"], payer_type="medicare").check(claim).findings
    assert f.severity == "info" and "rendering or billing provider" not in f.message
    assert "225100000X" in f.message and "rendering provider (NPI 1992999999)" in f.message


def test_xyz123_is_one_reader_error_not_dx001_or_mn001(tmp_path, make_checker, store):
    # trial 7 t1.csv WEIRDDX: XYZ.123 (no release has a category "XYZ"; QA0.0101 is valid)
    (result,) = _csv_claims(tmp_path, "W1,,2024-06-14,97140,GP,1,80,XYZ.123,,1,1234567893,MB\n",
                            make_checker, payer_type="medicare", as_of=__import__("datetime").date(2024, 7, 1))
    codes = [f.code for f in result.findings]
    assert codes.count("CSV001") == 1 and not {"DX001", "MN001", "CL006", "CL001"} & set(codes)
    (qa,) = _csv_claims(tmp_path, "Q1,,2026-06-01,97530,GO,1,80,QA0.0101,,1,1234567893,MB\n")
    assert [d.code for d in qa.diagnoses] == ["QA00101"] and not qa.read_findings
