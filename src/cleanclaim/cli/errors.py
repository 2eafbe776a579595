"""Errors every command reports the same way."""

from __future__ import annotations

import click


class SetupError(click.ClickException):
    """A setup problem (history database, policy pack, ...) rather than findings: exit status 2,
    as for an input that cannot be read (exit 1 means claims with errors)."""

    exit_code = 2
