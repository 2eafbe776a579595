"""`cleanclaim policy list|show|validate`: the payer policy packs."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

POLICIES_HELP = "Another folder of policy packs (YAML); repeatable. Adds to [policies] dirs of the config."


def _packs(policies):
    from ..policies import PackLoadError, load_packs

    try:
        return load_packs(list(policies))
    except PackLoadError as exc:  # a setup error: exit 2
        error = click.ClickException(f"invalid policy pack(s):\n{exc}")
        error.exit_code = 2
        raise error


@click.group("policy")
def command() -> None:
    """Payer policy packs: list them, show one resolved, validate your own."""


@command.command("list")
@click.option("--policies", "policies", multiple=True, type=click.Path(path_type=Path), help=POLICIES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_packs(policies, fmt) -> None:
    """Every pack: name, what it extends, which claims it applies to, rules, file."""
    packs = _packs(policies)
    rows = []
    for name in packs.names():
        pack = packs.packs[name]
        applies = "; ".join(f"{k}={','.join(v)}" for k, v in pack.applies_to.items()) or "(root)"
        rows.append({"pack": name, "title": pack.title, "extends": pack.extends, "applies_to": applies,
                     "rules": len(pack.rules), "builtin": pack.builtin, "path": pack.path})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        origin = "built-in" if row["builtin"] else row["path"]
        click.echo(f"{row['pack']:<22} {row['title']}\n{'':<22} extends {row['extends'] or '-'}; applies to "
                   f"{row['applies_to']}; {row['rules']} rule(s); {origin}")


@command.command("show")
@click.argument("name")
@click.option("--on", "on", help="Only the rules in force on this date (YYYY-MM-DD).")
@click.option("--policies", "policies", multiple=True, type=click.Path(path_type=Path), help=POLICIES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(name, on, policies, fmt) -> None:
    """The resolved rules of pack NAME (its chain of overlays applied), with dates and sources."""
    packs = _packs(policies)
    if name not in packs.packs:
        raise click.ClickException(f"no pack {name!r} (known: {', '.join(packs.names())})")
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise click.BadParameter(f"{on!r} is not a date (YYYY-MM-DD)", param_hint="--on")
    policy = packs.resolve(name)
    if fmt == "json":
        out = {"pack": name, "chain": policy.chain, "rules": {
            section: [{"id": r.id, "effective_from": r.effective_from.isoformat(),
                       "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                       "citation": r.citation, "pack": r.pack, "path": r.path, "line": r.line,
                       **{k: v for k, v in r.values.items()}} for r in policy.section(section, day)]
            for section in policy.rules}}
        click.echo(json.dumps(out, indent=2, default=str))
        return
    click.echo(f"{name}: {packs.packs[name].title}\nchain: {' -> '.join(policy.chain)}")
    for section in policy.rules:
        rules = policy.section(section, day)
        if not rules:
            continue
        click.echo(f"\n[{section}]")
        for r in rules:
            values = ", ".join(f"{k}={_short(v)}" for k, v in r.values.items() if k != "note")
            click.echo(f"  {r.id}  ({r.dates_text()}; {_where(r)})\n    {values}\n"
                       f"    source: {r.citation}")
            if r.get("note"):
                click.echo(f"    note: {' '.join(str(r.get('note')).split())}")


def _where(rule) -> str:
    """'built-in medicare.yaml:12' for a shipped pack, else the user's file path and line (a
    user pack may have the same file name as a built-in one)."""
    from ..policies import BUILTIN_DIR

    path = Path(rule.path)
    try:
        builtin = path.resolve().parent == BUILTIN_DIR.resolve()
    except OSError:
        builtin = False
    return f"built-in {path.name}:{rule.line}" if builtin else f"{rule.path}:{rule.line}"


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


@command.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files) -> None:
    """Check pack files (or every .yaml in a folder) against the schema; print
    file:line: key: message for each problem.

    `extends` must name a built-in pack, a pack in the config's [policies] dirs, or one of
    FILES. Exit status 1 when any file has a problem.
    """
    from ..policies import PackError, read_pack
    from ..policies.loader import (BUILTIN_DIR, PackSet, _check_extends, add_pack, check_resolved, configured_dirs,
                                   pack_files, partial_pack)

    problems: list[PackError] = []
    read = {}
    files = [f for path in files for f in (pack_files(path) if path.is_dir() else [path])]
    given = {str(p.resolve()) for p in files if p.is_file()}
    # The packs `check` would see (built-in, then [policies] dirs), minus the files validated here,
    # then these files in order: the same assembly as load_packs, so validate and check agree.
    packs: dict = {}
    for directory, builtin in [(BUILTIN_DIR, True)] + [(d, False) for d in configured_dirs()]:
        if not directory.is_dir():
            problems.append(PackError(str(directory), 0, "policies", "policy folder not found"))
            continue
        for path in pack_files(directory):
            if str(path.resolve()) in given:
                continue
            pack, errors = read_pack(path, builtin=builtin)
            problems += errors
            if pack is not None:
                add_pack(packs, pack)
    mine: list = []  # the packs of FILES, partial ones included (their valid rules)
    for path in files:
        if not path.is_file():
            problems.append(PackError(str(path), 0, "file", "no such file"))
            continue
        pack, errors = read_pack(path)
        problems += errors
        if pack is not None:
            read[pack.name] = pack
        elif errors:  # schema errors: extends, remove and overlaps still checked (one report, all problems)
            pack = partial_pack(path)
        if pack is not None:
            mine.append(pack)
            add_pack(packs, pack)
    extends = _check_extends(packs)
    problems += extends
    if not extends:
        assembled = PackSet(packs)
        for pack in mine:
            problems += check_resolved(assembled, pack)
    warnings = _code_warnings(mine)
    for problem in problems:
        click.echo(str(problem))
    for warning in warnings:
        click.echo(f"warning: {warning}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} pack file(s) valid: {', '.join(sorted(read))}"
               + (f" ({len(warnings)} warning(s))" if warnings else ""))


def _code_warnings(packs) -> list:
    """ICD-10-CM codes and prefixes of the packs that match no code of any loaded release."""
    from ..codesets.store import CodeStore
    from ..policies.codecheck import unknown_icd_codes

    try:
        store = CodeStore.open()
    except Exception as exc:  # noqa: BLE001 - the schema check stands without the code store
        click.echo(f"warning: ICD-10-CM codes not looked up (code store: {exc})", err=True)
        return []
    return [w for pack in packs for w in unknown_icd_codes(pack, store)]
