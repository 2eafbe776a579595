"""SOAP parts of a dictated note set out in paragraphs without headings."""

from __future__ import annotations

import re

from .text import Note, Span


PARAGRAPH_LEAD = {
    "objective": re.compile(r"(?:on|upon) (?:exam(?:ination)?|palpation|inspection|observation|testing)\b|"
                            r"(?:physical )?exam(?:ination)? (?:today )?(?:reveals|shows|finds|demonstrates)|objectively\b|"
                            r"(?:today'?s )?measurements\b|(?:rom|range of motion) (?:today )?(?:is|measures)", re.I),
    "assessment": re.compile(r"(?:my |clinical )?impression\b|in summary\b|overall\b|assessment\b|clinically,|"
                             r"(?:she|he|they|the patient|pt) (?:is|are|has been) (?:making|improving|progressing|responding)", re.I),
    "plan": re.compile(r"(?:we|i) (?:will|plan to)\b|will continue\b|continue (?:with |pt |therapy |treatment )?"
                       r"(?:\d|once|twice|weekly|at)|plan(?:s)? (?:is|are|to)\b|next visit\b|recommend", re.I),
}
COMPLAINT = re.compile(r"(?<![\w])(?:complains? of|c/o|presents? (?:with|for|today with)|reports?|states?|"
                       r"describes?|chief complaint|is seen (?:today )?for|here (?:today )?for)(?![\w])", re.I)


NARRATIVE = 250  # a dictated history paragraph; a two-line blurb atop a headed template is no Subjective


def paragraph_sections(note: Note) -> set[str]:
    """SOAP parts a note written in paragraphs (two or more) opens without headings: the
    first paragraph outside any heading that tells the complaint (subjective), and
    paragraphs opened by an exam / impression / plan lead-in. A single run-on paragraph
    opens none (a reviewer cannot find the parts of it)."""
    text = note.text
    paragraphs = [m for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text[note.body_start:])]
    paragraphs = [Span(note.body_start + m.start(), note.body_start + m.end()) for m in paragraphs
                  if len(m.group()) > 40]
    if len(paragraphs) < 2:
        return set()
    found = set()
    for p in paragraphs:
        head = text[p.start:p.start + 60]
        for name, lead in PARAGRAPH_LEAD.items():
            if lead.match(head):
                found.add(name)
        if not found and not note.sections_at(p.start) - {"orders"} and p.end - p.start >= NARRATIVE \
                and COMPLAINT.search(text[p.start:p.end]):
            found.add("subjective")  # the history paragraph before any part or heading
    return found
