"""Writing a discussion's logs: one function for every export button, plus a browser download link.

JSON exports are study exports (:func:`~syndisco_widgets.engine.exports.export_run`):
they name the study, the participant and the branch, so a teacher can load a
class's files into one table with ``load_exports``.
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

from ..engine.exports import ExportKind, export_run

if TYPE_CHECKING:
    from pathlib import Path

    from ..engine import Discussion
    from ..engine.study import Study

__all__ = [
    "ANONYMOUS",
    "download_link",
    "export_branch",
    "written_html",
]

_MIME = {"json": "application/json", "csv": "text/csv"}
#: Browsers refuse very long data: links; beyond this the folder copy is the way.
MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024
#: The participant an export names when nobody typed a name.
ANONYMOUS = "anonymous"
ANONYMOUS_HINT = (
    f'No name typed, so the file says "{ANONYMOUS}": type your name in "Your name" '
    "so your teacher can tell your files apart."
)


def download_link(path: Path, kind: ExportKind) -> str:
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


def export_branch(
    discussion: Discussion,
    folder: Path,
    kind: ExportKind,
    *,
    study: Study | None,
    participant: str,
    branch: str,
) -> tuple[Path, str]:
    """Write one branch as a study export (JSON) or its table (CSV); return the file and the note to show.

    Both are named ``<study>--<participant>--<branch>-<time>-<random>``; an
    empty ``participant`` is written as :data:`ANONYMOUS` and the note says so.

    Raises:
        OSError, ConfigError: the folder cannot be written.
    """
    name = participant.strip() or ANONYMOUS
    path = export_run(discussion, folder, study=study, participant=name, branch=branch, kind=kind)
    hint = "" if participant.strip() else f'<div class="sdw-hint">{html.escape(ANONYMOUS_HINT)}</div>'
    return path, written_html(path, kind) + hint


def written_html(path: Path, kind: ExportKind) -> str:
    """'Wrote <path>' and the download link, as HTML (escaped)."""
    wrote = html.escape(str(path), quote=False)
    return f'<span class="sdw-ok">Wrote {wrote}</span> · {download_link(path, kind)}'
