"""Report writers: text (rich), json, jsonl, sarif. Each streams claim results as they come."""

from __future__ import annotations

from typing import TextIO

FORMATS = ("text", "json", "jsonl", "sarif")


def get_writer(fmt: str, out: TextIO, **options):
    if fmt == "text":
        from .text import TextWriter

        return TextWriter(out, **options)
    if fmt in ("json", "jsonl"):
        from .json_out import JsonLinesWriter, JsonWriter

        return (JsonWriter if fmt == "json" else JsonLinesWriter)(out)
    if fmt == "sarif":
        from .sarif import SarifWriter

        return SarifWriter(out)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
