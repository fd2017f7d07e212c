"""Trait factories for the widgets: validation and serialization live in the trait.

The shapes that cross the comm are defined in :mod:`.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import traitlets

if TYPE_CHECKING:
    from .wire import SnapshotSource, WireSnapshot

E = TypeVar("E", bound=Enum)
Payload = Mapping[str, object] | None


def _snapshot_to_json(_epoch: int, widget: SnapshotSource) -> WireSnapshot:
    # The trait holds only the epoch; the wire value is read at send time, so any
    # full-state send (comm open, page reload, a view's resync) carries the live transcript.
    return widget.wire_snapshot()


def snapshot_trait() -> traitlets.Int[int, int]:
    """The ``_snapshot`` trait: an epoch in Python, a :class:`~.wire.WireSnapshot` on the wire."""
    return traitlets.Int(0, help="bumped on every reset").tag(
        sync=True, to_json=_snapshot_to_json, echo_update=False
    )


class OptionalDict(traitlets.TraitType[Payload, Payload]):
    """A JSON object or ``None``; anything else is refused when set."""

    info_text = "a dict or None"
    allow_none = True
    default_value = None

    def validate(self, obj: Any, value: Any) -> Payload:
        """Accept a mapping or None."""
        if value is None or isinstance(value, Mapping):
            return value
        return self.error(obj, value)  # raises TraitError


def optional_dict_trait(help_text: str) -> OptionalDict:
    """A synced dict trait that may be ``None`` (``_tail`` and ``_stream``)."""
    return OptionalDict(help=help_text).tag(sync=True)


def enum_trait(kind: type[E], default: E, help_text: str) -> traitlets.UseEnum:
    """A trait that holds members of ``kind`` and refuses anything else."""
    return traitlets.UseEnum(kind, default_value=default, help=help_text)
