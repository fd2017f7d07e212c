"""The widgets' one stylesheet (``js/transcript.css`` + ``js/discussion_view.css``), loaded once per page.

anywidget writes a widget's ``_css`` into a ``<style>`` element whose id is
the widget's ``_anywidget_id``. Every syndisco anywidget (transcript, message
box, Insights view) shares one id and the same text, so the page holds a
single copy however many widgets are shown, in whatever order they render. Composites built
from plain ipywidgets include :func:`style_widget` (an invisible anywidget)
so they are styled even without a transcript.
The CSS is a file: no user or model text ever goes into it.
"""

from __future__ import annotations

from typing import Any, TypeVar

import anywidget
import ipywidgets as widgets

from ._static import asset_path

__all__ = ["STYLESHEET", "STYLE_ID", "STYLE_ID_TRAIT", "StyleSheet", "classed", "style_widget"]

W = TypeVar("W", bound=widgets.DOMWidget)

#: The kit's CSS: the transcript's and the discussion view's (the Insights tab), joined.
STYLESHEET = "\n".join(
    asset_path(name).read_text(encoding="utf-8") for name in ("transcript.css", "discussion_view.css")
)
#: anywidget's trait naming the <style> element its CSS goes into.
STYLE_ID_TRAIT = "_anywidget_id"
STYLE_ID = "syndisco-widgets-style"


class StyleSheet(anywidget.AnyWidget):
    """An invisible widget whose only job is to load the stylesheet."""

    _esm = "export default { render({ el }) { el.hidden = true; } };"
    _css = STYLESHEET

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{STYLE_ID_TRAIT: STYLE_ID, "layout": widgets.Layout(display="none"), **kwargs})


_shared: list[StyleSheet] = []


def style_widget() -> StyleSheet:
    """The shared :class:`StyleSheet` (one widget, shown inside every composite)."""
    if not _shared or _shared[0].comm is None:  # closed: make a new one
        _shared[:] = [StyleSheet()]
    return _shared[0]


def classed(widget: W, *names: str) -> W:
    """Add ``sdw-`` CSS classes to ``widget`` and return it (for inline layouts)."""
    for name in names:
        widget.add_class(name if name.startswith("sdw-") else f"sdw-{name}")
    return widget
