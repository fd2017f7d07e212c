"""Exports a class can collect: each names its study, branch and participant.

A student runs a study and calls :func:`export_run`; the file's name and
content say which study it came from, which branch it is and who ran it
(a name the student types). The teacher puts every file into one folder and
calls :func:`load_exports` for one tidy table, a row per entry::

    export_run(discussion, "exports", study=study, participant="Maria", branch="main")
    table = load_exports("exports")  # study, participant, branch, turn, name, text, ...

A JSON export is also a ``Logs.export`` file, so ``Logs.from_file`` reads it;
``kind="csv"`` writes the same rows :func:`load_exports` gives, numbered as
the studio shows them (``turn`` 1 is ``#1``; ``saw_from``/``saw_to`` are the
"Saw #1 to #2" of the table).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError, LogsFormatError, SyndiscoWarning
from .logs import Logs
from .run_folder import logs_of
from .run_record import run_file_record, start_run_record
from .storage import atomic_write_text, csv_safe, now_iso, read_json, unique_run_path
from .study import Study
from .usage import summarize_usage

if TYPE_CHECKING:
    import os

    import pandas as pd

    from .run_record import RunRecord

#: Marks a study export file.
EXPORT_FORMAT = "syndisco-widgets/study-export-1"

#: The columns :func:`load_exports` puts first; entry fields follow.
EXPORT_COLUMNS = (
    "study",
    "participant",
    "branch",
    "file",
    "turn",
    "name",
    "role",
    "source",
    "text",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "seconds",
    "saw_from",
    "saw_to",
)

#: Entry keys an export row replaces (``context`` becomes ``saw_from``/``saw_to``).
_REPLACED_KEYS = frozenset({"context"})

ExportKind = Literal["json", "csv"]
_PAIR = 2  # an entry's context is [start, end)

_SLUG_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG_LENGTH = 40
_NAMES_SHOWN = 5  # skipped files named in the warning


def slug(text: str) -> str:
    """``text`` made safe for a file name: letters, digits, ``.``, ``_``, ``-``."""
    cleaned = _SLUG_CHARS.sub("-", text).strip(".-_")[:_SLUG_LENGTH].strip(".-_")
    return cleaned or "x"


def export_stem(participant: str, branch: str, study: Study | None = None) -> str:
    """``<study>--<participant>--<branch>`` (without a study: ``<participant>--<branch>``), file-name safe."""
    parts = [study.name] if study is not None else []
    return "--".join(slug(p) for p in [*parts, participant, branch])


def export_run(
    source: Any,
    folder: str | os.PathLike[str],
    *,
    participant: str,
    study: Study | None = None,
    branch: str = "main",
    run: RunRecord | Mapping[str, Any] | None = None,
    kind: ExportKind = "json",
) -> Path:
    """Write ``source``'s logs as a study export; return the new file.

    The file is ``<study>--<participant>--<branch>-<time>-<random>.json`` in
    ``folder`` (never overwriting another), written atomically.

    Args:
        source: A :class:`Logs` or a discussion (anything with ``.logs``).
        folder: Where to write (created if needed).
        participant: Who ran it, as they typed their name.
        study: The study it was set up from (its name, version, hash and whole
            content go into the file, so the run can be repeated from it).
        branch: Which branch of the discussion this is.
        run: The run record. By default a discussion's own: the one in its
            autosave file, else one made now from its models (their
            identities, the versions, its seed).
        kind: ``"json"`` (the study export) or ``"csv"`` (one row per entry,
            as :func:`load_exports` gives them).

    Raises:
        ConfigError: a wrong argument, or the folder cannot be written.
    """
    logs = logs_of(source)
    if logs is None:
        raise ConfigError(f"export_run: source must be Logs or a discussion, got {type(source).__name__}")
    for label, value in (("participant", participant), ("branch", branch)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"export_run: {label} must be a non-empty name, e.g. {label}='Maria'")
    if study is not None and not isinstance(study, Study):
        raise ConfigError(f"export_run: study must be a Study or None, got {type(study).__name__}")
    if kind not in ("json", "csv"):
        raise ConfigError(f"export_run: kind must be 'json' or 'csv', got {kind!r}")
    header = {
        "study": study.name if study else None,
        "participant": participant.strip(),
        "branch": branch.strip(),
    }
    if kind == "csv":
        text = _csv_text(export_rows(header, logs))
    else:
        record = logs.to_dict()
        content: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "study": (
                {"name": study.name, "version": study.to_dict()["version"], "sha256": study.sha256}
                if study is not None
                else None
            ),
            "participant": header["participant"],
            "branch": header["branch"],
            "exported": now_iso(),
            "usage": summarize_usage(logs, price=study.price if study else None).total.as_dict(),
            "run": dict(run) if run is not None else _run_of(source),
            "study_file": study.to_dict() if study is not None else None,
            **record,
        }
        text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
    try:
        path = unique_run_path(folder, stem=export_stem(participant, branch, study), suffix=f".{kind}")
        return atomic_write_text(path, text)
    except OSError as exc:
        raise ConfigError(f"export_run: cannot write into {folder}: {exc.strerror or exc}") from None


def export_rows(header: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per entry: ``header`` (study, participant, branch, ...), ``turn`` and the entry.

    Numbered as the studio shows them: ``turn`` counts from 1, and the
    entry's ``context`` (the ``[start, end)`` it saw) becomes ``saw_from`` and
    ``saw_to``, both counted from 1 and inclusive (empty when it saw nothing).
    """
    rows = []
    for turn, entry in enumerate(entries, start=1):
        row: dict[str, Any] = {**header, "turn": turn}
        row.update((k, v) for k, v in entry.items() if k not in _REPLACED_KEYS)
        context = entry.get("context")
        row["saw_from"], row["saw_to"] = None, None
        if isinstance(context, list) and len(context) == _PAIR and context[1] > context[0]:
            row["saw_from"], row["saw_to"] = context[0] + 1, context[1]
        rows.append(row)
    return rows


