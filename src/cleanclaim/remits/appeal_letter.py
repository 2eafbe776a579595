"""The appeal packet as Markdown: the letter (from a per-bucket template), then the claim
summary, the note excerpts, the references. Editable; ``appeal_pdf`` renders it.

Templates use ``string.Template`` (``$name``): no code runs from a template. A user
folder (``--templates DIR``) overrides the shipped ``remits/templates/<bucket>.md``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from string import Template

from .appeal import AppealCase

NOTE_SECTIONS = ("subjective", "objective", "assessment", "treatment", "plan", "goals")
NOTE_LIMIT = 1200  # characters per note section in the packet
PAGE_BREAK = '<div style="page-break-after: always"></div>'
SIGNATURE = "______________________________\nName, credentials (fill in)\nBilling office, telephone (fill in)"

BLANK = "______________________"
# First-level appeal by payer type: (letter title, attention line). Medicare's first level is a
# redetermination by the MAC (42 CFR 405.940); reconsideration is the second level, by a QIC
# (42 CFR 405.960), and is never what this packet asks for.
REQUEST = {
    "medicare": ("Request for redetermination", "Redeterminations (first-level appeal)"),
    "medicaid": ("Request for reconsideration", "Provider Appeals / Reconsideration"),
    "commercial": ("Request for reconsideration", "Claims Appeals / Reconsideration"),
}
MEDICARE_SIGNATURE = (f"{BLANK}\nSignature of the party or representative\n"
                      f"Name: {BLANK} (fill in)\nBilling office, telephone (fill in)")


def appeal_rights(case: AppealCase, today: date) -> str:
    """The letter's filing paragraph: the level asked for and the deadline, never a false 'within'."""
    dl = case.deadline
    notice = case.answer.remit_date.isoformat() if case.answer.remit_date else "[date of the notice]"
    if case.payer_type == "medicare":
        head = "This is a request for redetermination, the first level of appeal (42 CFR 405.940)."
        if dl is None or dl.due is None:
            return head + (" It must reach the contractor within 120 days of receipt of the initial determination "
                           "(42 CFR 405.942(a)). Form CMS-20027 may accompany it.")
        if dl.missed(today):
            return head + (f" It is made after the filing period: the notice is dated {notice}, receipt is presumed "
                           f"5 days later, and the 120 days ended on {dl.due.isoformat()} (42 CFR 405.942(a)). "
                           "We ask you to extend the time limit for good cause (42 CFR 405.942(b)): "
                           "[state the good cause].")
        return head + (f" The notice of initial determination is dated {notice}; receipt is presumed 5 days later, "
                       f"so the 120-day filing period ends on {dl.due.isoformat()} (42 CFR 405.942(a)). "
                       "Form CMS-20027 may accompany it.")
    if case.payer_type == "commercial":
        if dl is None or dl.due is None:
            return ("A group health plan under ERISA allows at least 180 days after an adverse benefit "
                    "determination to appeal it (29 CFR 2560.503-1(h)(3)(i)).")
        if dl.missed(today):
            return (f"The remittance denying the claim is dated {notice}; this appeal is made more than 180 days "
                    f"later. [Cite the plan's appeal period if it is longer than 180 days, or the reason for the "
                    f"delay.]")
        return (f"This appeal is made within 180 days of the remittance dated {notice} (by "
                f"{dl.due.isoformat()}): a group health plan under ERISA allows at least 180 days after an adverse "
                "benefit determination (29 CFR 2560.503-1(h)(3)(i)).")
    return (f"The remittance denying the claim is dated {notice}. This appeal follows the plan's provider appeal "
            "procedure (its provider manual and the state's Medicaid managed care rules, 42 CFR part 438, "
            "subpart F).")


