"""Greedy decoding for plain causal LMs, with less work per token than ``generate``.

On a small model most of a ``generate`` call is its per-token bookkeeping:
logits processors that inspect their own signatures on every step, stopping
criteria objects, input preparation. :func:`greedy_generate` runs the same
forward passes with the same inputs (the position ids from the attention
mask, no mask when it is all ones, the cache, logits of the last position
only) and picks the same tokens (``argmax``, the end-of-sequence tokens
masked while fewer than ``min_new_tokens`` were made, finished rows padded),
so its token ids equal ``generate``'s. :func:`plain_greedy` says when a
config asks for nothing more; anything else (sampling, penalties, beams,
other processors) goes through ``generate``.

This module imports torch; it is loaded with :mod:`.transformers_model`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from transformers import GenerationConfig

from .growing_cache import growing_cache

if TYPE_CHECKING:
    from collections.abc import Sequence

    from transformers import Cache

# Config fields a plain greedy call may set (anything else: use ``generate``).
_PLAIN_FIELDS = frozenset(
    {
        "max_new_tokens",
        "min_new_tokens",
        "do_sample",
        "pad_token_id",
        "eos_token_id",
        "bos_token_id",
        "use_cache",
        "output_attentions",
        "output_hidden_states",
        "transformers_version",
        "_from_model_config",
    }
)

#: A stopping check: ``(ids so far, scores) -> per-row done``, as transformers' criteria.
StopCheck = Callable[[torch.Tensor, Any], torch.Tensor]


@dataclass(frozen=True)
class GreedySettings:
    """What a plain greedy call needs from its generation config."""

    max_new_tokens: int
    min_new_tokens: int
    eos_ids: tuple[int, ...]
    pad_id: int | None


def _ids(value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value)  # type: ignore[attr-defined]  # a list of ids


def _plain(config: GenerationConfig) -> bool:
    fields = config.to_diff_dict()
    return set(fields) <= _PLAIN_FIELDS and not fields.get("do_sample") and fields.get("use_cache", True)


def plain_greedy(model: Any, config: GenerationConfig) -> GreedySettings | None:
    """The settings when ``config`` (with ``model``'s defaults) is plain greedy decoding, else ``None``.

    Only decoder-only models whose layers keep a plain dynamic cache, in the
    library's own code, qualify.
    """
    from .prefix_cache import supports_reuse

    if (
        getattr(model.config, "is_encoder_decoder", False)
        or getattr(model, "is_remote_code", lambda: True)()
        or not supports_reuse(model)
        or config.max_new_tokens is None
    ):
        return None
    defaults = getattr(model, "generation_config", None) or GenerationConfig()  # type: ignore[no-untyped-call]
    if not (_plain(config) and _plain(defaults)):
        return None
    eos = config.eos_token_id if config.eos_token_id is not None else defaults.eos_token_id
    pad = config.pad_token_id if config.pad_token_id is not None else defaults.pad_token_id
    eos_ids = _ids(eos)
    if pad is None and eos_ids:
        pad = eos_ids[0]
    least = config.min_new_tokens if config.min_new_tokens is not None else defaults.min_new_tokens
    return GreedySettings(int(config.max_new_tokens), int(least or 0), eos_ids, pad)


def keeps_last_logits(model: Any) -> bool:
    """True when ``model``'s forward takes ``logits_to_keep`` (then only the last logits are made)."""
    return "logits_to_keep" in inspect.signature(model.forward).parameters


def greedy_generate(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    settings: GreedySettings,
    *,
    cache: Cache | None = None,
    criteria: Sequence[StopCheck] = (),
    streamer: Any = None,
    last_logits_only: bool = True,
) -> torch.Tensor:
    """Prompt ids followed by the greedy new tokens of each row, as ``generate`` returns them.

    ``input_ids``/``attention_mask`` are left-padded rows; ``cache`` may hold
    the states of their first columns already (then only the rest is read);
    without one, a cache growing in place is made (:mod:`.growing_cache`).
    ``criteria`` end rows early (stop strings, a stopped control); a
    ``streamer`` gets the prompt, then each step's tokens, then ``end()``.
    """
    batch = input_ids.shape[0]
    cache = cache if cache is not None else growing_cache(settings.max_new_tokens)
    read = cache.get_seq_length()
    positions = (attention_mask.long().cumsum(-1) - 1).masked_fill(attention_mask == 0, 0)
    padded = not bool((attention_mask == 1).all())
    mask: torch.Tensor | None = attention_mask if padded else None
    # Decode steps take the padding mask already in the 4D form the model would build from it
    # (batch, 1, 1, columns): the same values, without rebuilding it on every step.
    step_masks = _step_masks(attention_mask, settings.max_new_tokens) if padded else None
    device = input_ids.device
    ends = set(settings.eos_ids)
    eos = torch.tensor(settings.eos_ids, dtype=torch.long, device=device)
    pad = settings.pad_id if settings.pad_id is not None else 0
    ended = [False] * batch  # rows past an end token or a stop; they get pad tokens
    extra: dict[str, Any] = {"logits_to_keep": 1} if last_logits_only else {}
    ids = input_ids
    step_ids, step_positions = input_ids[:, read:], positions[:, read:]
    if streamer is not None:
        streamer.put(input_ids.cpu())
    for made in range(settings.max_new_tokens):
        outputs = model(
            input_ids=step_ids.contiguous(),
            position_ids=step_positions.contiguous(),
            attention_mask=mask,
            cache=cache,
            use_cache=True,
            return_dict=True,
            **extra,
        )
        logits = outputs.logits[:, -1].to(copy=True, dtype=torch.float32, device=device)
        del outputs
        if ends and made < settings.min_new_tokens:
            logits.index_fill_(1, eos, -float("inf"))
        tokens = torch.argmax(logits, dim=-1)
        if ends and any(ended):  # without end tokens, generate pads no row either
            tokens = tokens.masked_fill(torch.tensor(ended, device=device), pad)
        ids = torch.cat([ids, tokens[:, None]], dim=-1)
        if streamer is not None:
            streamer.put(tokens.cpu())
        ended = [done or token in ends for done, token in zip(ended, tokens.tolist(), strict=True)]
        for check in criteria:
            ended = [done or bool(hit) for done, hit in zip(ended, check(ids, None).tolist(), strict=True)]
        if all(ended):
            break
        step_ids, step_positions = tokens[:, None], step_positions[:, -1:] + 1
        if step_masks is not None:
            mask = step_masks[..., : input_ids.shape[1] + made + 1]
    if streamer is not None:
        streamer.end()
    return ids


def _step_masks(attention_mask: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """The decode steps' boolean masks as one tensor: prompt padding, then ``new_tokens`` open columns."""
    batch, columns = attention_mask.shape
    masks = attention_mask.new_ones((batch, 1, 1, columns + new_tokens), dtype=torch.bool)
    masks[:, 0, 0, :columns] = attention_mask.bool()
    return masks
