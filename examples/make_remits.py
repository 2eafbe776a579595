"""Regenerate examples/remits/: the payers' answers to the practice's claims (synthetic).

    .venv/bin/python examples/make_remits.py

What it writes (every amount computed here, none typed):

- ``sent/2026-06.837p`` .. ``sent/2026-10.837p``: the practice's earlier claims, one
  batch per month of service (suffix .837p so `cleanclaim check examples/` keeps
  checking only the seeded batch; name them explicitly to check them).
- ``sent/PM1005-corrected.837p``: the corrected (frequency 7) PM1005 with GP on 97110.
- ``history-acme.835``, ``history-medicare.835``, ``history-medicaid.835``: weekly
  payments for the earlier claims, several ST sets per file.
- ``prenatal-massage.277``: the clearinghouse 277CA for the example claims
  (prenatal-massage.837 and .csv, payer-policies.837): PM1006 is rejected at the front
  end (invalid diagnosis pointer).
- ``prenatal-massage.835``: ACME and Medicare answering the example claims (paid,
  partly paid, denied as the seeded findings predict), with PLB interest (L6) and an
  overpayment recovery (WO).
- ``corrections.835``: Medicare reverses PM1005 (CLP02 22) and pays the corrected
  claim; ACME pays an appealed CO-50 denial (recovered dollars).

Fees: Medicare allowed amounts come from the CY2025 PFS relative value file, the
conversion factor in force on the date of service (cleanclaim.pricing.rates) and the
GPCI of the practice's locality (ZIP 12207 -> carrier 13282, locality 99) with the
therapy multiple-procedure payment reduction (50% of PE on every unit after the one
with the highest PE; CMS 100-04 ch.5 section 10.7); the Medicaid plan pays 75% and
ACME 120% of the unreduced Medicare rate. Medicare coinsurance is 20% (PR-2) and
sequestration 2% of the payment (CO-253). The codes used are in the June 2024
CARC/RARC list, except CARC 310 and RARC N899: they are absent from it on purpose
(an unknown code must be a warning, never a crash).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from x12_answers import (  # noqa: E402
    Ack, Adj, AnswerClaim, AnswerLine, Payment, Plb, money, write_277ca, write_835)

from cleanclaim.codesets.store import CodeStore  # noqa: E402
from cleanclaim.formats import iter_claims  # noqa: E402
from cleanclaim.formats.dict_reader import claim_from_dict  # noqa: E402
from cleanclaim.formats.write837 import write_837  # noqa: E402
from cleanclaim.model import Claim  # noqa: E402

try:  # the CMS conversion factor by date of service (CY2026: $33.4009, CMS-1832-F)
    from cleanclaim.pricing.rates import conversion_factor
except ImportError:  # pricing not installed: the CONV FACTOR column of the PFS file
    conversion_factor = None

OUT = HERE / "remits"
PRACTICE = {"npi": "1234567893", "name": "BLOOM PRENATAL THERAPY", "entity_type": "2",
            "taxonomy": "225100000X", "zip_code": "122070001", "state": "NY"}
THERAPIST = {"npi": "1992999999", "name": "RIVERA", "entity_type": "1", "taxonomy": "225100000X"}
# A PT assistant hired in September whose Medicaid enrollment is still pending.
ASSISTANT = {"npi": "1245319599", "name": "CHEN", "entity_type": "1", "taxonomy": "225200000X"}
# The patient's obstetrician, who orders the therapy (Medicaid requires the order: 2310A).
OBSTETRICIAN = {"npi": "1003000001", "name": "OKAFOR", "entity_type": "1", "taxonomy": "207V00000X"}
ACME = {"name": "ACME HEALTH PLAN", "payer_id": "60054", "claim_filing_indicator": "CI"}
MEDICARE = {"name": "MEDICARE PART B", "payer_id": "13202", "claim_filing_indicator": "MB"}
MEDICAID = {"name": "SUNRISE MEDICAID PLAN", "payer_id": "77001", "claim_filing_indicator": "MC"}
FILING = {"60054": "CI", "13202": "MB", "77001": "MC"}
CHARGE = {"97150": 30, "97110": 40, "97112": 45, "97140": 45, "97124": 40, "97530": 50}
CARRIER, LOCALITY = "13282", "99"
UNKNOWN_CARC, UNKNOWN_RARC = "310", "N899"  # absent from the June 2024 CARC/RARC list


class Fees:
    """Per-unit allowed amounts from the PFS (Medicare) and the plans' percentages."""

    def __init__(self, store: CodeStore):
        self.store = store
        self.gpci = store.gpci(CARRIER, LOCALITY)

    def rvus(self, code: str, dos: date) -> tuple[Decimal, Decimal]:
        """(work + MP part, PE part) in dollars for one unit, unreduced."""
        row = self.store.pfs(code)
        cf = Decimal(str(row.conversion_factor))
        if conversion_factor is not None and conversion_factor(dos) is not None:
            cf = conversion_factor(dos).value
        fixed = (Decimal(str(row.work_rvu)) * Decimal(str(self.gpci.work))
                 + Decimal(str(row.mp_rvu)) * Decimal(str(self.gpci.mp))) * cf
        pe = Decimal(str(row.pe_nonfacility_rvu)) * Decimal(str(self.gpci.pe)) * cf
        return fixed, pe

    def medicare_allowed(self, lines, *, reduce_all: bool = False) -> list[Decimal]:
        """Allowed per line with MPPR: full PE for the unit with the highest PE, half after."""
        by_day: dict[date, list] = {}
        for i, ln in enumerate(lines):
            fixed, pe = self.rvus(ln.procedure_code, ln.date_of_service)
            by_day.setdefault(ln.date_of_service, []).extend([(pe, fixed, i)] * int(ln.units))
        totals = [Decimal(0)] * len(lines)
        for units in by_day.values():  # MPPR applies per day
            units.sort(key=lambda u: -u[0])
            for rank, (pe, fixed, i) in enumerate(units):
                totals[i] += fixed + (pe / 2 if rank or reduce_all else pe)
        return [money(t) for t in totals]

    def plan_allowed(self, ln, share: str) -> Decimal:
        fixed, pe = self.rvus(ln.procedure_code, ln.date_of_service)
        return money((fixed + pe) * Decimal(share) * ln.units)