def _csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text: :data:`EXPORT_COLUMNS` first; whole numbers stay whole; no formulas."""
    columns = [c for c in EXPORT_COLUMNS if c != "file"]
    columns += sorted({k for row in rows for k in row} - set(columns) - {"file"})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(_cell(row.get(c))) for c in columns])
    return out.getvalue()


def _cell(value: object) -> object:
    """Lists and dicts as JSON text; missing values empty."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _run_of(source: Any) -> dict[str, Any] | None:
    """A discussion's run record: its autosave file's, else made now from its models; None for plain logs."""
    log_path = getattr(source, "log_path", None)
    if log_path is not None:
        saved = run_file_record(log_path)
        if saved is not None:
            return dict(saved)
    participants = getattr(source, "participants", None)
    if not participants:
        return None
    seed = getattr(source, "seed", None)
    manager = getattr(source, "next_turn_manager", None)
    record = start_run_record(
        [a.model for a in participants],
        seed=getattr(manager, "seed", None),
        generation={"seed": seed} if seed is not None else None,
    )
    return dict(record)


def load_exports(folder: str | os.PathLike[str], *, study: str | Study | None = None) -> pd.DataFrame:
    """Every study export under ``folder`` (any depth) as one table, a row per entry.

    Columns: :data:`EXPORT_COLUMNS` first (``study``, ``participant``,
    ``branch``, ``file``, ``turn``, who spoke and what, token counts,
    seconds and what the speaker saw), then any other entry fields, numbered
    as in :func:`export_rows`. Rows keep file order, then turn order.

    Args:
        folder: The folder the class's exports were collected in.
        study: Keep only exports of this study (a name or a :class:`Study`).

    Raises:
        ConfigError: the folder does not exist or holds no exports.
        LogsFormatError: an export is damaged; the message names the file.
    """
    import pandas as pd

    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"load_exports: {root} is not a folder; pass the folder the exports were put in")
    wanted = study.name if isinstance(study, Study) else study
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    found = 0
    for path in sorted(root.rglob("*.json")):
        data = read_json(path, LogsFormatError, "export")
        if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
            skipped.append(path.name)
            continue
        found += 1
        header = _export_header(path, data)
        if wanted is not None and header["study"] != wanted:
            continue
        logs = Logs.from_file(path)
        relative = path.relative_to(root).as_posix()
        rows.extend(export_rows({**header, "file": relative}, logs))
    if skipped:
        warnings.warn(
            f"load_exports: skipped {len(skipped)} JSON file(s) that are not study exports: "
            f"{', '.join(skipped[:_NAMES_SHOWN])}{' ...' if len(skipped) > _NAMES_SHOWN else ''}",
            SyndiscoWarning,
            stacklevel=2,
        )
    if not found:
        raise ConfigError(
            f"load_exports: no study exports in {root} (files written by export_run or the studio's Export)"
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=list(EXPORT_COLUMNS))
    for column in EXPORT_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    rest = [c for c in frame.columns if c not in EXPORT_COLUMNS]
    frame = frame[[*EXPORT_COLUMNS, *rest]]
    whole = ("turn", "prompt_tokens", "completion_tokens", "saw_from", "saw_to")
    return frame.astype(dict.fromkeys(whole, "Int64"))


def _export_header(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """Study name, participant and branch of one export; a damaged one raises naming the field."""
    study = data.get("study")
    if study is not None and not (isinstance(study, Mapping) and isinstance(study.get("name"), str)):
        raise LogsFormatError(f"{path}: field 'study' must be null or an object with a 'name'")
    header: dict[str, Any] = {"study": study["name"] if study else None}
    for key in ("participant", "branch"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise LogsFormatError(f"{path}: field {key!r} must be a non-empty name, got {value!r:.40}")
        header[key] = value
    return header
