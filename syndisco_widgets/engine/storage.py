"""Files that never collide and never lose what was written.

* :func:`unique_run_path` names a run file so two runs can never share it.
* :class:`JsonlLogWriter` appends one JSON line per entry and flushes it to
  disk at once, so an interrupted run keeps every finished entry.
* :func:`atomic_write_text` replaces a file in one step.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ConfigError, LogsFormatError

FORMAT = "syndisco-widgets/logs-jsonl-1"


def utc_timestamp() -> str:
    """The current time as ``2026-11-21T13:45:02Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unique_run_path(directory: str | os.PathLike, stem: str = "discussion", suffix: str = ".jsonl") -> Path:
    """``directory/stem-YYYYmmdd-HHMMSS-<random>.jsonl``; the folder is created."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return folder / f"{stem}-{stamp}-{uuid.uuid4().hex[:10]}{suffix}"


def read_json(path: Path, error: type[ConfigError], what: str) -> Any:
    """Parse a JSON file; a missing or broken file raises ``error`` saying where."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary sibling, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class JsonlLogWriter:
    """Append-only JSON-lines file: a header line, then one line per entry.

    The file is created exclusively, so an existing file is never
    overwritten. Each write opens, appends, flushes to disk and closes, so
    nothing stays buffered and no handle is left open.

    Args:
        path: The file to create (see :func:`unique_run_path`).
        metadata: Saved in the header, e.g. the run's settings and seed.
        resume: Append to an existing run file instead; a last line cut
            off by a crash is removed first.
    """

    def __init__(
        self, path: str | os.PathLike, metadata: Mapping[str, Any] | None = None, *, resume: bool = False
    ) -> None:
        self.path = Path(path)
        if resume:
            _drop_cut_off_tail(self.path)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        header = {"format": FORMAT, "created": utc_timestamp(), "metadata": dict(metadata or {})}
        self._append({"header": header}, mode="x")

    def write(self, entry: Mapping[str, Any], **extra: Any) -> None:
        """Append one entry (with optional bookkeeping keys) and push it to disk."""
        self._append({"entry": dict(entry), **extra})

    def _append(self, record: Mapping[str, Any], mode: str = "a") -> None:
        with open(self.path, mode, encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def read_jsonl_records(path: Path) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """Read a :class:`JsonlLogWriter` file: ``(header, [(line number, record), ...])``.

    Each record is ``{"entry": {...}, ...bookkeeping keys}``.

    A last line cut off mid-write (the run crashed) is dropped with a warning;
    any other broken line raises :class:`LogsFormatError` naming it.
    """
    if not path.is_file():
        raise LogsFormatError(f"{path}: no such log file")
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    header: dict[str, Any] = {}
    entries: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not raw.endswith("\n"):
                warnings.warn(f"{path}, line {number}: dropped an entry cut off mid-write", stacklevel=3)
                break
            raise LogsFormatError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
        if isinstance(record, dict) and "header" in record:
            header = record["header"] if isinstance(record["header"], dict) else {}
        elif isinstance(record, dict) and "entry" in record:
            entries.append((number, record))
        else:
            raise LogsFormatError(f"{path}, line {number}: expected {{'entry': ...}} or {{'header': ...}}")
    return header, entries


def _drop_cut_off_tail(path: Path) -> None:
    """Truncate an unfinished last line so appended records start on a fresh line."""
    if not path.is_file():
        raise LogsFormatError(f"{path}: no such run file to resume")
    with open(path, "rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)
