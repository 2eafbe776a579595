"""PNG charts of the denial report (matplotlib, Agg backend: no display needed).

Each function takes the summary dict (``denial_summary.summarise``) and returns PNG
bytes, or None when there is nothing to draw.
"""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401

INK, ACCENT, PAID, MUTED = "#1f2933", "#c2410c", "#15803d", "#9aa5b1"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def denial_rate_by_month(summary: dict) -> bytes | None:
    """Bars: claims answered per month, denied part in colour; line: the share of those same
    claims (by month of first answer) that `check --record` found clean before submission."""
    rows = [r for r in summary["by_month"] if r["month"] != "unknown"]
    if not rows:
        return None
    months = [r["month"] for r in rows]
    fig, ax = plt.subplots(figsize=(7.5, 4.0))
    ok = [r["claims"] - r["denied"] for r in rows]
    ax.bar(months, ok, color=PAID, label="paid first pass")
    ax.bar(months, [r["denied"] for r in rows], bottom=ok, color=ACCENT, label="denied / rejected")
    for i, r in enumerate(rows):
        if r["denial_rate"] is not None:
            ax.text(i, r["claims"] + 0.3, f"{r['denial_rate']:.0%}", ha="center", va="bottom", fontsize=9, color=INK)
    ax.set_ylabel("claims (by month of first answer)")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title("Denial rate by month")
    ax.set_ylim(0, max(r["claims"] for r in rows) * 1.25 + 1)
    handles, labels = ax.get_legend_handles_labels()
    clean = {r["month"]: r["clean_rate"] for r in summary.get("clean_rate_by_month", [])}
    if any(m in clean for m in months):
        ax2 = ax.twinx()
        ax2.plot(months, [clean.get(m) for m in months], color=INK, marker="o",
                 label="clean-claim rate of these claims (check --record)")
        ax2.set_ylim(0, 1.3)
        ax2.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax2.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax2.set_ylabel("clean-claim rate (same claims)")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False)
    ax.spines[["top"]].set_visible(False)
    return _png(fig)


def dollars_by_bucket(summary: dict) -> bytes | None:
    """Horizontal bars: billed dollars denied per root-cause bucket, recovered part in green."""
    rows = summary["by_bucket"]
    if not rows:
        return None
    rows = list(reversed(rows))
    labels = [r.get("label") or r["bucket"] for r in rows]
    denied = [float(Decimal(r["dollars_denied"])) for r in rows]
    back = [float(Decimal(r["dollars_recovered"])) for r in rows]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.4))
    ax.barh(labels, denied, color=ACCENT, label="denied (billed charge)")
    ax.barh(labels, back, color=PAID, label="recovered since")
    for i, v in enumerate(denied):
        ax.text(v, i, f" ${v:,.2f}", va="center", fontsize=8, color=INK)
    ax.set_xlabel("dollars")
    ax.set_title("Dollars denied by root cause")
    ax.set_xlim(0, max(denied) * 1.25 + 1)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def top_carcs(summary: dict, limit: int = 10) -> bytes | None:
    """Horizontal bars: denied lines per group + CARC (unknown codes in grey)."""
    rows = summary["top_carcs"][:limit]
    if not rows:
        return None
    rows = list(reversed(rows))
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.4))
    colours = [ACCENT if r["known"] else MUTED for r in rows]
    ax.barh([r["code"] for r in rows], [r["lines"] for r in rows], color=colours)
    for i, r in enumerate(rows):
        ax.text(r["lines"], i, f" {r['lines']}  (${Decimal(r['dollars_denied']):,.2f})", va="center", fontsize=8)
    ax.set_xlabel("denied lines (grey: code not in the shipped CARC list)")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title("Top adjustment reasons (group-CARC) on denied lines")
    ax.set_xlim(0, max(r["lines"] for r in rows) * 1.35 + 1)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


CHARTS = {
    "denial_rate_by_month": ("Denial rate by month", denial_rate_by_month),
    "dollars_by_bucket": ("Dollars denied by root cause", dollars_by_bucket),
    "top_carcs": ("Top CARCs", top_carcs),
}


def render_all(summary: dict) -> dict[str, tuple[str, bytes]]:
    """{name: (title, png)} for every chart that has data."""
    out = {}
    for name, (title, func) in CHARTS.items():
        png = func(summary)
        if png:
            out[name] = (title, png)
    return out
