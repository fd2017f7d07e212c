"""Reuse of the key/value cache of prompt prefixes that repeat between calls.

A speaker's prompt starts with the same system prompt on every turn, and its
history only grows, so most of each prompt was already read by the model on
that speaker's previous turn. :class:`PrefixCache` keeps the key/value states
of recent prompts (least recently used dropped first, bounded in bytes) and
:func:`pack` lays a batch out so that ``generate`` reads only the part of
each prompt that no kept prompt shares.

Layout of a packed batch (``P`` cached columns, then ``S`` new ones), row by row::

    [pad ... pad | cached prefix][pad ... pad | new tokens]

Padded columns have attention mask 0, so every real token keeps the position
it has in its own prompt (generate counts positions from the mask); rows
without a hit have no cached part, and a batch with no hits is the usual
left-padded batch. Keys and values depend only on a token and the tokens
before it, so greedy replies equal those of reading the whole prompt, up to
floating-point noise.

This module imports torch; it is loaded with :mod:`.transformers_model`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

from .growing_cache import DEFAULT_RESERVE, GrowingLayer, growing_cache

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Default bound on the bytes of key/value states kept per model.
DEFAULT_PREFIX_CACHE_BYTES = 512 * 2**20

# One layer's (keys, values), each [1, heads, tokens, head_dim].
_LayerStates = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class _Kept:
    """The key/value states of one earlier prompt."""

    ids: torch.Tensor  # 1-D token ids on the CPU
    layers: tuple[_LayerStates, ...]
    nbytes: int


@dataclass(frozen=True)
class Hit:
    """How much of one prompt a kept prompt covers (``length`` 0: nothing)."""

    key: int | None
    length: int


@dataclass(frozen=True)
class PackedBatch:
    """Inputs for one ``generate`` call that starts from kept states."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    cache: DynamicCache
    #: Per row, the columns that hold its prompt (cached part, then new part).
    columns: tuple[torch.Tensor, ...]
    rows: tuple[torch.Tensor, ...]

    def inputs(self) -> dict[str, Any]:
        """The ``generate`` keyword arguments."""
        return {"input_ids": self.input_ids, "attention_mask": self.attention_mask, "cache": self.cache}


def supports_reuse(model: Any) -> bool:
    """True when ``model`` keeps plain full-attention layers that can be cut and joined.

    Sliding-window, linear-attention and recurrent layers cannot be reused
    from an arbitrary prefix, so such models read the whole prompt.
    """
    if not getattr(model, "_supports_default_dynamic_cache", lambda: False)():
        return False
    try:
        layers = DynamicCache(config=model.config).layers
    except Exception:  # noqa: BLE001  unusual configs: no reuse rather than a failed call
        return False
    return all(type(layer) is DynamicLayer for layer in layers)


def _states(layer: object) -> _LayerStates:
    keys, values = getattr(layer, "keys", None), getattr(layer, "values", None)
    if not isinstance(keys, torch.Tensor) or not isinstance(values, torch.Tensor):
        msg = f"expected a filled key/value cache layer, got {type(layer).__name__}"
        raise TypeError(msg)
    return keys, values


def padded_ids(rows: Sequence[torch.Tensor]) -> torch.Tensor:
    """``rows`` (1-D id tensors) as one table, right-padded with -1 (no token id)."""
    table = torch.full((len(rows), max(len(r) for r in rows)), -1, dtype=torch.long)
    for i, row in enumerate(rows):
        table[i, : len(row)] = row
    return table


