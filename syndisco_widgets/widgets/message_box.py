"""MessageBox: a text box that sends on Ctrl+Enter (Cmd+Enter on a Mac), in the body font.

The box syncs ``value`` as it is typed, like ipywidgets' ``Textarea``. The
shortcut sends a :class:`~.wire.SendRequest` carrying the text, and Python
calls the ``on_send`` callbacks; whoever handles the message clears ``value``
once it is taken, so a refused message stays in the box. The view code is
the composer part of ``js/transcript.js`` (one module, one stylesheet).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets
from ipywidgets import CallbackDispatcher

from ._static import asset_path
from ._style import STYLE_ID, STYLE_ID_TRAIT, STYLESHEET
from .wire import parse_view_message

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MessageBox"]

log = logging.getLogger(__name__)


class MessageBox(anywidget.AnyWidget):
    """A multi-line message box; Ctrl+Enter or Cmd+Enter sends what it holds.

    Args:
        **kwargs: Traits (``value``, ``placeholder``, ``disabled``, ``rows``) and
            widget options (e.g. ``layout``).
    """

    _esm = asset_path("transcript.js")
    _css = STYLESHEET

    #: Tells the shared ES module to draw a message box, not a transcript.
    _part = traitlets.Unicode("composer", read_only=True).tag(sync=True)
    value = traitlets.Unicode("", help="the text in the box (synced as it is typed)").tag(sync=True)
    placeholder = traitlets.Unicode("", help="shown while the box is empty").tag(sync=True)
    disabled = traitlets.Bool(default_value=False, help="refuse typing and sending").tag(sync=True)
    rows = traitlets.Int(2, help="visible lines").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{STYLE_ID_TRAIT: STYLE_ID, **kwargs})
        self._send_handlers = CallbackDispatcher()
        self.on_msg(self._on_frontend_msg)

    def on_send(self, callback: Callable[[str], object], *, remove: bool = False) -> None:
        """Call ``callback(text)`` when Ctrl+Enter (Cmd+Enter) is pressed in the box."""
        self._send_handlers.register_callback(callback, remove=remove)

    def handle_view_message(self, content: object) -> None:
        """Act on one message from the view; ignore malformed ones and sends while disabled."""
        message = parse_view_message(content)
        if message is None or message["type"] != "send":
            log.warning("ignoring malformed message-box message %r", content)
            return
        if self.disabled:
            return
        self.value = message["text"]  # the view's text when the keys were pressed
        self._send_handlers(message["text"])

    def _on_frontend_msg(self, _widget: object, content: object, _buffers: object) -> None:
        self.handle_view_message(content)
