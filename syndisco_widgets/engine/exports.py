"""Exports a class can collect: each names its study, branch and participant.

A student runs a study and calls :func:`export_run`; the file's name and
content say which study it came from, which branch it is and who ran it
(a name the student types). The teacher puts every file into one folder and
calls :func:`load_exports` for one tidy table, a row per entry::

    export_run(discussion, "exports", study=study, participant="Maria", branch="main")
    table = load_exports("exports")  # study, participant, branch, turn, name, text, ...

An export is also a ``Logs.export`` file, so ``Logs.from_file`` reads it.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, LogsFormatError, SyndiscoWarning
from .logs import Logs
from .run_folder import logs_of
from .storage import atomic_write_text, now_iso, read_json, unique_run_path
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
)

_SLUG_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG_LENGTH = 40
_NAMES_SHOWN = 5  # skipped files named in the warning


def slug(text: str) -> str:
    """``text`` made safe for a file name: letters, digits, ``.``, ``_``, ``-``."""
    cleaned = _SLUG_CHARS.sub("-", text).strip(".-_")[:_SLUG_LENGTH].strip(".-_")
    return cleaned or "x"


def export_run(
    source: Any,
    folder: str | os.PathLike[str],
    *,
    participant: str,
    study: Study | None = None,
    branch: str = "main",
    run: RunRecord | Mapping[str, Any] | None = None,
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
        run: The run record, if there is one.

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
    study_name = study.name if study is not None else "no-study"
    stem = f"{slug(study_name)}--{slug(participant)}--{slug(branch)}"
    record = logs.to_dict()
    content: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "study": (
            {"name": study.name, "version": study.to_dict()["version"], "sha256": study.sha256}
            if study is not None
            else None
        ),
        "participant": participant.strip(),
        "branch": branch.strip(),
        "exported": now_iso(),
        "usage": summarize_usage(logs, price=study.price if study else None).total.as_dict(),
        "run": dict(run) if run is not None else None,
        "study_file": study.to_dict() if study is not None else None,
        **record,
    }
    try:
        path = unique_run_path(folder, stem=stem, suffix=".json")
        return atomic_write_text(path, json.dumps(content, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise ConfigError(f"export_run: cannot write into {folder}: {exc.strerror or exc}") from None


def load_exports(folder: str | os.PathLike[str], *, study: str | Study | None = None) -> pd.DataFrame:
    """Every study export under ``folder`` (any depth) as one table, a row per entry.

    Columns: :data:`EXPORT_COLUMNS` first (``study``, ``participant``,
    ``branch``, ``file``, ``turn``, who spoke and what, token counts and
    seconds), then any other entry fields. Rows keep file order, then turn order.

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
        rows.extend({**header, "file": relative, "turn": turn, **entry} for turn, entry in enumerate(logs))
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
    return frame.astype({"prompt_tokens": "Int64", "completion_tokens": "Int64"})


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
