"""Check one big file with several worker processes; results come out in input order.

Every worker reads the whole file with the ordinary reader (so envelope checks, segment
numbers and file-level findings are exactly those of a one-process run) and checks only
its share of the claims: all claims of a patient go to one worker (by a hash of the
patient key; claims with no patient key to worker 0), because rules may relate the
claims of one patient within a run (visit caps, replacements: the batch ledger). Each
worker reports every chunk of ``CHUNK`` consecutive claims (its own results in it, maybe
none); the parent merges chunk 0, 1, 2, ... by claim index and streams them on, so
output order equals input order and memory stays flat (each worker's queue holds a few
chunks at most). Worker 0 also reports the file-level outcome (findings that belong to
no claim, or why the file could not be read).

A run with a claim history (``ctx.history``), a hooked checker (``--record``,
``--price``) or a store that cannot be reopened by path is checked in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
import zlib
from collections.abc import Iterator
from pathlib import Path

CHUNK = 256  # claims per chunk
QUEUE_CHUNKS = 8  # chunks a worker may run ahead of the parent
AUTO_MIN_BYTES = 16 * 1024 * 1024  # --jobs auto: files this large get one worker per core
MAX_AUTO_JOBS = 8


def auto_jobs(path: Path) -> int:
    """Workers for ``--jobs auto``: one per core for a big file, else 1."""
    try:
        big = path.stat().st_size >= AUTO_MIN_BYTES
    except OSError:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, MAX_AUTO_JOBS) if big else 1


def can_split(checker) -> bool:
    """Whether this checker's run can be repeated in worker processes."""
    hooked = "check" in vars(checker) or "iter_file" in vars(checker)  # e.g. --record
    return (not hooked and checker.ctx.history is None
            and getattr(checker.ctx.store, "path", None) is not None
            and "fork" in multiprocessing.get_all_start_methods())


def owner(claim, jobs: int) -> int:
    """The worker of a claim: the same for every claim of one patient."""
    key = claim.patient_key
    return zlib.crc32(key.encode("utf-8", "replace")) % jobs if key else 0


def iter_file_parallel(checker, path: Path, jobs: int) -> Iterator:
    """The results of ``checker.iter_file(path)``, worked out by ``jobs`` processes."""
    context = multiprocessing.get_context("fork")
    queues = [context.Queue(maxsize=QUEUE_CHUNKS) for _ in range(jobs)]
    workers = [context.Process(target=_work, args=(checker, str(path), k, jobs, queues[k]), daemon=True)
               for k in range(jobs)]
    for worker in workers:
        worker.start()
    done = False
    try:
        chunk = 0
        while True:
            messages = [_receive(queues[k], workers[k]) for k in range(jobs)]
            kinds = {m[0] for m in messages}
            if kinds == {"end"}:
                done = True
                if messages[0][1] is not None:
                    yield messages[0][1]
                return
            if kinds != {"chunk"} or any(m[1] != chunk for m in messages):
                raise RuntimeError(f"check workers out of step at chunk {chunk}: "
                                   f"{[(m[0], m[1] if m[0] == 'chunk' else '') for m in messages]}")
            merged = [item for m in messages for item in m[2]]
            merged.sort(key=_index)
            for _index_, result in merged:
                yield result
            chunk += 1
    finally:
        for worker in workers:
            if worker.is_alive() and not done:
                worker.terminate()
            worker.join()


def _index(item) -> int:
    return item[0]


def _receive(queue, worker) -> tuple:
    while True:
        try:
            message = queue.get(timeout=1.0)
        except queue_module.Empty:
            if not worker.is_alive():
                raise RuntimeError(f"check worker stopped (exit code {worker.exitcode})") from None
            continue
        if message[0] == "error":
            raise RuntimeError(f"check worker failed:\n{message[1]}")
        return message


def _work(checker, path: str, k: int, jobs: int, queue) -> None:
    """One worker: read the whole file, check its patients' claims, report every chunk."""
    try:
        checker.reopen_store()
        out: list = []
        current = 0  # the chunk being filled
        seen = 0  # claims in the file so far
        tail = None
        for index, item in checker.iter_file_indexed(Path(path), lambda claim: owner(claim, jobs) == k):
            if index is None:  # the file-level outcome
                tail = item if k == 0 else None
                continue
            seen = index + 1
            chunk = index // CHUNK
            while chunk != current:  # every chunk is reported, with or without results
                queue.put(("chunk", current, out))
                out = []
                current += 1
            if item is not None:
                out.append((index, item))
        if seen > current * CHUNK:
            queue.put(("chunk", current, out))
        queue.put(("end", tail))
    except BaseException:  # noqa: BLE001 - the parent reports it
        queue.put(("error", traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()
