"""Walk the envelopes (ISA/GS/ST..SE/GE/IEA) of any X12 file and hand each transaction
set's segments to a handler: the 835, 999 and 277CA readers are built on this.

Tokenising (delimiters from the ISA, one interchange after another) is the 837
reader's :class:`~cleanclaim.formats.x12.envelope.SegmentStream`. Envelope problems
(SE count, a missing trailer, a segment outside a set) are Problems, never exceptions;
only input with no readable ISA raises :class:`X12InputError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ...remits.model import Problem
from .envelope import Delimiters, SegmentStream, file_chunks  # noqa: F401 (file_chunks re-exported)
from .errors import X12InputError

ALTERNATE_COMPONENT = (">", ":", "^", "|", "\\", "<", "!", "{", "}")


@dataclass
class SetContext:
    """Where a transaction set sits: file, interchange, group, set; and its delimiters."""

    source: str
    delimiters: Delimiters
    interchange_control: str = ""
    interchange_date: str = ""  # ISA09 YYMMDD
    functional_id: str = ""  # GS01 (HP 835, FA 999, HN 277)
    group_control: str = ""
    group_date: str = ""  # GS04 CCYYMMDD
    group_version: str = ""  # GS08
    set_id: str = ""  # ST01
    set_control: str = ""  # ST02
    convention: str = ""  # ST03, else GS08
    start_segment: int = 0  # the ST's segment number in the file (ISA = 1)
    sender: str = ""  # GS02 application sender code

    def file_segment(self, number: int | None) -> int | None:
        """Segment ``number`` of this set (ST = 1) as a file segment number."""
        if number is None or not self.start_segment:
            return None
        return self.start_segment + number - 1

    def problem(self, code: str, severity: str, message: str, number: int | None = None,
                sid: str | None = None, file_segment: int | None = None, claim_id: str | None = None) -> Problem:
        if file_segment is None:
            file_segment = self.file_segment(number)
        return Problem(code, severity, message, self.source, number, sid, file_segment, claim_id,
                       self.set_control or None)


class SetHandler:
    """Receives one transaction set. Subclasses override ``segment`` and ``close``."""

    def __init__(self, ctx: SetContext):
        self.ctx = ctx
        self.problems: list[Problem] = []
        self.file_segment = 0
        comp = ctx.delimiters.component
        self._alternates = tuple(c for c in ALTERNATE_COMPONENT if c not in (comp, ctx.delimiters.element))
        self._warned_alternate = False

    def segment(self, els: list[str], number: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> list:
        """The items of the set (called after SE, or when the set is cut short)."""
        return []

    # -- helpers -------------------------------------------------------------
    def add(self, code: str, severity: str, message: str, number: int | None = None,
            sid: str | None = None, claim_id: str | None = None) -> None:
        where = self.ctx.file_segment(number) if number is not None else self.file_segment
        self.problems.append(self.ctx.problem(code, severity, message, number, sid, where, claim_id))

    def components(self, value: str, element: str, number: int, sid: str) -> list[str]:
        """A composite split by ISA16; a value that uses another separator (as in some TR3
        examples: ``HC>99213`` under ISA16 ``:``) is split by it, with one warning per set."""
        comp = self.ctx.delimiters.component
        if comp in value:
            return value.split(comp)
        for alt in self._alternates:
            if alt in value and value.split(alt)[0].isalnum() and len(value.split(alt)[0]) == 2:
                if not self._warned_alternate:
                    self._warned_alternate = True
                    self.add("RM030", "warning",
                             f"{element} '{value[:30]}' separates components with '{alt}' but ISA16 "
                             f"declares '{comp}'; read with '{alt}'", number, sid)
                return value.split(alt)
        return [value]


Factory = Callable[[SetContext], "SetHandler | None"]




def walk(chunks: Iterable[str], source: str, factory: Factory) -> Iterator:
    """Items from each set's handler, and envelope Problems, in file order."""
    stream = SegmentStream(chunks)
    ctx: SetContext | None = None
    interchange = None
    group_open = False
    handler: SetHandler | None = None
    set_open = False
    set_number = 0
    sets_in_group = 0
    groups = 0
    file_segment = 0

    def env(code: str, message: str, sid: str, severity: str = "error") -> Problem:
        return Problem(code, severity, message, source, None, sid, file_segment)

    def close_set(why: str | None) -> Iterator:
        nonlocal set_open, handler
        if why and handler is not None:
            handler.add("RM001", "error", f"transaction set {ctx.set_control} is not closed: {why}", set_number, "SE")
        elif why:
            yield env("RM001", f"transaction set {ctx.set_control} is not closed: {why}", "SE")
        if handler is not None:
            yield from handler.close()
        set_open = False
        handler = None

    for batch in stream.batches():
        for els in batch:
            file_segment += 1
            sid = els[0]
            if set_open and sid not in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
                set_number += 1
                if handler is not None:
                    handler.file_segment = file_segment
                    handler.segment(els, set_number)
                continue
            if sid == "ISA":
                if set_open:
                    yield from close_set("a new ISA starts before SE")
                if interchange is not None:
                    yield env("RM001", f"interchange {interchange.control_number} has no IEA", "IEA")
                interchange = stream.interchange
                if interchange.problem:
                    yield env("RM001", f"interchange {interchange.control_number}: {interchange.problem}",
                              "ISA", "warning")
                groups = 0
                group_open = False
            elif sid == "GS":
                if set_open:
                    yield from close_set("a GS starts before SE")
                group_open = True
                groups += 1
                sets_in_group = 0
                ctx = SetContext(
                    source, interchange.delimiters if interchange else stream.interchange.delimiters,
                    interchange.control_number if interchange else "",
                    _el(interchange.elements, 9) if interchange else "",
                    _el(els, 1), _el(els, 6), _el(els, 4), _el(els, 8), sender=_el(els, 2))
            elif sid == "ST":
                if set_open:
                    yield from close_set("the next ST starts before SE")
                if ctx is None or not group_open:
                    yield env("RM001", f"ST at file segment {file_segment} is outside a GS/GE group", "ST")
                    ctx = SetContext(source, stream.interchange.delimiters)
                sets_in_group += 1
                ctx = SetContext(**{**ctx.__dict__, "set_id": _el(els, 1), "set_control": _el(els, 2),
                                    "convention": _el(els, 3) or ctx.group_version,
                                    "start_segment": file_segment})
                set_open = True
                set_number = 1
                handler = factory(ctx)
                if handler is not None:
                    handler.file_segment = file_segment
                    handler.segment(els, 1)
            elif sid == "SE":
                if not set_open:
                    yield env("RM001", f"SE at file segment {file_segment} has no ST", "SE")
                    continue
                set_number += 1
                if _el(els, 1) != str(set_number) and handler is not None:
                    handler.file_segment = file_segment
                    handler.add("RM001", "warning", f"SE01 declares {_el(els, 1) or 'no'} segments but transaction "
                                f"set {ctx.set_control} has {set_number}", set_number, "SE")
                if _el(els, 2) != ctx.set_control and handler is not None:
                    handler.add("RM001", "warning", f"SE02 '{_el(els, 2)}' differs from ST02 '{ctx.set_control}'",
                                set_number, "SE")
                yield from close_set(None)
            elif sid == "GE":
                if set_open:
                    yield from close_set("GE arrives before SE")
                if group_open and _el(els, 1) != str(sets_in_group):
                    yield env("RM001", f"GE01 declares {_el(els, 1) or 'no'} transaction sets but the group has "
                              f"{sets_in_group}", "GE", "warning")
                group_open = False
            elif sid == "IEA":
                if set_open:
                    yield from close_set("IEA arrives before SE")
                if interchange is not None and _el(els, 1) != str(groups):
                    yield env("RM001", f"IEA01 declares {_el(els, 1) or 'no'} groups but the interchange has "
                              f"{groups}", "IEA", "warning")
                interchange = None
            else:
                yield env("RM001", f"segment {sid[:3]!r} at file segment {file_segment} is outside any ST/SE "
                          "transaction set", sid[:3], "warning")
    if file_segment == 0:
        found = stream.unreadable or ""
        if found.startswith("ISA"):
            raise X12InputError(source, 1, "ISA", "the ISA header cannot be delimited")
        raise X12InputError(source, 1, None, "not an X12 file: it does not start with an ISA segment")
    if set_open:
        yield from close_set("the file ends before SE")
    if stream.unreadable:
        yield env("RM001", "an ISA header cannot be delimited; the rest of the file is not read", "ISA")
    elif interchange is not None:
        yield env("RM001", f"the file ends before IEA closes interchange {interchange.control_number}", "IEA")


def _el(els: list[str], i: int) -> str:
    return els[i].strip() if len(els) > i else ""


class _ClaimIds(SetHandler):
    """Collects CLM01 of an 837 transaction set, with the set's envelope."""

    def segment(self, els, number):
        if els[0] == "CLM":
            self.problems.append((_el(els, 1), self.ctx))

    def close(self):
        return self.problems


def claim_envelopes(path: Path | str) -> list[tuple[str, SetContext]]:
    """(CLM01, envelope) of every claim of an 837 file in file order: ISA13, GS02, GS06,
    GS04 and ST02 of the set it was sent in (what a 999 answers by AK1/AK2). Envelope
    problems are left to the 837 reader; an unreadable file gives []."""
    def factory(ctx: SetContext):
        return _ClaimIds(ctx) if ctx.set_id == "837" else None

    try:
        return [item for item in walk(file_chunks(path), str(path), factory) if isinstance(item, tuple)]
    except X12InputError:
        return []
