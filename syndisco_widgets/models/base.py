"""The one interface every model backend implements.

A backend subclasses :class:`BaseModel` and writes :meth:`BaseModel.generate`
(and, if it can do better than a loop, :meth:`BaseModel.generate_batch`).
SynDisco's way works too: write only ``_generate_response(system_prompt,
user_prompt) -> str`` and the model runs everywhere (batches become a loop).
Callers use :meth:`BaseModel.complete` / :meth:`BaseModel.prompt` and their
batched forms, which add the shared behaviour: input checks, stripping of
configured strings, stop handling, timing and error wrapping.

Three small objects travel with a call:

* :class:`ChatPrompt`: the whole prompt, passed whole.
* :class:`GenerationOptions`: per-call decoding settings (temperature, top_p,
  max new tokens, seed, stop strings) laid over the model's own defaults.
* :class:`GenerationControl`: streaming out and stopping in, like a
  transformers streamer: the backend calls :meth:`GenerationControl.put`
  with each new piece of text and checks :attr:`GenerationControl.stopped`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypedDict, TypeVar

from ..checks import did_you_mean, positive_whole_number, text_sequence
from ..errors import ConfigError, GenerationStopped, ModelError, SyndiscoError
from .labels import LabelChoice, checked_labels, choice_from_scores, parse_with_retry

_Model = TypeVar("_Model", bound="BaseModel")

#: Receives each new piece of text as it is generated.
TextCallback = Callable[[str], None]

ChatRole = Literal["system", "user", "assistant"]
#: Why a reply ended: ``"stop"`` (the model finished or a stop string came) or ``"length"`` (the token cap).
FinishReason = Literal["stop", "length"]
_ROLES = ("system", "user", "assistant")


class ChatMessage(TypedDict):
    """One message of a chat prompt."""

    role: ChatRole
    content: str


@dataclass(frozen=True)
class ChatPrompt:
    """A system prompt plus the chat messages that follow it.

    ``messages`` holds ``{"role": "user" | "assistant", "content": str}``
    dicts, oldest first.
    """

    system: str
    messages: tuple[ChatMessage, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.system, str):
            raise ConfigError(
                f"ChatPrompt.system must be a string, got {type(self.system).__name__}; "
                "pass '' for no system prompt"
            )
        if isinstance(self.messages, (str, bytes, Mapping)):
            raise ConfigError("ChatPrompt.messages must be a sequence of message dicts, not a single value")
        messages: list[ChatMessage] = []
        for i, message in enumerate(self.messages):
            role = message.get("role") if isinstance(message, Mapping) else None
            content = message.get("content") if isinstance(message, Mapping) else None
            if role not in _ROLES or not isinstance(content, str):
                raise ConfigError(
                    f"ChatPrompt.messages[{i}] must look like "
                    f"{{'role': 'user' | 'assistant', 'content': str}}, got {message!r:.120}"
                )
            messages.append(ChatMessage(role=role, content=content))
        object.__setattr__(self, "messages", tuple(messages))

    def as_chat(self) -> list[dict[str, str]]:
        """The prompt as a chat-template message list; an empty system prompt is left out."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + [{"role": m["role"], "content": m["content"]} for m in self.messages]

    @classmethod
    def single(cls, system: str, user_text: str) -> ChatPrompt:
        """A system prompt followed by one user message."""
        return cls(system, (ChatMessage(role="user", content=user_text),))


#: The keys :meth:`GenerationOptions.from_kwargs` understands, and what each becomes.
OPTION_ALIASES: Mapping[str, str] = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_new_tokens",
    "max_new_tokens": "max_new_tokens",
    "max_completion_tokens": "max_new_tokens",
    "max_out_tokens": "max_new_tokens",
    "seed": "seed",
    "stop": "stop",
    "stop_strings": "stop",
}


