"""`cleanclaim data import-pfs`: CMS's PPRRVU, GPCI and ZIP5 files for a calendar year, and
[pricing] conversion_factor_YYYY.

The files are CMS's own layouts: rows copied from the real CY2025 files in /work/shared
(PPRRVU2025_Oct.csv, GPCI2025.csv, ZIP5_OCT2025.txt), or, without /work/shared, rebuilt in
the same layout from the shipped compact source (the same CMS figures). Figures: 97140 work
0.43, PE 0.40, MP 0.01; Rest of New York 13282-99 GPCIs 1.000 / 0.949 / 0.732; ZIP 12203 ->
13282 99; CY2025 CONV FACTOR 32.3465.
"""

from __future__ import annotations

import json

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main
from cleanclaim.pricing import PricingOptionError, PricingOptions, price_claim
from cleanclaim.pricing.yearly import PfsImportError, choose_year, detect_kind, import_file

from test_pricing import claim, line

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-pfs-2025"
CODES = ("97140", "97110", "97530", "99213")
D = Decimal


@pytest.fixture
def imports(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "imports"))
    return tmp_path


def pprrvu(tmp_path: Path, store) -> Path:
    path = tmp_path / "PPRRVU2025_Oct.csv"
    source = SHARED / "PPRRVU2025_Oct.csv"
    if source.exists():
        lines = source.read_text(encoding="latin-1").splitlines()
        start = next(i for i, ln in enumerate(lines) if ln.startswith("HCPCS,")) + 1
        rows = [ln for ln in lines[start:] if ln.split(",")[0] in CODES and ln.split(",")[1] == ""]
        path.write_text("\r\n".join(lines[:start] + rows) + "\r\n", encoding="latin-1")
        return path
    out = [",,2025 National Physician Fee Schedule Relative Value File October Release" + "," * 28,
           "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,"
           "OP,OP,OP,PROC,SURG,SURG,SURG,SURG,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT"]
    for code in CODES:
        r = store.pfs(code, "")
        cells = [""] * 31
        cells[0], cells[2], cells[3], cells[18] = code, r.short_description, r.status, r.mult_proc
        cells[5], cells[6], cells[8], cells[10] = (f"{v:.2f}" for v in (r.work_rvu, r.pe_nonfacility_rvu,
                                                                        r.pe_facility_rvu, r.mp_rvu))
        cells[14], cells[24] = r.global_days, f"{r.conversion_factor:.4f}"
        out.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_text("\r\n".join(out) + "\r\n", encoding="latin-1")
    return path


def gpci_file(tmp_path: Path, store) -> Path:
    path = tmp_path / "GPCI2025.csv"
    source = SHARED / "GPCI2025.csv"
    if source.exists():
        path.write_text(source.read_text(encoding="latin-1"), encoding="latin-1")
        return path
    g = store.gpci("13282", "99")
    path.write_text("ADDENDUM E. FINAL CY 2025 GEOGRAPHIC PRACTICE COST INDICES (GPCIs),,,,,,\n,,,,,,\n"
                    "Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
                    "2025 PW GPCI (with 1.0 Floor),2025 PE GPCI,2025 MP GPCI\n"
                    f"13282,NY,99,{g.name},{g.work:g},{g.pe:g},{g.mp:g}\n", encoding="latin-1")
    return path


def zip5_file(tmp_path: Path, store) -> Path:
    path = tmp_path / "ZIP5_OCT2025.txt"
    source = SHARED / "ZIP5_OCT2025.txt"
    wanted = ("NY12203", "NY12207", "AL35958")  # AL 35958 carries the plus-four flag
    if source.exists():
        rows = [ln for ln in source.read_text(encoding="latin-1").splitlines() if ln[:7] in wanted]
    else:
        rows = []
        for key in wanted:
            z = store.zip_locality(key[2:])
            rows.append(f"{z.state}{z.zip5}{z.carrier}{z.locality}{z.rural or ' '}Z9 "
                        f"  {'1' if z.plus4_required else '0'} A".ljust(75) + "20254")
    path.write_text("\r\n".join(rows) + "\r\n", encoding="latin-1")
    return path


def test_layouts_are_detected_from_content(tmp_path, store):
    assert detect_kind(pprrvu(tmp_path, store)) == "pfs"
    assert detect_kind(gpci_file(tmp_path, store)) == "gpci"
    assert detect_kind(zip5_file(tmp_path, store)) == "zip5"
    bad = tmp_path / "x.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(PfsImportError, match="x.csv"):
        detect_kind(bad)


