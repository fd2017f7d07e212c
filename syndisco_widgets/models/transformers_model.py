"""A :class:`BaseModel` backed by a Hugging Face causal language model.

This module imports torch and transformers at import time; the package loads
it lazily (``syndisco_widgets.models.TransformersModel``).
"""

from __future__ import annotations

import copy
import hashlib
import threading
import warnings
from typing import TYPE_CHECKING, Any, cast

import torch
from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList, TextStreamer

from ..checks import finite_number, mapping, optional_seed, whole_number
from ..errors import ConfigError, SyndiscoWarning
from .base import (
    BaseModel,
    ChatPrompt,
    Completion,
    GenerationControl,
    GenerationOptions,
    MaybeControl,
    MaybeOptions,
    cut_at_stop,
)
from .cache import checked_device, load_model_and_tokenizer, resolve_device
from .generation_settings import checked_generation_kwargs
from .greedy_decode import GreedySettings, greedy_generate, keeps_last_logits, plain_greedy
from .growing_cache import DEFAULT_RESERVE, growing_cache
from .prefix_cache import DEFAULT_PREFIX_CACHE_BYTES, Hit, PackedBatch, PrefixCache, supports_reuse
from .row_prefill import column_weights, prefill_rows, row_prefill_pays
from .stop_strings import StopAtStrings, completing_tokens

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# torch's global RNG is process-wide: every sampling call (from any model or
# thread) holds this lock so a seeded call's random stream is not interleaved
# with another call's draws. Always taken after a model's own lock.
_RNG_LOCK = threading.Lock()

# Per-options generation configs kept at most (they are cheap to remake).
_MAX_KEPT_CONFIGS = 64

# Decoding options shared by the final decode and the streamer, so streamed
# pieces join up to exactly the returned text.
_DECODE_KWARGS: dict[str, Any] = {"skip_special_tokens": True, "clean_up_tokenization_spaces": False}


# Per options: the config for ``generate``, its stop strings, and plain-greedy settings (or None).
_CallConfig = tuple[GenerationConfig, tuple[str, ...], GreedySettings | None]


class _CallbackStreamer(TextStreamer):
    """Sends each finished piece of new text (never the prompt) to a callback."""

    def __init__(self, tokenizer: Any, control: GenerationControl) -> None:
        super().__init__(tokenizer, skip_prompt=True, **_DECODE_KWARGS)
        self.control = control

    def on_finalized_text(self, text: str, stream_end: bool = False) -> None:  # noqa: ARG002  streamer signature
        self.control.put(text)


class _ControlStoppingCriteria(StoppingCriteria):
    """Stops every sequence once the control is stopped."""

    def __init__(self, control: GenerationControl) -> None:
        self.control = control

    def __call__(
        self,
        input_ids: torch.LongTensor,
        scores: torch.FloatTensor,  # noqa: ARG002  StoppingCriteria signature
        **kwargs: Any,  # noqa: ARG002  StoppingCriteria signature
    ) -> torch.BoolTensor:
        stopped = torch.full(
            (input_ids.shape[0],), self.control.stopped, dtype=torch.bool, device=input_ids.device
        )
        return cast("torch.BoolTensor", stopped)


def _fallback_chat_text(chat: list[dict[str, str]]) -> str:
    """Plain-text prompt for tokenizers without a chat template.

    Format: one ``Role: content`` line per message (System, User, Assistant),
    then ``Assistant:`` for the model to continue.
    """
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in chat]
    return "\n".join([*lines, "Assistant:"])