def deadline_note(case: AppealCase, today: date) -> str:
    """The biller's line about the deadline (missed deadlines first and loud)."""
    from .appeal_rules import GOOD_CAUSE

    dl = case.deadline
    if dl is None or dl.due is None:
        return (f"Appeal deadline not computed: {dl.authority if dl else 'no remittance date'}; check it before "
                "sending.")
    if dl.missed(today):
        extra = f" Only a good-cause extension remains: {GOOD_CAUSE}." if case.payer_type == "medicare" else \
            " The plan may refuse a late appeal: check its documents for a longer period."
        return (f"APPEAL DEADLINE MISSED: it was {dl.due.isoformat()} ({-dl.days_left(today)} days before "
                f"{today.isoformat()}; {dl.authority}).{extra}")
    return f"Appeal deadline: {dl.due.isoformat()} ({dl.days_left(today)} days left; {dl.authority})."


class TemplateError(ValueError):
    """A template that cannot be filled (names the file and the placeholder)."""


def template_text(bucket: str, user_dir: str | Path | None = None) -> tuple[str, str]:
    """(text, where it came from) of the template for ``bucket`` (user folder first)."""
    names = [f"{bucket}.md", "default.md"]
    if user_dir:
        for name in names:
            path = Path(user_dir) / name
            if path.is_file():
                return path.read_text(encoding="utf-8"), str(path)
    shipped = resources.files("cleanclaim.remits").joinpath("templates")
    for name in names:
        item = shipped.joinpath(name)
        if item.is_file():
            return item.read_text(encoding="utf-8"), f"cleanclaim/remits/templates/{name}"
    raise TemplateError(f"no template for bucket {bucket!r} and no default.md")


def _usd(value) -> str:
    return f"${Decimal(value):,.2f}"


def _units(units) -> str:
    if units is None:
        return "1"
    return format(Decimal(units).normalize(), "f")


def _dates(case: AppealCase) -> str:
    days = sorted({ln.service_date for ln in case.lines if ln.service_date})
    if not days and case.claim is not None:
        days = case.claim.dates_of_service
    if not days:
        return "(see claim)"
    return days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()} to {days[-1].isoformat()}"


