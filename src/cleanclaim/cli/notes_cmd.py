"""`cleanclaim notes FILE...`: documentation gaps of visit notes, and suggested codes
with the words of the note that justify them."""

from __future__ import annotations

import json
import sys

import click

ELEMENT_STYLES = {
    "pain_score": "bold magenta", "functional_limitation": "bold yellow", "body_region": "cyan",
    "technique": "bold green", "timed_minutes": "green", "skilled_response": "blue",
    "referral_order": "bold blue", "plan_of_care": "bright_blue", "objective_progress": "bright_cyan",
    "relaxation_language": "bold red",
}


@click.command("notes")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--claim", "claim_file", type=click.Path(exists=True, path_type=str),
              help="Claim file (837P, CSV, FHIR): check each note against its claim (by claim id, or "
                   "patient + date of service): billed codes, units, modifiers 59/XS/XU.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--payer", type=click.Choice(["medicare", "medicaid", "commercial"]),
              help="Payer type (unit method, certified plan of care); default from the claim, else commercial.")
@click.option("--suggest/--no-suggest", default=True, show_default=True,
              help="Show suggested ICD-10-CM/CPT codes with their evidence (when available).")
@click.option("--top", default=5, show_default=True, help="Suggestions per code system.")
@click.option("--show-text/--no-show-text", default=False, show_default=True,
              help="Text format: print the whole note with the evidence highlighted. By default only "
                   "the lines holding evidence are printed and the rest is elided (HIPAA minimum "
                   "necessary, 45 CFR 164.502(b)); front-matter fields are never printed.")
def command(files, claim_file, fmt, payer, suggest, top, show_text) -> None:
    """Read visit notes (Markdown/text, FHIR DocumentReference) and report what a reviewer
    will find missing: SOAP sections, pain score, functional limitation, regions, technique
    per code, minutes, response, referral, plan of care, progress, relaxation wording.

    Exit status: 2 when a note cannot be read; 1 when a note has an error-level gap; else 0.
    """
    from ..notes import NoteError, read_notes

    notes = []
    for path in files:
        try:
            notes.extend(read_notes(path))
        except NoteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    if not notes:
        click.echo("error: no note found in the files given", err=True)
        sys.exit(2)
    claims = _claims(claim_file) if claim_file else []
    reports = [_report(note, claims, payer, suggest, top) for note in notes]
    for report in reports:
        for warning in report.get("warnings", []):
            click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(reports if len(reports) > 1 else reports[0], indent=2, default=str))
    else:
        _print_text(notes, reports, show_text)
    worst = {g["severity"] for r in reports for g in r["gaps"]} | \
        {f["severity"] for r in reports for f in r.get("findings", [])}
    sys.exit(1 if "error" in worst else 0)


