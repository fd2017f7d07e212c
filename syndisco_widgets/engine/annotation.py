"""Annotation: an annotator actor labels every entry of a finished discussion."""

from __future__ import annotations

from ..checks import instance_of, whole_number
from ..errors import ConfigError, ModelError
from . import prompts
from .actors import Actor, ActorType
from .logs import Logs, make_entry


def annotate(logs: Logs, annotator: Actor, history_context_len: int = 0) -> Logs:
    """Label each entry of ``logs`` with ``annotator`` and return the annotations.

    All prompts go to the model in one batched call. Each annotation keeps
    what it labelled: ``target`` (the entry's index), ``target_name`` and
    ``target_text``, plus ``context``, the earlier entries the annotator saw.

    Args:
        logs: The discussion to annotate (left unchanged).
        annotator: An actor of type ``ActorType.ANNOTATOR``; its instructions
            say what to label, e.g. "Rate the toxicity from 1 to 5".
        history_context_len: How many earlier entries the annotator also sees.
    """
    instance_of("annotate logs", logs, Logs, "a Logs object, e.g. discussion.logs or Logs.from_file(path)")
    check_annotator("annotate annotator", annotator)
    whole_number("history_context_len", history_context_len)
    entries = logs.entries()
    windows = [(max(0, i - history_context_len), i) for i in range(len(entries))]
    chats = [prompts.annotation_prompt(annotator, entries[start:end], entries[end]) for start, end in windows]
    try:
        labels = annotator.model.prompt_batch(chats)
    except ModelError as exc:
        raise ModelError(f"annotating {len(entries)} entries with {annotator.name!r} failed: {exc}") from exc
    result = Logs()
    for index, (label, (start, end)) in enumerate(zip(labels, windows, strict=True)):
        result.add(
            make_entry(
                annotator.name,
                label,
                annotator.model.name,
                annotator.describe(),
                role=annotator.role,
                source="model",
                context=[start, end],
                target=index,
                target_name=entries[index]["name"],
                target_text=entries[index]["text"],
            )
        )
    return result


def check_annotator(label: str, annotator: object) -> Actor:
    """Return ``annotator`` if it is an Actor of type ANNOTATOR; else say how to build one."""
    if not isinstance(annotator, Actor) or annotator.actor_type is not ActorType.ANNOTATOR:
        raise ConfigError(
            f"{label} must be an Actor with actor_type=ActorType.ANNOTATOR, got {annotator!r:.80}"
        )
    return annotator
