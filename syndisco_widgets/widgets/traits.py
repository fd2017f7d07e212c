"""Wire formats of the transcript widget (what crosses the comm).

The transcript is synced as three small pieces rather than one list trait:

``_snapshot``
    Python value: the *epoch* (an int bumped on every ``reset``). On the wire
    it is ``{"epoch": e, "entries": [...]}`` read from the widget at send
    time, so any full-state send (comm open, page reload's ``request_state``,
    a resync request from a view) carries the live transcript. It is only
    sent on those occasions, never per turn.
``_tail``
    ``{"epoch": e, "index": i, "entry": {...}}``: the turn just appended. A
    view that has ``i`` entries of epoch ``e`` appends it; a view that sees a
    gap asks Python for a snapshot (custom message ``{"type": "sync"}``).
``_stream``
    ``{"name", "role", "text"}`` of the message being written, or ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

# Keys of a log entry the front end uses. Anything else (prompts, extra keys)
# stays in Python: it is not shown and would only cost bytes per turn.
WIRE_KEYS = ("name", "text", "model", "role", "source", "context")


def wire_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of one log entry that the front end shows."""
    if not isinstance(entry, Mapping):
        raise TypeError(f"a transcript entry must be a dict, got {type(entry).__name__}")
    out: dict[str, Any] = {
        "name": str(entry.get("name", "")),
        "text": str(entry.get("text", "")),
        "role": str(entry.get("role") or "user"),
        "source": str(entry.get("source") or "model"),
    }
    if entry.get("model") is not None:
        out["model"] = str(entry["model"])
    context = entry.get("context")
    if isinstance(context, (list, tuple)) and len(context) == 2:
        try:
            out["context"] = [int(context[0]), int(context[1])]
        except (TypeError, ValueError):
            pass
    return out


def _snapshot_to_json(epoch: int, widget: Any) -> dict[str, Any]:
    return {"epoch": epoch, "entries": widget._wire_snapshot()}


def snapshot_trait() -> traitlets.Int:
    """The ``_snapshot`` trait: an epoch in Python, the full transcript on the wire."""
    return traitlets.Int(0).tag(sync=True, to_json=_snapshot_to_json, echo_update=False)


def optional_dict_trait() -> traitlets.Dict:
    """A synced dict trait that may be ``None`` (``_tail`` and ``_stream``)."""
    return traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
