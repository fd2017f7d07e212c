"""The studio's Insights tab: the discussion view (summary strip and transcript) that follows a run.

The front end is ``js/discussion_view.js``, the same module the JupyterLab
extension bundles. anywidget loads one ES module without a bundler, so the
module's one relative import (``./transcript.js``) is pointed at a ``data:``
URL holding that file; nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ._static import asset_path
from ._style import STYLE_ID, STYLESHEET

if TYPE_CHECKING:
    from ..viewer.payload import Payload

TRANSCRIPT_IMPORT = '"./transcript.js"'


def view_module() -> str:
    """``discussion_view.js`` with its import of ``transcript.js`` inlined as a data: URL."""
    source = asset_path("discussion_view.js").read_text(encoding="utf-8")
    helper = base64.b64encode(asset_path("transcript.js").read_bytes()).decode("ascii")
    if TRANSCRIPT_IMPORT not in source:  # pragma: no cover - guards an edit of the JS file
        raise RuntimeError(f"discussion_view.js no longer imports {TRANSCRIPT_IMPORT}; update insights.py")
    return source.replace(TRANSCRIPT_IMPORT, f'"data:text/javascript;base64,{helper}"')


def view_stylesheet() -> str:
    """The transcript's stylesheet plus the view's own: the kit's one stylesheet (see ``_style``)."""
    return STYLESHEET


class InsightsView(anywidget.AnyWidget):
    """Speaking share, turn lengths over time, who followed whom, and the transcript (or a structure's graph).

    Give it what to show, and call :meth:`update` again whenever it changed
    (the studio does so after every finished turn)::

        insights = InsightsView(discussion)
        ...
        insights.update(discussion)

    Args:
        source: Anything :meth:`update` accepts; None shows an empty discussion.
    """

    _esm = view_module()
    _css = STYLESHEET
    # The kit's shared <style> id: the page keeps one copy of the stylesheet.
    _anywidget_id = traitlets.Unicode(STYLE_ID).tag(sync=True)
    payload = traitlets.Dict(help="The viewer payload drawn (see syndisco_widgets.viewer.payload).").tag(
        sync=True
    )

    def __init__(self, source: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self.update(source)

    def update(self, source: Any = None) -> None:
        """Show ``source`` (anything :func:`payload_for` accepts).

        Safe to call from the runner's worker thread.
        """
        payload = payload_for(source)
        with self._lock:
            self.payload = dict(payload)


def payload_for(source: Any) -> Payload:
    """The viewer payload of ``source``.

    ``source`` is ``Logs``, a ``Discussion``, a deliberation structure, an
    experiment folder or ``DiscussionExperiment``, a file path, a list of
    entries, or None (an empty discussion).
    """
    from ..engine.storage import EXPERIMENT_MANIFEST as MANIFEST
    from ..viewer import discussion_payload, experiment_payload, structure_payload

    if source is None:
        return discussion_payload([])
    if hasattr(source, "final_response") and callable(getattr(source, "settings", None)):
        return structure_payload(source)
    if hasattr(source, "plan") or (
        isinstance(source, (str, os.PathLike)) and (Path(source) / MANIFEST).is_file()
    ):
        return experiment_payload(source)
    return discussion_payload(source)
