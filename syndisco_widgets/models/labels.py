"""Choosing a label from a fixed set: what annotation with ``labels=`` asks of a model.

Three ways, best first (:meth:`BaseModel.choose_labels` picks):

* ``"likelihood"``: a local model scores each label as the whole reply to
  the prompt (:meth:`BaseModel.score_labels`) and the likeliest wins; the
  label is always one of the set and the probabilities are kept.
* ``"guided"``: a server that offers guided choice (vLLM's structured
  outputs) can only reply with one of the labels.
* ``"parsed"``: the reply is read for a label; if none is found the model
  is asked once more, told the labels; if still none, the label is ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import ConfigError

if TYPE_CHECKING:
    from .base import BaseModel, ChatPrompt, Completion

#: How a label was chosen.
LabelMethod = Literal["likelihood", "guided", "parsed"]
#: What the retry asks when a reply held no label.
RETRY_ASK = "Answer with exactly one of these and nothing else: {labels}"
#: New tokens a retry (and a guided reply) may take.
LABEL_REPLY_TOKENS = 16


@dataclass(frozen=True)
class LabelChoice:
    """The label a model chose for one prompt.

    Attributes:
        label: One of the labels, or ``None`` when a parsed reply held none.
        method: ``"likelihood"``, ``"guided"`` or ``"parsed"``.
        probabilities: Each label's probability (``"likelihood"`` only).
        raw_text: What the model wrote (``""`` for ``"likelihood"``).
        prompt_tokens: Prompt tokens, when the backend counts them.
        completion_tokens: Reply tokens, when the backend counts them.
        seconds: This prompt's share of the time spent.
    """

    label: str | None
    method: LabelMethod
    probabilities: dict[str, float] | None = None
    raw_text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float = 0.0


def checked_labels(labels: object) -> tuple[str, ...]:
    """``labels`` as a tuple if it is a list of two or more distinct, non-blank strings.

    Raises:
        ConfigError: naming ``labels=`` and showing a working example.
    """
    example = "e.g. labels=['1', '2', '3', '4', '5']"
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise ConfigError(f"labels must be a list of label strings ({example}), got {labels!r:.60}")
    items = list(labels)
    bad = [x for x in items if not isinstance(x, str) or not x.strip()]
    if bad:
        raise ConfigError(f"labels must be non-blank strings ({example}); {bad[0]!r:.40} is not")
    if len(items) < 2:  # noqa: PLR2004  a choice needs two
        raise ConfigError(f"labels needs at least two labels to choose from ({example}), got {items}")
    if len({x.strip() for x in items}) != len(items):
        raise ConfigError(f"labels must be distinct, got {items}")
    return tuple(x.strip() for x in items)


def choice_from_scores(
    scores: Sequence[float],
    labels: Sequence[str],
    seconds: float = 0.0,
    baseline: Sequence[float] | None = None,
) -> LabelChoice:
    """The likeliest label, with every label's probability (a softmax of the log-likelihoods).

    With a ``baseline`` (the scores without the content), the likelihoods are
    divided by it first: each label's gain from what was read decides.
    """
    if baseline is not None:
        scores = [s - b for s, b in zip(scores, baseline, strict=True)]
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    probabilities = {label: round(w / total, 6) for label, w in zip(labels, weights, strict=True)}
    best = max(range(len(labels)), key=lambda i: scores[i])
    return LabelChoice(labels[best], "likelihood", probabilities, seconds=seconds)


def parsed_label(text: str, labels: Sequence[str]) -> str | None:
    """The label ``text`` gives: the whole reply, else the first label written as a word in it."""
    bare = text.strip().strip("\"'`*.:!()[] ").casefold()
    for label in labels:
        if bare == label.casefold():
            return label
    found = []
    for label in labels:
        match = re.search(rf"(?<!\w){re.escape(label.casefold())}(?!\w)", text.casefold())
        if match:
            found.append((match.start(), -len(label), label))
    return min(found)[2] if found else None


def parse_with_retry(
    model: BaseModel,
    prompts: Sequence[ChatPrompt],
    labels: Sequence[str],
    *,
    first: Sequence[Completion] | None = None,
) -> list[LabelChoice]:
    """Ask for labels as free text; ask once more, told the labels, where a reply held none.

    ``first`` are replies already made to ``prompts`` (they are parsed instead of asking).
    """
    from .base import ChatMessage, ChatPrompt, GenerationOptions

    first = model.complete_batch(prompts) if first is None else list(first)
    choices = [_parsed(c, labels) for c in first]
    missing = [i for i, c in enumerate(choices) if c.label is None]
    if missing:
        ask = RETRY_ASK.format(labels=", ".join(labels))
        again = [
            ChatPrompt(
                prompts[i].system,
                (
                    *prompts[i].messages,
                    ChatMessage(role="assistant", content=first[i].text),
                    ChatMessage(role="user", content=ask),
                ),
            )
            for i in missing
        ]
        retried = model.complete_batch(again, options=GenerationOptions(max_new_tokens=LABEL_REPLY_TOKENS))
        for i, completion in zip(missing, retried, strict=True):
            choices[i] = _parsed(completion, labels, before=first[i])
    return choices


def _parsed(completion: Completion, labels: Sequence[str], before: Completion | None = None) -> LabelChoice:
    raw = completion.text if before is None else f"{before.text}\n{completion.text}"
    return LabelChoice(
        parsed_label(completion.text, labels),
        "parsed",
        raw_text=raw,
        prompt_tokens=_total(completion.prompt_tokens, before.prompt_tokens if before else 0),
        completion_tokens=_total(completion.completion_tokens, before.completion_tokens if before else 0),
        seconds=completion.seconds + (before.seconds if before else 0.0),
    )


def _total(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b
