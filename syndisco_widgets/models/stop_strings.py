"""Ending a reply at a stop string, cheaply, on every generated token.

transformers' own ``stop_strings`` criterion rebuilds tables over the whole
vocabulary for each ``generate`` call and does vectorised work on every
step. Here a table is made once per tokenizer and set of stop strings: which
tokens can complete a stop string (their text holds the last character of
one, or a partial character). Only a row whose newest token is such a token
has its new text decoded and searched. The reply's text is still cut at the
first stop string afterwards (:func:`~.base.cut_at_stop`); this only saves
the tokens after it.

This module imports torch; it is loaded with :mod:`.transformers_model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import torch
from transformers import StoppingCriteria

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# A token that decodes alone to this holds part of a multi-byte character.
_PARTIAL = "\ufffd"


def completing_tokens(tokenizer: Any, stops: tuple[str, ...], vocab_size: int) -> tuple[bool, ...]:
    """Per token id, whether producing it can complete one of ``stops``."""
    last_chars = {stop[-1] for stop in stops if stop} | {_PARTIAL}
    known = len(tokenizer)
    texts = tokenizer.batch_decode([[i] for i in range(known)], skip_special_tokens=True)
    flags = [any(c in text for c in last_chars) for text in texts]
    return (*flags, *[True] * (vocab_size - known))  # ids the tokenizer lacks: check them


class StopAtStrings(StoppingCriteria):
    """Ends each row once its new text (after the prompt's ``prompt_len`` columns) holds a stop string."""

    def __init__(
        self,
        tokenizer: Any,
        stops: tuple[str, ...],
        prompt_len: int,
        flags: Sequence[bool],
        decode_kwargs: Mapping[str, Any],
    ) -> None:
        self.tokenizer = tokenizer
        self.stops = tuple(s for s in stops if s)
        self.prompt_len = prompt_len
        self.flags = flags
        self.decode_kwargs = dict(decode_kwargs)

    def __call__(
        self,
        input_ids: torch.LongTensor,
        scores: torch.FloatTensor,  # noqa: ARG002  StoppingCriteria signature
        **kwargs: Any,  # noqa: ARG002  StoppingCriteria signature
    ) -> torch.BoolTensor:
        """Per row, whether its new text now holds a stop string."""
        done = [False] * input_ids.shape[0]
        new = input_ids[:, self.prompt_len :]
        if new.shape[1]:
            for row, token in enumerate(new[:, -1].tolist()):
                if token >= len(self.flags) or self.flags[token]:
                    text = self.tokenizer.decode(new[row], **self.decode_kwargs)
                    done[row] = any(stop in text for stop in self.stops)
        return cast("torch.BoolTensor", torch.tensor(done, dtype=torch.bool, device=input_ids.device))
