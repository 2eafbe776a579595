"""`cleanclaim check` options: bad values are usage errors (exit 2) that name the culprit."""

from pathlib import Path

from click.testing import CliRunner

from cleanclaim.cli import main

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "medicare-albany.csv")


def test_bad_as_of_from_the_environment_names_the_variable():
    result = CliRunner().invoke(main, ["check", EXAMPLE], env={"CLEANCLAIM_AS_OF": "garbage"})
    assert result.exit_code == 2
    assert "CLEANCLAIM_AS_OF" in result.output and "'garbage' is not a date" in result.output


def test_unwritable_output_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["check", EXAMPLE, "-o", str(tmp_path / "missing" / "r.json")])
    assert result.exit_code == 2  # not 1, which means "claims have errors"
    assert "--output" in result.output


def test_forced_progress_without_a_terminal_prints_a_plain_total(tmp_path):
    result = CliRunner().invoke(main, ["check", EXAMPLE, "--progress", "--as-of", "2026-12-01",
                                       "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 0
    assert "checked 1 claims in" in result.output  # CliRunner mixes stderr into output
