"""The one interface every model backend implements.

A backend subclasses :class:`BaseModel` and writes :meth:`BaseModel.generate`
(and, if it can do better than a loop, :meth:`BaseModel.generate_batch`).
Callers use :meth:`BaseModel.prompt` and :meth:`BaseModel.prompt_batch`,
which add the shared behaviour: input checks, stripping of configured
strings, stop handling and error wrapping.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import ConfigError, GenerationStopped, ModelError, SyndiscoError

#: Receives each new piece of text as it is generated.
TextCallback = Callable[[str], None]

_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatPrompt:
    """A system prompt plus the chat messages that follow it.

    ``messages`` holds ``{"role": "user" | "assistant", "content": str}``
    dicts, oldest first.
    """

    system: str
    messages: tuple[Mapping[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.system, str):
            raise ConfigError(
                f"ChatPrompt.system must be a string, got {type(self.system).__name__}; "
                "pass '' for no system prompt"
            )
        messages = tuple(self.messages)
        for i, message in enumerate(messages):
            role, content = message.get("role"), message.get("content")
            if role not in _ROLES or not isinstance(content, str):
                raise ConfigError(
                    f"ChatPrompt.messages[{i}] must look like "
                    f"{{'role': 'user' | 'assistant', 'content': str}}, got {message!r}"
                )
        object.__setattr__(self, "messages", messages)

    def as_chat(self) -> list[dict[str, str]]:
        """The prompt as a chat-template message list; an empty system prompt is left out."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + [dict(m) for m in self.messages]


class BaseModel(ABC):
    """A language model that turns a :class:`ChatPrompt` into a reply.

    Args:
        name: Label recorded in logs next to every reply.
        max_out_tokens: Upper bound on new tokens per reply.
        strip_strings: Substrings removed from every finished reply
            (for example a stray end-of-turn marker).
    """

    def __init__(self, name: str, max_out_tokens: int = 256, strip_strings: Sequence[str] = ()) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigError("model name must be a non-empty string, e.g. name='my_model'")
        if not isinstance(max_out_tokens, int) or max_out_tokens < 1:
            raise ConfigError(f"max_out_tokens must be a positive integer, got {max_out_tokens!r}")
        self.name = name
        self.max_out_tokens = max_out_tokens
        self.strip_strings = tuple(strip_strings)

    # -- what a backend writes ------------------------------------------------
    @abstractmethod
    def generate(
        self,
        prompt: ChatPrompt,
        *,
        on_text: TextCallback | None = None,
        stop_event: threading.Event | None = None,
    ) -> str:
        """Return the raw reply to ``prompt``.

        Call ``on_text`` with each new piece of text if it is given, and
        return early (with the text so far) once ``stop_event`` is set.
        """

    def generate_batch(self, prompts: Sequence[ChatPrompt]) -> list[str]:
        """Return one raw reply per prompt. Backends that batch override this."""
        return [self.generate(p) for p in prompts]

    # -- what callers use -----------------------------------------------------
    def prompt(
        self,
        system_prompt: str,
        messages: Sequence[Mapping[str, str]] = (),
        *,
        on_text: TextCallback | None = None,
        stop_event: threading.Event | None = None,
    ) -> str:
        """Reply to a system prompt and a conversation.

        Raises:
            GenerationStopped: ``stop_event`` was set before the reply ended.
            ModelError: the backend raised; the original error is the cause.
        """
        chat = ChatPrompt(system_prompt, tuple(messages))
        with self._wrapped_errors():
            raw = self.generate(chat, on_text=on_text, stop_event=stop_event)
        if stop_event is not None and stop_event.is_set():
            raise GenerationStopped(raw)
        return self.clean(raw)

    def prompt_batch(self, prompts: Sequence[ChatPrompt]) -> list[str]:
        """Reply to many prompts at once, in order."""
        prompts = list(prompts)
        if not prompts:
            return []
        with self._wrapped_errors():
            raws = self.generate_batch(prompts)
        if len(raws) != len(prompts):
            raise ModelError(f"model {self.name!r} returned {len(raws)} replies for {len(prompts)} prompts")
        return [self.clean(r) for r in raws]

    def clean(self, text: str) -> str:
        """Remove every configured strip string and surrounding white space."""
        for unwanted in self.strip_strings:
            text = text.replace(unwanted, "")
        return text.strip()

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
