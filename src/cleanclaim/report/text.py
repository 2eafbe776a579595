"""Readable terminal output: one block per claim, then a summary with the clean-claim rate."""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS = {"clean": ("✓", "green"), "warnings": ("!", "yellow"), "errors": ("✗", "red")}


class TextWriter:
    def __init__(self, out: TextIO, *, show_clean: bool = True, show_authority: bool = True) -> None:
        self.console = Console(file=out, highlight=False, soft_wrap=False)
        self.show_clean = show_clean
        self.show_authority = show_authority

    def claim(self, result) -> None:
        mark, colour = STATUS[result.status]
        head = Text.assemble((f"{mark} ", colour), ("claim ", "bold"), (result.claim_id, "bold"),
                             (f"  {result.source}", "dim"))
        if not result.findings:
            if self.show_clean:
                self.console.print(head, Text("  clean", style="green"))
                self._price(result)
            return
        self.console.print(head)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("line", justify="right", style="dim", no_wrap=True)
        table.add_column("code", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("finding, fix and authority", overflow="fold")
        for f in result.findings:
            body = Text(f.message)
            if f.fix:
                body.append("\nfix: ", style="bold green").append(f.fix)
                if f.fix_safety == "unsafe":
                    body.append("  (changes what is billed)", style="dim")
            if f.authority and self.show_authority:
                body.append("\n" + f.authority, style="dim")
            table.add_row(str(f.line) if f.line else "-", f.code,
                          Text(f.severity, style=STYLE[f.severity]), body)
        self.console.print(table)
        self._price(result)

    def _price(self, result) -> None:
        """`check --price`: the expected payment under the claim (pricing.render)."""
        price = getattr(result, "expected_payment", None)
        if price is not None:
            from ..pricing.render import render

            render(self.console, price, explain=False)

    def input(self, result) -> None:
        if result.error:
            self.console.print(Text.assemble(("✗ unreadable input ", "bold red"), result.error))
        for f in result.findings:
            self.console.print(Text.assemble((f"{f.code} ", STYLE[f.severity]), f"{result.source}: {f.message}"))

    def close(self, summary) -> None:
        from ..rules import REGISTRY

        rate = "n/a" if summary.clean_rate is None else f"{summary.clean_rate:.1%}"
        self.console.rule("summary")
        self.console.print(
            f"clean-claim rate [bold]{rate}[/]  claims read [bold]{summary.claims}[/]  "
            f"clean [green]{summary.clean}[/]  with warnings [yellow]{summary.warnings}[/]  "
            f"with errors [red]{summary.errors}[/]"
        )
        if summary.unreadable_inputs:
            self.console.print(f"[red]unreadable inputs: {summary.unreadable_inputs}[/]")
        for notice in summary.notices:
            self.console.print(Text("note: " + notice, style="yellow"))
        if summary.input_errors:
            self.console.print(f"[red]file-level errors (envelope, counts): {summary.input_errors}[/]")
        if summary.by_code:
            table = Table(box=box.SIMPLE_HEAD, title="findings by code", title_justify="left")
            table.add_column("code")
            table.add_column("rule")
            for severity in ("error", "warning", "info"):
                table.add_column({"error": "errors", "warning": "warnings", "info": "notes"}[severity],
                                 justify="right", style=STYLE[severity])
            ranked = sorted(summary.by_code, key=lambda c: (
                -summary.by_code_severity[c, "error"], -summary.by_code[c], c))
            for code in ranked:
                rule = REGISTRY.get(code)
                counts = [summary.by_code_severity[code, sev] for sev in ("error", "warning", "info")]
                table.add_row(code, rule.name if rule else "", *(str(n) if n else "" for n in counts))
            self.console.print(table)
