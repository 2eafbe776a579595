"""Docs that cannot drift: every command and every `check` option is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanclaim.cli import COMMANDS, main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_in_readme(name):
    assert f"cleanclaim {name}" in README


@pytest.mark.parametrize("option", [o for p in main.get_command(None, "check").params
                                    for o in getattr(p, "opts", []) if o.startswith("--")])
def test_check_option_in_readme(option):
    assert option in README, f"`cleanclaim check {option}` is not documented in the README"


def test_rule_command_prints_every_doc_section():
    result = CliRunner().invoke(main, ["rule", "NC001"])
    assert result.exit_code == 0
    for section in ("What it checks", "Why payers deny it", "Example", "Fix", "Authority"):
        assert section in result.output


def test_unknown_rule_is_a_clear_error():
    result = CliRunner().invoke(main, ["rule", "ZZ999"])
    assert result.exit_code != 0 and "no rule" in result.output