def pct(amount: Decimal, rate: str) -> Decimal:
    return (amount * Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def answer_line(ln, *, allowed: Decimal | None = None, deny: tuple | None = None,
                pr: list[tuple[str, Decimal]] = (), sequester: bool = False,
                remarks: list[str] = ()) -> AnswerLine:
    """One SVC: denied in full (deny=(group, carc)) or paid at `allowed` less PR and CO-253."""
    charge = money(ln.charge)
    out = AnswerLine(ln.procedure_code, list(ln.modifiers), charge, ln.units, ln.date_of_service,
                     ln.control_number, remarks=list(remarks))
    if deny:
        out.adjustments.append(Adj(deny[0], deny[1], charge))
        out.allowed = Decimal("0.00")
        return out
    allowed = min(allowed, charge)
    out.allowed = allowed
    if charge > allowed:
        out.adjustments.append(Adj("CO", "45", charge - allowed))
    patient = Decimal(0)
    for carc, amount in pr:
        amount = min(amount, allowed - patient)
        if amount > 0:
            out.adjustments.append(Adj("PR", carc, amount))
            patient += amount
    if sequester:
        out.adjustments.append(Adj("CO", "253", pct(allowed - patient, "0.02")))
    return out


def answer(claim: Claim, status: str, lines: list[AnswerLine], control: str, *,
           remarks=(), received: date | None = None) -> AnswerClaim:
    return AnswerClaim(claim.claim_id, status, FILING.get(claim.payer.payer_id or "", "CI"), control,
                       claim.patient_key or "", lines, remarks=list(remarks),
                       frequency=claim.frequency_code or "1", received=received)


def medicare_paid(fees: Fees, claim: Claim, control: str, *, deny: dict | None = None,
                  reduce_all: bool = False, remarks=()) -> AnswerClaim:
    """Medicare: PFS allowed with MPPR, 20% coinsurance, 2% sequestration; `deny` {line: (g, carc, rarcs)}."""
    deny = deny or {}
    paid_lines = [ln for ln in claim.lines if ln.number not in deny]
    allowed = dict(zip((ln.number for ln in paid_lines),
                       fees.medicare_allowed(paid_lines, reduce_all=reduce_all)))
    out = []
    for ln in claim.lines:
        if ln.number in deny:
            group, carc, rarcs = deny[ln.number]
            out.append(answer_line(ln, deny=(group, carc), remarks=rarcs))
        else:
            a = allowed[ln.number]
            out.append(answer_line(ln, allowed=a, pr=[("2", pct(a, "0.20"))], sequester=True))
    status = "4" if len(deny) == len(claim.lines) else "1"
    return answer(claim, status, out, control, remarks=remarks)


def plan_paid(fees: Fees, claim: Claim, control: str, share: str, *, copay: Decimal = Decimal(0),
              deny: dict | None = None, remarks=()) -> AnswerClaim:
    """ACME / Medicaid: a share of Medicare; the copay on the first paid line (PR-3)."""
    deny = deny or {}
    out, copay_left = [], copay
    for ln in claim.lines:
        if ln.number in deny:
            group, carc, rarcs = deny[ln.number]
            out.append(answer_line(ln, deny=(group, carc), remarks=rarcs))
            continue
        a = fees.plan_allowed(ln, share)
        out.append(answer_line(ln, allowed=a, pr=[("3", copay_left)] if copay_left else []))
        copay_left = Decimal(0)
    status = "4" if len(deny) == len(claim.lines) else "1"
    return answer(claim, status, out, control, remarks=remarks)


# ---------------------------------------------------------------- earlier claims (history)

def _mondays(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=7)


def history_claims() -> list[dict]:
    """Weekly visits June-October 2026 for three payers, with what each payer will do."""
    claims = []
    acme_massage = 0
    for week, monday in enumerate(_mondays(date(2026, 6, 1), date(2026, 10, 26))):
        trimester_week = 24 + week // 2
        weeks = min(trimester_week, 39)
        pregnancy = ["O26.892" if weeks < 28 else "O26.893", "M54.50", f"Z3A.{weeks}"]  # I.C.15.a.3
        # ACME: exercise + prenatal massage (97110 + 97124); ACME starts denying 97124 for medical
        # necessity in July: 8 of its last 10 massage claims are CO-50 (2 were paid).
        outcome = "paid"
        if monday >= date(2026, 7, 1):
            outcome = "paid" if acme_massage in (9, 13) else "co50"
            acme_massage += 1
        claims.append({"claim_id": f"PMH{week:02d}A", "payer": ACME, "outcome": outcome,
                       "patient_key": f"SYNA{week % 4}", "prior_authorization": f"ACME26-PT-05{week % 4:02d}",
                       "diagnoses": pregnancy,
                       "lines": [{"code": "97110", "modifiers": ["GP"], "units": 1, "date": monday,
                                  "pointers": [1, 2, 3]},
                                 {"code": "97124", "modifiers": ["GP"], "units": 2, "date": monday,
                                  "pointers": [1, 2]}]})
        # Medicare: exercise + manual therapy, paid; a few seeded denials.
        tuesday = monday + timedelta(days=1)
        outcome = {3: "co236", 9: "duplicate", 14: "co29"}.get(week, "paid")
        lines = [{"code": "97110", "modifiers": ["GP"], "units": 2, "date": tuesday, "pointers": [1, 2]},
                 {"code": "97140", "modifiers": ["GP"], "units": 1, "date": tuesday, "pointers": [1]}]
        if outcome == "co236":
            # group therapy the same day: 97110 is column 2 of 97150 (NCCI indicator 1), no 59
            lines.append({"code": "97150", "modifiers": ["GP"], "units": 1, "date": tuesday, "pointers": [1]})
        if outcome == "co29":  # a visit from the previous year found unbilled and sent late
            for ln in lines:
                ln["date"] = tuesday - timedelta(days=400)
        claims.append({"claim_id": f"PMH{week:02d}M", "payer": MEDICARE, "outcome": outcome,
                       "patient_key": f"SYNM{week % 3}", "diagnoses": ["M54.50", "M62.830"],
                       "lines": lines})
        # Medicaid plan: authorised visits (12 authorised), a PTA not yet enrolled from
        # September, coverage ended for one member, one unknown CARC/RARC.
        if week % 2 == 0 or week >= 14:
            thursday = monday + timedelta(days=3)
            visit = sum(1 for c in claims if c["payer"] is MEDICAID) + 1
            outcome = "paid"
            rendering = THERAPIST
            if visit > 12:
                outcome = "co197"
            if visit in (10, 11):
                outcome, rendering = "b7", ASSISTANT
            if visit == 5:
                outcome = "co27"
            if visit == 7:
                outcome = "unknown"
            claims.append({"claim_id": f"PMH{week:02d}D", "payer": MEDICAID, "outcome": outcome,
                           "patient_key": "SYND1" if visit != 5 else "SYND2",
                           "prior_authorization": "AUTH7700112",
                           "diagnoses": pregnancy,
                           "rendering_provider": rendering, "referring_provider": OBSTETRICIAN,
                           "lines": [{"code": "97110", "modifiers": ["GP"], "units": 2, "date": thursday,
                                      "pointers": [1, 2]},
                                     {"code": "97112", "modifiers": ["GP"], "units": 1, "date": thursday,
                                      "pointers": [1, 2]}]})
    return claims


def build_claim(data: dict) -> Claim:
    lines = [{**ln, "charge": CHARGE[ln["code"]] * ln["units"]} for ln in data["lines"]]
    claim = claim_from_dict({k: v for k, v in data.items() if k not in ("outcome", "patient_key")}
                            | {"lines": lines, "billing_provider": PRACTICE,
                               "rendering_provider": data.get("rendering_provider", THERAPIST)})
    claim.patient_key = data["patient_key"]
    for ln in claim.lines:
        ln.control_number = f"{claim.claim_id}-{ln.number}"
    return claim


def history_answer(fees: Fees, claim: Claim, outcome: str, control: str) -> AnswerClaim:
    payer = claim.payer.payer_id
    all_lines = {ln.number: None for ln in claim.lines}
    if payer == "13202":
        if outcome == "co236":
            return medicare_paid(fees, claim, control, deny={1: ("CO", "236", ["M80"]), 2: ("CO", "236", ["M80"])})
        if outcome == "co29":
            return medicare_paid(fees, claim, control, deny={n: ("CO", "29", []) for n in all_lines})
        if outcome == "duplicate":
            return medicare_paid(fees, claim, control, deny={n: ("OA", "18", ["N522"]) for n in all_lines})
        return medicare_paid(fees, claim, control)
    if payer == "60054":
        deny = {2: ("CO", "50", ["N130"])} if outcome == "co50" else None
        return plan_paid(fees, claim, control, "1.20", copay=Decimal("25.00"), deny=deny)
    deny = {
        "co197": {n: ("CO", "197", ["N54"]) for n in all_lines},
        "b7": {n: ("CO", "B7", ["N95"]) for n in all_lines},
        "co27": {n: ("CO", "27", ["N30"]) for n in all_lines},
        "unknown": {1: ("CO", UNKNOWN_CARC, [UNKNOWN_RARC])},
    }.get(outcome)
    return plan_paid(fees, claim, control, "0.75", deny=deny)


# ---------------------------------------------------------------- the example batch

def batch_answers(fees: Fees, claims: dict[str, Claim]) -> tuple[list[AnswerClaim], list[AnswerClaim]]:
    """(ACME, Medicare) answers to examples/prenatal-massage.837 and .csv (PM1006 was rejected)."""
    acme, medicare = [], []
    for cid, claim in sorted(claims.items()):
        control = f"26331{cid[2:]}"
        if cid == "PM1006":
            continue  # rejected by the 277CA: never reaches the payer
        if claim.payer.payer_id == "13202":
            if cid == "PM1005":  # 97110 without GP: CO-4 (modifier missing)
                medicare.append(medicare_paid(fees, claim, control, deny={1: ("CO", "4", ["N657"])}))
            elif cid == "PM2003":  # payer applied MPPR to every unit: underpaid
                medicare.append(medicare_paid(fees, claim, control, reduce_all=True))
            elif cid == "PP3003":  # a massage therapist cannot enrol to bill Medicare
                medicare.append(medicare_paid(fees, claim, control,
                                              deny={ln.number: ("CO", "B7", ["N95"]) for ln in claim.lines}))
            elif cid == "PP3203":  # over the therapy KX threshold without KX
                medicare.append(medicare_paid(fees, claim, control,
                                              deny={ln.number: ("CO", "119", ["N640"]) for ln in claim.lines}))
            else:
                medicare.append(medicare_paid(fees, claim, control))
            continue
        if cid == "PM1002":  # 97124 bundled into 97140 (NCCI indicator 0)
            acme.append(plan_paid(fees, claim, control, "1.20", copay=Decimal("25.00"),
                                  deny={2: ("CO", "97", ["M15"])}))
        elif cid == "PM1003":  # M54.5 is not a valid code on a 2026 date
            acme.append(plan_paid(fees, claim, control, "1.20", remarks=["M76"],
                                  deny={1: ("CO", "146", ["M76"])}))
        elif cid == "PM1004":  # Z33.1 alone does not support massage
            acme.append(plan_paid(fees, claim, control, "1.20", deny={1: ("CO", "50", ["N130"])}))
        elif cid == "PP3001":  # massage for anxiety: no covered diagnosis
            acme.append(plan_paid(fees, claim, control, "1.20", deny={1: ("CO", "50", ["N130"])}))
        elif cid == "PP3002":  # no authorisation number
            acme.append(plan_paid(fees, claim, control, "1.20", deny={1: ("CO", "197", ["N54"])}))
        elif cid == "PP3103":  # the 31st visit of the year: plan limit of 30
            acme.append(plan_paid(fees, claim, control, "1.20", deny={1: ("CO", "119", ["N640"])}))
        elif claim.payer.payer_id == "77001":
            acme.append(plan_paid(fees, claim, control, "0.75"))
        else:
            acme.append(plan_paid(fees, claim, control, "1.20", copay=Decimal("25.00")))
    return acme, medicare


def write(path: Path, payments: list[Payment], control: int, created: datetime) -> None:
    with open(path, "w", newline="") as fh:
        write_835(payments, fh, control=control, created=created)


def main() -> None:
    store = CodeStore.open()
    fees = Fees(store)
    (OUT / "sent").mkdir(parents=True, exist_ok=True)

    # Earlier claims and their weekly payments.
    history = [(build_claim(d), d["outcome"]) for d in history_claims()]
    for month in range(6, 11):
        batch = [c for c, _ in history if (c.lines[0].date_of_service.year, c.lines[0].date_of_service.month)
                 == (2026, month) or (month == 10 and c.lines[0].date_of_service.year == 2025)]
        with open(OUT / "sent" / f"2026-{month:02d}.837p", "w", newline="") as fh:
            write_837(batch, fh, sender="BLOOMPT", receiver="CLEARINGHOUSE", control_number=month,
                      created=datetime(2026, month, 28, 17, 0))
    payer_names = {"60054": ("acme", ACME), "13202": ("medicare", MEDICARE), "77001": ("medicaid", MEDICAID)}
    delay = {"60054": 16, "13202": 14, "77001": 23}
    answered: dict[str, AnswerClaim] = {}
    for n, (payer_id, (slug, payer)) in enumerate(payer_names.items(), start=1):
        weekly: dict[date, list[AnswerClaim]] = {}
        for i, (claim, outcome) in enumerate(c for c in history if c[0].payer.payer_id == payer_id):
            sent = max(ln.date_of_service for ln in claim.lines)
            if sent.year == 2025:
                sent = date(2026, 9, 10)
            paid_on = sent + timedelta(days=delay[payer_id])
            paid_on += timedelta(days=(4 - paid_on.weekday()) % 7)  # payers pay on Fridays
            answered[claim.claim_id] = history_answer(fees, claim, outcome, f"2616{n}{i:05d}")
            weekly.setdefault(paid_on, []).append(answered[claim.claim_id])
        payments = [Payment(payer["name"], payer_id, f"{slug[:3].upper()}{day:%Y%m%d}", day, items)
                    for day, items in sorted(weekly.items())]
        if payer_id == "77001":  # the plan forwards a balance it carries to next month
            payments[-1].plb.append(Plb("FB", "FWDBAL202610", Decimal("12.50")))
        write(OUT / f"history-{slug}.835", payments, 100 + n, datetime(2026, 11, 1, 8, 0))

    # The example batch: 277CA, then ACME and Medicare answers.
    claims: dict[str, Claim] = {}
    for name in ("prenatal-massage.837", "prenatal-massage.csv", "payer-policies.837"):
        for item in iter_claims(HERE / name):
            if isinstance(item, Claim):
                claims[item.claim_id] = item
    by_payer: dict[str, list[Ack]] = {}
    for cid, claim in sorted(claims.items()):
        charge = money(sum((ln.charge or 0 for ln in claim.lines), Decimal(0)))
        ack = Ack(cid, claim.patient_key or "", charge, claim.dates_of_service[0],
                  payer_control=f"26325{cid[2:]}")
        if cid == "PM1006":
            ack.category, ack.status, ack.payer_control = "A7", "21", ""
            ack.free_text = "DIAGNOSIS POINTER 3 DOES NOT POINT TO A DIAGNOSIS CODE"
        by_payer.setdefault(claim.payer.payer_id or "", []).append(ack)
    with open(OUT / "prenatal-massage.277", "w", newline="") as fh:
        write_277ca(ACME["name"], ACME["payer_id"], by_payer.get("60054", []), fh, control=301,
                    created=datetime(2026, 11, 21, 6, 15), batch_ref="1-1")

    acme, medicare = batch_answers(fees, claims)
    write(OUT / "prenatal-massage.835", [
        Payment(ACME["name"], ACME["payer_id"], "ACM20261127", date(2026, 11, 27), acme,
                plb=[Plb("L6", "INTEREST", Decimal("-1.37"))]),
        Payment(MEDICARE["name"], MEDICARE["payer_id"], "MED20261204", date(2026, 12, 4), medicare,
                plb=[Plb("WO", "PMH09M", Decimal("10.00"))]),
    ], 201, datetime(2026, 12, 4, 7, 0))

    # Corrections: PM1005 corrected (frequency 7, GP added) -> reversal + new payment;
    # an appealed ACME CO-50 denial paid on reconsideration.
    corrected = claims["PM1005"]
    corrected.frequency_code = "7"
    corrected.original_reference = "263311005"
    corrected.lines[0].modifiers = ["GP"]
    with open(OUT / "sent" / "PM1005-corrected.837p", "w", newline="") as fh:
        write_837([corrected], fh, sender="BLOOMPT", receiver="CLEARINGHOUSE", control_number=12,
                  created=datetime(2026, 12, 7, 10, 0))
    original = next(a for a in medicare if a.claim_id == "PM1005")
    reissued = medicare_paid(fees, corrected, "263421005")
    appealed_claim = next(c for c, o in history if o == "co50")
    appealed = plan_paid(fees, appealed_claim, "263420001", "1.20", copay=Decimal("25.00"))
    write(OUT / "corrections.835", [
        Payment(MEDICARE["name"], MEDICARE["payer_id"], "MED20261218", date(2026, 12, 18),
                [original.reversed(), reissued]),
        Payment(ACME["name"], ACME["payer_id"], "ACM20261218", date(2026, 12, 18),
                [answered[appealed_claim.claim_id].reversed(), appealed]),
    ], 202, datetime(2026, 12, 18, 7, 0))
    print(f"wrote {sorted(str(p.relative_to(HERE)) for p in OUT.rglob('*') if p.is_file())}")


if __name__ == "__main__":
    main()
