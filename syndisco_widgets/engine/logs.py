"""The record of a discussion: an ordered list of entries.

An entry is a plain dict. Every entry has ``name``, ``text``, ``model`` and
``prompt``; entries written by the engine also carry ``role`` (``"user"``,
``"moderator"``, ...), ``source`` (``"model"``, ``"human"`` or ``"seed"``) and
``context``, the ``[start, end)`` indices of the history its speaker was shown.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast, overload

from ..checks import file_path, path_like, text_sequence, whole_number
from ..errors import ConfigError, LogsFormatError
from .entries import MEASURED_KEYS, ROLES, SOURCES, Entry
from .storage import atomic_write_text, csv_safe, read_json, read_jsonl_records, strict_json, utc_timestamp

if TYPE_CHECKING:
    import os
    from pathlib import Path

    import pandas as pd

#: Keys every entry has, in the order they are written.
CORE_KEYS = ("name", "text", "model", "prompt")
_DEFAULTS = {"model": "hardcoded", "prompt": ""}


def make_entry(name: str, text: str, model: str = "hardcoded", prompt: str = "", **extra: Any) -> Entry:
    """Build one checked entry; core keys come first.

    Raises:
        LogsFormatError: a core field is not a string, or ``role``/``source``
            is not one of the known values.
    """
    for field, value in (("name", name), ("text", text), ("model", model), ("prompt", prompt)):
        if not isinstance(value, str):
            raise LogsFormatError(f"log entry field {field!r} must be a string, got {type(value).__name__}")
    for field, allowed in (("role", ROLES), ("source", SOURCES)):
        if field in extra and extra[field] not in allowed:
            raise LogsFormatError(
                f"log entry field {field!r} must be one of {list(allowed)}, got {extra[field]!r}"
            )
    return cast("Entry", {"name": name, "text": text, "model": model, "prompt": prompt, **extra})


#: An id :attr:`Logs.id` writes (other tools' ids, such as UUIDs, are not checked).
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _entry_from_record(record: object, where: str) -> Entry:
    if not isinstance(record, Mapping):
        raise LogsFormatError(f"{where}: expected an object with 'name' and 'text', got {record!r:.80}")
    missing = [k for k in ("name", "text") if k not in record]
    if missing:
        raise LogsFormatError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
    fields = {**_DEFAULTS, **record}
    try:
        return make_entry(**fields)
    except LogsFormatError as exc:
        raise LogsFormatError(f"{where}: {exc}") from None
    except TypeError:
        raise LogsFormatError(f"{where}: entry keys must be strings") from None


class Logs(Sequence[Entry]):
    """An ordered, exportable record of discussion entries.

    Supports ``len``, indexing, slicing (which gives a new ``Logs``) and
    iteration. Items are copies, so reading a log never changes it. Other
    modules read a log through :meth:`window`, :meth:`count`, :meth:`since_last`
    and :meth:`entries`, never through its private list.
    """

    def __init__(self, entries: Iterable[Mapping[str, Any]] = (), *, timestamp: str | None = None) -> None:
        if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
            raise LogsFormatError(
                f"Logs entries must be a list of entry dicts, got {type(entries).__name__}; "
                "use Logs.from_lists(names, texts) for plain lists"
            )
        self.timestamp = timestamp or utc_timestamp()
        self._entries: list[Entry] = [_entry_from_record(e, f"entry {i}") for i, e in enumerate(entries)]

    # -- building -------------------------------------------------------------
    def append(self, name: str, text: str, model: str = "hardcoded", prompt: str = "", **extra: Any) -> Entry:
        """Add one entry at the end and return (a copy of) it."""
        entry = make_entry(name, text, model, prompt, **extra)
        self._entries.append(entry)
        return _copy(entry)

    def add(self, entry: Mapping[str, Any]) -> Entry:
        """Add an entry dict (as built by :func:`make_entry`) and return a copy of it."""
        checked = _entry_from_record(entry, f"entry {len(self._entries)}")
        self._entries.append(checked)
        return _copy(checked)

    @classmethod
    def from_lists(
        cls, names: Sequence[str], texts: Sequence[str], models: Sequence[str] | None = None
    ) -> Logs:
        """Build logs from parallel lists of names, texts and (optionally) model labels."""
        try:
            names = text_sequence("Logs.from_lists names", names)
            texts = text_sequence("Logs.from_lists texts", texts)
            models = (
                ["hardcoded"] * len(names)
                if models is None
                else text_sequence("Logs.from_lists models", models)
            )
        except ConfigError as exc:
            raise LogsFormatError(str(exc)) from None
        if not len(names) == len(texts) == len(models):
            raise LogsFormatError(
                f"names, texts and models must have the same length, got "
                f"{len(names)}, {len(texts)} and {len(models)}"
            )
        logs = cls()
        for name, text, model in zip(names, texts, models, strict=True):
            logs.append(name, text, model)
        return logs

    # -- reading --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> Logs: ...
    def __getitem__(self, index: int | slice) -> Entry | Logs:
        if isinstance(index, slice):
            return Logs(self._entries[index], timestamp=self.timestamp)
        return _copy(self._entries[index])

    def __iter__(self) -> Iterator[Entry]:
        return (_copy(e) for e in self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Logs) and self._content() == other._content()

    __hash__ = None  # type: ignore[assignment]  # logs are mutable

    def _content(self) -> list[dict[str, Any]]:
        """The entries without the keys that measure the run (see ``MEASURED_KEYS``)."""
        return [{k: v for k, v in e.items() if k not in MEASURED_KEYS} for e in self._entries]

    def entries(self, start: int = 0, end: int | None = None) -> list[Entry]:
        """Copies of the entries ``[start, end)`` (all by default), oldest first."""
        return [_copy(e) for e in self._entries[start:end]]

    def window(self, size: int, end: int | None = None) -> tuple[int, int]:
        """The ``[start, end)`` bounds of the latest ``size`` entries before ``end`` (default: the end)."""
        whole_number("window size", size)
        stop = len(self._entries) if end is None else min(whole_number("window end", end), len(self._entries))
        return max(0, stop - size), stop

    def count_where(self, *, role: str | None = None, source: str | None = None) -> int:
        """How many entries have this ``role`` and/or ``source`` (all entries when both are None)."""
        return sum(
            1
            for e in self._entries
            if (role is None or e.get("role") == role) and (source is None or e.get("source") == source)
        )

    def counts(self) -> Counter[tuple[str | None, str | None]]:
        """Entries counted by ``(role, source)``, e.g. ``{("user", "model"): 4, ("user", "seed"): 1}``."""
        return Counter((e.get("role"), e.get("source")) for e in self._entries)

    def since_last(self, role: str, *, counting_role: str, counting_source: str = "model") -> int:
        """Entries of ``counting_role``/``counting_source`` after the latest entry of ``role``."""
        since = 0
        for entry in reversed(self._entries):
            if entry.get("role") == role:
                break
            if entry.get("role") == counting_role and entry.get("source") == counting_source:
                since += 1
        return since

    @property
    def id(self) -> str:
        """A SHA-256 hash of the entries: equal content, equal id (timings are left out)."""
        canonical = json.dumps(self._content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """``{"timestamp", "logs", "id"}`` with copies of the entries."""
        return {"timestamp": self.timestamp, "logs": self.entries(), "id": self.id}

    def __str__(self) -> str:
        return strict_json(self.to_dict(), LogsFormatError, "Logs", indent=4)

    def __repr__(self) -> str:
        return f"Logs({len(self)} entries, id={self.id[:12]})"

    def to_pandas(self) -> pd.DataFrame:
        """One row per entry: ``turn``, the core keys, and any other keys present."""
        import pandas as pd

        rows = []
        has_context = any("context" in e for e in self._entries)
        for turn, entry in enumerate(self._entries):
            row: dict[str, Any] = {"turn": turn, **entry}
            context = row.pop("context", None)
            if context is not None or has_context:
                row["context_start"], row["context_end"] = context or (None, None)
            rows.append(row)
        columns = ["turn", *CORE_KEYS]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=columns)
        rest = [c for c in frame.columns if c not in columns]
        return frame[columns + rest]

    # -- files ----------------------------------------------------------------
    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write the logs as JSON (atomically, following the umask) and return the path.

        ``Logs.from_file`` reads the file back to an equal object, prompts included.

        Raises:
            LogsFormatError: an entry holds NaN or infinity (named), which JSON cannot.
        """
        target = file_path("Logs.export path", path)
        return atomic_write_text(target, str(self) + "\n")

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write one row per entry (as :meth:`to_pandas`) to a CSV file and return the path.

        Cells a spreadsheet would run as a formula (starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return) are written with a leading
        apostrophe, so model output can never run as a formula.
        """
        target = file_path("Logs.to_csv path", path)
        frame = self.to_pandas()
        rows = [[csv_safe(_cell(v)) for v in row] for row in frame.itertuples(index=False)]
        lines: list[str] = []
        writer = csv.writer(_LineSink(lines), lineterminator="\n")
        writer.writerow(list(frame.columns))
        writer.writerows(rows)
        return atomic_write_text(target, "".join(lines))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Logs:
        """Read logs written by :meth:`export` or by a :class:`~.storage.JsonlLogWriter`.

        Raises:
            LogsFormatError: the file is missing, a folder, not UTF-8, or not
                valid; the message names the file and where it breaks.
        """
        path = path_like("Logs.from_file path", path)
        if path.suffix == ".jsonl":
            header, records = read_jsonl_records(path)
            entries = [_entry_from_record(r["entry"], f"{path}, line {n}") for n, r in records]
            created = header.get("created")
            return cls(entries, timestamp=created if isinstance(created, str) else None)
        data = read_json(path, LogsFormatError, "log file")
        if not isinstance(data, dict) or not isinstance(data.get("logs"), list):
            raise LogsFormatError(f"{path}: expected an object with a 'logs' list, as written by Logs.export")
        entries = [_entry_from_record(e, f"{path}, logs[{i}]") for i, e in enumerate(data["logs"])]
        timestamp = data.get("timestamp")
        logs = cls(entries, timestamp=timestamp if isinstance(timestamp, str) else None)
        _check_stored_id(path, data.get("id"), logs.id)
        return logs


def _check_stored_id(path: Path, stored: object, actual: str) -> None:
    """Refuse a file whose stored id (a SHA-256 this package wrote) no longer matches its entries."""
    if isinstance(stored, str) and _SHA256.fullmatch(stored) and stored != actual:
        raise LogsFormatError(
            f"{path}: its stored id {stored[:12]}... does not match its entries (they hash to "
            f"{actual[:12]}...), so the file was changed after it was saved. Restore the original; if "
            'the change was on purpose, delete its "id" line and the file is read as it is now'
        )


def _copy(entry: Entry) -> Entry:
    """A copy deep enough that changing it never changes the log (``context`` lists included)."""
    copied = dict(entry)
    for key, value in copied.items():
        if isinstance(value, list):
            copied[key] = list(value)
    return cast("Entry", copied)


def _cell(value: object) -> object:
    """Lists and dicts as JSON text in a CSV cell; missing values empty."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124  NaN check
        return ""
    return value


class _LineSink:
    """A file-like target for :mod:`csv` that collects the written text."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)