@dataclass(frozen=True)
class GenerationOptions:
    """Per-call decoding settings; ``None`` means "use the model's own setting".

    Args:
        temperature: ``0`` for greedy decoding, ``> 0`` to sample.
        top_p: Nucleus-sampling threshold in (0, 1].
        max_new_tokens: Upper bound on new tokens for this call.
        seed: Makes a sampled reply repeatable.
        stop: Strings that end the reply (not included in it).
    """

    temperature: float | None = None
    top_p: float | None = None
    max_new_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        t = self.temperature
        if t is not None and (
            isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0
        ):
            raise ConfigError(f"temperature must be a finite number >= 0 (0 = greedy), got {t!r}")
        p = self.top_p
        if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1):
            raise ConfigError(f"top_p must be a number in (0, 1], got {p!r}")
        if self.max_new_tokens is not None:
            positive_whole_number("max_new_tokens", self.max_new_tokens)
        s = self.seed
        if s is not None and (isinstance(s, bool) or not isinstance(s, int)):
            raise ConfigError(f"seed must be an integer or None, got {s!r}")
        object.__setattr__(self, "stop", tuple(text_sequence("stop", self.stop)))

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any] | None, *, label: str = "kwargs") -> GenerationOptions:
        """Build options from API-style keys (``temperature``, ``max_tokens``, ``top_p``, ``seed``, ``stop``).

        Raises:
            ConfigError: a key is unknown (the message lists close names) or a value is wrong.
        """
        if kwargs is None:
            return cls()
        if not isinstance(kwargs, Mapping):
            raise ConfigError(f"{label} must be a dict such as {{'temperature': 0.7}}, got {kwargs!r:.80}")
        values: dict[str, Any] = {}
        for key, value in kwargs.items():
            target = OPTION_ALIASES.get(key) if isinstance(key, str) else None
            if target is None:
                close = did_you_mean(key, OPTION_ALIASES)
                hint = f"; {close}" if close else ""
                raise ConfigError(
                    f"{label}: unknown generation setting {key!r}{hint} "
                    f"Known settings: {', '.join(sorted(OPTION_ALIASES))}"
                )
            values[target] = (value,) if target == "stop" and isinstance(value, str) else value
        return cls(**values)

    def over(self, base: GenerationOptions) -> GenerationOptions:
        """These options laid over ``base``: every setting given here wins; stop strings add up."""
        given = {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, ())
        }
        if self.stop:
            given["stop"] = tuple(dict.fromkeys((*base.stop, *self.stop)))
        return replace(base, **given)

    def as_dict(self) -> dict[str, Any]:
        """The settings that are set, as a JSON-ready dict."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, ()):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass
class GenerationControl:
    """Streams text out of one generation and lets a caller stop it.

    Backends call :meth:`put` with each new piece of text and end early once
    :attr:`stopped` is true. One control serves one reply at a time.

    Args:
        on_text: Receives each new piece of text.
        stop_event: Set it (or call :meth:`stop`) to stop mid-reply.
    """

    on_text: TextCallback | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)

    def put(self, text: str) -> None:
        """Hand one new piece of text to the listener."""
        if text and self.on_text is not None:
            self.on_text(text)

    def stop(self) -> None:
        """Ask the generation to stop as soon as it can."""
        self.stop_event.set()

    @property
    def stopped(self) -> bool:
        """True once a stop was asked for."""
        return self.stop_event.is_set()


#: The ``control=`` of a model call; None when nobody watches (no streaming, no Stop).
MaybeControl = GenerationControl | None
#: The ``options=`` of a model call; None for the model's own settings.
MaybeOptions = GenerationOptions | None


@dataclass(frozen=True)
class Completion:
    """A finished reply with what it cost.

    Token counts are ``None`` when a backend cannot count them;
    ``finish_reason`` is ``"length"`` when the reply hit the token cap and
    ``None`` when a backend cannot tell.
    """

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float = 0.0
    finish_reason: FinishReason | None = None


class BaseModel:
    """A language model that turns a :class:`ChatPrompt` into a reply.

    Args:
        name: Label recorded in logs next to every reply.
        max_out_tokens: Upper bound on new tokens per reply.
        strip_strings: Substrings removed from every finished reply
            (for example a stray end-of-turn marker).
    """

    def __init__(self, name: str, max_out_tokens: int = 256, strip_strings: Sequence[str] = ()) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError("model name must be a non-empty string, e.g. name='my_model'")
        self.name = name
        self.max_out_tokens = positive_whole_number("max_out_tokens", max_out_tokens)
        self.strip_strings = tuple(text_sequence("strip_strings", strip_strings))

    # -- what a backend writes ------------------------------------------------
    def __new__(cls: type[_Model], *args: Any, **kwargs: Any) -> _Model:  # noqa: ARG004, D102, PYI019  3.10 has no typing.Self
        if cls.generate is BaseModel.generate and cls._generate_response is BaseModel._generate_response:
            raise TypeError(
                f"Can't instantiate {cls.__name__}: a model writes generate(prompt, *, control, options) "
                "or, SynDisco's way, _generate_response(system_prompt, user_prompt) -> str"
            )
        return super().__new__(cls)

    def generate(
        self,
        prompt: ChatPrompt,
        *,
        control: MaybeControl = None,
        options: MaybeOptions = None,  # noqa: ARG002  a _generate_response model has no options
    ) -> str | Completion:
        """Return the raw reply to ``prompt`` (text, or a :class:`Completion` with token counts).

        Call ``control.put`` with each new piece of text if a control is
        given, and return early (with the text so far) once
        ``control.stopped`` is true. ``options`` override the model's
        defaults for this call.

        The default calls :meth:`_generate_response` with the system prompt
        and the messages as one user text (see :func:`user_text`), and hands
        the whole reply to ``control`` at once.
        """
        reply = self._generate_response(prompt.system, user_text(prompt))
        if control is not None and isinstance(reply, str):
            control.put(reply)
        return reply

    def _generate_response(self, system_prompt: str, user_prompt: str) -> str:
        """SynDisco's backend method: the reply to one system prompt and one user prompt."""
        raise NotImplementedError(f"{type(self).__name__} writes generate(), not _generate_response()")

    def generate_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> Sequence[str | Completion]:
        """Return one raw reply per prompt. Backends that batch override this."""
        return [self.generate(p, options=options) for p in prompts]

    # -- what callers use -----------------------------------------------------
    def complete(
        self, prompt: ChatPrompt, *, control: MaybeControl = None, options: MaybeOptions = None
    ) -> Completion:
        """Reply to ``prompt``; the cleaned text with its token counts and seconds.

        Raises:
            GenerationStopped: ``control`` was stopped before the reply ended.
            ModelError: the backend raised or returned something other than
                text; the original error is the cause.
        """
        prompt = _checked_prompt(prompt)
        started = time.perf_counter()
        with self._wrapped_errors():
            raw = self.generate(prompt, control=control, options=options)
        result = self._as_completion(raw, time.perf_counter() - started)
        if control is not None and control.stopped:
            raise GenerationStopped(result.text)
        return replace(result, text=self.clean(result.text))

    def prompt(
        self,
        prompt: ChatPrompt | str,
        user_prompt: str | None = None,
        *,
        control: MaybeControl = None,
        options: MaybeOptions = None,
    ) -> str:
        """Reply to ``prompt`` with cleaned text (see :meth:`complete`).

        SynDisco's form works too: ``model.prompt(system_text, user_text)``.
        """
        if isinstance(prompt, str):
            if not isinstance(user_prompt, str):
                raise ConfigError(
                    "model.prompt takes a ChatPrompt, or two strings (system_prompt, user_prompt); "
                    f"got a string and {type(user_prompt).__name__}"
                )
            prompt = ChatPrompt.single(prompt, user_prompt)
        elif user_prompt is not None:
            raise ConfigError("model.prompt: pass a ChatPrompt alone, or two strings (system, user)")
        return self.complete(prompt, control=control, options=options).text

    def complete_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> list[Completion]:
        """Reply to many prompts at once, in order.

        ``seconds`` of each completion is the whole batch's time shared
        out evenly.
        """
        checked = [_checked_prompt(p) for p in prompts]
        if not checked:
            return []
        started = time.perf_counter()
        with self._wrapped_errors():
            raws = list(self.generate_batch(checked, options=options))
        if len(raws) != len(checked):
            raise ModelError(f"model {self.name!r} returned {len(raws)} replies for {len(checked)} prompts")
        share = (time.perf_counter() - started) / len(checked)
        return [replace(c, text=self.clean(c.text)) for c in (self._as_completion(r, share) for r in raws)]

    def prompt_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> list[str]:
        """Reply to many prompts at once, in order, as cleaned texts."""
        return [c.text for c in self.complete_batch(prompts, options=options)]

    def score_labels(self, prompts: Sequence[ChatPrompt], labels: Sequence[str]) -> list[list[float]] | None:
        """Each label's log-likelihood as the whole reply to each prompt, in one batched pass.

        Returns one row per prompt, one score per label, or ``None`` when
        this backend cannot score (the default; local models override it).
        """
        del prompts, labels
        return None

    def reply_labels(self, prompts: list[ChatPrompt], labels: Sequence[str]) -> list[LabelChoice]:
        """One label per prompt from the replies, for :meth:`choose_labels` where labels are not scored.

        The replies are free text, parsed with one retry (see
        :func:`~.labels.parse_with_retry`); a backend that can make the model
        answer with a label alone (guided choice) overrides this.
        """
        return parse_with_retry(self, prompts, labels)

    def choose_labels(
        self,
        prompts: Sequence[ChatPrompt],
        labels: Sequence[str],
        *,
        baselines: Sequence[ChatPrompt] | None = None,
    ) -> list[LabelChoice]:
        """One label from ``labels`` per prompt: by likelihood where the backend scores, else parsed.

        ``baselines`` (one per prompt) are the same prompts with the content
        left out. Where labels are scored, each baseline's scores are
        subtracted from its prompt's (contextual calibration), so a label the
        model favours whatever it reads (a small model's "5") does not win
        everywhere. See :mod:`syndisco_widgets.models.labels`; a backend with
        guided choice overrides this.

        Raises:
            ConfigError: ``labels`` is not a list of two or more distinct
                strings, or ``baselines`` does not match ``prompts``.
            ModelError: the backend failed; the original error is the cause.
        """
        checked = [_checked_prompt(p) for p in prompts]
        labels = checked_labels(labels)
        base = [_checked_prompt(p) for p in baselines] if baselines is not None else []
        if baselines is not None and len(base) != len(checked):
            raise ConfigError(f"baselines: give one per prompt ({len(checked)}), got {len(base)}")
        if not checked:
            return []
        started = time.perf_counter()
        distinct = list({repr(p): p for p in base}.values())  # annotators share their baseline
        with self._wrapped_errors():
            scores = self.score_labels([*checked, *distinct], labels)
        if scores is None:
            return self.reply_labels(checked, labels)
        if len(scores) != len(checked) + len(distinct) or any(len(row) != len(labels) for row in scores):
            raise ModelError(f"model {self.name!r} scored the wrong number of prompts or labels")
        by_baseline = {repr(p): row for p, row in zip(distinct, scores[len(checked) :], strict=True)}
        share = (time.perf_counter() - started) / len(checked)
        return [
            choice_from_scores(row, labels, share, by_baseline[repr(base[i])] if base else None)
            for i, row in enumerate(scores[: len(checked)])
        ]

    def clean(self, text: str) -> str:
        """Remove every configured strip string and surrounding white space."""
        for unwanted in self.strip_strings:
            text = text.replace(unwanted, "")
        return text.strip()

    def get_name(self) -> str:
        """The model's label (SynDisco's name for :attr:`name`)."""
        return self.name

    @property
    def stop_list(self) -> list[str]:
        """SynDisco's name for :attr:`strip_strings`."""
        return list(self.strip_strings)

    def describe(self) -> dict[str, Any]:
        """What identifies this model in run records; backends add their own fields."""
        return {"backend": type(self).__name__, "name": self.name, "max_out_tokens": self.max_out_tokens}

    def _as_completion(self, raw: object, seconds: float) -> Completion:
        if isinstance(raw, Completion):
            return raw if raw.seconds else replace(raw, seconds=seconds)
        if isinstance(raw, str):
            return Completion(raw, seconds=seconds)
        raise ModelError(
            f"model {self.name!r} returned {type(raw).__name__}, not text; "
            "a backend's generate() must return a str or a Completion"
        )

    @contextmanager
    def _wrapped_errors(self) -> Iterator[None]:
        """Re-raise any backend failure as a :class:`ModelError` naming this model."""
        try:
            yield
        except SyndiscoError:
            raise
        except Exception as exc:
            raise ModelError(
                f"model {self.name!r} failed while generating: {type(exc).__name__}: {exc}"
            ) from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, max_out_tokens={self.max_out_tokens})"


def user_text(prompt: ChatPrompt) -> str:
    """The messages of ``prompt`` as one user text, for a model that takes one.

    A single user message is passed as it is; a longer chat becomes one
    ``role: content`` paragraph per message, oldest first.
    """
    if len(prompt.messages) == 1 and prompt.messages[0]["role"] == "user":
        return prompt.messages[0]["content"]
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in prompt.messages)


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the first stop string (stop strings end a reply; they are not part of it)."""
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return text if cut < 0 else text[:cut]


def _checked_prompt(prompt: object) -> ChatPrompt:
    if not isinstance(prompt, ChatPrompt):
        raise ConfigError(
            f"a model is prompted with a ChatPrompt, got {type(prompt).__name__}; "
            "build one with ChatPrompt(system_text, ({'role': 'user', 'content': text},))"
        )
    return prompt
