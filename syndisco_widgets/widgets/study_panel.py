"""Study files in the studio: open one into the set-up, save the set-up as one.

:class:`StudyOpener` sits at the top of the set-up sidebar; :class:`StudySaver`
in the Export tab. Both show every problem (a bad file, a set-up a study file
cannot hold) inline, with the message that names the field and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..engine import unique_run_path
from ..engine.exports import slug
from ..engine.study import Study, as_study
from ..errors import SyndiscoError
from ._style import classed
from .export import written_html
from .ui import button, note, set_note, set_note_html

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

__all__ = ["STUDY_SUFFIX", "StudyOpener", "StudySaver"]

#: What a saved study file's name ends with.
STUDY_SUFFIX = ".study.json"


class StudyOpener(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A study file path and an Open button; ``apply`` fills the set-up and returns what to say.

    Args:
        apply: Takes the loaded study, fills the set-up from it and returns a
            short message for the person (raising shows the error inline).
        **kwargs: Passed on to the box.
    """

    def __init__(self, apply: Callable[[Study], str], **kwargs: object) -> None:
        self._apply = apply
        self.path = widgets.Text(
            description="Study file",
            placeholder="e.g. town-budget.study.json",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.path.style.description_width = "6em"
        self.open_button = button("Open study", "folder-open", "Fill the set-up from this study file")
        self.status = note("sdw-study-open-status")
        self.open_button.on_click(lambda _: self.load())
        super().__init__(
            [classed(widgets.HBox([self.path, self.open_button]), "sdw-toolbar"), self.status], **kwargs
        )
        classed(self, "sdw-study-opener")

    def load(self, study: Study | str | os.PathLike[str] | None = None) -> Study | None:
        """Load ``study`` (default: the path typed) and fill the set-up; None (message shown) if it fails."""
        given = study if study is not None else self.path.value.strip()
        if not given:
            set_note(
                self.status, "Type the path of a study file first (e.g. town-budget.study.json).", "error"
            )
            return None
        try:
            loaded = as_study(given)
            message = self._apply(loaded)
        except (SyndiscoError, ValueError, TypeError) as exc:
            set_note(self.status, str(exc), "error")
            return None
        set_note(self.status, message, "ok")
        return loaded


class StudySaver(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """The Export tab's "Save set-up as a study": a name, a Save button, and a download link.

    Args:
        make: Builds the study from the studio's set-up under the given name
            (raising shows the error inline, e.g. a scripted model).
        folder: The Text widget holding the folder to write into (shared with the exports).
        name: The name box's first value.
        **kwargs: Passed on to the box.
    """

    def __init__(
        self, make: Callable[[str], Study], folder: widgets.Text, *, name: str = "", **kwargs: object
    ) -> None:
        self._make = make
        self.folder = folder
        self.name = widgets.Text(
            value=name,
            description="Study name",
            placeholder="e.g. town budget",
            layout=widgets.Layout(width="320px"),
        )
        self.save_button = button(
            "Save set-up as a study",
            "save",
            "Write the set-up as a study file into the folder, plus a download link",
        )
        self.status = note("sdw-study-status")
        self.save_button.on_click(lambda _: self.save())
        super().__init__(
            [
                classed(widgets.HBox([self.name, self.save_button]), "sdw-toolbar"),
                widgets.HTML(
                    '<span class="sdw-hint">A study file holds the whole set-up (model, personas, '
                    "turn-taking, settings): hand it to a class so everyone runs the same discussion.</span>"
                ),
                self.status,
            ],
            **kwargs,
        )
        classed(self, "sdw-study-saver")

    def save(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the set-up as ``<name>-<time>-<random>.study.json``; None (message shown) if it cannot."""
        name = self.name.value.strip()
        if not name:
            set_note(self.status, "Save set-up: type a study name first (it names every export).", "error")
            return None
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        try:
            study = self._make(name)
            path = study.save(unique_run_path(target, stem=slug(name), suffix=STUDY_SUFFIX))
        except (SyndiscoError, ValueError, TypeError) as exc:
            set_note(self.status, f"Save set-up: {exc}", "error")
            return None
        except OSError as exc:
            set_note(self.status, f"Save set-up: could not write to {target}: {exc.strerror or exc}", "error")
            return None
        set_note_html(self.status, written_html(path, "json"), "ok")
        return path