def test_import_2025_files_price_97140_albany_as_cms(imports, store):
    for path in (pprrvu(imports, store), gpci_file(imports, store), zip5_file(imports, store)):
        done = import_file(path)
        assert done.year == 2025  # title / ZIP5 year-quarter 20254
    price = price_claim(claim(line(1, "97140")), store, config=PricingOptions())
    lp = price.lines[0]
    # (0.43 x 1.000 + 0.40 x 0.949 + 0.01 x 0.732) x 32.3465 = 26.4245 -> $26.42
    assert lp.allowed == D("26.42") and lp.locality == "13282-99 REST OF NEW YORK"
    assert "CMS PFS CY2025 PPRRVU2025_Oct.csv (imported)" in lp.release
    assert "CMS GPCI CY2025 GPCI2025.csv (imported)" in lp.release


def test_cli_import_for_2027_with_config_conversion_factor(imports, store):
    files = [str(p) for p in (pprrvu(imports, store), gpci_file(imports, store), zip5_file(imports, store))]
    result = CliRunner().invoke(main, ["data", "import-pfs", *files, "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert "PFS relative value file for CY2027" in result.output and "CONV FACTOR 32.3465" in result.output
    listed = json.loads(CliRunner().invoke(main, ["data", "info", "--format", "json"]).output)["pricing_imports"]
    assert {(e["kind"], e["year"]) for e in listed} == {("pfs", 2027), ("gpci", 2027), ("zip5", 2027)}
    c = claim(line(1, "97140", dos=date(2027, 2, 1)))
    # the user's factor: (0.43 + 0.40 x 0.949 + 0.01 x 0.732) x 34.1234 = 0.81692 x 34.1234 = 27.876 -> $27.88
    options = PricingOptions(conversion_factors=((2027, "34.1234", None, "config [pricing] conversion_factor_2027"),))
    lp = price_claim(c, store, config=options).lines[0]
    assert lp.allowed == D("27.88") and "conversion_factor_2027" in lp.explanation
    assert not any("may differ" in n for n in lp.notes)  # 2027 tables for a 2027 date of service
    # no factor in config: the imported file's CONV FACTOR column (32.3465 in this file)
    lp = price_claim(c, store, config=PricingOptions()).lines[0]
    assert lp.allowed == D("26.42") and "CONV FACTOR column" in lp.explanation


def test_year_choice_own_year_else_newest_before(imports, store):
    assert choose_year({2025, 2027}, 2026) == 2025
    assert choose_year({2025, 2027}, 2028) == 2027
    assert choose_year({2027}, 2024) == 2027
    import_file(pprrvu(imports, store), year=2027)
    # a 2026 line keeps the shipped CY2025 RVUs (newest before 2026) and says so
    lp = price_claim(claim(line(1, "97140", dos=date(2026, 3, 2))), store, config=PricingOptions()).lines[0]
    assert "CMS PFS CY2025 October release" in lp.release
    assert any("no 2026 RVUs/GPCIs are loaded" in n for n in lp.notes)


def test_config_conversion_factor_keys(tmp_path):
    from cleanclaim.config import load_config

    path = tmp_path / "c.toml"
    path.write_text("[pricing]\nconversion_factor_2027 = 34.1234\nconversion_factor_2027_apm = \"34.3\"\n")
    options = PricingOptions.from_config(load_config(path))
    assert options.conversion_factors == ((2027, "34.1234", "34.3", "config [pricing] conversion_factor_2027"),)
    path.write_text("[pricing]\nconversion_factor_27 = 34.1\n")
    with pytest.raises(PricingOptionError, match="conversion_factor_YYYY"):
        PricingOptions.from_config(load_config(path))
    path.write_text("[pricing]\nconversion_factor_2027 = \"abc\"\n")
    with pytest.raises(PricingOptionError, match="not a number"):
        PricingOptions.from_config(load_config(path))


def test_bad_rows_name_file_and_line(imports, store):
    path = pprrvu(imports, store)
    lines = path.read_text(encoding="latin-1").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("97140,"))
    cells = lines[at].split(",")
    cells[5] = "O.43"  # work RVU with a letter O
    lines[at] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    result = CliRunner().invoke(main, ["data", "import-pfs", str(path)])
    assert result.exit_code == 1 and f"PPRRVU2025_Oct.csv:{at + 1}:" in result.output
    assert "'O.43' is not a number" in result.output


def test_import_warns_when_year_contradicts_the_file_or_the_file_is_partial(imports, store):
    """The PPRRVU title names its calendar year (CY2025 here): importing it as 2027 is allowed
    (a biller may price 2027 with 2025 RVUs on purpose) but said; so is a file far smaller
    than CMS's complete one (~19,000 PPRRVU rows), whose missing codes would not be priced."""
    done = import_file(pprrvu(imports, store), year=2027)
    assert any("the file says 2025" in w for w in done.warnings)
    assert any("fewer than a complete CMS file" in w for w in done.warnings)  # the test file is a few rows
    done = import_file(pprrvu(imports, store))
    assert not any("the file says" in w for w in done.warnings)
