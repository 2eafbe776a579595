"""Render the denial summary: terminal tables (rich), JSON, self-contained HTML with PNGs."""

from __future__ import annotations

import base64
import html
import json
from decimal import Decimal
from typing import TextIO

from rich.console import Console
from rich.table import Table


ROW_LIMIT = 40  # denial rows in the terminal report
# What the clean-claim rate is: the share of recorded claims `check --record` found clean (no
# error, no warning) when it recorded them; claims recorded before it kept its outcome
# (migration m0200) are re-checked from their files as of the day they were recorded.
CLEAN_LABEL = "clean-claim rate (check --record, before submission)"


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _usd(value) -> str:
    return f"${Decimal(value):,.2f}"


def write_json(summary: dict, out: TextIO) -> None:
    json.dump(summary, out, indent=2, default=str)
    out.write("\n")


def headline(summary: dict) -> list[tuple[str, str]]:
    t = summary["totals"]
    model = summary.get("risk_model")
    risk = ("not trained (fewer than 30 first-pass lines, or no denials/payments)" if not model else
            f"{model['trained_on']} lines; Brier {model['brier_out_of_fold']:.3f} out of fold vs "
            f"{model['brier_base_rate']:.3f} for the base rate {model['base_rate']:.1%}")
    return [
        ("submissions (answered + rejected at the front end)", str(t["submissions"])),
        ("denial rate (first pass)", _pct(t["denial_rate"])),
        ("first-pass paid rate", _pct(t["first_pass_paid_rate"])),
        (CLEAN_LABEL,
         _pct(t["clean_claim_rate"]) + (f" of {t['checked_claims']} checked" + (
             f" ({t['rechecked_claims']} re-checked from their files)" if t.get("rechecked_claims") else "")
             if t["checked_claims"] else
                                        " (recorded claim files not found: see the warning)"
                                        if summary.get("warnings") else " (no `check --record` runs in the store)")),
        ("dollars denied (billed charge of denied lines)", _usd(t["dollars_denied"])),
        ("dollars recovered (paid after correction or appeal)", _usd(t["dollars_recovered"])),
        ("front-end rejections", f"{t['frontend_rejections']} ({_usd(t['frontend_dollars'])})"),
        ("open takebacks (payment reversed, not paid again)",
         f"{t.get('open_takebacks', 0)} ({_usd(t.get('dollars_taken_back', '0'))})"),
        ("underpaid lines to review", str(len(summary["underpayments"]))),
        ("denial-risk model (DH002)", risk),
    ]


SECTIONS = [
    ("Denials by payer", "by_payer", [("payer", "payer"), ("claims", "claims"), ("denied", "denied"),
                                      ("rate", "denial_rate"), ("$ denied", "dollars_denied"),
                                      ("$ recovered", "dollars_recovered")]),
    ("Denials by root cause", "by_bucket", [("bucket", "label"), ("lines", "denials"), ("claims", "claims"),
                                            ("$ denied", "dollars_denied"), ("$ recovered", "dollars_recovered")]),
    ("Denials by month (of first answer)", "by_month", [("month", "month"), ("claims", "claims"),
                                                        ("denied", "denied"), ("rate", "denial_rate"),
                                                        ("$ denied", "dollars_denied"),
                                                        ("$ recovered", "dollars_recovered")]),
    ("Denials by procedure code", "by_code", [("code", "code"), ("lines", "lines"), ("denied", "denied"),
                                              ("rate", "denial_rate"), ("$ denied", "dollars_denied")]),
    ("Top CARCs on denied lines", "top_carcs", [("group-CARC", "code"), ("lines", "lines"),
                                                ("$ denied", "dollars_denied"), ("meaning", "description")]),
    ("Clean-claim rate (check --record) by month of first answer", "clean_rate_by_month", [("month", "month"), ("checked", "checked"),
                                                                   ("clean", "clean"), ("rate", "clean_rate")]),
    ("Underpaid lines (paid below the expected amount: review)", "underpayments",
     [("claim", "claim_id"), ("line", "line"), ("code", "code"), ("payer", "payer"), ("allowed", "allowed"),
      ("expected", "expected"), ("short", "difference"), ("basis", "basis")]),
    ("Denial-risk model (DH002): out-of-fold calibration", "risk_calibration",
     [("predicted", "predicted"), ("lines", "lines"), ("mean predicted", "mean_predicted"),
      ("observed", "observed")]),
    ("Denials", "denials", [("claim", "claim_id"), ("line", "line"), ("code", "code"), ("payer", "payer"),
                            ("date", "remit_date"), ("reason", "reason"), ("bucket", "bucket"),
                            ("$ denied", "dollars_denied"), ("status", "status")]),
]


