"""Terminal rendering of a ClaimPrice (used by `cleanclaim price` and `check --price`)."""

from __future__ import annotations

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text


# Claim notes `check --price` leaves to `cleanclaim price` (how every claim was priced); the
# others change the figures (an MPPR unit reduced or overstated across claims, non-par, void ...).
ROUTINE_CLAIM_NOTES = ("locality ", "MPPR across ", "Part B deductible assumed met", "claim denied as billed")


def _money(value) -> str:
    return "-" if value is None else f"${value:,}"


def total_line(price) -> Text:
    text = Text.assemble(("expected payment ", "bold"), f"({price.payer_type}): allowed ",
                         (_money(price.total_allowed), "bold"), "  expected paid ",
                         (_money(price.total_expected), "bold green"))
    if_corrected = price.total_if_corrected
    if if_corrected is not None:
        denied = sorted({code for ln in price.lines for code in ln.denied_by})
        text.append(f"  as billed (denied: {', '.join(denied)}); if corrected ", style="yellow")
        text.append(_money(if_corrected), style="bold")
    missing = [str(ln.line) for ln in price.lines if ln.expected_paid is None]
    if missing:
        text.append(f"  (line {', '.join(missing)} not priced)", style="yellow")
    return text


def _notes(price) -> list[str]:
    """Claim notes, then line notes (each said once, with the lines it applies to)."""
    said = list(price.notes)
    by_note: dict[str, list[str]] = {}
    for ln in price.lines:
        for note in ln.notes:
            if note not in said:
                by_note.setdefault(note, []).append(str(ln.line))
    return said + [f"line {', '.join(lines)}: {note}" for note, lines in by_note.items()]


def render(console, price, *, explain: bool = True) -> None:
    """Figures per line, totals, then (explain) how each line was priced, and the notes."""
    if not explain and all(ln.allowed is None for ln in price.lines):
        # check --price with nothing priced: one line saying why, not an empty table
        reasons = _notes(price)[:2] or ["no line could be priced"]
        console.print(Padding(Text.assemble(("expected payment ", "bold"), f"({price.payer_type}): none: ",
                                            ("; ".join(reasons), "yellow")), (0, 0, 0, 2)))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for name in ("line", "code", "units", "locality", "allowed", "MPPR", "expected paid"):
        table.add_column(name, justify="left" if name in ("code", "locality") else "right", no_wrap=True)
    for ln in price.lines:
        code = ln.code + ("-" + "-".join(ln.modifiers) if ln.modifiers else "")
        mppr = f"-${ln.mppr_reduction} ({ln.mppr_units} u)" if ln.mppr_units else ""
        locality = ln.locality.split(" ")[0] if ln.locality else ""
        table.add_row(str(ln.line), code, "" if ln.units is None else f"{ln.units:g}", locality,
                      _money(ln.allowed), mppr, _money(ln.expected_paid))
    console.print(Padding(table, (0, 0, 0, 2)))
    console.print(Padding(total_line(price), (0, 0, 0, 2)))
    if explain:
        for ln in price.lines:
            if ln.explanation:
                console.print(Padding(Text(f"line {ln.line}: {ln.explanation}", style="dim"), (0, 0, 0, 4)))
    notes = _notes(price)
    if not explain and price.complete:  # check --price: figures and what changes them; `price` says how
        notes = [n for n in notes if not n.startswith(ROUTINE_CLAIM_NOTES)]
    for note in notes:
        console.print(Padding(Text(note, style="yellow" if note.startswith("line ") else "dim"), (0, 0, 0, 4)))
