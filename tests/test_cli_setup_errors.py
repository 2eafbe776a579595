"""A history database that cannot be opened is a setup error in every command: exit 2 (README
exit codes: 2 = an input cannot be read; 1 = claims with error findings)."""

import pytest
from click.testing import CliRunner

from cleanclaim.cli import main


@pytest.mark.parametrize("args", [
    ["price", "examples/medicare-albany.csv"],
    ["denials", "report"],
    ["appeal", "PC001"],
    ["check", "examples/medicare-albany.csv"],
])
def test_unopenable_history_database_exits_2(tmp_path, args):
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    result = CliRunner().invoke(main, args + ["--db", str(folder)])
    assert result.exit_code == 2, result.output
    assert "history database" in result.output or "database" in result.output
