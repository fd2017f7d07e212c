"""One writer at a time for a run file or an experiment folder.

A :class:`WriterLock` holds an operating-system lock (``flock``) on a lock
file that names its holder (pid, host, time). The operating system drops the
lock when the holder dies, even after ``kill -9``, so a stale lock file is
simply taken over; a live holder makes the second writer fail at once with
an error naming it.
"""

from __future__ import annotations

import json
import os
import socket
import weakref
from typing import IO, TYPE_CHECKING

from ..errors import RunLockedError
from .storage import utc_timestamp

if TYPE_CHECKING:
    from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]


class WriterLock:
    """An exclusive, non-blocking lock on ``path`` (created if needed).

    Args:
        path: The lock file, e.g. ``run.jsonl.lock`` or ``folder/experiment.lock``.
        what: What is protected, for the error message ("run file x.jsonl").

    Raises:
        RunLockedError: another live process (or another object in this
            one) holds the lock; the message names its pid and host.
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._handle: IO[str] | None = _acquire(path, what)
        self._finalizer = weakref.finalize(self, _release, self._handle, path)

    @property
    def held(self) -> bool:
        """True until :meth:`release`."""
        return self._finalizer.alive

    def release(self) -> None:
        """Let another writer in (safe to call twice)."""
        self._finalizer()


def _acquire(path: Path, what: str) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = _describe_holder(handle.read())
            handle.close()
            raise RunLockedError(
                f"{what} is being written by {holder} (lock file {path}); wait for that run to end "
                "or stop it, then try again. A lock left by a process that died is taken over by itself."
            ) from None
        # The file may have been removed by its last holder between open and lock: retry on the new one.
        try:
            same = path.stat().st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    handle.seek(0)
    handle.truncate()
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": utc_timestamp()}
    handle.write(json.dumps(me) + "\n")
    handle.flush()
    return handle


def _describe_holder(text: str) -> str:
    try:
        data = json.loads(text)
        if data["pid"] == os.getpid() and data["host"] == socket.gethostname():
            return f"another object in this process (since {data['since']}; call its close() first)"
        return f"process {data['pid']} on host {data['host']} (since {data['since']})"
    except (ValueError, KeyError, TypeError):
        return "another process"


def _release(handle: IO[str], path: Path) -> None:
    # Remove the file while still holding the lock, so nobody locks a file about to vanish.
    path.unlink(missing_ok=True)
    handle.close()
