"""Reading a batch's prompts row by row, each at its exact length, before a batched decode.

A batched forward pass computes every row to the widest row's new part, so
one row whose kept prefix is short (a speaker's first turn) makes all rows
pay for its columns. On a CPU a column costs the same in a batch or alone,
so :func:`prefill_rows` reads each prompt on its own instead, all but its
last token, starting from its kept prefix, and keeps the states in the
prefix cache: a later row of the same batch can start from them (the
discussions of a batch share their speakers' system prompts' beginnings).
The batched call then reads one column per row, from joined states.

:func:`row_prefill_pays` says when this is cheaper than one padded pass: the
columns saved times the model's size outweigh one extra forward call per row
(per layer, a fixed dispatch cost). Small models and GPUs keep the padded pass.

This module imports torch; it is loaded with :mod:`.transformers_model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from transformers import DynamicCache

from .prefix_cache import common_starts, padded_ids

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .prefix_cache import Hit, PrefixCache

# The fixed cost of one layer's forward call, in parameter-columns (the parameters times
# the columns computed in the same time): ~0.3 ms of dispatch per layer against ~40 us
# per million parameters per column on one CPU thread.
_CALL_COST_PER_LAYER = 8_000_000


def column_weights(model: Any) -> int:
    """The parameters one prompt column is multiplied with (all but the input embeddings)."""
    total = sum(p.numel() for p in model.parameters())
    embeddings = model.get_input_embeddings()
    return int(total - (embeddings.weight.numel() if embeddings is not None else 0))


def _shared_starts(rows: Sequence[torch.Tensor]) -> list[int]:
    """Per row, the longest start it shares with an earlier row of the batch."""
    table = padded_ids(rows)
    return [0] + [int(common_starts(table[:i], rows[i]).max()) for i in range(1, len(rows))]


def row_prefill_pays(model: Any, rows: Sequence[torch.Tensor], hits: Sequence[Hit], weights: int) -> bool:
    """True when reading ``rows`` one by one costs less than one left-padded pass (CPU only).

    ``weights`` is :func:`column_weights` of ``model``. Padded, every row
    computes the widest row's new part. One by one, a row computes only what
    neither its hit nor an earlier row covers, in one more forward call.
    """
    if len(rows) <= 1 or next(model.parameters()).device.type != "cpu":
        return False
    padded = len(rows) * max(len(row) - hit.length for row, hit in zip(rows, hits, strict=True))
    shared = _shared_starts(rows)
    alone = sum(len(row) - max(hit.length, s) for row, hit, s in zip(rows, hits, shared, strict=True))
    layers = int(getattr(model.config.get_text_config(decoder=True), "num_hidden_layers", 1) or 1)
    return (padded - alone) * weights > len(rows) * layers * _CALL_COST_PER_LAYER


def prefill_rows(model: Any, cache: PrefixCache, rows: Sequence[torch.Tensor], device: Any) -> list[Hit]:
    """Read each row but its last token into ``cache``; the hits then cover all but that token.

    Rows are looked up one after another, so a row can start from the states
    of an earlier row of the same batch.
    """
    body = model.base_model  # the layers without the output head: no logits are needed here
    hits = []
    for row in rows:
        hit = cache.lookup(row)
        end = len(row) - 1
        if end <= hit.length:
            hits.append(hit)
            continue
        states = DynamicCache()
        for index, (keys, values) in enumerate(cache.prefix_states(hit)):
            states.update(keys, values, index)
        body(
            input_ids=row[None, hit.length : end].to(device),
            position_ids=torch.arange(hit.length, end, device=device)[None],
            cache=states,
            use_cache=True,
        )
        hits.append(cache.add(row[:end], states, hit))
    return hits
