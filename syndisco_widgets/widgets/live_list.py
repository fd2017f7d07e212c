"""LiveList: a list kept in Python and drawn in the browser at a constant cost per new item.

The transcript, the log table and the Insights view all grow one entry per
turn. Each sends only that item (``_tail``); the whole list goes out only
when the comm opens, on a reset, and when a view asks for it (a new view, a
reloaded page, or a view that missed items). ``followList`` in
``js/transcript.js`` is the browser half.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import anywidget

from ._static import asset_path
from ._style import STYLE_ID, STYLE_ID_TRAIT, STYLESHEET
from .traits import optional_dict_trait, snapshot_trait
from .wire import ViewMessage, parse_view_message

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["LiveList"]

log = logging.getLogger(__name__)


class LiveList(anywidget.AnyWidget):
    """Base of the kit's growing views: ``_snapshot`` (whole list, rarely) and ``_tail`` (one item).

    Subclasses keep what the list holds and call :meth:`_push` per new item
    and :meth:`_replace` for a new list; the wire form of an item is theirs.
    """

    _esm: str | Path = asset_path("transcript.js")
    _css = STYLESHEET

    _snapshot = snapshot_trait()
    _tail = optional_dict_trait("the item just appended (epoch, index, entry)")

    def __init__(self, **kwargs: Any) -> None:
        # Set before super().__init__(): opening the comm serialises _snapshot.
        if not hasattr(self, "_lock"):
            self._lock = threading.RLock()
        self._wire: list[Any] = getattr(self, "_wire", [])
        self._start: int = getattr(self, "_start", 0)
        # One <style> element for every syndisco widget: anywidget keys it by this id.
        super().__init__(**{STYLE_ID_TRAIT: STYLE_ID, **kwargs})
        self.on_msg(self._on_frontend_msg)

    def wire_snapshot(self) -> Any:
        """The whole list as a full-state sync sends it: ``{epoch, start, entries}``."""
        with self._lock:
            return {"epoch": self._snapshot, "start": self._start, "entries": list(self._wire)}

    def _push(self, wire: Any) -> None:
        """Add one item; only it crosses the comm."""
        with self._lock:
            index = len(self._wire)
            self._wire.append(wire)
            self._tail = {"epoch": self._snapshot, "index": index, "entry": wire}

    def _replace(self, wire: list[Any], start: int = 0) -> None:
        """A new list: views rebuild from the next snapshot."""
        with self._lock:
            self._wire = wire
            self._start = start
            with self.hold_sync():
                self._snapshot += 1
                self._tail = None

    def handle_view_message(self, content: object) -> None:
        """Act on one message from a view; a view that missed items gets the whole list."""
        message = parse_view_message(content)
        if message is not None and message["type"] == "sync":
            self.send_state("_snapshot")
        else:
            self._on_view_message(message, content)

    def _on_view_message(self, message: ViewMessage | None, content: object) -> None:
        log.warning("ignoring unexpected view message %r", message if message is not None else content)

    def _on_frontend_msg(self, _widget: object, content: object, _buffers: object) -> None:
        self.handle_view_message(content)
