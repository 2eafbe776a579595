"""`cleanclaim eval docs DATASET`: documentation-gap recall and precision.

Mounted under the `eval` group (cli/eval_cmd.py, SUGGEST) as its `docs` subcommand.
"""

from __future__ import annotations

import json
import sys

import click


@click.command("docs")
@click.argument("dataset", type=click.Path(exists=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--show-mismatches/--no-show-mismatches", default=True, show_default=True,
              help="List the notes whose detected gaps differ from the labels.")
def docs_command(dataset, fmt, show_mismatches) -> None:
    """Measure documentation-gap detection on a labelled notes dataset (a folder with
    labels.jsonl: file, cpt, gaps; e.g. datasets/notes): recall and precision overall
    and per element."""
    from ..notes.evaluate import evaluate_docs
    from ..notes.reader import NoteError

    try:
        result = evaluate_docs(dataset)
    except NoteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    data = result.to_dict()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    pct = lambda v: "  n/a" if v is None else f"{v:5.3f}"  # noqa: E731
    click.echo(f"documentation gaps: {data['dataset']}  ({data['notes']} notes, "
               f"{data['labelled_gaps']} labelled gaps)")
    click.echo(f"  recall    {pct(data['recall'])}  ({data['true_positives']} of {data['labelled_gaps']})")
    click.echo(f"  precision {pct(data['precision'])}  ({data['false_positives']} false positives)")
    click.echo(f"  {'element':<24}{'labelled':>9}{'detected':>9}{'recall':>8}{'precision':>10}")
    for element, row in data["by_element"].items():
        click.echo(f"  {element:<24}{row['labelled']:>9}{row['detected']:>9}{pct(row['recall']):>8}"
                   f"{pct(row['precision']):>10}")
    if show_mismatches and data["mismatches"]:
        click.echo("mismatches:")
        for m in data["mismatches"]:
            click.echo(f"  {m['file']}: missed {', '.join(m['missed']) or '-'}; extra {', '.join(m['extra']) or '-'}")
