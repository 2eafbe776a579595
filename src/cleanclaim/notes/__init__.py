"""Visit notes: reading, sections, negation and history (text.py), documentation
elements (elements.py) and the link from a note to its claim (link.py).

``from cleanclaim.notes import read_note, parse_note``.
"""

from __future__ import annotations

from .reader import NoteError, read_note, read_notes
from .text import Context, Note, Section, Span, parse_note

__all__ = ["Context", "Note", "NoteError", "Section", "Span", "parse_note", "read_note", "read_notes"]
