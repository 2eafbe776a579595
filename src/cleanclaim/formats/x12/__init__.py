"""X12 837P reader (005010X222A1; also reads the X222A2 guide samples).

``iter_837(path)`` streams model.Claim objects and file-level Findings (claim_id None)
for envelope problems that belong to no claim. Problems inside a claim are in
``claim.read_findings`` (X12 codes, see cleanclaim.rules.syntax).
"""

from __future__ import annotations

from .envelope import Delimiters, Interchange, parse_isa
from .errors import X12InputError
from .reader import iter_837, iter_837_text

__all__ = ["Delimiters", "Interchange", "X12InputError", "iter_837", "iter_837_text", "parse_isa"]
