"""The `cleanclaim` command line. Each command group lives in its own module.

Commands load on first use (`cleanclaim check` never imports the remit, pricing or
report code), which keeps a one-claim check fast from a cold start.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

COMMANDS = ("check", "rule", "data", "units", "history", "price", "denials", "appeal", "remit", "policy",
            "notes", "eval")


class _LazyGroup(click.Group):
    """A group whose subcommands are the `command` of `cli/<name>_cmd.py`, imported when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands or name not in COMMANDS:
            return super().get_command(ctx, name)
        module = importlib.import_module(f"{__name__}.{name}_cmd")
        self.add_command(module.command, name)
        return module.command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cleanclaim")
def main() -> None:
    """Scrub outpatient professional claims before they go out."""
