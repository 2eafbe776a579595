"""Check one big file with several worker processes; results come out in input order.

Every worker reads the whole file with the ordinary reader (so envelope checks, segment
numbers and file-level findings are exactly those of a one-process run) and checks only
its share of the claims: chunks of ``CHUNK`` consecutive claims, dealt round-robin
(chunk c goes to worker c mod N). The parent takes chunk 0, 1, 2, ... from the workers
in turn and streams them on, so output order equals input order and memory stays flat
(each worker's queue holds a few chunks at most). Worker 0 also reports the file-level
outcome (findings that belong to no claim, or why the file could not be read).

Only for runs whose rules are pure: a run with a claim history (``ctx.history``) or a
store that cannot be reopened by path is checked in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
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


def iter_file_parallel(checker, path: Path, jobs: int) -> Iterator:
    """The results of ``checker.iter_file(path)``, worked out by ``jobs`` processes."""
    context = multiprocessing.get_context("fork")
    queues = [context.Queue(maxsize=QUEUE_CHUNKS) for _ in range(jobs)]
    workers = [context.Process(target=_work, args=(checker, str(path), k, jobs, queues[k]), daemon=True)
               for k in range(jobs)]
    for worker in workers:
        worker.start()
    ended = [False] * jobs
    tail = None
    try:
        chunk = 0
        while True:
            k = chunk % jobs
            message = _receive(queues[k], workers[k])
            if message[0] == "chunk":
                if message[1] != chunk:
                    raise RuntimeError(f"worker {k} sent chunk {message[1]}, expected {chunk}")
                yield from message[2]
                chunk += 1
                continue
            ended[k] = True  # no chunk `chunk`: every claim has been passed on
            if k == 0:
                tail = message[1]
            break
        for k in range(jobs):
            while not ended[k]:
                message = _receive(queues[k], workers[k])
                if message[0] == "end":
                    ended[k] = True
                    if k == 0:
                        tail = message[1]
        if tail is not None:
            yield tail
    finally:
        for worker in workers:
            if worker.is_alive() and not all(ended):
                worker.terminate()
            worker.join()


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
    """One worker: read the whole file, check chunks k, k + jobs, ...; then say "end"."""
    try:
        checker.reopen_store()
        out: list = []
        current = None
        tail = None
        for index, item in checker.iter_file_indexed(Path(path), lambda i: (i // CHUNK) % jobs == k):
            if index is None:  # the file-level outcome
                tail = item if k == 0 else None
                continue
            chunk = index // CHUNK
            if current is not None and chunk != current:
                queue.put(("chunk", current, out))
                out = []
            current = chunk
            out.append(item)
        if out:
            queue.put(("chunk", current, out))
        queue.put(("end", tail))
    except BaseException:  # noqa: BLE001 - the parent reports it
        queue.put(("error", traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()
