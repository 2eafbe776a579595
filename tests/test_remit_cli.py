"""`cleanclaim remit import | show | explain` (SQLite)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_remit835 import wrap
from test_remit_store import A277, ACK999, R03

from cleanclaim.cli import main


def run(*args):
    result = CliRunner().invoke(main, ["remit", *map(str, args)])
    return result


def test_import_twice_show_and_json(tmp_path):
    db = tmp_path / "h.sqlite"
    remit = tmp_path / "r03.835"
    remit.write_text(wrap(R03))
    (tmp_path / "a.277").write_text(A277)
    (tmp_path / "a.999").write_text(ACK999)
    first = run("import", remit, tmp_path / "a.277", tmp_path / "a.999", "--db", db)
    assert first.exit_code == 0, first.output
    assert "835, 1 remittance(s), 1 claim(s) (0 matched to recorded claims), 2 line(s), 1 denial(s); balanced" \
        in first.output
    assert "277CA, 2 response(s), 1 rejected, 0 matched" in first.output and "999, 2 response(s), 1 rejected" \
        in first.output
    again = run("import", remit, "--db", db, "--format", "json")
    assert json.loads(again.output)[0]["duplicate"] is True
    shown = run("show", "C3", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "claim C3: processed as primary (CLP02 1) by ACME HEALTH on 2024-03-15" in shown.output
    assert "line 2 97530-GP 2025-03-03: charge 80.00, allowed -, paid 0.00; balances" in shown.output
    assert "CO-97 60.00: The benefit for this service is included" in shown.output
    assert "claim C3: 277CA REJECTED by ACME HEALTH on 2024-03-16 (status A7:562:85" in shown.output
    data = json.loads(run("show", "C3", "--db", db, "--format", "json").output)
    (claim,) = data["claims"]
    assert claim["denial"] is True and claim["bucket"] == "coding_bundling" and claim["denied_charge"] == "80.00"
    assert [a["label"] for a in claim["lines"][1]["adjustments"]] == ["CO-45", "CO-97"]
    assert data["frontend"][0]["accepted"] is False
    listing = run("show", "--db", db)
    assert listing.output.splitlines()[1].startswith("C3 ")


def test_unknown_claim_and_not_x12(tmp_path):
    db = tmp_path / "h.sqlite"
    assert run("show", "NOPE", "--db", db).exit_code == 2  # no such database: a setup error, exit 2
    bad = tmp_path / "bad.835"
    bad.write_text("not x12 at all")
    result = run("import", bad, "--db", db)
    assert result.exit_code == 2 and "bad.835: not imported" in result.output


def test_explain_with_group_and_date():
    result = run("explain", "CO-16", "M62", "--date", "2024-03-15")
    assert result.exit_code == 0
    assert result.output.startswith("CO-16: Claim/service lacks information or has submission/billing error(s).")
    assert "root cause: Authorisation (by RARC M62)" in result.output
    stopped = json.loads(run("explain", "A2", "--group", "CO", "--date", "2024-03-15", "--format", "json").output)
    assert stopped["carc"]["valid"] is False and stopped["carc"]["end"] == "2008-01-01"
