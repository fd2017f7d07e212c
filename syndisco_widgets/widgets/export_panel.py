"""ExportPanel: the Export tab of both studios (one export handler).

Who you are, where files go, JSON and CSV buttons, and one status line that
shows the written file with a download link, or what went wrong. What gets
written is the studio's business (``write``); the panel handles the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import ConfigError
from ._style import classed
from .ui import button, note, set_note, set_note_html

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Sequence

    from ..engine.exports import ExportKind

__all__ = ["ExportPanel"]


class ExportPanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Participant, folder, Export JSON / Export CSV and the note about the file written.

    Args:
        write: ``write(folder, kind, participant)`` writes the live run and
            returns ``(path, note_html)``, or None when there is nothing yet.
        folder: The default folder.
        what: What the files hold, for the hint (e.g. "the live branch").
        extra: Widgets shown under the buttons (e.g. saving the set-up as a study).
    """

    def __init__(
        self,
        write: Callable[[Path, ExportKind, str], tuple[Path, str] | None],
        *,
        folder: str | os.PathLike[str],
        what: str,
        extra: Sequence[widgets.Widget] = (),
        **kwargs: Any,
    ) -> None:
        self._write = write
        self.folder = widgets.Text(
            value=str(folder), description="Folder", layout=widgets.Layout(width="320px")
        )
        self.participant = widgets.Text(
            description="Your name", placeholder="names your exports", layout=widgets.Layout(width="260px")
        )
        self.json_button = button(
            "Export JSON", "download", f"{what.capitalize()} as JSON, plus a download link"
        )
        self.csv_button = button(
            "Export CSV", "table", f"{what.capitalize()} as a CSV table, plus a download link"
        )
        self.json_button.on_click(lambda _: self.export("json"))
        self.csv_button.on_click(lambda _: self.export("csv"))
        self.status = note("sdw-export-status")
        hint = widgets.HTML(
            f'<span class="sdw-hint">Files are named after your name and {what}, and never overwrite '
            "each other; the link downloads the same file through the browser.</span>"
        )
        toolbar = classed(
            widgets.HBox([self.participant, self.folder, self.json_button, self.csv_button]), "sdw-toolbar"
        )
        super().__init__([toolbar, hint, self.status, *extra], **kwargs)
        classed(self, "sdw-export")

    def export(self, kind: ExportKind, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the live run as ``kind`` into ``folder`` (default: the Folder box); None if not (noted)."""
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        try:
            written = self._write(target, kind, self.participant.value)
        except (OSError, ConfigError) as exc:  # the writers name the folder they could not write
            set_note(self.status, f"Export: {exc}", "error")
            return None
        if written is None:
            set_note(self.status, "Export: nothing to export yet.", "error")
            return None
        path, markup = written
        set_note_html(self.status, markup, "ok")
        return path

    def clear(self) -> None:
        """Forget the note (it was about another run or branch)."""
        set_note(self.status, "")