def _rows(summary: dict, key: str) -> list[dict]:
    if key == "risk_calibration":
        return (summary.get("risk_model") or {}).get("calibration") or []
    return summary.get(key) or []


def _cell(row: dict, key: str) -> str:
    if key == "reason" and row.get("reason"):
        return row["reason"]
    if key == "reason":
        reason = f"{row['group']}-{row['carc']}" if row.get("carc") else (row.get("status") or "")
        return " ".join([reason, *row.get("remarks", [])]).strip()
    value = row.get(key)
    if value is None:
        return "-"
    if key.endswith("rate") or key in ("mean_predicted", "observed"):
        return _pct(value)
    if key.startswith("dollars") or key in ("allowed", "expected", "difference"):
        return _usd(value)
    return str(value)


def write_text(summary: dict, out: TextIO, *, width: int | None = None) -> None:
    console = Console(file=out, width=width or 110, highlight=False, soft_wrap=False)
    period = summary["period"]
    console.print(f"[bold]Denials and remittances[/bold]  {period['first'] or '-'} .. {period['last'] or '-'}"
                  + (f"  (since {summary['since']})" if summary.get("since") else ""))
    for warning in summary.get("warnings") or []:
        console.print(f"[bold]warning:[/bold] {warning}")
    head = Table(show_header=False, box=None, pad_edge=False)
    for label, value in headline(summary):
        head.add_row(label, f"[bold]{value}[/bold]")
    console.print(head)
    for title, key, columns in SECTIONS:
        rows = _rows(summary, key)
        if not rows:
            continue
        more = 0
        if key == "denials" and len(rows) > ROW_LIMIT:
            rows, more = rows[-ROW_LIMIT:], len(rows) - ROW_LIMIT
            title += f" (the latest {ROW_LIMIT}; {more} more in --format json or html)"
        table = Table(title=title, title_justify="left", title_style="bold")
        for label, field in columns:
            table.add_column(label, justify="right" if field in ("claims", "denied", "lines", "checked", "clean")
                             or field.endswith("rate") or field.startswith("dollars") else "left",
                             overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row, f) for _, f in columns))
        console.print(table)
    if not summary["denials"] and not summary["by_payer"]:
        console.print("No 835 or 277CA answers in the store yet: `cleanclaim remit import FILE...` first.")


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;margin:2rem auto;max-width:1000px;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d9e2ec}
table{border-collapse:collapse;width:100%;margin:.5rem 0} th,td{padding:.25rem .5rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f5f7fa} td.n{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.6rem;margin:1rem 0}
.kpi div{background:#f5f7fa;border-radius:6px;padding:.6rem .8rem} .kpi b{display:block;font-size:1.3rem}
img{max-width:100%;border:1px solid #e4e7eb;border-radius:4px;margin:.5rem 0} .muted{color:#7b8794}
"""


def write_html(summary: dict, out: TextIO, charts: dict[str, tuple[str, bytes]] | None = None) -> None:
    """One self-contained HTML file: the figures, the charts as base64 PNGs, the tables."""
    if charts is None:
        from .denial_charts import render_all

        charts = render_all(summary)
    e = html.escape
    period = summary["period"]
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Denials and remittances</title>", f"<style>{CSS}</style></head><body>",
             "<h1>Denials and remittances</h1>",
             f"<p class='muted'>Answers from {e(period['first'] or '-')} to {e(period['last'] or '-')}"
             + (f", since {e(summary['since'])}" if summary.get("since") else "") + ". Generated by cleanclaim "
             "from the history store; definitions in the README (Denials and appeals).</p>",
             *(f"<p><b>warning:</b> {e(w)}</p>" for w in summary.get("warnings") or []),
             "<div class='kpi'>"]
    parts += [f"<div>{e(label)}<b>{e(value)}</b></div>" for label, value in headline(summary)]
    parts.append("</div>")
    for name, (title, png) in charts.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' id='chart-{e(name)}' "
                     f"src='data:image/png;base64,{data}'>")
    for title, key, columns in SECTIONS:
        rows = _rows(summary, key)
        if not rows:
            continue
        parts.append(f"<h2>{e(title)}</h2><table><thead><tr>")
        parts += [f"<th>{e(label)}</th>" for label, _ in columns]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            cells = []
            for _, field in columns:
                numeric = field in ("claims", "denied", "lines", "checked", "clean", "denials") or \
                    field.endswith("rate") or field.startswith("dollars")
                cells.append(f"<td{' class=n' if numeric else ''}>{e(_cell(row, field))}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    out.write("".join(parts))
