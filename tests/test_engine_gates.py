"""The engine's gates (rule.func.silent_unless): a shut gate skips only rules that say nothing.

The DOC family is silent without visit notes (`check --notes` / options.note_text), so the
engine skips it then. These tests run every rule the slow way (no skipping) and compare.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanclaim.formats.x12 import iter_837
from cleanclaim.model import Claim

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTE = ("S: Low back pain 6/10 NPRS.\nO: Tender lumbar paraspinals.\n"
        "P: 97124 effleurage to lumbar paraspinals, 30 minutes.\n")


def _claims() -> list[Claim]:
    claims = []
    for name in ("prenatal-massage.837", "payer-policies.837"):
        claims += [c for c in iter_837(EXAMPLES / name) if isinstance(c, Claim)]
    assert claims
    return claims


def _every_rule(checker, claim) -> list[tuple]:
    """(code, line, message) of every rule run on the claim, nothing skipped."""
    ctx = checker.ctx
    ctx.claim_memo(claim).clear()
    found = []
    for rule in checker.rules:
        found += [(rule.code, hit.line, hit.message) for hit in rule.func(claim, ctx)]
    return sorted(found, key=repr)


def _engine(checker, claim) -> list[tuple]:
    return sorted(((f.code, f.line, f.message) for f in checker.check(claim).findings), key=repr)


def test_doc_family_is_gated_on_notes(make_checker):
    checker = make_checker()
    gated = {r.code for r in checker.rules if getattr(r.func, "silent_unless", None)}
    assert {"DOC001", "DOC002", "DOC013", "DOC014", "DOC016"} <= gated
    assert checker._gates and not any(gate(checker.ctx) for gate in checker._gates)
    with_notes = make_checker(options={"note_text": NOTE})
    assert all(gate(with_notes.ctx) for gate in with_notes._gates)


@pytest.mark.parametrize("options", [{}, {"note_text": NOTE}], ids=["no notes", "note text"])
def test_gated_engine_finds_what_every_rule_finds(make_checker, options):
    claims = _claims()
    for claim in claims:
        # separate checkers: run-level ledgers (visit counts, duplicates) start empty for both
        slow, fast = make_checker(options=dict(options)), make_checker(options=dict(options))
        assert _engine(fast, claim) == _every_rule(slow, claim), claim.claim_id
    if options:  # the gate is open: the DOC rules ran and found what a bare note lacks
        codes = {f.code for claim in claims for f in make_checker(options=dict(options)).check(claim).findings}
        assert any(code.startswith("DOC") for code in codes)
