"""Whole sentences: a reply cut by the token cap ends at its last complete sentence.

A model stopped by ``max_new_tokens`` stops wherever the cap falls, often
mid-word ("...I couldn"). The entry keeps what a reader should see, the
reply up to its last complete sentence, and records the cut: ``truncated``
is true and ``raw_text`` holds the reply as the model wrote it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models.base import FinishReason

#: The end of a sentence: . ! ? or an ellipsis, any closing quotes or brackets, then a space or the end.
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")
#: What marks a reply that had no complete sentence and was cut at its last whole word.
ELLIPSIS = "\u2026"


def last_whole_sentence(text: str) -> str:
    """``text`` up to the end of its last complete sentence.

    With no complete sentence, the text up to its last whole word followed
    by an ellipsis (the word the cap cut is dropped); a single cut word is
    kept, with the ellipsis.
    """
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if ends:
        return text[: ends[-1]].rstrip()
    words = text.rstrip().rsplit(None, 1)
    kept = words[0] if len(words) == 2 else text.rstrip()  # noqa: PLR2004  (head, cut word)
    return kept.rstrip(" ,;:-\u2013\u2014") + ELLIPSIS if kept else ""


def whole_reply(text: str, finish_reason: FinishReason | None) -> tuple[str, str | None]:
    """The text an entry shows and, when the token cap cut it, the raw text (else ``None``)."""
    if finish_reason != "length" or not text.strip():
        return text, None
    shown = last_whole_sentence(text)
    return (text, None) if shown == text.rstrip() else (shown, text)
