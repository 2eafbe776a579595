"""The one exception of the X12 reader: input that cannot be read at all."""

from __future__ import annotations

from .. import InputError


class X12InputError(InputError):
    """Not X12, no ISA, empty, or delimiters that cannot be recovered.

    Every other problem (counts, bad segments, truncation) is a finding, not an error.
    """

    def __init__(self, source: str, segment_number: int | None, segment_id: str | None, message: str):
        self.source = str(source)
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.segment_number is not None:
            where += f": segment {self.segment_number}"
            if self.segment_id:
                where += f" ({self.segment_id})"
        elif self.segment_id:
            where += f": {self.segment_id}"
        return f"{where}: {self.message}"
