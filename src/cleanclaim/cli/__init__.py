"""The `cleanclaim` command line. Each command group lives in its own module."""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cleanclaim")
def main() -> None:
    """Scrub outpatient professional claims before they go out."""


def _register() -> None:
    import importlib

    for name in ("check", "rule", "data", "units", "history", "price", "denials", "appeal", "remit", "policy", "notes", "eval"):
        try:
            module = importlib.import_module(f"{__name__}.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}_cmd":
                raise
            continue
        main.add_command(module.command)


_register()