def common_starts(table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Per row of ``table`` (see :func:`padded_ids`), how many tokens it shares with the start of ``ids``."""
    width = min(table.shape[1], len(ids))
    return (table[:, :width] == ids[:width]).to(torch.int64).cumprod(dim=1).sum(dim=1)


def _size(states: Sequence[_LayerStates]) -> int:
    return sum(k.numel() * k.element_size() + v.numel() * v.element_size() for k, v in states)


class PrefixCache:
    """Key/value states of recent prompts, least recently used dropped past ``max_bytes``.

    Not thread-safe: the model's generation lock guards it.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._next_key = 0
        self._table: tuple[list[int], torch.Tensor] | None = None  # kept keys and their padded ids
        self._pinned: set[int] = set()  # added within the current call: never replaced before its keep()
        #: Prompt tokens read from kept states instead of being computed (for tests and benchmarks).
        self.reused_tokens = 0

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every kept prompt."""
        self._kept.clear()
        self._pinned.clear()
        self._table = None
        self.nbytes = 0

    def match(self, ids: torch.Tensor) -> Hit:
        """The kept prompt sharing the longest start with ``ids`` (at least one token is left to read).

        One comparison against every kept prompt at once; of equally long
        matches the least recently used wins. Changes nothing (see :meth:`lookup`).
        """
        if not self._kept:
            return Hit(None, 0)
        keys, table = self._id_table()
        lengths = common_starts(table, ids).clamp(max=len(ids) - 1)  # one token left for generate
        recency = {key: i for i, key in enumerate(self._kept)}
        rank = torch.tensor([recency[key] for key in keys])
        row = int(torch.argmax(lengths * (len(keys) + 1) - rank))
        if int(lengths[row]) <= 0:
            return Hit(None, 0)
        return Hit(keys[row], int(lengths[row]))

    def lookup(self, ids: torch.Tensor) -> Hit:
        """:meth:`match`, marking the kept prompt as used and counting its tokens in ``reused_tokens``."""
        return self.use(self.match(ids))

    def use(self, hit: Hit) -> Hit:
        """Mark ``hit``'s kept prompt as used and count its tokens in ``reused_tokens``; return ``hit``."""
        if hit.key is not None:
            self._kept.move_to_end(hit.key)
            self.reused_tokens += hit.length
        return hit

    def prefix_states(self, hit: Hit) -> list[_LayerStates]:
        """Per layer, the kept keys and values of the first ``hit.length`` tokens (none for no hit)."""
        if hit.key is None or not hit.length:
            return []
        return [(k[:, :, : hit.length], v[:, :, : hit.length]) for k, v in self._kept[hit.key].layers]

    def add(self, ids: torch.Tensor, cache: DynamicCache, grown_from: Hit) -> Hit:
        """Keep ``cache`` (one row, the states of all of ``ids``) and return the hit covering it.

        Used within a call, before ``pack``: the bound is applied by :meth:`keep` at its end.
        """
        states = tuple(
            (k.contiguous(), v.contiguous()) for k, v in (_states(layer) for layer in cache.layers)
        )
        self._replace(grown_from)
        key = self._put(ids, states)
        self._pinned.add(key)
        return Hit(key, len(ids))

    def _replace(self, hit: Hit) -> None:
        """Drop the kept prompt ``hit`` came from if the new prompt grew from most of it (a last turn)."""
        grown_from = self._kept.get(hit.key) if hit.key is not None else None
        if grown_from is not None and 2 * hit.length >= len(grown_from.ids) and hit.key not in self._pinned:
            self.nbytes -= self._kept.pop(cast("int", hit.key)).nbytes
            self._table = None

    def _put(self, ids: torch.Tensor, states: tuple[_LayerStates, ...]) -> int:
        nbytes = _size(states)
        key = self._next_key
        self._kept[key] = _Kept(ids, states, nbytes)
        self._next_key += 1
        self.nbytes += nbytes
        self._table = None
        return key

    def _id_table(self) -> tuple[list[int], torch.Tensor]:
        """The kept keys, and their ids as rows padded with -1 (built again once kept prompts change)."""
        if self._table is None:
            keys = list(self._kept)
            self._table = (keys, padded_ids([self._kept[k].ids for k in keys]))
        return self._table

    def pack(
        self,
        rows: Sequence[torch.Tensor],
        hits: Sequence[Hit],
        pad_id: int,
        device: Any,
        reserve: int = DEFAULT_RESERVE,
    ) -> PackedBatch:
        """Inputs and a starting cache for ``rows`` (1-D CPU id tensors) given their ``hits``.

        The cache keeps room for ``reserve`` more columns (see :mod:`.growing_cache`).
        """
        cached = max(h.length for h in hits)
        fresh = max(len(r) - h.length for r, h in zip(rows, hits, strict=True))
        width = cached + fresh
        input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        columns = []
        for i, (row, hit) in enumerate(zip(rows, hits, strict=True)):
            new = len(row) - hit.length
            input_ids[i, cached - hit.length : cached] = row[: hit.length]
            input_ids[i, width - new :] = row[hit.length :]
            mask[i, cached - hit.length : cached] = 1
            mask[i, width - new :] = 1
            columns.append(
                torch.cat([torch.arange(cached - hit.length, cached), torch.arange(width - new, width)])
            )
        layers = self._joined_layers(hits, cached, width + reserve) if cached else None
        cache = growing_cache(reserve, layers)
        return PackedBatch(input_ids.to(device), mask.to(device), cache, tuple(columns), tuple(rows))

    def _joined_layers(self, hits: Sequence[Hit], filled: int, room: int) -> list[GrowingLayer]:
        """Per layer, the hits' kept states left-padded with zeros to ``filled`` columns, as a batch."""
        sample = next(self._kept[h.key] for h in hits if h.key is not None)
        joined = []
        for index, (keys, _) in enumerate(sample.layers):
            shape = (len(hits), keys.shape[1], room, keys.shape[3])
            batch_keys = keys.new_zeros(shape)
            batch_values = keys.new_zeros(shape)
            for row, hit in enumerate(hits):
                if hit.key is None or not hit.length:
                    continue
                kept_keys, kept_values = self._kept[hit.key].layers[index]
                batch_keys[row, :, filled - hit.length : filled] = kept_keys[0, :, : hit.length]
                batch_values[row, :, filled - hit.length : filled] = kept_values[0, :, : hit.length]
            joined.append(GrowingLayer.over(batch_keys, batch_values, filled))
        return joined

    def keep(self, packed: PackedBatch, hits: Sequence[Hit]) -> None:
        """Keep each row's prompt states from ``packed.cache`` after generation.

        A row's states replace the kept prompt it grew from (a speaker's previous turn).
        """
        layers = [_states(layer) for layer in packed.cache.layers]
        self._pinned.clear()
        for row, (ids, columns, hit) in enumerate(zip(packed.rows, packed.columns, hits, strict=True)):
            states = tuple(
                (  # layers may sit on different devices (device_map="auto")
                    keys[row : row + 1].index_select(2, columns.to(keys.device)),
                    values[row : row + 1].index_select(2, columns.to(values.device)),
                )
                for keys, values in layers
            )
            self._replace(hit)
            if _size(states) <= self.max_bytes:
                self._put(ids, states)
        while self.nbytes > self.max_bytes:
            self.nbytes -= self._kept.popitem(last=False)[1].nbytes
            self._table = None
