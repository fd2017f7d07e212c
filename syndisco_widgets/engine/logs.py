"""The record of a discussion: an ordered list of entries.

An entry is a plain dict. Every entry has ``name``, ``text``, ``model`` and
``prompt``; entries written by the engine also carry ``role`` (``"user"``,
``"moderator"``, ...), ``source`` (``"model"``, ``"human"`` or ``"seed"``) and
``context``, the ``[start, end)`` indices of the history its speaker was shown.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..errors import LogsFormatError
from .storage import atomic_write_text, read_json, read_jsonl_records, utc_timestamp

if TYPE_CHECKING:
    import pandas as pd

Entry = dict[str, Any]

#: Keys every entry has, in the order they are written.
CORE_KEYS = ("name", "text", "model", "prompt")
_DEFAULTS = {"model": "hardcoded", "prompt": ""}


def make_entry(name: str, text: str, model: str = "hardcoded", prompt: str = "", **extra: Any) -> Entry:
    """Build one checked entry; core keys come first."""
    for field, value in (("name", name), ("text", text), ("model", model), ("prompt", prompt)):
        if not isinstance(value, str):
            raise LogsFormatError(f"log entry field {field!r} must be a string, got {type(value).__name__}")
    return {"name": name, "text": text, "model": model, "prompt": prompt, **extra}


def _entry_from_record(record: Any, where: str) -> Entry:
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


class Logs(Sequence[Entry]):
    """An ordered, exportable record of discussion entries.

    Supports ``len``, indexing, slicing (which gives a new ``Logs``) and
    iteration. Items are copies, so reading a log never changes it.
    """

    def __init__(self, entries: Iterable[Mapping[str, Any]] = (), *, timestamp: str | None = None):
        self.timestamp = timestamp or utc_timestamp()
        self._entries: list[Entry] = [_entry_from_record(e, f"entry {i}") for i, e in enumerate(entries)]

    # -- building -------------------------------------------------------------
    def append(self, name: str, text: str, model: str = "hardcoded", prompt: str = "", **extra: Any) -> Entry:
        """Add one entry at the end and return (a copy of) it."""
        entry = make_entry(name, text, model, prompt, **extra)
        self._entries.append(entry)
        return dict(entry)

    def add(self, entry: Mapping[str, Any]) -> Entry:
        """Add an entry dict (as built by :func:`make_entry`) and return a copy of it."""
        checked = _entry_from_record(entry, f"entry {len(self._entries)}")
        self._entries.append(checked)
        return dict(checked)

    @classmethod
    def from_lists(
        cls, names: Sequence[str], texts: Sequence[str], models: Sequence[str] | None = None
    ) -> Logs:
        """Build logs from parallel lists of names, texts and (optionally) model labels."""
        if models is None:
            models = ["hardcoded"] * len(names)
        if not len(names) == len(texts) == len(models):
            raise LogsFormatError(
                f"names, texts and models must have the same length, got "
                f"{len(names)}, {len(texts)} and {len(models)}"
            )
        logs = cls()
        for name, text, model in zip(names, texts, models):
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
        return dict(self._entries[index])

    def __iter__(self) -> Iterator[Entry]:
        return (dict(e) for e in self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Logs) and self._entries == other._entries

    @property
    def id(self) -> str:
        """A SHA-256 hash of the entries: equal content, equal id."""
        canonical = json.dumps(self._entries, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """``{"timestamp", "logs", "id"}`` with copies of the entries."""
        return {"timestamp": self.timestamp, "logs": [dict(e) for e in self._entries], "id": self.id}

    def __str__(self) -> str:
        return json.dumps(self.to_dict(), indent=4, ensure_ascii=False)

    def __repr__(self) -> str:
        return f"Logs({len(self)} entries, id={self.id[:12]})"

    def to_pandas(self) -> pd.DataFrame:
        """One row per entry: ``turn``, the core keys, and any other keys present."""
        import pandas as pd

        rows = []
        for turn, entry in enumerate(self._entries):
            row = {"turn": turn, **entry}
            context = row.pop("context", None)
            if context is not None or any("context" in e for e in self._entries):
                row["context_start"], row["context_end"] = context or (None, None)
            rows.append(row)
        columns = ["turn", *CORE_KEYS]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=columns)
        rest = [c for c in frame.columns if c not in columns]
        return frame[columns + rest]

    # -- files ----------------------------------------------------------------
    def export(self, path: str | os.PathLike) -> Path:
        """Write the logs as JSON (atomically) and return the path.

        ``Logs.from_file`` reads the file back to an equal object, prompts included.
        """
        return atomic_write_text(Path(path), str(self) + "\n")

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Logs:
        """Read logs written by :meth:`export` or by a :class:`~.storage.JsonlLogWriter`.

        Raises:
            LogsFormatError: the file is not valid; the message says where.
        """
        path = Path(path)
        if path.suffix == ".jsonl":
            header, records = read_jsonl_records(path)
            entries = [_entry_from_record(r["entry"], f"{path}, line {n}") for n, r in records]
            return cls(entries, timestamp=header.get("created"))
        data = read_json(path, LogsFormatError, "log file")
        if not isinstance(data, dict) or not isinstance(data.get("logs"), list):
            raise LogsFormatError(f"{path}: expected an object with a 'logs' list, as written by Logs.export")
        entries = [_entry_from_record(e, f"{path}, logs[{i}]") for i, e in enumerate(data["logs"])]
        timestamp = data.get("timestamp")
        return cls(entries, timestamp=timestamp if isinstance(timestamp, str) else None)
