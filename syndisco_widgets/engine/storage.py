"""Files that never collide and never lose what was written.

* :func:`unique_run_path` names a run file so two runs can never share it.
* :class:`JsonlLogWriter` appends one JSON line per entry, stamped with the
  time it was written, and hands it to the operating system at once, so a
  killed run keeps every finished entry (and the last stamp says when the run
  ended); it syncs the file to disk after each line, or when told to.
* :func:`atomic_write_text` replaces a file in one step.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import LogsFormatError, SyndiscoWarning

FORMAT = "syndisco-widgets/logs-jsonl-1"

#: An experiment folder's plan and progress. The two-dot suffix lets JupyterLab
#: open it in the discussion viewer without claiming every ``manifest.json``.
EXPERIMENT_MANIFEST = "manifest.experiment.json"
# Cells starting with these run as formulas in spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Builds the error a reader raises from its message: an error class, or e.g.
#: ``functools.partial(StudyError, source=...)``.
ErrorFactory = Callable[[str], Exception]


def utc_timestamp() -> str:
    """The current time as ``2026-11-21T13:45:02Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    """The current UTC wall-clock time to the millisecond, e.g. ``2026-11-21T13:45:02.123+00:00``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def unique_run_path(
    directory: str | os.PathLike[str], stem: str = "discussion", suffix: str = ".jsonl"
) -> Path:
    """``directory/stem-YYYYmmdd-HHMMSS-<random>.jsonl``; the folder is created."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return folder / f"{stem}-{stamp}-{uuid.uuid4().hex[:10]}{suffix}"


def read_text_file(path: Path, error: ErrorFactory, what: str) -> str:
    """Read a UTF-8 text file; any OS or decoding failure raises ``error`` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what}; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}; pass the file inside it") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not UTF-8 text (byte {exc.start} is {exc.object[exc.start : exc.start + 1]!r}); "
            f"a {what} must be saved as UTF-8"
        ) from None
    except OSError as exc:
        raise error(f"{path}: cannot read this {what}: {exc.strerror or exc}") from None


def parse_json(raw: str, error: ErrorFactory, where: str, *, strict: bool = False) -> Any:
    """Parse JSON text; bad or too deeply nested JSON raises ``error`` saying where.

    ``strict`` also refuses what Python's reader lets through: a key given
    twice in one object (the last would silently win) and ``NaN``/``Infinity``.
    """
    hooks: dict[str, Any] = (
        {"object_pairs_hook": _no_repeated_keys, "parse_constant": _refuse_constant} if strict else {}
    )
    try:
        return json.loads(raw, **hooks)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise error(f"{where}: JSON nested too deeply to read; flatten the data") from None
    except _RepeatedKeyError as exc:
        raise error(f"{where}: field {exc.args[0]!r} appears twice in one object; keep one") from None
    except ValueError as exc:  # from _refuse_constant
        raise error(f"{where}: not valid JSON: {exc}") from None


class _RepeatedKeyError(Exception):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKeyError(key)
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: Path, error: ErrorFactory, what: str, *, strict: bool = False) -> Any:
    """Parse a JSON file; a missing, unreadable or broken file raises ``error`` saying where."""
    return parse_json(read_text_file(path, error, what), error, str(path), strict=strict)


def strict_json(value: Any, error: ErrorFactory, what: str, *, indent: int | None = None) -> str:
    """``value`` as standard JSON: NaN and infinity are refused, naming the field."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise error(f"{what}: nested too deeply to write as JSON; flatten the data") from None
    except ValueError as exc:
        where = _non_finite_field(value, "")
        if where is None:
            raise error(f"{what}: cannot be written as JSON ({exc})") from None
        raise error(
            f"{what}: {where} is NaN or infinite, which standard JSON cannot hold; "
            "replace it with a finite number or None"
        ) from None
    except TypeError as exc:
        raise error(f"{what}: cannot be written as JSON ({exc})") from None


