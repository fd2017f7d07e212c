"""Scoring labels with a local causal LM: each label's log-likelihood as the whole reply.

Each label is scored as the prompt's whole reply: its tokens, then the
end-of-reply token, so a label scores as a complete answer, not as the
start of a longer one. The prompts run once (left-padded, keeping their
key/value cache); the cache is then repeated once per label and only the
few label tokens run on top of it, so scoring costs about one pass over the
prompts however many labels there are. Imports torch; loaded by
:class:`~syndisco_widgets.models.transformers_model.TransformersModel` only.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from collections.abc import Sequence

#: What transformers 5 calls a forward pass's key/value cache (older versions: ``past_key_values``).
CACHE_NAME = "cache"

#: Label sequences per pass (prompts x labels); bounds memory on long prompts.
ROWS_PER_PASS = 64


def label_log_likelihoods(
    model: Any,
    tokenizer: Any,
    prompt_texts: Sequence[str],
    labels: Sequence[str],
    *,
    add_special_tokens: bool,
) -> list[list[float]]:
    """One row per prompt text: each label's summed token log-probability as the whole reply.

    Call it holding the model's lock (the torch module and tokenizer are shared).
    """
    end = tokenizer.eos_token_id
    label_ids = [
        tokenizer(label, add_special_tokens=False)["input_ids"] + ([end] if end is not None else [])
        for label in labels
    ]
    prompt_ids = [tokenizer(t, add_special_tokens=add_special_tokens)["input_ids"] for t in prompt_texts]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    per_pass = max(1, ROWS_PER_PASS // len(labels))
    rows: list[list[float]] = []
    for start in range(0, len(prompt_ids), per_pass):
        rows.extend(_score(model, prompt_ids[start : start + per_pass], label_ids, pad_id))
    return rows


def _forward_parameters(model: Any) -> set[str]:
    return set(inspect.signature(model.forward).parameters)


def _score(
    model: Any, prompts: list[list[int]], label_ids: list[list[int]], pad_id: int
) -> list[list[float]]:
    """Each label's log-likelihood after each prompt: the prompts once, then the labels on their cache."""
    device = model.device
    length = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (length - len(p)) + p for p in prompts], device=device)
    mask = torch.tensor([[0] * (length - len(p)) + [1] * len(p) for p in prompts], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: count from each row's first token
    count, longest = len(label_ids), max(len(lab) for lab in label_ids)
    tokens = torch.tensor([lab + [pad_id] * (longest - len(lab)) for lab in label_ids], device=device)
    label_mask = torch.tensor(
        [[1] * len(lab) + [0] * (longest - len(lab)) for lab in label_ids], device=device
    )
    with torch.inference_mode():
        head = model(
            input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        first = torch.log_softmax(head.logits[:, -1].float(), dim=-1)  # predicts each label's first token
        cache = getattr(head, CACHE_NAME, None) or head.past_key_values
        cache.batch_repeat_interleave(count)  # row p * count + i: prompt p, label i
        tail = model(
            **{CACHE_NAME if CACHE_NAME in _forward_parameters(model) else "past_key_values": cache},
            input_ids=tokens.repeat(len(prompts), 1),
            attention_mask=torch.cat(
                [mask.repeat_interleave(count, 0), label_mask.repeat(len(prompts), 1)], 1
            ),
            position_ids=positions[:, -1:].repeat_interleave(count, 0)
            + 1
            + torch.arange(longest, device=device),
            use_cache=False,
        )
        rest = torch.log_softmax(tail.logits.float(), dim=-1)  # position j predicts label token j + 1
    scores = []
    for p in range(len(prompts)):
        row = []
        for i, lab in enumerate(label_ids):
            later = rest[
                p * count + i, torch.arange(len(lab) - 1, device=device), torch.tensor(lab[1:], device=device)
            ]
            row.append(float(first[p, lab[0]] + later.sum()))
        scores.append(row)
    return scores
