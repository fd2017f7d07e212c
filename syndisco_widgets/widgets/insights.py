"""The studio's Insights tab: the discussion view (summary strip and transcript) that follows a run.

The front end is ``js/insights.js`` around ``js/discussion_view.js``, the
module the JupyterLab extension bundles. anywidget loads one ES module
without a bundler, so relative imports are pointed at ``data:`` URLs holding
those files; nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..viewer.payload import view_entries
from ._static import asset_path
from ._style import STYLESHEET
from .live_list import LiveList

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..viewer.payload import Payload

_LOCAL_IMPORT = re.compile(r'"\./([\w]+\.js)"')


def inline_module(name: str) -> str:
    """The ES module ``name`` with each of its ``./x.js`` imports inlined as a data: URL (recursively)."""
    source = asset_path(name).read_text(encoding="utf-8")

    def data_url(match: re.Match[str]) -> str:
        inner = base64.b64encode(inline_module(match.group(1)).encode("utf-8")).decode("ascii")
        return f'"data:text/javascript;base64,{inner}"'

    return _LOCAL_IMPORT.sub(data_url, source)


def view_module() -> str:
    """``insights.js`` with its imports (``discussion_view.js``, ``transcript.js``) inlined."""
    return inline_module("insights.js")


def view_stylesheet() -> str:
    """The transcript's stylesheet plus the view's own: the kit's one stylesheet (see ``_style``)."""
    return STYLESHEET


class InsightsView(LiveList):
    """Speaking share, turn lengths over time, who followed whom, and the transcript (or a structure's graph).

    Give it what to show with :meth:`update` (the whole source, sent once),
    then :meth:`append` each new entry (one entry crosses the comm, whatever
    the log's length)::

        insights = InsightsView(discussion)
        ...
        insights.append(entry)

    Args:
        source: Anything :meth:`update` accepts; None shows an empty discussion.
    """

    _esm = view_module()

    def __init__(self, source: Any = None, **kwargs: Any) -> None:
        self._lock = threading.RLock()
        self._base: dict[str, Any] = dict(payload_for(None))
        super().__init__(**kwargs)
        self.update(source)

    @property
    def payload(self) -> dict[str, Any]:
        """The viewer payload shown now (see syndisco_widgets.viewer.payload)."""
        with self._lock:
            return {**self._base, "entries": list(self._wire)}

    def wire_snapshot(self) -> Any:
        """The whole payload, for a full-state sync: the entries plus the rest under ``payload``."""
        snapshot = super().wire_snapshot()
        with self._lock:
            snapshot["payload"] = {k: v for k, v in self._base.items() if k != "entries"}
        return snapshot

    def update(self, source: Any = None) -> None:
        """Show ``source`` (anything :func:`payload_for` accepts), sent whole once.

        Safe to call from the runner's worker thread.
        """
        payload: dict[str, Any] = dict(payload_for(source))
        entries = list(payload.pop("entries", []))
        with self._lock:
            self._base = payload
            self._replace(entries)

    def append(self, entry: Mapping[str, Any]) -> None:
        """Add one new entry; only it is sent."""
        self._push(view_entries([entry])[0])


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
