"""What a code suggestion is."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Suggestion:
    """One suggested code with the words of the note that justify it.

    ``spans`` are (start, end) character offsets into the note's text; ``source`` says which
    engine proposed it: 'rules' (deterministic core), 'semantic' (re-ranked by the
    embedding model) or 'llm' (the optional LLM backend; still checked against the note).
    ``units`` is set for timed CPT codes when the note documents minutes.
    """

    code: str
    system: str  # 'ICD-10-CM' | 'CPT'
    description: str
    confidence: float
    spans: tuple = field(default_factory=tuple)
    why: str = ""
    source: str = "rules"
    units: int | None = None

    def evidence(self, text: str) -> list[str]:
        """The note's words behind each span."""
        return [text[a:b] for a, b in self.spans]

    def as_dict(self) -> dict:
        return {"code": self.code, "system": self.system, "description": self.description,
                "confidence": self.confidence, "spans": [list(s) for s in self.spans], "why": self.why,
                "source": self.source, "units": self.units}