def _claims(path: str) -> list:
    from ..formats import InputError, iter_claims
    from ..model import Claim

    try:
        return [c for c in iter_claims(path) if isinstance(c, Claim)]
    except (InputError, OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--claim")


def _report(note, claims, payer, suggest, top) -> dict:
    from ..notes.checks import find_gaps
    from ..notes.elements import extract
    from ..notes.link import NoteIndex

    elements = extract(note)
    report: dict = {
        "source": note.source,
        "claim_id": note.meta.get("claim_id") or None,
        "date": note.meta.get("date").isoformat() if note.meta.get("date") else None,
        # every start/end below is a character offset into the file as read (front matter
        # included; for FHIR, into the attachment text): file_text[start:end] == text
        "offsets": "attachment" if "#" in str(note.source) and not note.body_start else "file",
        "body_start": note.body_start,
        "sections": {name: [span.start, span.end] for name, span in note.sections.items()},
        "elements": [{"element": name, "start": s.start, "end": s.end, "text": note.text[s.start:s.end]}
                     for name, s in elements.evidence()],
    }
    claim = None
    if claims:
        index = NoteIndex.from_notes([note])
        claim = next((c for c in claims if index.for_claim(c) is note), None)
        report["claim_id"] = claim.claim_id if claim else report["claim_id"]
        report["linked_claim"] = claim.claim_id if claim else None
        if claim is None:
            how = (f"claim_id {note.meta['claim_id']}" if note.meta.get("claim_id")
                   else "its patient and date" if note.meta.get("patient") else
                   f"its file name {note.meta.get('file_stem')!r}")
            report["warnings"] = [f"note {note.source} links to no claim in {claim_file_name(claims)}: "
                                  f"no claim matches {how}; checked without the claim's codes"]
    if claim is not None:
        report["findings"] = _claim_findings(claim, note, payer)
        report["gaps"] = [f for f in report["findings"] if f.get("element")]
    else:
        gaps = find_gaps(elements, None, payer_type=payer)
        report["gaps"] = [{"code": g.rule, "element": g.element, "severity": g.severity, "message": g.message,
                           "fix": g.fix, "authority": g.authority} for g in gaps]
    report["suggestions"] = _suggestions(note, top) if suggest else []
    return report


def claim_file_name(claims) -> str:
    sources = sorted({str(getattr(c, "source", "") or "") for c in claims} - {""})
    return ", ".join(sources) if sources else "the claim file"


def _claim_findings(claim, note, payer) -> list[dict]:
    from ..engine import Checker
    from ..notes.link import NoteIndex

    checker = Checker(payer_type=payer, select=["DOC"], options={"notes": NoteIndex.from_notes([note])})
    out = []
    for f in checker.check(claim).findings:
        out.append({"code": f.code, "element": f.details.get("element", f.name), "severity": f.severity,
                    "message": f.message, "fix": f.fix, "authority": f.authority, "line": f.line})
    return out


def _suggestions(note, top) -> list[dict]:
    try:
        from ..notes.suggest import suggest_codes
    except ImportError:  # code suggestions not installed in this build
        return []
    from ..codesets.store import CodeStore

    try:
        found = suggest_codes(note, CodeStore.open(), top=top)
    except Exception as exc:  # suggestions are advice: never lose the documentation report
        return [{"error": f"code suggestions failed: {exc}"}]
    return [{"code": s.code, "system": s.system, "description": s.description,
             "confidence": round(float(s.confidence), 3), "spans": [list(sp) for sp in s.spans],
             "why": s.why, "source": s.source} for s in found]


# ---------------------------------------------------------------- text output


def _print_text(notes, reports, show_text) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for note, report in zip(notes, reports):
        title = f"[bold]{note.source}[/bold]"
        if report.get("claim_id"):
            title += f"  claim {report['claim_id']}"
        console.print(title)
        console.print("sections: " + (", ".join(report["sections"]) or "none found"))
        text = Text(note.text)
        for item in report["elements"]:
            text.stylize(ELEMENT_STYLES.get(item["element"], "underline"), item["start"], item["end"])
        if show_text:
            body = text[note.body_start:]
            body.rstrip()
            console.print(body)
        else:
            _print_evidence_lines(console, note, text, report["elements"])
        legend = Text("evidence: ")
        for name, style in ELEMENT_STYLES.items():
            legend.append(name, style=style)
            legend.append(" ")
        console.print(legend)
        gaps = report.get("findings") if report.get("findings") is not None else report["gaps"]
        if not gaps:
            console.print("[green]documentation: nothing missing[/green]")
        else:
            console.print(f"[bold]documentation findings ({len(gaps)})[/bold]")
            for gap in gaps:
                colour = {"error": "red", "warning": "yellow"}.get(gap["severity"], "dim")
                console.print(Text.assemble((f"  {gap['code']:<7}", colour), (f"{gap['severity']:<8}", colour),
                                            gap["message"]))
                console.print(Text(f"           fix: {gap['fix']}", style="dim"))
                console.print(Text(f"           {gap['authority']}", style="dim"))
        suggestions = [s for s in report.get("suggestions", []) if "code" in s]
        for s in report.get("suggestions", []):
            if "error" in s:
                console.print(f"[yellow]{s['error']}[/yellow]")
        if suggestions:
            console.print("[bold]suggested codes[/bold]")
            for s in suggestions:
                head = Text.assemble(("  " + s["code"].ljust(9), "bold"), (s["system"].ljust(10), "dim"),
                                     f"{s['confidence']:.2f}  ", s["description"] or "")
                if s["source"] != "rules":
                    head.append(f"  [{s['source']}]", style="italic")
                console.print(head)
                for start, end in s["spans"][:3]:
                    console.print(Text("      ").append(_evidence(note, start, end)))
                if s.get("why"):
                    console.print(Text(f"      why: {s['why']}", style="dim"))
        console.print()


def _print_evidence_lines(console, note, text, elements) -> None:
    """Only the lines holding evidence, numbered as in the file; the rest elided."""
    from rich.text import Text

    starts = [0]
    for i, ch in enumerate(note.text):
        if ch == "\n":
            starts.append(i + 1)
    wanted: set[int] = set()
    for item in elements:
        first = note.text.count("\n", 0, item["start"])
        last = note.text.count("\n", 0, max(item["start"], item["end"] - 1))
        wanted.update(range(first, last + 1))
    total = len(starts)
    lines = len(note.text.splitlines())
    if not wanted:
        console.print(Text(f"(no evidence found; {lines} lines not shown -- --show-text prints the note)",
                           style="dim"))
        return
    previous = None
    for index in sorted(wanted):
        if previous is not None and index > previous + 1 or previous is None and index > 0:
            console.print(Text("   ...", style="dim"))
        end = starts[index + 1] - 1 if index + 1 < total else len(note.text)
        line = text[starts[index]:end]
        line.rstrip()
        console.print(Text(f"{index + 1:>4}  ", style="dim").append(line))
        previous = index
    if previous is not None and previous < total - 1 and note.text[starts[previous + 1]:].strip():
        console.print(Text("   ...", style="dim"))
    shown = len(wanted)
    console.print(Text(f"({shown} of {lines} lines shown: those holding evidence; --show-text prints "
                       f"the whole note)", style="dim"))


def _evidence(note, start: int, end: int):
    """The sentence around a span with the span highlighted."""
    from rich.text import Text

    sentence = note.sentence_at(start)
    lo = min(sentence.start, start) if sentence.end > sentence.start else max(0, start - 40)
    hi = max(sentence.end, end) if sentence.end > sentence.start else min(len(note.text), end + 40)
    snippet = Text(note.text[lo:hi].replace("\n", " "))
    snippet.stylize("bold reverse", start - lo, end - lo)
    return snippet
