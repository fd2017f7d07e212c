"""The transcript widget's wire format: what crosses the comm, in both directions.

Python to view (synced traits of :class:`~.transcript.TranscriptView`):

``_snapshot``
    :class:`WireSnapshot`, the whole transcript. Sent only when the comm
    opens, on a reset and when a view asks for it; never per turn.
``_tail``
    :class:`WireTail`, the turn just appended. A view holding ``index``
    entries of that epoch appends it; a view that sees a gap asks for a
    snapshot with a :class:`SyncRequest`.
``_stream``
    :class:`WireStream`, the message being written, or ``None``.

View to Python (custom messages): :data:`ViewMessage`.

The message box (:class:`~.message_box.MessageBox`) syncs ``value`` as it is
typed and sends a :class:`SendRequest` on Ctrl+Enter or Cmd+Enter.

``js/transcript.js`` mirrors these shapes as JSDoc typedefs, and
``js/fixtures/wire_sequence.json`` is one recorded exchange that both test
suites replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol, TypedDict, TypeGuard

from ..engine.entries import ROLES as _ROLES
from ..engine.entries import SOURCES as _SOURCES
from ..engine.entries import Role, Source

__all__ = [
    "BranchRequest",
    "Role",
    "SendRequest",
    "SnapshotSource",
    "Source",
    "SyncRequest",
    "ViewMessage",
    "WireEntry",
    "WireSnapshot",
    "WireStream",
    "WireTail",
    "parse_view_message",
    "wire_entry",
]

CONTEXT_PAIR = 2  # an entry's context is a [start, end) pair


class _WireEntryCore(TypedDict):
    name: str
    text: str
    role: Role
    source: Source


class WireEntry(_WireEntryCore, total=False):
    """One finished turn as the view shows it (prompts and costs stay in Python)."""

    model: str
    context: list[int]
    stopped: bool
    truncated: bool


class WireSnapshot(TypedDict):
    """The whole transcript; ``start`` is the log index of its first entry."""

    epoch: int
    start: int
    entries: list[WireEntry]


class WireTail(TypedDict):
    """The turn just appended; ``index`` counts from the snapshot's first entry."""

    epoch: int
    index: int
    entry: WireEntry


class WireStream(TypedDict):
    """The message being written right now."""

    name: str
    role: Role
    text: str


class SyncRequest(TypedDict):
    """A view missed turns (or a reset) and asks for the live snapshot."""

    type: Literal["sync"]
    epoch: int | None
    have: int


class BranchRequest(TypedDict):
    """The "branch from here" action was used on the entry with log index ``index``."""

    type: Literal["branch"]
    index: int


class SendRequest(TypedDict):
    """Ctrl+Enter (Cmd+Enter) in the message box: send ``text``, the box's value when pressed."""

    type: Literal["send"]
    text: str


ViewMessage = SyncRequest | BranchRequest | SendRequest


class SnapshotSource(Protocol):
    """What the ``_snapshot`` serializer reads from its widget."""

    def wire_snapshot(self) -> WireSnapshot:
        """The live transcript, for a full-state send."""
        ...


def role_of(value: object) -> Role:
    """``value`` if it is a known role, else ``"user"``."""
    return next((r for r in _ROLES if r == value), "user")


def source_of(value: object) -> Source:
    """``value`` if it is a known source, else ``"model"``."""
    return next((s for s in _SOURCES if s == value), "model")


def wire_entry(entry: Mapping[str, Any]) -> WireEntry:
    """The JSON-safe part of one log entry that the view shows.

    Raises:
        TypeError: ``entry`` is not a mapping.
    """
    if not isinstance(entry, Mapping):
        raise TypeError(f"a transcript entry must be a dict, got {type(entry).__name__}")
    out: WireEntry = {
        "name": str(entry.get("name", "")),
        "text": str(entry.get("text", "")),
        "role": role_of(entry.get("role")),
        "source": source_of(entry.get("source")),
    }
    if entry.get("model") is not None:
        out["model"] = str(entry["model"])
    if entry.get("stopped") is True:
        out["stopped"] = True  # the text written before a Stop: shown, never recorded
    if entry.get("truncated") is True:
        out["truncated"] = True  # cut back to its last whole sentence at the token cap
    context = entry.get("context")
    if isinstance(context, (list, tuple)) and len(context) == CONTEXT_PAIR:
        start, end = context
        if _is_int(start) and _is_int(end):
            out["context"] = [start, end]
    return out


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_view_message(content: object) -> ViewMessage | None:
    """The message a view sent, checked; ``None`` for anything malformed."""
    if not isinstance(content, Mapping):
        return None
    kind = content.get("type")
    if kind == "sync":
        epoch, have = content.get("epoch"), content.get("have", 0)
        if (epoch is None or _is_int(epoch)) and _is_int(have):
            return {"type": "sync", "epoch": epoch, "have": have}
    elif kind == "branch":
        index = content.get("index")
        if _is_int(index) and index >= 0:
            return {"type": "branch", "index": index}
    elif kind == "send":
        text = content.get("text")
        if isinstance(text, str):
            return {"type": "send", "text": text}
    return None
