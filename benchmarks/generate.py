"""Generate synthetic 837P files for the benchmarks (10k, 100k, 1M claims).

    .venv/bin/python benchmarks/generate.py            # all sizes into benchmarks/out/
    .venv/bin/python benchmarks/generate.py 10000      # one size

Claims are varied outpatient therapy, office and prenatal claims (about two lines
each). Everything is synthetic and seeded, so the files are the same on every run.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cleanclaim.formats.write837 import write_837  # noqa: E402
from cleanclaim.model import Claim, Diagnosis, Payer, Provider, ServiceLine  # noqa: E402

OUT = Path(__file__).parent / "out"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
WHEN = datetime(2025, 6, 2, 8, 0)

# (code, charge per unit, timed?) -- fee amounts are synthetic
THERAPY = [("97110", "45.00", True), ("97112", "48.00", True), ("97124", "40.00", True),
           ("97140", "42.00", True), ("97530", "50.00", True), ("97010", "15.00", False)]
THERAPY_DX = ["M54.50", "M62.81", "M25.561", "M54.2", "S13.4XXA", "M79.18", "R26.89"]
PRENATAL_DX = ["O26.893", "Z3A.30", "Z34.83", "O09.523", "R60.0", "Z3A.32"]
OFFICE_DX = ["R60.0", "M54.50", "I10", "E11.9", "Z00.00"]
PAYERS = [Payer("MEDICARE PART B", "12345", "MB"), Payer("STATE MEDICAID", "77027", "MC"),
          Payer("ACME HEALTH PLAN", "60054", "CI"), Payer("BLUE EXAMPLE", "00590", "BL")]


def npi(seed: int) -> str:
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840, 45 CFR 162.406)."""
    body = f"1{seed:08d}"
    digits = [int(d) for d in "80840" + body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


def providers(rng: random.Random, count: int, taxonomy: str, role: str, person: bool):
    found = []
    for i in range(count):
        seed = rng.randrange(10**8)
        name = f"SYNTH{i}, PAT" if person else f"SYNTHETIC CLINIC {i}"
        found.append(Provider(role=role, npi=npi(seed), name=name, taxonomy=taxonomy,
                              entity_type="1" if person else "2",
                              zip_code=f"{rng.randrange(10000, 99999)}{rng.randrange(10000):04d}",
                              state=rng.choice(["NY", "FL", "TX", "CA", "OH"]),
                              tax_id=f"{rng.randrange(10**8, 10**9)}"))
    return found


def claims(count: int, seed: int = 837) -> "iter[Claim]":
    rng = random.Random(seed)
    pt_clinics = providers(rng, 40, "225100000X", "billing", False)
    therapists = providers(rng, 120, "225100000X", "rendering", True)
    ob_clinics = providers(rng, 15, "207V00000X", "billing", False)
    midwives = providers(rng, 40, "367A00000X", "rendering", True)
    start = date(2025, 1, 2)
    for n in range(count):
        kind = rng.random()
        day = start + timedelta(days=rng.randrange(150))
        payer = rng.choice(PAYERS)
        if kind < 0.7:
            billing, rendering = rng.choice(pt_clinics), rng.choice(therapists)
            dx = rng.sample(THERAPY_DX, rng.choice((1, 2, 2, 3)))
            picks = rng.sample(THERAPY, rng.choice((1, 2, 2, 3)))
            lines = []
            for i, (code, fee, timed) in enumerate(picks, start=1):
                units = rng.choice((1, 1, 2, 3)) if timed else 1
                lines.append(ServiceLine(
                    i, code, ["GP"], charge=Decimal(fee) * units, units=Decimal(units),
                    place_of_service="11", diagnosis_pointers=[1 + (i - 1) % len(dx)],
                    date_of_service=day, control_number=f"{n}-{i}",
                    minutes=units * 15 if timed else None))
        else:
            billing, rendering = rng.choice(ob_clinics), rng.choice(midwives)
            if kind < 0.85:
                dx = rng.sample(OFFICE_DX, 2)
                lines = [ServiceLine(1, "99213", [], charge=Decimal("110.00"), units=Decimal(1),
                                     place_of_service="11", diagnosis_pointers=[1, 2],
                                     date_of_service=day, control_number=f"{n}-1")]
            else:
                dx = rng.sample(PRENATAL_DX, 3)
                lines = [ServiceLine(1, "99213", ["25"], charge=Decimal("110.00"),
                                     units=Decimal(1), place_of_service="11",
                                     diagnosis_pointers=[1, 2, 3], date_of_service=day,
                                     control_number=f"{n}-1"),
                         ServiceLine(2, "76815", [], charge=Decimal("180.00"), units=Decimal(1),
                                     place_of_service="11", diagnosis_pointers=[1, 2],
                                     date_of_service=day, control_number=f"{n}-2")]
        yield Claim(
            claim_id=f"SYN{n:08d}", billing_provider=billing, rendering_provider=rendering,
            payer=payer, patient_key=f"MBR{rng.randrange(10**9):09d}",
            patient_birth_date=date(1940 + rng.randrange(60), 1 + rng.randrange(12),
                                    1 + rng.randrange(28)),
            patient_gender=rng.choice("FM"), frequency_code="1", place_of_service="11",
            prior_authorization=f"PA{n}" if payer.claim_filing_indicator == "CI" else None,
            diagnoses=[Diagnosis(code.replace(".", ""), i, "ABK" if i == 1 else "ABF")
                       for i, code in enumerate(dx, start=1)],
            lines=lines)


def generate(label: str, count: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"claims_{label}.837"
    started = time.perf_counter()
    with open(path, "w", encoding="ascii", newline="") as out:
        written = write_837(claims(count), out, created=WHEN, claims_per_transaction=5000)
    seconds = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    print(f"{path}: {written:,} claims, {size:,.1f} MB in {seconds:.1f}s")
    return path


def main(argv: list[str]) -> None:
    wanted = argv or list(SIZES)
    for item in wanted:
        label = item if item in SIZES else next((k for k, v in SIZES.items() if str(v) == item), None)
        if label is None:
            sys.exit(f"unknown size {item!r}; choose from {', '.join(SIZES)} or {list(SIZES.values())}")
        generate(label, SIZES[label])


if __name__ == "__main__":
    main(sys.argv[1:])
