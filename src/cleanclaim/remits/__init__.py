"""Remittances (835) and front-end responses (999, 277CA): model, explanations, store.

Readers: ``cleanclaim.formats.x12.remit835`` (iter_835, read_835) and
``cleanclaim.formats.x12.acks`` (iter_acks, read_acks). Store tables: ``remits.schema``;
import: ``remits.importer.import_file``; matching: ``remits.match``; plain-language
explanations: ``remits.explain``; denial definition and root-cause buckets:
``remits.buckets``; reading stored remits back: ``remits.query``.
"""

from .model import (
    AckCode, Adjustment, FrontEndResponse, Party, Problem, ProviderAdjustment, Remark, RemitClaim, RemitLine,
    Remittance,
)

__all__ = [
    "AckCode", "Adjustment", "FrontEndResponse", "Party", "Problem", "ProviderAdjustment", "Remark", "RemitClaim",
    "RemitLine", "Remittance",
]
