"""The denial report's figures: rates by payer, code, bucket and month, dollars, CARCs.

:func:`summarise` turns a :class:`~cleanclaim.remits.analytics.Dataset` into a plain
dict (the JSON report; the text and HTML reports render the same dict). Money is kept
as Decimal here and written as strings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from .analytics import (FRONT_END, ZERO, ClaimTrack, Dataset, denied_dollars, denied_lines, month, rate,
                        tracks)

TAKEBACK = "takeback"  # a payment reversed (CLP02 22) with no corrected claim after it: an open recoupment
Describe = Callable[[str, str], "str | None"]  # (kind carc|rarc, code) -> description


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(ZERO))


def _new() -> dict:
    return {"claims": 0, "denied": 0, "dollars_denied": ZERO, "dollars_recovered": ZERO}


def summarise(data: Dataset, *, describe: Describe | None = None, since: date | None = None,
              underpayments: list[dict] | None = None) -> dict:
    """Every figure of the denial report (see module doc of ``analytics`` for definitions)."""
    describe = describe or (lambda kind, code: None)
    all_tracks = [t for t in tracks(data.answers) if t.first is not None]
    totals = {"claims_answered": 0, "first_pass_paid": 0, "denied_claims": 0, "denied_lines": 0,
              "dollars_billed": ZERO, "dollars_paid": ZERO, "dollars_denied": ZERO,
              "dollars_recovered": ZERO, "frontend_rejections": len(data.rejections),
              "frontend_dollars": sum((r.charge for r in data.rejections), ZERO),
              "open_takebacks": 0, "dollars_taken_back": ZERO}
    by_payer: dict[str, dict] = defaultdict(_new)
    by_month: dict[str, dict] = defaultdict(_new)
    by_code: dict[str, dict] = defaultdict(lambda: {"lines": 0, "denied": 0, "dollars_denied": ZERO})
    by_bucket: dict[str, dict] = defaultdict(lambda: {"denials": 0, "dollars_denied": ZERO,
                                                     "dollars_recovered": ZERO, "claims": set()})
    carcs: dict[str, dict] = defaultdict(lambda: {"lines": 0, "dollars_denied": ZERO, "payers": set()})
    denials: list[dict] = []
    for t in [t for t in tracks(data.answers) if t.first is None]:  # only a reversal is stored
        _takeback(t, totals, denials)
    for t in all_tracks:
        _takeback(t, totals, denials)
        first = t.first
        recovered = {id(ln): paid for ln, paid in t.recovered()}
        totals["claims_answered"] += 1
        totals["dollars_billed"] += first.charge
        totals["dollars_paid"] += sum((a.paid for a in t.answers), ZERO)
        m = month(first.remit_date)
        for key, table in ((t.payer, by_payer), (m, by_month)):
            table[key]["claims"] += 1
        lines = denied_lines(first)
        denied = first.denial or bool(lines)
        for ln in first.lines:
            by_code[ln.code]["lines"] += 1
        if not denied:
            totals["first_pass_paid"] += 1
            continue
        dollars = denied_dollars(first)
        back = sum(recovered.values(), ZERO)
        totals["denied_claims"] += 1
        totals["dollars_denied"] += dollars
        totals["dollars_recovered"] += back
        for key, table in ((t.payer, by_payer), (m, by_month)):
            table[key]["denied"] += 1
            table[key]["dollars_denied"] += dollars
            table[key]["dollars_recovered"] += back
        for ln in lines or []:
            totals["denied_lines"] += 1
            group, carc = ln.group or first.group, ln.carc or first.carc
            bucket = ln.bucket or first.bucket or "unclassified"
            charge = ln.denied_charge or ln.charge
            by_code[ln.code]["denied"] += 1
            by_code[ln.code]["dollars_denied"] += charge
            b = by_bucket[bucket]
            b["denials"] += 1
            b["dollars_denied"] += charge
            b["dollars_recovered"] += recovered.get(id(ln), ZERO)
            b["claims"].add((t.payer, t.claim_id))
            code = f"{group}-{carc}" if group and carc else (carc or "none")
            c = carcs[code]
            c["lines"] += 1
            c["dollars_denied"] += charge
            c["payers"].add(t.payer)
            denials.append({
                "claim_id": t.claim_id, "payer": t.payer, "remit_date": _iso(first.remit_date),
                "line": ln.position, "code": ln.code, "modifiers": ln.modifiers, "group": group,
                "carc": carc, "remarks": ln.remarks or first.remarks, "bucket": bucket,
                "dollars_denied": _money(charge), "recovered": _money(recovered.get(id(ln), ZERO)),
                "status": "recovered" if id(ln) in recovered else _status(t)})
    for r in data.rejections:
        m = month(r.response_date)
        by_month[m]["claims"] += 1
        by_month[m]["denied"] += 1
        by_month[m]["dollars_denied"] += r.charge
        b = by_bucket[FRONT_END]
        b["denials"] += 1
        b["dollars_denied"] += r.charge
        b["claims"].add((r.sender, r.claim_id))
        denials.append({"claim_id": r.claim_id, "payer": r.sender, "remit_date": _iso(r.response_date),
                        "line": None, "code": None, "modifiers": [], "group": None, "carc": None,
                        "remarks": [], "bucket": FRONT_END, "dollars_denied": _money(r.charge),
                        "recovered": "0.00", "status": f"{r.kind} {r.status or ''}:{r.claim_status_code or ''}"
                        .strip(), "description": r.description})
    denials.sort(key=lambda d: (d["remit_date"] or "", d["claim_id"] or "", d["line"] or 0))
    submissions = totals["claims_answered"] + totals["frontend_rejections"]
    answered_in = {t.claim_id: month(t.first.remit_date) for t in all_tracks}
    answered_in.update({r.claim_id: month(r.response_date) for r in data.rejections if r.claim_id})
    checks = _checks(data, answered_in)
    out_totals = {
        **{k: (_money(v) if isinstance(v, Decimal) else v) for k, v in totals.items()},
        "submissions": submissions,
        "denial_rate": rate(totals["denied_claims"] + totals["frontend_rejections"], submissions),
        "first_pass_paid_rate": rate(totals["first_pass_paid"], submissions),
        "recovery_rate": rate(int(totals["dollars_recovered"] * 100), int(totals["dollars_denied"] * 100)),
        "checked_claims": checks["checked"], "clean_claim_rate": checks["rate"],
        "rechecked_claims": sum(1 for c in data.checks if c.rechecked),
    }
    return {
        "since": _iso(since),
        "period": _period(data),
        "totals": out_totals,
        "by_payer": [_row("payer", k, v) for k, v in sorted(by_payer.items())],
        "by_month": [_row("month", k, v) for k, v in sorted(by_month.items())],
        "by_code": [{"code": k, "lines": v["lines"], "denied": v["denied"], "denial_rate": rate(v["denied"], v["lines"]),
                     "dollars_denied": _money(v["dollars_denied"])}
                    for k, v in sorted(by_code.items(), key=lambda kv: (-kv[1]["denied"], kv[0]))],
        "by_bucket": [{"bucket": k, "label": bucket_label(k), "denials": v["denials"], "claims": len(v["claims"]),
                       "dollars_denied": _money(v["dollars_denied"]),
                       "dollars_recovered": _money(v["dollars_recovered"])}
                      for k, v in sorted(by_bucket.items(), key=lambda kv: (-kv[1]["dollars_denied"], kv[0]))],
        "top_carcs": [_carc_row(k, v, describe) for k, v in
                      sorted(carcs.items(), key=lambda kv: (-kv[1]["lines"], -kv[1]["dollars_denied"], kv[0]))],
        "clean_rate_by_month": checks["by_month"],
        "underpayments": underpayments or [],
        "denials": denials,
    }


def _takeback(t: ClaimTrack, totals: dict, denials: list[dict]) -> None:
    """An open takeback (a reversal no corrected claim followed) is listed with the amount taken back."""
    rev = t.open_takeback()
    if rev is None:
        return
    amount = -rev.paid if rev.paid < 0 else rev.paid
    totals["open_takebacks"] += 1
    totals["dollars_taken_back"] += amount
    denials.append({"claim_id": t.claim_id, "payer": t.payer, "remit_date": _iso(rev.remit_date), "line": None,
                    "code": None, "modifiers": [], "group": None, "carc": None, "remarks": rev.remarks,
                    "bucket": TAKEBACK, "dollars_denied": _money(amount), "recovered": "0.00",
                    "status": "open takeback", "reason": "reversed (CLP02 22)",
                    "dollars_taken_back": _money(amount)})


def bucket_label(key: str) -> str:
    """The plain name of a bucket (REMIT's ``buckets.BUCKETS``), else the key itself."""
    if key == FRONT_END:
        return "Front-end rejection (277CA/999)"
    if key == TAKEBACK:
        return "Open takeback (payment reversed, no corrected claim)"
    try:
        from .buckets import BUCKETS
    except ImportError:
        return key
    return BUCKETS.get(key, key)


def _status(t: ClaimTrack) -> str:
    latest = t.latest
    if latest is not t.first and latest is not None:
        return "reprocessed, still denied" if denied_lines(latest) else "reprocessed"
    return "open"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _row(name: str, key: str, v: dict) -> dict:
    return {name: key, "claims": v["claims"], "denied": v["denied"], "denial_rate": rate(v["denied"], v["claims"]),
            "dollars_denied": _money(v["dollars_denied"]), "dollars_recovered": _money(v["dollars_recovered"])}


def _carc_row(code: str, v: dict, describe: Describe) -> dict:
    carc = code.split("-", 1)[-1]
    text = describe("carc", carc)
    return {"code": code, "lines": v["lines"], "dollars_denied": _money(v["dollars_denied"]),
            "payers": sorted(v["payers"]), "known": text is not None,
            "description": text or "not in the shipped CARC list (newer or mistyped code): ask the payer"}


def _period(data: Dataset) -> dict:
    days = [a.remit_date for a in data.answers if a.remit_date] + \
        [r.response_date for r in data.rejections if r.response_date]
    return {"first": _iso(min(days)) if days else None, "last": _iso(max(days)) if days else None}


NOT_ANSWERED = "not answered yet"


def _checks(data: Dataset, answered_in: dict[str, str]) -> dict:
    """Clean-claim rate of the checked claims by the month of their first answer (the month
    basis of the denial bars, so the two sit side by side); checked claims with no answer yet
    are counted under ``not answered yet``, never under a date-of-service month."""
    if not data.checks:
        return {"checked": 0, "rate": None, "by_month": []}
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in data.checks:
        p = per[answered_in.get(c.claim_id) or NOT_ANSWERED]
        p[0] += 1
        p[1] += int(c.clean)
    clean = sum(p[1] for p in per.values())
    order = sorted(per, key=lambda m: (m == NOT_ANSWERED, m))
    return {"checked": len(data.checks), "rate": rate(clean, len(data.checks)),
            "by_month": [{"month": m, "checked": per[m][0], "clean": per[m][1], "clean_rate": rate(per[m][1], per[m][0])}
                         for m in order]}