class TransformersModel(BaseModel):
    """A local or Hugging Face Hub causal LM, run with ``transformers``.

    For real work pass a small instruct model, e.g.
    ``TransformersModel("Qwen/Qwen2.5-0.5B-Instruct", name="qwen", max_out_tokens=200)``
    (downloaded once by transformers into its cache). For tests and demos
    without a download use ``build_tiny_model()`` (meaningless output).

    Models are loaded through a process-wide cache (see
    :mod:`syndisco_widgets.models.cache`): instances with the same path,
    kwargs and device share one torch module, and generation on it is
    serialized by one lock, so many agents and threads can share a model.

    Decoding is greedy unless ``temperature > 0``. With ``seed`` set, each
    reply depends only on (seed, prompt text), not on call order, and the
    global torch RNG state is left untouched.

    Args:
        model_path: Local folder (saved with ``save_pretrained``) or Hub id.
        name: Label recorded in logs next to every reply.
        max_out_tokens: Maximum new tokens per reply (``max_new_tokens``).
        model_kwargs: Extra ``AutoModelForCausalLM.from_pretrained`` arguments
            (e.g. ``{"dtype": "auto"}``, ``{"device_map": "auto"}``).
        tokenizer_kwargs: Extra ``AutoTokenizer.from_pretrained`` arguments.
        generation_kwargs: ``GenerationConfig`` fields applied on top of ours
            (they win, e.g. ``{"repetition_penalty": 1.1}``).
        strip_strings: Substrings removed from every finished reply.
        temperature: ``None`` or ``0`` for greedy decoding; ``> 0`` to sample.
        top_p: Nucleus-sampling threshold in (0, 1]; used only when sampling.
        seed: Makes sampled replies reproducible per prompt.
        device: ``"auto"`` (cuda, then mps, then cpu) or a torch device string.
        prefix_reuse: Keep the key/value states of recent prompts and read
            only the part of a new prompt they do not cover (a speaker's
            system prompt and the history it saw last turn). Greedy replies
            are the same either way (as with batching, up to floating-point
            noise, which can tip a sampled draw in rare cases); ``False``
            reads every prompt whole.
        prefix_cache_bytes: At most this many bytes of kept states (least
            recently used prompts are dropped first).

    Raises:
        ModelLoadError: the model or tokenizer cannot be loaded; the message
            names the path and the fix.
        ConfigError: an argument has a wrong value.
    """

    def __init__(
        self,
        model_path: str,
        name: str,
        max_out_tokens: int,
        model_kwargs: Mapping[str, Any] | None = None,
        tokenizer_kwargs: Mapping[str, Any] | None = None,
        generation_kwargs: Mapping[str, Any] | None = None,
        *,
        strip_strings: Sequence[str] = (),
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        device: str = "auto",
        prefix_reuse: bool = True,
        prefix_cache_bytes: int = DEFAULT_PREFIX_CACHE_BYTES,
    ) -> None:
        super().__init__(name, max_out_tokens, strip_strings)
        if temperature is not None:
            finite_number("temperature", temperature, low=0.0)
        if top_p is not None and finite_number("top_p", top_p, 0.0, 1.0) == 0:
            raise ConfigError(f"top_p must be None or a number in (0, 1], got {top_p!r}")
        optional_seed("seed", seed)
        model_kwargs = mapping("model_kwargs", model_kwargs)
        tokenizer_kwargs = mapping("tokenizer_kwargs", tokenizer_kwargs)
        generation_kwargs = checked_generation_kwargs(generation_kwargs)
        device = checked_device(device)
        if not isinstance(prefix_reuse, bool):
            raise ConfigError(f"prefix_reuse must be True or False, got {prefix_reuse!r}")
        whole_number("prefix_cache_bytes", prefix_cache_bytes)

        self.model_path = str(model_path)
        self.temperature = temperature
        self.top_p = top_p
        self.seed = seed
        self.model_kwargs = dict(model_kwargs or {})
        self.tokenizer_kwargs = dict(tokenizer_kwargs or {})
        self.generation_kwargs = dict(generation_kwargs or {})

        #: The shared torch module, tokenizer and generation lock (from the cache).
        self.model, self.tokenizer, self._lock = load_model_and_tokenizer(
            self.model_path, self.model_kwargs, self.tokenizer_kwargs, resolve_device(device)
        )
        #: Where inputs are sent (the model's first parameter's device).
        self.device: torch.device = self.model.device

        #: True when the tokenizer has a chat template; else the plain fallback is used.
        self.uses_chat_template = bool(getattr(self.tokenizer, "chat_template", None))
        if not self.uses_chat_template:
            warnings.warn(
                f"the tokenizer of {self.model_path!r} has no chat template; "
                "using a plain 'System: ...\\nUser: ...\\nAssistant:' prompt instead. "
                "Replies may be poor: prefer an instruct/chat model.",
                SyndiscoWarning,
                stacklevel=2,
            )
        self.generation_config = self._build_generation_config()
        # Made once and reused: per-options configs, and per-stop-set token tables.
        self._call_configs: dict[GenerationOptions | None, _CallConfig] = {}
        self._stop_tables: dict[tuple[str, ...], tuple[bool, ...]] = {}
        # Plain full-attention layers: their cache can be cut, joined and grown in place.
        self._plain_layers = supports_reuse(self.model)
        #: Kept prompt states (``None`` when reuse is off or the model's layers cannot be reused).
        self.prefix_cache: PrefixCache | None = (
            PrefixCache(prefix_cache_bytes) if prefix_reuse and self._plain_layers else None
        )
        self._column_weights = column_weights(self.model)
        self._last_logits_only = keeps_last_logits(self.model)

    # -- setup ----------------------------------------------------------------
    def _build_generation_config(self) -> GenerationConfig:
        """Our defaults (greedy unless temperature > 0), then the user's kwargs on top."""
        fields: dict[str, Any] = {"max_new_tokens": self.max_out_tokens}
        if self.temperature:  # > 0: sample
            fields["do_sample"] = True
            fields["temperature"] = float(self.temperature)
            if self.top_p is not None:
                fields["top_p"] = float(self.top_p)
        else:  # greedy: set no sampling flags at all
            fields["do_sample"] = False
        pad_id = self.tokenizer.pad_token_id
        if pad_id is None:
            pad_id = self.tokenizer.eos_token_id
        if pad_id is not None:
            fields["pad_token_id"] = pad_id
        fields.update(self.generation_kwargs)
        try:
            config = GenerationConfig(**fields)  # type: ignore[no-untyped-call]  # untyped upstream
            config.validate(strict=True)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"generation_kwargs {self.generation_kwargs!r} do not fit together: {exc}. "
                "Sampling settings (top_k, top_p, temperature) need temperature > 0"
            ) from exc
        return config

    # -- prompt formatting ----------------------------------------------------
    def format_prompt(self, prompt: ChatPrompt) -> str:
        """The exact text fed to the model for ``prompt`` (chat template or fallback)."""
        chat = prompt.as_chat()
        if self.uses_chat_template:
            return str(self.tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True))
        return _fallback_chat_text(chat)

    def _encode(self, texts: list[str]) -> Any:
        # Chat templates write their own special tokens; the fallback does not.
        return self.tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            padding_side="left",
            add_special_tokens=not self.uses_chat_template,
        ).to(self.device)

    def _pack(
        self, texts: list[str], pad_id: int | None, reserve: int
    ) -> tuple[PackedBatch | None, list[Hit]]:
        """Inputs that start from kept prompt states (``None`` when reuse is off).

        When it is cheaper (see :mod:`.row_prefill`), each prompt but its last
        token is read on its own first, so the batch reads one column per row.
        """
        cache = self.prefix_cache
        if cache is None:
            return None, []
        encoded = self.tokenizer(texts, add_special_tokens=not self.uses_chat_template)["input_ids"]
        rows = [torch.tensor(ids, dtype=torch.long) for ids in encoded]
        hits = [cache.match(row) for row in rows]
        if row_prefill_pays(self.model, rows, hits, self._column_weights):
            with torch.inference_mode():
                hits = prefill_rows(self.model, cache, rows, self.device)
        else:
            hits = [cache.use(hit) for hit in hits]
        return cache.pack(rows, hits, pad_id or 0, self.device, reserve), hits

    def _call_seed(self, seed: int | None, texts: Sequence[str]) -> int:
        """Per-call seed from (seed, exact prompt texts): independent of call order."""
        digest = hashlib.sha256(str(seed).encode())
        for text in texts:
            digest.update(b"\x00" + text.encode("utf-8"))
        return int.from_bytes(digest.digest()[:8], "big") & ((1 << 63) - 1)

    def _fork_rng(self) -> Any:
        """Context manager that restores the global RNG state of this model's device type."""
        if self.device.type == "cuda":
            return torch.random.fork_rng(devices=range(torch.cuda.device_count()), device_type="cuda")
        if self.device.type == "mps":
            return torch.random.fork_rng(device_type="mps")
        return torch.random.fork_rng(devices=[])

    def config_for(self, options: GenerationOptions | None) -> tuple[GenerationConfig, int | None]:
        """The generation config and seed for one call: our config with ``options`` on top."""
        if options is None:
            return self.generation_config, self.seed
        changes: dict[str, Any] = {}
        if options.temperature is not None:
            if options.temperature > 0:
                changes.update(do_sample=True, temperature=float(options.temperature))
            else:
                changes.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if options.top_p is not None:
            changes["top_p"] = float(options.top_p)
        if options.max_new_tokens is not None:
            changes["max_new_tokens"] = options.max_new_tokens
        if options.stop:  # added to the model's own stop strings
            own = list(getattr(self.generation_config, "stop_strings", None) or [])
            changes["stop_strings"] = list(dict.fromkeys([*own, *options.stop]))
        config = copy.deepcopy(self.generation_config)
        config.update(**changes)  # type: ignore[no-untyped-call]  # untyped upstream
        return config, self.seed if options.seed is None else options.seed

    def _call_config(self, options: GenerationOptions | None) -> _CallConfig:
        """The config for ``generate`` (without stop strings), the stop strings, and greedy settings.

        The greedy settings are ``None`` unless our own loop can decode the call. Made once per options.
        """
        made = self._call_configs.get(options)
        if made is None:
            config, _ = self.config_for(options)
            stops = tuple(getattr(config, "stop_strings", None) or ())
            if stops:
                config = copy.deepcopy(config)
                config.stop_strings = None
            if len(self._call_configs) >= _MAX_KEPT_CONFIGS:  # e.g. a new seed on every call
                self._call_configs.clear()
            made = self._call_configs[options] = (config, stops, plain_greedy(self.model, config))
        return made

    def _stop_criteria(self, stops: tuple[str, ...], prompt_len: int) -> StopAtStrings:
        """The criterion ending each row at a stop string (its token table made once per stop set)."""
        flags = self._stop_tables.get(stops)
        if flags is None:
            vocab = int(getattr(self.model.config, "vocab_size", 0) or 0)
            flags = self._stop_tables[stops] = completing_tokens(self.tokenizer, stops, vocab)
        return StopAtStrings(self.tokenizer, stops, prompt_len, flags, _DECODE_KWARGS)

    def _run_generate(
        self, texts: list[str], options: GenerationOptions | None, control: GenerationControl | None = None
    ) -> list[Completion]:
        """One ``generate`` call for all ``texts``; returns each new-token slice with its counts."""
        seed = self.seed if options is None or options.seed is None else options.seed
        with self._lock:
            config, stops, greedy = self._call_config(options)
            reserve = config.max_new_tokens or DEFAULT_RESERVE
            packed, hits = self._pack(texts, config.pad_token_id, reserve)
            inputs = self._encode(texts) if packed is None else packed.inputs()
            if "cache" not in inputs and self._plain_layers:  # keys and values grow in place, not by copies
                inputs["cache"] = growing_cache(reserve)
            prompt_len = inputs["input_ids"].shape[1]  # left padding: same for every row
            criteria: list[StoppingCriteria] = []
            extra: dict[str, Any] = {}
            if stops:
                criteria.append(self._stop_criteria(stops, prompt_len))
            if control is not None:
                extra["streamer"] = _CallbackStreamer(self.tokenizer, control)
                criteria.append(_ControlStoppingCriteria(control))
            if criteria:
                extra["stopping_criteria"] = StoppingCriteriaList(criteria)

            def run() -> Any:
                with torch.inference_mode():  # grad mode is thread-local: set it here
                    if greedy is not None:  # same tokens as generate, less work per token
                        return greedy_generate(
                            self.model,
                            inputs["input_ids"],
                            inputs["attention_mask"],
                            greedy,
                            cache=inputs.get("cache"),
                            criteria=criteria,
                            streamer=extra.get("streamer"),
                            last_logits_only=self._last_logits_only,
                        )
                    return self.model.generate(**inputs, generation_config=config, **extra)

            if config.do_sample:
                with _RNG_LOCK:
                    if seed is None:
                        output = run()
                    else:
                        with self._fork_rng():
                            torch.manual_seed(self._call_seed(seed, texts))
                            output = run()
            else:
                output = run()
            if packed is not None and self.prefix_cache is not None:
                self.prefix_cache.keep(packed, hits)
            new_tokens = output[:, prompt_len:]
            # Decode under the lock too: a fast tokenizer shared across threads
            # can fail ("Already borrowed") if another thread pads meanwhile.
            replies = self.tokenizer.batch_decode(new_tokens, **_DECODE_KWARGS)
            pad_id = config.pad_token_id
            prompt_counts = inputs["attention_mask"].sum(dim=1).tolist()
            new_counts = [
                int((row != pad_id).sum()) if pad_id is not None else int(row.numel()) for row in new_tokens
            ]
        cap = config.max_new_tokens
        return [
            Completion(
                cut_at_stop(text, stops),
                prompt_tokens=int(p),
                completion_tokens=n,
                finish_reason="length" if n >= cap and cut_at_stop(text, stops) == text else "stop",
            )
            for text, p, n in zip(replies, prompt_counts, new_counts, strict=True)
        ]

    # -- BaseModel ------------------------------------------------------------
    def generate(
        self, prompt: ChatPrompt, *, control: MaybeControl = None, options: MaybeOptions = None
    ) -> Completion:
        """Reply to one prompt, streaming pieces into ``control`` and stopping when it is stopped.

        Returns the text made so far when stopped (``BaseModel.complete`` then
        raises ``GenerationStopped`` with it).
        """
        if control is not None and control.stopped:
            return Completion("")
        return self._run_generate([self.format_prompt(prompt)], options, control)[0]

    def generate_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> list[Completion]:
        """Reply to all prompts with ONE left-padded ``generate`` call.

        Greedy replies equal single calls up to floating-point noise from
        padding. With sampling and a seed, a batch is reproducible as a whole
        (its seed comes from all prompt texts), but its replies differ from
        single calls.
        """
        prompts = list(prompts)
        if not prompts:
            return []
        return self._run_generate([self.format_prompt(p) for p in prompts], options)

    def score_labels(self, prompts: Sequence[ChatPrompt], labels: Sequence[str]) -> list[list[float]]:
        """Each label's log-likelihood as the whole reply to each prompt (one batched forward pass)."""
        from .label_scoring import label_log_likelihoods

        texts = [self.format_prompt(p) for p in prompts]
        with self._lock:
            return label_log_likelihoods(
                self.model, self.tokenizer, texts, labels, add_special_tokens=not self.uses_chat_template
            )

    def describe(self) -> dict[str, Any]:
        """Backend, name, path and generation settings, for run records."""
        return {
            **super().describe(),
            "model_path": self.model_path,
            "device": str(self.device),
            "generation": self.generation_config.to_diff_dict(),
        }

    def __repr__(self) -> str:
        mode = "greedy" if not self.generation_config.do_sample else f"temperature={self.temperature}"
        return (
            f"TransformersModel(name={self.name!r}, model_path={self.model_path!r}, "
            f"max_out_tokens={self.max_out_tokens}, {mode}, device={str(self.device)!r})"
        )
