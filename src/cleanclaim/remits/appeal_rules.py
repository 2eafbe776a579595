"""Whether a denial should be appealed at all, and by when.

- :func:`deadline`: the last day to ask for the first-level appeal, from the date of
  the payer's notice (the 835 date). Medicare: a redetermination request is due 120
  days from receipt of the initial determination, and receipt is presumed 5 days
  after the date of the notice (42 CFR 405.942(a)(1)-(2)). Group health plans under
  ERISA must allow at least 180 days following receipt of the adverse benefit
  determination (29 CFR 2560.503-1(h)(3)(i)); counted here from the notice date (the
  earliest the practice can have received it), so the date is never too late. Medicaid
  plans: the plan's (state's) provider appeal deadline, not computed.
- :func:`no_appeal_rights`: RARC MA130 says no appeal rights are afforded (the claim
  is unprocessable: send a new claim); CARC 16 is missing or wrong information (fix
  it and send the claim again).
- :func:`recovered_later`: denied lines a later answer (reprocessing, corrected claim)
  already paid: appealing them again asks to be paid twice.
- :func:`contradicting_findings`: `check` findings on the claim as sent (and its note)
  that predict the very denial (their CARC matches), or that say the diagnoses or the
  note do not support the service: a medical-necessity argument would be untrue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MEDICARE_DAYS, MEDICARE_RECEIPT_DAYS, ERISA_DAYS = 120, 5, 180

MEDICARE_DEADLINE = ("42 CFR 405.942(a): a redetermination request must be filed within 120 calendar days from "
                     "the date the party receives the notice of initial determination, receipt presumed 5 calendar "
                     "days after the date of the notice ((a)(1)); it counts as filed when the contractor receives "
                     "it ((a)(2)): mail it to arrive by that date")
ERISA_DEADLINE = ("29 CFR 2560.503-1(h)(3)(i): a group health plan allows at least 180 days following receipt "
                  "of a notification of an adverse benefit determination (the plan's documents may allow more)")
MEDICAID_DEADLINE = ("the plan's provider appeal deadline in its provider manual and the state's Medicaid "
                     "managed care rules (42 CFR part 438, subpart F)")
GOOD_CAUSE = ("42 CFR 405.942(b): the contractor may extend the time frame when the party shows good cause "
              "(what it considers: (b)(2); examples: (b)(3)); ask for the extension in the request with the "
              "evidence")
REOPENING = ("Medicare Part B corrects minor errors and omissions by a reopening, not a replacement claim "
             "(42 CFR 405.980(a)(3); Medicare Claims Processing Manual, Pub. 100-04, chapter 34): ask the MAC "
             "for a clerical-error reopening (telephone, portal or written request) within one year of the "
             "initial determination")
MA130 = ("RARC MA130: the claim contains incomplete and/or invalid information, and no appeal rights are "
         "afforded because the claim is unprocessable; submit a new claim with the complete/correct information")
CARC16 = ("CARC 16: the claim/service lacks information or has submission/billing error(s); the remark "
          "codes say what is missing: send the claim again with it instead of appealing")

# Finding code families that say the diagnoses or the note do not support the service.
NECESSITY_FAMILIES = ("PG", "MN", "DOC", "DX", "TN")
# Per denial bucket, the `check` rule families whose findings (error or warning) say the
# claim as sent lacked what an appeal in that bucket would claim it had: no authorisation
# number (PA), a spent visit cap or KX threshold without KX (VC), a bundled pair at
# indicator 0 or units over an MUE (NC, MU, TU, HX003/HX004), an unallowed credential (CR),
# a duplicate (HX001/HX002), a late filing (HX005).
CONTRADICTING = {
    "medical_necessity": NECESSITY_FAMILIES,
    "coverage": NECESSITY_FAMILIES + ("CV", "VC", "TH003"),
    "authorization": ("PA",),
    "coding_bundling": ("NC001", "NC002", "NC004", "MU", "TU", "CL030", "CL031", "HX003", "HX004"),
    "credentialing": ("CR",),
    "duplicate": ("HX001", "HX002"),
    "timely_filing": ("HX005",),
}


@dataclass(frozen=True)
class Deadline:
    payer_type: str
    notice: date | None
    due: date | None  # None: not computed (Medicaid plan, or no notice date)
    authority: str

    def missed(self, on: date) -> bool:
        return self.due is not None and on > self.due

    def days_left(self, on: date) -> int | None:
        return None if self.due is None else (self.due - on).days


def deadline(payer_type: str, notice: date | None) -> Deadline:
    """The first-level appeal deadline for a denial noticed on ``notice`` (the 835 date)."""
    if payer_type == "medicare":
        due = notice + timedelta(days=MEDICARE_RECEIPT_DAYS + MEDICARE_DAYS) if notice else None
        return Deadline(payer_type, notice, due, MEDICARE_DEADLINE)
    if payer_type == "commercial":
        due = notice + timedelta(days=ERISA_DAYS) if notice else None
        return Deadline(payer_type, notice, due, ERISA_DEADLINE)
    return Deadline(payer_type, notice, None, MEDICAID_DEADLINE)


def no_appeal_rights(lines, answer) -> str | None:
    """Why the denial has no appeal (MA130, CO-16), or None."""
    remarks = set(answer.remarks) | {r for ln in lines for r in ln.remarks}
    carcs = {c for _, c, _ in answer.adjustments} | {c for ln in lines for _, c, _ in ln.adjustments}
    carcs |= {ln.carc for ln in lines if ln.carc} | ({answer.carc} if answer.carc else set())
    if "MA130" in remarks:
        return MA130
    if carcs and carcs <= {"16", "45", "253", "1", "2", "3"} and "16" in carcs:
        return CARC16
    return None


def recovered_later(track, answer, lines) -> list[tuple[object, object, Decimal]]:
    """(denied line, later answer, paid) for each denied line a later adjudication paid."""
    later = [a for a in track.adjudications if a is not answer
             and (a.remit_date or date.min, a.remit_claim_id) > (answer.remit_date or date.min, answer.remit_claim_id)]
    out = []
    for ln in lines:
        for a in reversed(later):
            again = next((x for x in a.lines if (ln.control_number and x.control_number == ln.control_number)
                          or (x.code == ln.code and x.service_date == ln.service_date)), None)
            if again is not None and again.paid > 0:
                out.append((ln, a, again.paid))
                break
    return out


def _carcs(finding) -> set[str]:
    text = str(getattr(finding, "carc", "") or "")
    return {part.strip().split("-", 1)[-1] for part in text.split("/") if part.strip()}


def contradicting_findings(findings, bucket: str, lines) -> list:
    """The findings (on the claim, or on a denied line) that make the appeal's argument untrue:
    an error whose CARC is the one the payer denied with, or an error or warning from a rule
    family that checks what the denial's bucket is about (CONTRADICTING). A documentation
    warning (a weaker note) does not stop an appeal; a documentation error does."""
    families = CONTRADICTING.get(bucket)
    if families is None:
        return []
    denied = {c for ln in lines for _, c, _ in ln.adjustments} | {ln.carc for ln in lines if ln.carc}
    numbers = {ln.history_line_number or ln.position for ln in lines}  # claim line numbers denied
    return [f for f in findings if (f.line is None or f.line in numbers)
            and ((f.severity == "error" and _carcs(f) & denied)
                 or (f.code.startswith(families)
                     and (f.severity == "error" or (f.severity == "warning" and not f.code.startswith("DOC")))))]
