"""StudioTabs: the studios' tabs, drawn by the kit itself so they work after a page reload.

An ``ipywidgets.Tab`` below the fold stops reacting after a browser reload
under JupyterLab's default notebook windowing mode: clicks arrive but
``selected_index`` never changes (issue 19). The strip here is a small
anywidget with plain click handlers; Python shows the chosen pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets as widgets
import traitlets

from ._static import asset_path
from ._style import STYLE_ID, STYLE_ID_TRAIT, STYLESHEET, classed

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["StudioTabs", "TabStrip"]


class TabStrip(anywidget.AnyWidget):
    """A row of tab buttons; clicking one sets ``selected_index``."""

    _esm = asset_path("transcript.js")
    _css = STYLESHEET
    _part = traitlets.Unicode("tabs", read_only=True).tag(sync=True)
    titles = traitlets.List(traitlets.Unicode(), help="the tabs' labels").tag(sync=True)
    selected_index = traitlets.Int(0, help="the tab shown").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{STYLE_ID_TRAIT: STYLE_ID, **kwargs})

    @traitlets.validate("selected_index")
    def _valid_index(self, proposal: dict[str, Any]) -> int:
        index = int(proposal["value"])
        count = len(self.titles)
        return min(max(index, 0), count - 1) if count else 0


class StudioTabs(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Named panes under a :class:`TabStrip`; only the chosen pane is shown.

    Args:
        panes: ``(title, widget)`` pairs, in order.
    """

    def __init__(self, panes: Sequence[tuple[str, widgets.Widget]], **kwargs: Any) -> None:
        self.panes: tuple[widgets.Widget, ...] = tuple(widget for _title, widget in panes)
        self.strip = TabStrip(titles=[title for title, _widget in panes])
        self.strip.observe(self._show, names="selected_index")
        super().__init__([self.strip, *self.panes], **kwargs)
        classed(self, "sdw-tabs")
        self._show()

    @property
    def titles(self) -> list[str]:
        """The tabs' labels."""
        return list(self.strip.titles)

    def get_title(self, index: int) -> str:
        """The label of tab ``index``."""
        return str(self.strip.titles[index])

    def pane(self, title: str) -> widgets.Widget:
        """The pane under ``title``.

        Raises:
            KeyError: no tab has that title.
        """
        if title not in self.titles:
            raise KeyError(f"no tab {title!r}; the tabs are {self.titles}")
        return self.panes[self.titles.index(title)]

    @property
    def selected_index(self) -> int:
        """The tab shown."""
        return int(self.strip.selected_index)

    @selected_index.setter
    def selected_index(self, index: int) -> None:
        self.strip.selected_index = index

    def select(self, title: str) -> None:
        """Show the tab labelled ``title``."""
        self.pane(title)  # a clear KeyError for an unknown title
        self.strip.selected_index = self.titles.index(title)

    def _show(self, *_: Any) -> None:
        chosen = self.selected_index
        for i, pane in enumerate(self.panes):
            pane.layout.display = "" if i == chosen else "none"