def _non_finite_field(value: Any, where: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"field {where or '(top level)'!r}"
    children = (
        value.items()
        if isinstance(value, Mapping)
        else enumerate(value)
        if isinstance(value, (list, tuple))
        else ()
    )
    for key, child in children:
        found = _non_finite_field(child, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def csv_safe(value: Any) -> Any:
    """A cell value a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary sibling, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).chmod(0o666 & ~current_umask())  # mkstemp makes 0600; follow the umask like open()
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class JsonlLogWriter:
    """Append-only JSON-lines file: a header line, then one line per entry.

    The file is created exclusively, so an existing file is never
    overwritten. Each write appends one whole line and flushes it to the
    operating system, so a killed process loses at most the line being
    written; the line is also synced to disk (``fsync``) at once, or with
    ``sync_each=False`` at the next :meth:`sync` or :meth:`close`. While a
    writer is open it holds ``<file>.lock`` (see :mod:`.locks`): a second
    writer on the same file fails with
    :class:`~syndisco_widgets.errors.RunLockedError`.

    Args:
        path: The file to create (see :func:`unique_run_path`).
        metadata: Saved in the header, e.g. the run's settings and seed.
        resume: Append to an existing run file instead; a last line cut
            off by a crash is removed first.
        sync_each: Sync every line as it is written (default). ``False``
            leaves syncing to :meth:`sync`, which :func:`~.drive.drive` calls
            once per model call: a power cut then loses at most the lines
            since the last sync, a killed process still nothing.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        metadata: Mapping[str, Any] | None = None,
        *,
        resume: bool = False,
        sync_each: bool = True,
    ) -> None:
        from .locks import WriterLock

        self.sync_each = sync_each
        self._unsynced = False
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = WriterLock(self.path.with_name(self.path.name + ".lock"), f"run file {self.path}")
        try:
            if resume:
                _drop_cut_off_tail(self.path)
                return
            header = {"format": FORMAT, "created": utc_timestamp(), "metadata": dict(metadata or {})}
            self._append({"header": header}, mode="x")
        except BaseException:
            self._lock.release()
            raise

    def write(self, entry: Mapping[str, Any], *, at: str | None = None, **extra: Any) -> None:
        """Append one entry (with optional bookkeeping keys) and push it to disk.

        The record's ``at`` is when it was written (default: now, see :func:`now_iso`).
        """
        self._append({"entry": dict(entry), "at": at or now_iso(), **extra})

    def rewrite_header(self, metadata: Mapping[str, Any]) -> None:
        """Start a file that holds no entries over with a new header (a header cut off by a crash)."""
        _, records = read_jsonl_records(self.path)
        if records:
            raise LogsFormatError(f"{self.path}: holds entries; its header cannot be replaced")
        header = {"format": FORMAT, "created": utc_timestamp(), "metadata": dict(metadata)}
        atomic_write_text(self.path, strict_json({"header": header}, LogsFormatError, str(self.path)) + "\n")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran: nothing more can be written."""
        return not self._lock.held

    def sync(self) -> None:
        """Push every line written so far to disk (nothing to do when each line was synced)."""
        if self._unsynced:
            with self.path.open("ab") as handle:
                os.fsync(handle.fileno())
            self._unsynced = False

    def close(self) -> None:
        """Sync, stop writing and let another writer in (safe to call twice)."""
        try:
            if not self.closed:
                self.sync()
        finally:
            self._lock.release()

    def _append(self, record: Mapping[str, Any], mode: str = "a") -> None:
        if self.closed:
            raise LogsFormatError(f"{self.path}: this writer was closed; resume the run to write more")
        line = strict_json(record, LogsFormatError, f"{self.path}, new line") + "\n"
        with self.path.open(mode, encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            if self.sync_each:
                os.fsync(handle.fileno())
            else:
                self._unsynced = True


def read_jsonl_records(path: Path) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """Read a :class:`JsonlLogWriter` file: ``(header, [(line number, record), ...])``.

    Each record is ``{"entry": {...}, "at": "<written>", ...bookkeeping keys}``
    (files from before records were stamped have no ``at``). The header is
    ``{}`` when the file has none (a crash cut it off).

    A last line cut off mid-write (the run crashed) is dropped with a warning;
    any other broken line raises :class:`LogsFormatError` naming it.
    """
    raw = read_text_file(path, LogsFormatError, "log file")
    lines = raw.split("\n")
    header: dict[str, Any] = {}
    entries: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_json(line, LogsFormatError, f"{path}, line {number}")
        except LogsFormatError:
            if number == len(lines) and not raw.endswith("\n"):
                warnings.warn(
                    f"{path}, line {number}: dropped an entry cut off mid-write",
                    SyndiscoWarning,
                    stacklevel=3,
                )
                break
            raise
        if isinstance(record, dict) and "header" in record:
            header = record["header"] if isinstance(record["header"], dict) else {}
        elif isinstance(record, dict) and isinstance(record.get("entry"), dict):
            entries.append((number, record))
        else:
            raise LogsFormatError(
                f"{path}, line {number}: expected {{'entry': {{...}}}} or {{'header': {{...}}}}"
            )
    return header, entries


def last_record_time(records: Sequence[tuple[int, Mapping[str, Any]]]) -> str | None:
    """When the last of ``records`` (as :func:`read_jsonl_records` gives) was written; None if unstamped."""
    for _, record in reversed(records):
        at = record.get("at")
        if isinstance(at, str) and at:
            return at
    return None


def _drop_cut_off_tail(path: Path) -> None:
    """Truncate an unfinished last line so appended records start on a fresh line."""
    if not path.is_file():
        raise LogsFormatError(f"{path}: no such run file to resume")
    with path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            kept = data.rfind(b"\n") + 1
            handle.truncate(kept)
            line = data[:kept].count(b"\n") + 1
            warnings.warn(
                f"{path}, line {line}: dropped an entry cut off mid-write", SyndiscoWarning, stacklevel=4
            )
