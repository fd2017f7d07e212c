"""A key/value cache whose layers grow in place instead of concatenating on every step.

transformers' ``DynamicLayer`` appends a step's keys and values with
``torch.cat``, which copies the whole layer into new tensors every step: with
16 rows of 700 columns that is most of a decode step on a CPU.
:class:`GrowingLayer` keeps room ahead (``reserve`` columns, e.g. the reply's
``max_new_tokens``), writes each step's states into it by index and hands
the model views of the filled part. The values are the same as
``DynamicLayer``'s, so replies are too.

This module imports torch; it is loaded with :mod:`.transformers_model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

if TYPE_CHECKING:
    import torch

#: Columns of room a layer keeps ahead when the caller does not say.
DEFAULT_RESERVE = 64


class GrowingLayer(DynamicLayer):  # type: ignore[no-untyped-call]  # untyped upstream
    """A full-attention cache layer with room kept ahead; ``keys``/``values`` are views of the filled part."""

    def __init__(self, reserve: int = DEFAULT_RESERVE) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped upstream
        self.reserve = reserve
        self._room: tuple[torch.Tensor, torch.Tensor] | None = None

    @classmethod
    def over(cls, keys_room: torch.Tensor, values_room: torch.Tensor, length: int) -> GrowingLayer:
        """A layer whose first ``length`` columns of the given room are filled already."""
        layer = cls(max(keys_room.shape[-2] - length, DEFAULT_RESERVE))
        layer.lazy_initialization(keys_room, values_room)
        layer._room = (keys_room, values_room)
        layer.keys, layer.values = keys_room[:, :, :length], values_room[:, :, :length]
        return layer

    def _owns_filled_part(self) -> bool:
        # Other cache methods (crop, reorder, reset) replace keys/values with new tensors.
        room = self._room
        return room is not None and self.keys is not None and self.keys.data_ptr() == room[0].data_ptr()

    def update(
        self,
        key_states: torch.Tensor,
        value_states: torch.Tensor,
        *args: Any,  # noqa: ARG002  DynamicLayer.update signature
        **kwargs: Any,  # noqa: ARG002  DynamicLayer.update signature
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Write the new states after the filled part; return views of everything filled."""
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        keys, values = self.keys, self.values
        assert keys is not None  # set by lazy_initialization
        assert values is not None
        filled = keys.shape[-2] if keys.numel() else 0
        end = filled + key_states.shape[-2]
        room = self._room if self._owns_filled_part() else None
        if room is None or end > room[0].shape[-2] or room[0].shape[:2] != key_states.shape[:2]:
            width = end + max(self.reserve, end // 4)
            room = (_room_for(key_states, width), _room_for(value_states, width))
            if filled:
                room[0][:, :, :filled] = keys
                room[1][:, :, :filled] = values
            self._room = room
        room[0][:, :, filled:end] = key_states
        room[1][:, :, filled:end] = value_states
        self.keys, self.values = room[0][:, :, :end], room[1][:, :, :end]
        return self.keys, self.values


def _room_for(states: torch.Tensor, width: int) -> torch.Tensor:
    batch, heads, _, dim = states.shape
    return states.new_empty((batch, heads, width, dim))


def growing_cache(reserve: int = DEFAULT_RESERVE, layers: list[GrowingLayer] | None = None) -> DynamicCache:
    """A ``DynamicCache`` made of :class:`GrowingLayer` (given, or added as the model fills them)."""
    cache = DynamicCache()
    if layers is not None:
        cache.layers = list(layers)
    cache.layer_class_to_replicate = lambda: GrowingLayer(reserve)  # type: ignore[assignment]  # a factory
    return cache
