"""Stream an X12 837P file into Claims and file-level Findings.

Reads in chunks; a transaction set's claims are held until its SE (so that an SE01
count problem can be attached to each of them), at most 5000 claims, the TR3 limit
per set. Beyond that they stream out as soon as they are complete.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from pathlib import Path

from ...findings import Finding
from ...model import Claim
from ...rules.syntax import x12_finding
from .claims import ClaimAssembler
from .envelope import Interchange, SegmentStream, file_chunks
from .errors import X12InputError

CLAIMS_PER_SET = 5000
ENVELOPE_IDS = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))


def iter_837(path: Path | str) -> Iterator[Claim | Finding]:
    """Claims (and file-level findings) of an 837P file, streaming."""
    yield from _gc_paused(_Reader(str(path)).run(file_chunks(path)))


def iter_837_text(text: str, source: str = "<text>") -> Iterator[Claim | Finding]:
    """The same as :func:`iter_837` for X12 text already in memory (tests, APIs)."""
    yield from _gc_paused(_Reader(source).run([text]))


def _gc_paused(items: Iterator[Claim | Finding]) -> Iterator[Claim | Finding]:
    """Run the reader with the cyclic garbage collector paused while it works.

    The claims it builds hold no reference cycles (reference counting frees them), but
    their many small containers make the cyclic collector run again and again over the
    claims held for the open transaction set: more than half the read time. The
    collector's state is restored before each item goes to the caller, and on errors.
    """
    while True:
        enabled = gc.isenabled()
        gc.disable()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            if enabled:
                gc.enable()
        yield item


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.file_segment = 0
        self.interchange: Interchange | None = None
        self.isa_problem: str | None = None
        self.interchange_claims = 0
        self.groups = 0
        self.group_open = False
        self.gs_control = ""
        self.gs_version = ""
        self.sets_in_group = 0
        self.set_open = False
        self.st_control = ""
        self.set_segments = 0
        self.assembler: ClaimAssembler | None = None
        self.held: list[Claim] | None = []
        self.streamed = 0  # claims of the open set already yielded (set over the limit)
        # Claims of closed sets wait for their GE and IEA, so that a group or interchange
        # the receiver rejects (999 AK9 R / TA1) marks its claims; None past the limit.
        self.pending: list[Claim] | None = []
        self.pending_streamed = 0  # claims of this interchange already yielded
        self.group_start = 0  # where the open group's claims start in `pending`
        self.isa13_at: dict[str, int] = {}  # ISA13 -> file segment of its first ISA (X12011)
        self.isa_duplicate: str | None = None  # the open interchange repeats an earlier ISA13

    # -- findings -------------------------------------------------------------
    def _file(self, code: str, message: str, sid: str | None = None, **kw) -> Finding:
        kw.setdefault("segment_id", sid)
        return x12_finding(code, message, None, file_segment=self.file_segment, **kw)

    def _set_finding_for(self, claim: Claim, code: str, message: str, **kw) -> None:
        claim.read_findings.append(x12_finding(code, message, claim.claim_id, **kw))

    # -- claims ---------------------------------------------------------------
    def _take_done(self) -> Iterator[Claim]:
        """Move closed claims to the held list (or out, past the per-set limit)."""
        done = self.assembler.done
        self.assembler.done = []
        for claim in done:
            self.interchange_claims += 1
            if self.isa_problem:
                claim.read_findings.insert(
                    0,
                    x12_finding(
                        "X12001",
                        f"interchange {self.interchange.control_number}: {self.isa_problem}",
                        claim.claim_id,
                        segment_id="ISA",
                    ),
                )
            if self.held is None:
                self.streamed += 1
                yield claim
                continue
            self.held.append(claim)
            if len(self.held) > CLAIMS_PER_SET:
                yield self._file(
                    "X12009",
                    f"transaction set {self.st_control} has more than {CLAIMS_PER_SET} claims; "
                    "claims are passed on as read, so a later SE problem is reported file-level",
                    "CLM",
                )
                self.streamed += len(self.held)
                yield from self._flush_pending(stop=True)  # earlier sets first: input order
                self.pending_streamed += len(self.held)
                yield from self.held
                self.held = None

    def _close_set(self, problems: list[tuple[str, str, dict]]) -> Iterator[Claim | Finding]:
        """Finish the open transaction set: attach set-level problems, release its claims."""
        if self.assembler is not None:
            self.assembler.close()
            yield from self._take_done()
            yield from self.assembler.stray
        held = self.held or []
        for code, message, kw in problems:
            for claim in held:
                self._set_finding_for(claim, code, message, **kw)
            if self.streamed:
                yield self._file(code, f"{message} (applies to {self.streamed} claims already reported)", **kw)
            elif not held:
                yield self._file(code, f"{message} (the set has no claim)", **kw)
        yield from self._pend(held)
        self.set_open = False
        self.assembler = None
        self.held = []
        self.streamed = 0

    def _pend(self, claims: list[Claim]) -> Iterator[Claim | Finding]:
        """Hold a closed set's claims until IEA (or pass them on, past the limit)."""
        if self.pending is None:
            self.pending_streamed += len(claims)
            yield from claims
            return
        self.pending.extend(claims)
        if len(self.pending) > CLAIMS_PER_SET:
            yield self._file(
                "X12009",
                f"interchange {self.interchange.control_number if self.interchange else ''} has more than "
                f"{CLAIMS_PER_SET} claims; claims are passed on as read, so a later GE/IEA problem is "
                "reported file-level",
                "CLM",
            )
            yield from self._flush_pending(stop=True)

    def _flush_pending(self, stop: bool = False) -> Iterator[Claim]:
        pending = self.pending or []
        self.pending_streamed += len(pending)
        self.pending = None if stop else []
        self.group_start = 0
        yield from pending

    def _envelope_problem(self, code: str, message: str, sid: str, scope: str, **kw) -> Iterator[Finding]:
        """A GE/IEA problem: the receiver rejects the whole group or interchange, so every
        claim held from it gets the finding; claims already passed on get a file-level one."""
        claims = []
        if self.pending is not None:
            claims = self.pending[self.group_start:] if scope == "group" else self.pending
        for claim in claims:
            self._set_finding_for(claim, code, message, segment_id=sid, **kw)
        if self.pending_streamed:
            yield self._file(code, f"{message} (applies to {self.pending_streamed} claims already reported)",
                             sid, **kw)
        elif not claims:
            yield self._file(code, message, sid, **kw)

    def _duplicate_isa13(self) -> Iterator[Finding]:
        """X12011 on the claims of an interchange whose ISA13 an earlier one used."""
        if self.isa_duplicate:
            yield from self._envelope_problem("X12011", self.isa_duplicate, "ISA", "interchange")
            self.isa_duplicate = None

    def _end_interchange(self) -> Iterator[Claim]:
        yield from self._duplicate_isa13()
        yield from self._flush_pending()
        self.pending_streamed = 0

    def _truncated_set(self, why: str) -> Iterator[Claim | Finding]:
        message = (
            f"transaction set {self.st_control} is not closed: {why} "
            f"(after segment {self.set_segments} of the set)"
        )
        open_claim = self.assembler.claim if self.assembler is not None else None
        if open_claim is not None:
            message += (f"; claim {open_claim.claim_id} was cut off there: any of its segments "
                        "after that point (diagnoses, service lines) are missing")
        yield from self._close_set([("X12004", message, {"segment_id": "SE"})])

    # -- envelope -------------------------------------------------------------
    def _isa(self, els: list[str], interchange: Interchange) -> Iterator[Claim | Finding]:
        if self.interchange is not None:
            if self.set_open:
                yield from self._truncated_set("a new ISA starts before SE")
            if self.group_open:
                yield from self._envelope_problem(
                    "X12004", f"functional group {self.gs_control} has no GE before the next ISA", "GE", "group")
            yield from self._envelope_problem(
                "X12004",
                f"interchange {self.interchange.control_number} has no IEA before the next ISA "
                f"(file segment {self.file_segment})",
                "IEA", "interchange",
            )
        yield from self._end_interchange()
        self.interchange = interchange
        isa13 = interchange.control_number
        first = self.isa13_at.setdefault(isa13, self.file_segment)
        if first != self.file_segment:
            self.isa_duplicate = (f"interchange control number ISA13 {isa13} (file segment {self.file_segment}) "
                                  f"was already used by the interchange at file segment {first}")
        self.delimiters = interchange.delimiters  # kept after IEA for stray data
        self.isa_problem = interchange.problem
        self.interchange_claims = 0
        self.groups = 0
        self.group_open = False

    def _gs(self, els: list[str]) -> Iterator[Finding]:
        if self.set_open:
            yield from self._truncated_set("a GS starts before SE")
        if self.group_open:
            yield from self._envelope_problem(
                "X12004", f"functional group {self.gs_control} has no GE before the next GS", "GE", "group")
        self.group_open = True
        self.group_start = len(self.pending) if self.pending is not None else 0
        self.groups += 1
        self.sets_in_group = 0
        self.gs_control = els[6].strip() if len(els) > 6 else ""
        self.gs_version = els[8].strip() if len(els) > 8 else ""

    def _st(self, els: list[str]) -> Iterator[Claim | Finding]:
        if self.set_open:
            yield from self._truncated_set("the next ST starts before SE")
        if not self.group_open or self.interchange is None:
            yield self._file("X12007", f"ST at file segment {self.file_segment} is outside a GS/GE group", "ST")
        self.sets_in_group += 1
        self.set_open = True
        self.set_segments = 1
        self.st_control = els[2].strip() if len(els) > 2 else ""
        kind = els[1].strip() if len(els) > 1 else ""
        convention = (els[3].strip() if len(els) > 3 else "") or self.gs_version
        self.assembler = None
        if kind != "837" or "X223" in convention or "X224" in convention:
            shown = f"{kind} {convention}".strip()
            yield self._file(
                "X12010",
                f"transaction set {self.st_control} is {shown[:30]!r}, not an 837P; its content is skipped",
                "ST",
            )
            return
        if "X222" not in convention:
            yield self._file(
                "X12010",
                f"transaction set {self.st_control} does not name 005010X222 in ST03 or GS08; "
                "read as 837P",
                "ST",
                severity="warning",
            )
        self.assembler = ClaimAssembler(self.source, self.delimiters, self.st_control)

    def _se(self, els: list[str]) -> Iterator[Claim | Finding]:
        if not self.set_open:
            yield self._file("X12007", f"SE at file segment {self.file_segment} has no ST", "SE")
            return
        self.set_segments += 1
        actual = self.set_segments
        problems = []
        declared = els[1].strip() if len(els) > 1 else ""
        control = els[2].strip() if len(els) > 2 else ""
        where = {"segment_id": "SE", "segment_number": actual, "transaction_set": self.st_control}
        if declared != str(actual):
            problems.append(
                (
                    "X12002",
                    f"SE01 declares {declared or 'no'} segments but transaction set {self.st_control} "
                    f"has {actual} (ST..SE); SE is segment {actual}",
                    {**where, "declared": declared, "found": actual},
                )
            )
        if control != self.st_control:
            problems.append(
                (
                    "X12002",
                    f"SE02 control number '{control}' differs from ST02 '{self.st_control}' "
                    f"(SE at segment {actual})",
                    where,
                )
            )
        yield from self._close_set(problems)

    def _ge(self, els: list[str]) -> Iterator[Claim | Finding]:
        if self.set_open:
            yield from self._truncated_set("GE arrives before SE")
        if not self.group_open:
            yield self._file("X12007", f"GE at file segment {self.file_segment} has no GS", "GE")
            return
        yield from self._trailer(els, "GE", "transaction sets", f"group {self.gs_control}",
                                 self.sets_in_group, "GS06", self.gs_control)
        self.group_open = False

    def _trailer(self, els: list[str], sid: str, counted: str, owner: str, found: int,
                 header: str, header_control: str) -> Iterator[Finding]:
        """X12003 when a GE/IEA trailer's count (element 1) or control number (element 2)
        disagrees with what was read and with its header (GS06 / ISA13)."""
        declared = els[1].strip() if len(els) > 1 else ""
        control = els[2].strip() if len(els) > 2 else ""
        scope = "group" if sid == "GE" else "interchange"
        if declared != str(found):
            yield from self._envelope_problem(
                "X12003",
                f"{sid}01 declares {declared or 'no'} {counted} but {owner} has {found} "
                f"(file segment {self.file_segment})",
                sid, scope,
                declared=declared,
                found=found,
            )
        if control != header_control:
            yield from self._envelope_problem(
                "X12003",
                f"{sid}02 '{control}' differs from {header} '{header_control}' (file segment {self.file_segment})",
                sid, scope,
            )

    def _iea(self, els: list[str]) -> Iterator[Claim | Finding]:
        if self.set_open:
            yield from self._truncated_set("IEA arrives before SE")
        if self.group_open:
            yield from self._envelope_problem(
                "X12004", f"functional group {self.gs_control} has no GE before IEA", "GE", "group")
            self.group_open = False
        if self.interchange is None:
            yield self._file("X12007", f"IEA at file segment {self.file_segment} has no ISA", "IEA")
            return
        isa13 = self.interchange.control_number
        yield from self._trailer(els, "IEA", "functional groups", f"interchange {isa13}",
                                 self.groups, "ISA13", isa13)
        if self.isa_problem and not self.interchange_claims:
            yield self._file("X12001", f"interchange {isa13}: {self.isa_problem}", "ISA")
        yield from self._end_interchange()
        self.interchange = None

    def _end(self, cut_segment: str | None = None, cut_elements: list[str] | None = None) -> Iterator[Claim | Finding]:
        if self.set_open:
            why = "the file ends before SE"
            if cut_segment == "CLM" and self.assembler is not None:
                # a partial CLM still announces a claim: report it, never lose it
                self.assembler.cut_claim(cut_elements or ["CLM"], self.set_segments + 1)
                why = ("the file ends inside a CLM segment (no segment terminator after it; only "
                       "its claim id was read, none of its amounts, diagnoses or service lines)")
            elif cut_segment:
                why = (f"the file ends inside a {cut_segment} segment (no segment terminator after "
                       "it; that partial segment was not read)")
                if cut_segment == "SV1" and self.assembler is not None:
                    self.assembler.lx_open = None  # the cut finding names the partial SV1
            yield from self._truncated_set(why)
        elif cut_segment:
            yield self._file("X12004", f"the file ends inside a {cut_segment} segment (no segment "
                             "terminator after it; that partial segment was not read)", cut_segment)
        if self.group_open:
            yield from self._envelope_problem(
                "X12004", f"the file ends before GE closes functional group {self.gs_control}", "GE", "group")
        if self.interchange is not None:
            isa13 = self.interchange.control_number
            yield from self._envelope_problem(
                "X12004", f"the file ends before IEA closes interchange {isa13}", "IEA", "interchange")
            if self.isa_problem and not self.interchange_claims:
                yield self._file("X12001", f"interchange {isa13}: {self.isa_problem}", "ISA")
            yield from self._duplicate_isa13()
        yield from self._flush_pending(stop=True)

    # -- main loop ------------------------------------------------------------
    def run(self, chunks: Iterable[str]) -> Iterator[Claim | Finding]:
        stream = SegmentStream(chunks)
        envelope = ENVELOPE_IDS
        # Hot-loop state kept in locals, written back before envelope segments.
        file_segment = 0
        set_segments = 0
        set_open = False
        assembler = None
        handler_for = {}.get  # the open 837P set's segment handlers (never envelope ids)
        for batch in stream.batches():
            for els in batch:
                file_segment += 1
                sid = els[0]
                handler = handler_for(sid)
                if handler is not None:  # the common case: a segment of the open set
                    set_segments += 1
                    if handler(els, set_segments):  # true when a claim was closed
                        done, held = assembler.done, self.held
                        if (len(done) == 1 and held is not None and not self.isa_problem
                                and len(held) < CLAIMS_PER_SET):  # _take_done's usual case
                            held.append(done.pop())
                            self.interchange_claims += 1
                        else:
                            yield from self._take_done()
                    continue
                if set_open and sid not in envelope:
                    set_segments += 1
                    if assembler is not None and assembler.claim is not None:
                        assembler.other(els, set_segments)
                    continue
                self.file_segment = file_segment
                self.set_segments = set_segments
                if sid == "ISA":
                    yield from self._isa(els, stream.interchange)
                elif sid == "GS":
                    yield from self._gs(els)
                elif sid == "ST":
                    yield from self._st(els)
                elif sid == "SE":
                    yield from self._se(els)
                elif sid == "GE":
                    yield from self._ge(els)
                elif sid == "IEA":
                    yield from self._iea(els)
                else:
                    yield self._file(
                        "X12007",
                        f"segment {sid[:3]!r} at file segment {file_segment} is outside any ST/SE "
                        "transaction set",
                        sid[:3],
                    )
                set_open = self.set_open
                set_segments = self.set_segments
                assembler = self.assembler
                handler_for = (assembler.handlers if assembler is not None and set_open else {}).get
        self.file_segment = file_segment
        self.set_segments = set_segments
        if self.file_segment == 0:
            found = stream.unreadable or ""
            if not found:
                raise X12InputError(self.source, None, None, "the input is empty")
            if found.startswith("ISA"):
                raise X12InputError(
                    self.source, 1, "ISA",
                    "the ISA header cannot be delimited (element separator, ISA16 or segment "
                    "terminator not recoverable)",
                )
            raise X12InputError(self.source, 1, None, "not an X12 file: it does not start with an ISA segment")
        if stream.unreadable:
            yield self._file(
                "X12001",
                f"an ISA header after file segment {self.file_segment} cannot be delimited; "
                "the rest of the file is not read",
                "ISA",
            )
        yield from self._end(stream.cut_segment, stream.cut_elements)
