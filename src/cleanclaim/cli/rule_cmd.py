"""`cleanclaim rule [CODE]`: a rule's documentation, or the list of rules."""

from __future__ import annotations

import json

import click


@click.command("rule")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(code: str | None, fmt: str) -> None:
    """Print the documentation of rule CODE (what it checks, why payers deny it, example, fix,
    authority), or list every rule when CODE is left out."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.table import Table

    from ..rules import load_all

    registry = load_all()
    console = Console()
    if code is None:
        rules = sorted(registry.values(), key=lambda r: r.code)
        if fmt == "json":
            click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity,
                                    "summary": r.summary} for r in rules], indent=2))
            return
        table = Table(title=f"{len(rules)} rules")
        for col in ("code", "name", "severity", "summary"):
            table.add_column(col)
        for r in rules:
            table.add_row(r.code, r.name, r.severity, r.summary)
        console.print(table)
        return
    found = registry.get(code.upper())
    if found is None:
        raise click.ClickException(f"no rule {code!r}; `cleanclaim rule` lists them")
    if fmt == "json":
        click.echo(json.dumps({"code": found.code, "name": found.name, "severity": found.severity,
                               "carc": found.carc, "summary": found.summary,
                               "sections": found.sections()}, indent=2))
        return
    console.print(Markdown(f"# {found.code} {found.name} ({found.severity})\n\n{found.doc}"))
