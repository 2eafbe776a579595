"""Optional LLM backend (off by default): any OpenAI-compatible chat-completions URL.

The model is asked for codes with the exact words of the note that support them. Nothing it
says is trusted as is: a suggestion is kept only when its code is a billable ICD-10-CM code of
the release in force and every quoted piece of evidence is found verbatim in the note (its
offsets become the spans). Kept suggestions are marked ``source='llm'``.

Configure with ``LlmBackend(url, model, api_key=None)``, e.g. a local server
``http://127.0.0.1:8080/v1``. No request is made unless a backend is passed to suggest_codes.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass

from .model import Suggestion
from .tabular import dotted

PROMPT = (
    "You are a certified outpatient coder. From the visit note below, list ICD-10-CM diagnosis codes. "
    "Answer with JSON only: {\"codes\": [{\"code\": \"M54.50\", \"evidence\": [\"exact words copied from the note\"], "
    "\"why\": \"short reason\"}]}. Evidence must be copied verbatim from the note.\n\nNOTE:\n"
)


class LlmError(RuntimeError):
    """The backend could not be reached or answered something unreadable."""


@dataclass
class LlmBackend:
    url: str  # base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1
    model: str = "default"
    api_key: str | None = None
    timeout: float = 30.0
    confidence: float = 0.5

    def _ask(self, text: str) -> str:
        body = json.dumps({"model": self.model, "temperature": 0,
                           "messages": [{"role": "user", "content": PROMPT + text}]}).encode()
        request = urllib.request.Request(self.url.rstrip("/") + "/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
            return payload["choices"][0]["message"]["content"]
        except (OSError, ValueError, KeyError, IndexError) as exc:
            raise LlmError(f"LLM backend {self.url}: {exc}") from None

    def suggest(self, note, store, release_id: str) -> list[Suggestion]:
        """Checked suggestions from the model (codes it invents or evidence it cannot quote are dropped)."""
        answer = self._ask(note.text)
        match = re.search(r"\{.*\}", answer, re.S)
        try:
            items = json.loads(match.group(0))["codes"] if match else []
        except (ValueError, KeyError, TypeError):
            raise LlmError(f"LLM backend {self.url}: answer is not the JSON asked for") from None
        out = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            code = str(item.get("code", "")).replace(".", "").strip().upper()
            found = store.icd_code(code, release_id) if code else None
            if found is None or not found.billable:
                continue
            spans = []
            for quote in item.get("evidence") or []:
                at = note.text.find(str(quote)) if quote else -1
                if at < 0:
                    spans = []
                    break
                spans.append((at, at + len(str(quote))))
            if not spans:
                continue
            out.append(Suggestion(dotted(code), "ICD-10-CM", found.description, self.confidence, tuple(spans),
                                  f"LLM ({self.model}): {item.get('why', '')}".strip(), "llm"))
        return out