def _explained(case: AppealCase, store) -> list[str]:
    """One plain-language paragraph per distinct adjustment on the denied lines."""
    from .explain import explain

    seen, out = set(), []
    for ln in case.lines:
        remarks = ln.remarks or case.answer.remarks
        for group, carc, amount in ln.adjustments or case.answer.adjustments:
            if (group, carc) in (("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("CO", "253")):
                continue
            key = (group, carc, tuple(remarks))
            if key in seen:
                continue
            seen.add(key)
            if store is not None:
                text = explain(store, group, carc, remarks, on=case.answer.remit_date).text
                text = text.split(" Counts as a denial;")[0]
            else:
                text = f"{group}-{carc}" + (f" with remark(s) {', '.join(remarks)}" if remarks else "")
            out.append(text)
    return out or [f"The claim was denied (claim status {case.answer.status})."]


def _table(case: AppealCase) -> str:
    rows = ["| Line | Date | Code | Modifiers | Units | Billed | Paid | Reason |",
            "|---|---|---|---|---|---|---|---|"]
    for ln in case.lines:
        reason = " ".join(f"{g}-{c}" for g, c, _ in ln.adjustments if (g, c) != ("CO", "45")) or \
            (f"{ln.group}-{ln.carc}" if ln.carc else "")
        rows.append(f"| {ln.position} | {ln.service_date or ''} | {ln.code} | {' '.join(ln.modifiers) or '-'} | "
                    f"{_units(ln.units)} | {_usd(ln.charge)} | {_usd(ln.paid)} | "
                    f"{' '.join([reason, *ln.remarks]).strip()} |")
    return "\n".join(rows)


def _diagnoses(case: AppealCase, store) -> str:
    claim = case.claim
    if claim is None or not claim.diagnoses:
        return "the diagnoses on the claim"
    parts = []
    for dx in claim.diagnoses:
        text = None
        if store is not None and case.lines and case.lines[0].service_date:
            try:
                release = store.icd_release(case.lines[0].service_date)
                row = store.icd_code(dx.code, release.release_id)
                text = row.description if row else None
            except Exception:  # a code-set problem must not stop the letter: the code alone is printed
                text = None
        parts.append(f"{dx.dotted}" + (f" ({text})" if text else ""))
    return "; ".join(parts)


def _rendering(case: AppealCase) -> str:
    claim = case.claim
    p = claim.rendering_for(claim.lines[0]) if claim is not None and claim.lines else None
    if p is None:
        return f"the provider (rendering NPI {case.answer.rendering_npi})" if case.answer.rendering_npi \
            else "our therapist"
    who = p.name or "the rendering provider"
    return f"{who} (NPI {p.npi}" + (f", taxonomy {p.taxonomy}" if p.taxonomy else "") + ")"


def note_excerpts(note) -> list[tuple[str, str]]:
    """(section name, text) of the note sections an appeal reviewer reads."""
    if note is None:
        return []
    out = []
    for name in NOTE_SECTIONS:
        span = note.sections.get(name)
        if span is None:
            continue
        text = note.text[span.start:span.end].strip()
        if len(text) > NOTE_LIMIT:
            text = text[:NOTE_LIMIT].rsplit(" ", 1)[0] + " [...]"
        if text:
            out.append((name, text))
    if not out and note.text.strip():
        out.append(("note", note.text.strip()[:NOTE_LIMIT * 2]))
    return out


def variables(case: AppealCase, store=None, today: date | None = None, letterhead: dict | None = None,
              include_ids: bool = False) -> dict[str, str]:
    """Every template placeholder. ``letterhead``: config [appeal] (practice_address,
    practice_phone, signer, payer_addresses {payer id: address}). Patient identifiers are
    blanks to fill in by hand unless ``include_ids`` (then the member ID and birth date the
    store holds; the patient's name is never stored)."""
    letterhead = letterhead or {}
    values = _variables(case, store, today, include_ids)
    contact = [str(letterhead.get("practice_address") or "").strip()]
    if letterhead.get("practice_phone"):
        contact.append(f"Telephone {letterhead['practice_phone']}")
    values["practice_contact"] = "\n".join(c for c in contact if c)
    addresses = letterhead.get("payer_addresses") or {}
    values["payer_address"] = str(addresses.get(case.answer.payer_id) or addresses.get(case.answer.payer_name)
                                  or "").strip()
    if letterhead.get("signer"):
        what = "Signature of the party or representative\n" \
            if case.payer_type == "medicare" else ""
        values["signature"] = f"______________________________\n{what}{letterhead['signer']}\n{values['practice_name']}"
    if case.payer_type == "medicare":  # 42 CFR 405.944(b)(1)-(2): beneficiary name and Medicare number
        values["patient_ids"] = (f"**Beneficiary name:** {BLANK} | **Medicare number (MBI):** "
                                 f"{values['member_id'] if include_ids else BLANK}")
    else:
        values["patient_ids"] = (f"**Patient name:** {BLANK} | **Date of birth:** "
                                 f"{values['birth_date'] if include_ids else BLANK}\n**Member ID:** "
                                 f"{values['member_id'] if include_ids else BLANK}")
    return values


def _variables(case: AppealCase, store=None, today: date | None = None, include_ids: bool = False) -> dict[str, str]:
    stored = case.stored
    claim = case.claim
    practice = claim.billing_provider if claim is not None else None
    excerpts = note_excerpts(case.note)
    evidence = "The enclosed visit note records:\n\n" + "\n".join(
        f"> **{name.title()}:** {' '.join(text.split())}" + "\n>" for name, text in excerpts[:2]) \
        if excerpts else "The visit note for these dates of service is enclosed."
    refs = case.policy_refs
    return {
        "practice_name": (practice.name if practice and practice.name else "[practice name]"),
        "billing_npi": (practice.npi if practice and practice.npi else (stored.billing_npi if stored else "")),
        "today": (today or date.today()).strftime("%B %d, %Y").replace(" 0", " "),
        "payer_name": case.answer.payer_name or case.payer,
        "payer_id": case.answer.payer_id or "-",
        "claim_id": case.claim_id,
        "payer_claim_control": case.answer.payer_claim_control or "-",
        "remit_date": case.answer.remit_date.isoformat() if case.answer.remit_date else "-",
        "dates_of_service": _dates(case),
        "member_id": ((stored.patient_key if stored and stored.patient_key else
                       (claim.patient_key if claim is not None and claim.patient_key else BLANK))
                      if include_ids else BLANK),
        "birth_date": ((stored.birth_date.isoformat() if stored and stored.birth_date else
                        (claim.patient_birth_date.isoformat() if claim is not None and claim.patient_birth_date
                         else BLANK)) if include_ids else BLANK),
        "request": REQUEST[case.payer_type][0],
        "attention": REQUEST[case.payer_type][1],
        "patient_ids": "",  # filled below
        "amount_denied": _usd(case.denied_total),
        "denied_table": _table(case),
        "denial_explained": "\n\n".join(_explained(case, store)),
        "diagnoses": _diagnoses(case, store),
        "rendering": _rendering(case),
        "prior_authorization": (claim.prior_authorization if claim is not None and claim.prior_authorization
                                else (stored.prior_authorization if stored and stored.prior_authorization
                                      else "[authorisation number]")),
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else "[date accepted]",
        "note_evidence": evidence,
        "policy_citations": ("The plan's published policy applies: " + "; ".join(refs) + ".") if refs else "",
        "appeal_rights": appeal_rights(case, today or date.today()),
        "signature": MEDICARE_SIGNATURE if case.payer_type == "medicare" else SIGNATURE,
    }


def ncci_notes(case: AppealCase, store) -> list[str]:
    """The NCCI PTP rows between each denied line and the claim's other lines of that day."""
    claim = case.claim
    if store is None or claim is None:
        return []
    out = []
    for ln in case.lines:
        for other in claim.lines:
            if other.procedure_code == ln.code or other.date_of_service != ln.service_date or not ln.service_date:
                continue
            for col1, col2 in ((other.procedure_code, ln.code), (ln.code, other.procedure_code)):
                try:
                    edit = store.ptp_edit(col1, col2, ln.service_date)
                except Exception:  # advisory only
                    edit = None
                if edit is None or edit.modifier_indicator == "9":
                    continue
                fix = ("ask the MAC for a reopening to add the modifier (42 CFR 405.980(a)(3))"
                       if case.payer_type == "medicare" else "send a corrected claim with the modifier")
                verdict = ("no modifier bypasses it: an appeal will not succeed; write the line off or bill "
                           "only the column 1 code" if edit.modifier_indicator == "0" else
                           f"a modifier (59/XE/XS/XP/XU) bypasses it when the services were distinct: {fix} if "
                           "the note supports it")
                out.append(f"NCCI PTP {col1}/{col2} on {ln.service_date}: modifier indicator "
                           f"{edit.modifier_indicator} ({edit.rationale}; {edit.release}): {verdict}.")
    return out


def correction_advice(case: AppealCase) -> str:
    """How to correct the claim: a reopening for Medicare Part B, else a replacement claim."""
    from .appeal_rules import REOPENING

    if case.payer_type == "medicare":
        return REOPENING
    return "send a corrected claim (frequency code 7, REF*F8 = the payer claim number)"


def biller_notes(case: AppealCase, store=None, today: date | None = None,
                 include_ids: bool = False) -> list[str]:
    """Checks for the biller before sending (kept out of the PDF)."""
    today = today or date.today()
    notes = [f"WARNING: {w}" for w in case.warnings]
    notes.append(deadline_note(case, today))
    notes += ncci_notes(case, store)
    codes = {(g, c) for ln in case.lines for g, c, _ in ln.adjustments}
    if ("CO", "4") in codes or ("CO", "146") in codes or ("CO", "16") in codes:
        notes.append(f"This denial is usually fixed by a correction, not an appeal: {correction_advice(case)}.")
    if case.bucket == "duplicate" and case.payer_type == "medicare":
        notes.append("Medicare processes a denial as a duplicate as a clerical error: ask for a reopening, not a "
                     "redetermination (42 CFR 405.980(a)(3)(iii)).")
    if (("CO", "97") in codes or ("CO", "236") in codes) and not notes:
        notes.append("Check the NCCI PTP modifier indicator of the code pair (`cleanclaim check`): with "
                     "indicator 0 no modifier bypasses the edit and an appeal will not succeed.")
    for f in case.findings:
        notes.append(f"`cleanclaim check` finds {f.code} on this claim{f' (line {f.line})' if f.line else ''}: "
                     f"{f.message}" + (f" Fix: {f.fix}" if f.fix else ""))
    if case.findings:
        notes.append(f"Where `check` finds a problem on the claim, a correction may serve better than an appeal: "
                     f"{correction_advice(case)}.")
    if case.bucket == "timely_filing" and case.accepted_on is None:
        notes.append("No 277CA/999 acceptance of this claim is in the store: attach the clearinghouse's "
                     "acceptance report and fill in its date.")
    if case.note is None:
        notes.append("No visit note was linked (`--notes DIR`): attach the note for the dates of service.")
    if case.payer_type == "medicare":
        notes.append("Fill in the beneficiary's name" + ("" if include_ids else " and Medicare number (MBI)")
                     + ", and have the party (or its representative) sign: 42 CFR 405.944(b) requires the "
                       "beneficiary name, Medicare number, the services and dates, and the party's name and "
                       "signature.")
    else:
        notes.append("Fill in the patient's name" + ("" if include_ids else ", date of birth and member ID")
                     + " (`--include-ids` fills the member ID and birth date from the store).")
    notes.append("Sign the letter (signature block at the end) and keep a copy with the date sent.")
    return notes


def render_markdown(case: AppealCase, *, store=None, templates: str | Path | None = None,
                    today: date | None = None, letterhead: dict | None = None, include_ids: bool = False) -> str:
    """The whole packet as Markdown."""
    text, origin = template_text(case.bucket, templates)
    values = variables(case, store, today, letterhead, include_ids)
    try:
        letter = Template(text).substitute(values)
    except KeyError as exc:
        raise TemplateError(f"{origin}: unknown placeholder ${exc.args[0]} (known: "
                            f"{', '.join(sorted(values))})") from None
    except ValueError as exc:
        raise TemplateError(f"{origin}: {exc}") from None
    notes = biller_notes(case, store, today, include_ids)
    if not values["payer_address"]:
        notes.insert(-1, "Add the payer's appeal mailing address under its name (or set it once in the "
                         "config file: [appeal.payer_addresses]).")
    parts = ["<!-- Biller notes (not printed in the PDF):",
             *(f"  - {n}" for n in notes), f"  Template: {origin} -->", "", letter.strip(), "",
             PAGE_BREAK, "", "# Claim summary", "", _summary(case), "", "## Payer's answers to this claim", "",
             _answers(case)]
    excerpts = note_excerpts(case.note)
    parts += ["", PAGE_BREAK, "", "# Clinical note"]
    if excerpts:
        meta = case.note.meta
        when = meta.get("date") or meta.get("dos") or ""
        parts += ["", f"Visit note{f' of {when}' if when else ''} (excerpts by section)."]
        for name, body in excerpts:
            parts += ["", f"## {name.title()}", "", body]
    else:
        parts += ["", "The visit note for the dates of service is attached separately."]
    parts += ["", "# References", ""]
    parts += [f"- {r}" for r in references(case)]
    return "\n".join(parts).rstrip() + "\n"


def _summary(case: AppealCase) -> str:
    claim = case.claim
    rows = ["| | |", "|---|---|", f"| Claim (CLM01) | {case.claim_id} |",
            f"| Payer | {case.answer.payer_name} ({case.answer.payer_id}) |",
            f"| Payer claim number | {case.answer.payer_claim_control or '-'} |",
            f"| Dates of service | {_dates(case)} |", f"| Amount denied | {_usd(case.denied_total)} |"]
    if claim is not None:
        rows.append(f"| Diagnoses | {', '.join(dx.dotted for dx in claim.diagnoses) or '-'} |")
        rows.append(f"| Billed lines | {len(claim.lines)}, total {_usd(sum((ln.charge or 0 for ln in claim.lines), Decimal(0)))} |")
        if claim.prior_authorization:
            rows.append(f"| Prior authorisation (REF*G1) | {claim.prior_authorization} |")
        rows.append(f"| Rendering provider | {_rendering(case)} |")
    if case.accepted_on:
        rows.append(f"| Accepted by the payer (277CA) | {case.accepted_on.isoformat()} |")
    out = ["\n".join(rows)]
    if claim is not None:
        lines = ["| Line | Date | Code | Modifiers | Units | Dx pointers | Charge |", "|---|---|---|---|---|---|---|"]
        for ln in claim.lines:
            lines.append(f"| {ln.number} | {ln.date_of_service or ''} | {ln.procedure_code} | "
                         f"{' '.join(ln.modifiers) or '-'} | {ln.units} | "
                         f"{','.join(str(p) for p in ln.diagnosis_pointers) or '-'} | {_usd(ln.charge or 0)} |")
        out += ["", "## Lines as billed", "", "\n".join(lines)]
    return "\n".join(out)


def _answers(case: AppealCase) -> str:
    rows = ["| Date | Status | Billed | Paid | Payer claim number |", "|---|---|---|---|---|"]
    labels = {"1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary",
              "4": "denied", "22": "reversal of previous payment"}
    for a in sorted([*case.earlier, case.answer], key=lambda a: (a.remit_date or date.min, a.remit_claim_id)):
        rows.append(f"| {a.remit_date or '-'} | {a.status} {labels.get(a.status, '')} | {_usd(a.charge)} | "
                    f"{_usd(a.paid)} | {a.payer_claim_control or '-'} |")
    return "\n".join(rows)


def references(case: AppealCase) -> list[str]:
    refs = ["ASC X12 005010X221A1 Health Care Claim Payment/Advice (835): CLP, CAS, LQ segments of the remittance "
            f"dated {case.answer.remit_date or '-'}.",
            "X12 Claim Adjustment Reason Codes and Remittance Advice Remark Codes (x12.org/codes), as shipped "
            "with cleanclaim (June 2024 release)."]
    refs += list(case.policy_refs) + list(case.general_refs)
    by_type = {
        "medicare": ["42 CFR 405.940-405.958 (redetermination by the Medicare contractor).",
                     "Medicare Claims Processing Manual, Pub. 100-04, chapter 29 (appeals of claims decisions)."],
        "medicaid": ["42 CFR part 438 subpart F (Medicaid managed care grievance and appeal system)."],
        "commercial": ["29 CFR 2560.503-1 (ERISA claims procedure) where the plan is an employer group health plan."],
    }
    refs += by_type[case.payer_type]
    if case.bucket == "medical_necessity":
        refs += ["Social Security Act section 1862(a)(1)(A) (reasonable and necessary).",
                 "Medicare Benefit Policy Manual, Pub. 100-02, chapter 15, section 220.2 (reasonable and "
                 "necessary outpatient rehabilitation therapy)."]
    if case.bucket == "coding_bundling":
        refs += ["CMS NCCI Policy Manual for Medicare Services, chapter 1, section E (modifiers and modifier "
                 "indicators); CMS MLN1783722 (proper use of modifier 59)."]
    if case.bucket == "timely_filing":
        refs += ["42 CFR 424.44 (time limits for filing claims); Pub. 100-04, chapter 1, section 70.7 "
                 "(exceptions allowing extension of the time limit)."]
    if case.note is not None:
        refs.append(f"Visit note: {Path(case.note.source).name if case.note.source else 'enclosed'}.")
    return refs
