"""Scoring labels with a local causal LM: each label's log-likelihood as the whole reply.

Every (prompt, label) pair becomes one sequence, prompt tokens then label
tokens then the end-of-reply token, so a label scores as a complete answer,
not as the start of a longer one. Sequences are left-padded so every
label ends at the last position, and only the last few positions' logits
are computed (``logits_to_keep``). Imports torch; loaded by
:class:`~syndisco_widgets.models.transformers_model.TransformersModel` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Sequences per forward pass (prompts x labels); bounds memory on long prompts.
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
    pairs = [(p, lab) for p in prompt_ids for lab in label_ids]
    scores: list[float] = []
    for start in range(0, len(pairs), ROWS_PER_PASS):
        scores.extend(_score_pairs(model, pairs[start : start + ROWS_PER_PASS], tokenizer.pad_token_id or 0))
    width = len(labels)
    return [scores[i * width : (i + 1) * width] for i in range(len(prompt_texts))]


def _score_pairs(model: Any, pairs: list[tuple[list[int], list[int]]], pad_id: int) -> list[float]:
    """Summed log-probabilities of each pair's label tokens after its prompt, in one forward pass."""
    rows = [p + lab for p, lab in pairs]
    length = max(len(r) for r in rows)
    keep = max(len(lab) for _, lab in pairs) + 1  # the logit before each label token
    ids = torch.tensor([[pad_id] * (length - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (length - len(r)) + [1] * len(r) for r in rows])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: count from each row's first token
    device = model.device
    with torch.inference_mode():
        logits = model(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            position_ids=positions.to(device),
            logits_to_keep=keep,
        ).logits.float()
    log_probs = torch.log_softmax(logits[:, :-1], dim=-1)  # predicts the last keep-1 tokens
    targets = ids[:, length - keep + 1 :].to(device)
    picked = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return [float(picked[i, picked.shape[1] - len(lab) :].sum()) for i, (_, lab) in enumerate(pairs)]
