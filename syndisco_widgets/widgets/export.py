"""Writing a discussion's logs: one function for every export button, plus a browser download link."""

from __future__ import annotations

import base64
import html
import re
from typing import TYPE_CHECKING, Literal

from ..engine import unique_run_path

if TYPE_CHECKING:
    from pathlib import Path

    from ..engine import Logs

__all__ = ["ExportFormat", "download_link", "export_logs", "file_stem"]

ExportFormat = Literal["json", "csv"]
_MIME = {"json": "application/json", "csv": "text/csv"}
#: Browsers refuse very long data: links; beyond this the folder copy is the way.
MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024


def file_stem(label: str) -> str:
    """A file-name-safe form of a branch label (``"branch 2"`` -> ``"branch-2"``)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-.")
    return stem or "discussion"


def export_logs(logs: Logs, folder: Path, stem: str, kind: ExportFormat) -> Path:
    """Write ``logs`` as JSON (``Logs.export``) or CSV (``Logs.to_csv``) under a name that cannot collide.

    Raises:
        OSError: the folder cannot be written.
    """
    path = unique_run_path(folder, stem=file_stem(stem), suffix=f".{kind}")
    return logs.export(path) if kind == "json" else logs.to_csv(path)


def download_link(path: Path, kind: ExportFormat) -> str:
    """HTML for a link that downloads the written file from the browser ('' if it is too big)."""
    data = path.read_bytes()
    if len(data) > MAX_DOWNLOAD_BYTES:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    name = html.escape(path.name)
    return (
        f'<a class="sdw-download" download="{name}" href="data:{_MIME[kind]};base64,{encoded}">'
        f"Download {name}</a>"
    )
