"""Terminal rendering of a ClaimPrice (used by `cleanclaim price` and `check --price`)."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text


def _money(value) -> str:
    return "-" if value is None else f"${value:,}"


def total_line(price) -> Text:
    text = Text.assemble(("expected payment ", "bold"), f"({price.payer_type}): allowed ",
                         (_money(price.total_allowed), "bold"), "  expected paid ",
                         (_money(price.total_expected), "bold green"))
    missing = [str(ln.line) for ln in price.lines if ln.expected_paid is None]
    if missing:
        text.append(f"  (line {', '.join(missing)} not priced)", style="yellow")
    return text


def render(console, price, *, explain: bool = True) -> None:
    """A table of the lines, then totals and claim notes. explain=False: no explanation column."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for name, justify in (("line", "right"), ("code", "left"), ("units", "right"), ("locality", "left"),
                          ("allowed", "right"), ("MPPR", "right"), ("expected paid", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    if explain:
        table.add_column("how", overflow="fold")
    for ln in price.lines:
        code = ln.code + ("-" + "-".join(ln.modifiers) if ln.modifiers else "")
        mppr = f"-${ln.mppr_reduction} ({ln.mppr_units}u)" if ln.mppr_units else ""
        row = [str(ln.line), code, "" if ln.units is None else f"{ln.units:g}", ln.locality or "",
               _money(ln.allowed), mppr, _money(ln.expected_paid)]
        if explain:
            how = Text(ln.explanation)
            for note in ln.notes:
                how.append(("\n" if how.plain else "") + "note: " + note, style="yellow")
            row.append(how)
        table.add_row(*row)
    console.print(table)
    console.print(total_line(price))
    for note in price.notes:
        console.print(Text("  " + note, style="dim"))
    if not explain:
        for ln in price.lines:
            for note in ln.notes:
                console.print(Text(f"  line {ln.line}: {note}", style="yellow"))
