"""SynDisco's ``TransformersModel`` signature over ours (loads torch, so imported on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...models.transformers_model import TransformersModel as _TransformersModel

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path


class TransformersModel(_TransformersModel):
    """Our local Hugging Face model with SynDisco's argument order.

    Args:
        model_path: A Hugging Face id or a local folder.
        name: The label logs record.
        max_out_tokens: Upper bound on new tokens per reply.
        remove_string_list: Strings removed from every reply.
        model_kwargs: Passed to ``AutoModelForCausalLM.from_pretrained``.
        tokenizer_kwargs: Passed to ``AutoTokenizer.from_pretrained``.
        generation_kwargs: Passed to ``generate``.
    """

    def __init__(
        self,
        model_path: str | Path,
        name: str,
        max_out_tokens: int,
        remove_string_list: Sequence[str] | None = None,
        model_kwargs: Mapping[str, Any] | None = None,
        tokenizer_kwargs: Mapping[str, Any] | None = None,
        generation_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            str(model_path),
            name,
            max_out_tokens,
            model_kwargs,
            tokenizer_kwargs,
            generation_kwargs,
            strip_strings=remove_string_list or (),
        )
