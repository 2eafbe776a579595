"""ISA delimiters by position, and a streaming segment splitter.

Delimiters are taken from the ISA only, never guessed from data: element separator
at index 3, repetition separator ISA11 (index 82, version 00402 and later), component
separator ISA16 (index 104), segment terminator at index 105 (may be a newline).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import X12InputError

CHUNK_SIZE = 1 << 20  # characters read at a time


def file_chunks(path: Path | str) -> Iterator[str]:
    """The text of an X12 file in chunks; a missing or empty file is an X12InputError."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise X12InputError(str(path), None, None, f"cannot open the file ({exc.strerror})") from None
    if size == 0:
        raise X12InputError(str(path), None, None, "the file is empty")
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            yield chunk

ISA_LENGTH = 106
# Indexes of the 16 element separators of a fixed-length ISA.
ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_LOOKAHEAD = 512  # characters read before parsing an ISA (a short or padded ISA fits)


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass
class Interchange:
    """What the ISA says: delimiters, elements, and any problem with its length."""

    delimiters: Delimiters
    elements: list[str]  # ["ISA", ISA01, ..., ISA16]
    length: int  # characters through the segment terminator (106 when well-formed)
    problem: str | None = None  # why the ISA is not a fixed-length ISA

    @property
    def control_number(self) -> str:
        return self.elements[13].strip() if len(self.elements) > 13 else ""


def _usable(ch: str) -> bool:
    return bool(ch) and not ch.isalnum() and ch != " "


def _repetition(version: str, isa11: str) -> str | None:
    version = version.strip()
    if version.isdigit() and version >= "00402" and _usable(isa11):
        return isa11
    return None


def parse_isa(head: str) -> Interchange | None:
    """The interchange header at the start of ``head``; None if it cannot be delimited.

    A fixed-length ISA is read by position. Otherwise the 16 elements are counted with
    the element separator (index 3); ISA16 is the one character after the 16th
    separator and the terminator the next character that is not a space. That reading
    is accepted only when it is unambiguous, and reported as a problem.
    """
    if len(head) < 4 or head[:3] != "ISA" or not _usable(head[3]):
        return None
    elem = head[3]
    if len(head) >= ISA_LENGTH and all(head[i] == elem for i in ISA_SEPARATOR_POSITIONS):
        comp, term = head[104], head[105]
        if _usable(comp) and comp != elem and (term in "\r\n" or _usable(term)) and term not in (elem, comp):
            elements = head[:105].split(elem)
            rep = _repetition(elements[12], elements[11])
            return Interchange(Delimiters(elem, comp, rep, term), elements, ISA_LENGTH)
    # Not fixed-length: count the elements.
    pos = 3
    for _ in range(15):
        pos = head.find(elem, pos + 1, pos + 200)
        if pos < 0:
            return None
    comp_at = pos + 1
    if comp_at + 1 >= len(head):
        return None
    comp = head[comp_at]
    term_at = comp_at + 1
    while term_at < len(head) and head[term_at] == " ":
        term_at += 1
    if term_at >= len(head):
        return None
    term = head[term_at]
    if not _usable(comp) or comp == elem:
        return None
    if not (term in "\r\n" or _usable(term)) or term in (elem, comp):
        return None
    elements = head[: comp_at + 1].split(elem)
    if len(elements) != 17:
        return None
    rep = _repetition(elements[12], elements[11])
    found = term_at + 1
    problem = f"ISA is {found} characters long, {ISA_LENGTH} expected"
    if term_at > comp_at + 1:
        problem += f" ({term_at - comp_at - 1} space(s) before the segment terminator)"
    return Interchange(Delimiters(elem, comp, rep, term), elements, found, problem)


class SegmentStream:
    """Split chunks of text into segments (lists of elements), interchange by interchange.

    Iterating yields one ``list[str]`` per segment; an ``["ISA", ...]`` list means a new
    interchange begins and :attr:`interchange` describes it. After an IEA (or when an
    ``ISA`` segment id appears) the next header is parsed by position again, so each
    interchange may declare its own delimiters. ``unreadable`` is set when a later ISA
    cannot be delimited (the rest of the input is not read).
    """

    def __init__(self, chunks: Iterable[str]):
        self._chunks = iter(chunks)
        self._eof = False
        self.interchange: Interchange | None = None
        self.unreadable: str | None = None
        self.cut_segment: str | None = None  # id of an unterminated last segment (not read)
        self.cut_elements: list[str] = []  # its elements, as far as they go (untrusted)
        self.started = False

    def _more(self) -> str:
        if self._eof:
            return ""
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            return ""
        return chunk

    def _header(self, buf: str) -> tuple[str, bool]:
        """Parse an ISA at the start of ``buf``. Returns (rest, parsed)."""
        buf = buf.lstrip()
        while len(buf) < _LOOKAHEAD and not self._eof:
            buf = (buf + self._more()).lstrip()
        if not self.started and buf.startswith("\ufeff"):
            buf = buf[1:].lstrip()
        if not buf.startswith("ISA"):
            return buf, False
        interchange = parse_isa(buf)
        if interchange is None:
            return buf, False
        self.interchange = interchange
        return buf[interchange.length :], True

    def _split(self, buf: str, d: Delimiters):
        """Yield batches of segments of ``buf`` and what follows; return the text from the
        next header on (None at the end of the input).
        """
        term, elem = d.segment, d.element
        while True:
            parts = buf.split(term)
            tail = parts.pop()
            batch = [seg.split(elem) for seg in map(str.strip, parts) if seg]
            boundary = "IEA" in buf or "ISA" in buf  # cheap test before looking at each id
            for i, els in enumerate(batch if boundary else ()):
                sid = els[0]
                if sid == "ISA" or sid == "IEA":
                    # an envelope boundary: hand back the raw text after it (or from the ISA on)
                    skip = i + 1 if sid == "IEA" else i
                    raw = [p for p in parts if p.strip()]
                    yield batch[:skip]
                    return term.join(raw[skip:] + [tail])
            yield batch
            more = self._more()
            if not more:
                tail = tail.strip()
                if tail:
                    els = tail.split(elem)
                    if els[0] == "IEA":  # a last trailer without its terminator: still whole
                        yield [els]
                    else:  # the file was cut inside this segment: its values can't be trusted
                        self.cut_segment = els[0][:3]
                        self.cut_elements = els
                return None
            buf = tail + more

    def __iter__(self) -> Iterator[list[str]]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[list[str]]]:
        """The segments in lists (one per chunk or envelope); faster than one by one."""
        buf, parsed = self._header("")
        self.started = True
        if not parsed:
            self.unreadable = buf[:3] if buf else ""
            return
        yield [self.interchange.elements]
        while True:
            rest = yield from self._split(buf, self.interchange.delimiters)
            if rest is None:
                return
            buf, parsed = self._header(rest)
            if parsed:
                yield [self.interchange.elements]
            elif buf.startswith("ISA"):
                self.unreadable = "ISA"  # a later header that cannot be delimited
                return
            elif not buf:
                return
            # else: data after IEA that is not an ISA; read it with the same delimiters
