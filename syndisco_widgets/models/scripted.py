"""A deterministic stand-in model for tests, teaching and offline demos."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence

from .base import BaseModel, ChatPrompt, Completion, GenerationOptions, MaybeControl, MaybeOptions
from .labels import parsed_label

Reply = str | Callable[[ChatPrompt], str]


class ScriptedModel(BaseModel):
    """Replies from a script instead of a neural network.

    Every call is recorded in :attr:`calls` (and every batched call in
    :attr:`batch_calls`), so tests can check exactly what each speaker saw.

    Args:
        replies: Texts used in turn (cycling), or a function of the prompt.
            By default the reply is ``"Reply N"`` where N counts calls.
        name: Label recorded in logs.
        token_delay: Seconds to wait between streamed words, to mimic a
            slow model when testing streaming and stopping.
        fail_on_call: Raise ``RuntimeError`` on this call number (1-based),
            to test how callers survive a model failing mid-run.
    """

    def __init__(
        self,
        replies: Sequence[str] | Callable[[ChatPrompt], str] | None = None,
        *,
        name: str = "scripted",
        max_out_tokens: int = 256,
        token_delay: float = 0.0,
        fail_on_call: int | None = None,
        strip_strings: Sequence[str] = (),
    ) -> None:
        super().__init__(name, max_out_tokens, strip_strings)
        self.replies = replies if callable(replies) else list(replies or [])
        self.token_delay = token_delay
        self.fail_on_call = fail_on_call
        self.calls: list[ChatPrompt] = []
        self.batch_calls: list[list[ChatPrompt]] = []
        self._lock = threading.Lock()

    def _next_reply(self, prompt: ChatPrompt) -> str:
        with self._lock:
            self.calls.append(prompt)
            number = len(self.calls)
        if number == self.fail_on_call:
            raise RuntimeError(f"scripted failure on call {number}")
        if callable(self.replies):
            return self.replies(prompt)
        if self.replies:
            return self.replies[(number - 1) % len(self.replies)]
        return f"Reply {number}"

    def generate(
        self, prompt: ChatPrompt, *, control: MaybeControl = None, options: MaybeOptions = None
    ) -> Completion:
        """Reply from the script, one word at a time; words count as tokens."""
        text = self._next_reply(prompt)
        limit = self.max_out_tokens
        if options is not None and options.max_new_tokens is not None:
            limit = min(limit, options.max_new_tokens)
        words = re.findall(r"\S+\s*", text)
        pieces = words[:limit]
        made = ""
        for piece in pieces:
            if control is not None and control.stopped:
                break
            if self.token_delay:
                time.sleep(self.token_delay)
            made += piece
            if control is not None:
                control.put(piece)
        prompt_words = sum(len(m["content"].split()) for m in prompt.messages) + len(prompt.system.split())
        return Completion(
            made,
            prompt_tokens=prompt_words,
            completion_tokens=len(re.findall(r"\S+", made)),
            finish_reason="length" if len(words) > limit else "stop",
        )

    def score_labels(self, prompts: Sequence[ChatPrompt], labels: Sequence[str]) -> list[list[float]]:
        """Scores from the script: the label the scripted reply names scores 0, the others -10.

        A reply naming no label scores every label the same (the first then wins).
        Each prompt counts as one call in :attr:`calls`.
        """
        rows = []
        for prompt in prompts:
            named = parsed_label(self._next_reply(prompt), labels)
            rows.append([0.0 if named in (None, label) else -10.0 for label in labels])
        return rows

    def generate_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> list[Completion]:
        """Reply to each prompt in turn; the batch is recorded in :attr:`batch_calls`."""
        self.batch_calls.append(list(prompts))
        return [self.generate(p, options=options) for p in prompts]
