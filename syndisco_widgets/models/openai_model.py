"""A :class:`BaseModel` that talks to an OpenAI-compatible chat server.

The same protocol is spoken by the OpenAI API and by the servers people run
models behind: vLLM, SGLang, TGI, llama.cpp, Ollama and ``transformers
serve``. Requests go through the official ``openai`` client (the optional
extra ``pip install 'syndisco-widgets[openai]'``), imported when the first
model is built, so ``import syndisco_widgets`` stays light.

All requests run on one private event loop (see :mod:`._openai_pool`):
:meth:`OpenAIModel.generate_batch` sends its prompts concurrently, at most
``max_concurrency`` at a time, so the server can batch them, and it works
the same from a script, a worker thread or a notebook cell.
"""

from __future__ import annotations

import asyncio
import os
import queue
import random
import time
from dataclasses import replace
from http import HTTPStatus
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from ..checks import finite_number, non_empty_text, positive_whole_number, text_sequence, whole_number
from ..errors import ConfigError, ModelError, ModelLoadError
from . import _openai_pool
from .base import (
    BaseModel,
    ChatPrompt,
    Completion,
    GenerationOptions,
    MaybeControl,
    MaybeOptions,
    cut_at_stop,
)
from .labels import LABEL_REPLY_TOKENS, LabelChoice, parse_with_retry

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from concurrent.futures import Future
    from types import ModuleType

#: Where requests go when neither ``base_url`` nor ``OPENAI_BASE_URL`` is given.
OPENAI_API_URL = "https://api.openai.com/v1"
INSTALL_HINT = "pip install 'syndisco-widgets[openai]'"

_POLL_SECONDS = 0.05  # how often a streaming caller looks at its stop flag while waiting
_MAX_STOP_STRINGS = 4  # the OpenAI API refuses more; the rest are applied here
_BACKOFF_BASE, _BACKOFF_CAP, _RETRY_AFTER_CAP = 0.5, 20.0, 60.0
_SHOWN = 300  # characters of a server's error message quoted in ours

_LIMIT_FIELDS = ("max_tokens", "max_completion_tokens")  # the old name works on more servers
_REFUSED = (HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY)

#: What to do after a failed attempt: wait and retry, try another replica,
#: resend at once with adjusted fields, or give up.
Verdict = Literal["retry", "failover", "adjusted", "fatal"]


def _import_openai() -> ModuleType:
    try:
        import openai  # optional extra, loaded when a model is built
    except ImportError as exc:
        raise ModelLoadError(f"OpenAIModel needs the openai package: {INSTALL_HINT}") from exc
    return openai


def _base_urls(base_url: str | Sequence[str] | None) -> list[str]:
    """The replicas' URLs, checked, without trailing slashes or repeats."""
    if base_url is None:
        from_env = os.environ.get("OPENAI_BASE_URL", "")
        urls = [u for u in (p.strip() for p in from_env.split(",")) if u] or [OPENAI_API_URL]
        label = "OPENAI_BASE_URL"
    else:
        urls = [base_url] if isinstance(base_url, str) else text_sequence("base_url", base_url)
        label = "base_url"
    if not urls:
        raise ConfigError("base_url must name at least one server, e.g. 'http://localhost:8000/v1'")
    checked: list[str] = []
    for url in urls:
        clean = url.strip().rstrip("/")
        if clean.count("://") > 1:
            raise ConfigError(f"{label} holds several URLs in one string ({url!r}); pass a list of URLs")
        if urlsplit(clean).scheme not in ("http", "https") or not urlsplit(clean).netloc:
            raise ConfigError(
                f"{label} must be an http:// or https:// URL such as 'http://localhost:8000/v1', got {url!r}"
            )
        if clean not in checked:
            checked.append(clean)
    return checked


def _shown_url(url: str) -> str:
    """``url`` without any user name or password in it (safe for logs and messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _server_said(exc: Any) -> str:
    """The server's own words from an API error, shortened."""
    body = getattr(exc, "body", None)
    said: object = None
    if isinstance(body, dict):
        error = body.get("error")
        said = error.get("message") if isinstance(error, dict) else error
        said = said or body.get("detail") or body.get("message")
    text = str(said or getattr(exc, "message", "") or exc)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


class _StopScanner:
    """Passes streamed text on, ending it before the first stop string.

    Servers that ignore ``stop`` still give the contract's result: it holds
    back just enough characters to never pass on the start of a stop string.
    """

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(s for s in stops if s)
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.pending = ""
        self.done = False

    def feed(self, piece: str) -> str:
        """The part of ``pending + piece`` that is safe to pass on now."""
        self.pending += piece
        cut = cut_at_stop(self.pending, self.stops)
        if len(cut) < len(self.pending):
            self.pending, self.done = "", True
            return cut
        keep = min(self.hold, len(self.pending))
        split = len(self.pending) - keep
        ready, self.pending = self.pending[:split], self.pending[split:]
        return ready

    def flush(self) -> str:
        """What was held back, once the reply has ended."""
        rest, self.pending = self.pending, ""
        return rest


class OpenAIModel(BaseModel):
    """A model served over the OpenAI chat-completions protocol.

    SynDisco's signature comes first, so ``OpenAIModel(model_name, api_key,
    base_url, name, max_out_tokens)`` works unchanged; the rest are keywords::

        # vLLM, transformers serve, Ollama, ... on this machine or another
        OpenAIModel("Qwen/Qwen2.5-7B-Instruct", base_url="http://gpu1:8000/v1")
        # several replicas of one model: requests are spread across them
        OpenAIModel("Qwen/Qwen2.5-7B-Instruct", base_url=["http://gpu1:8000/v1", "http://gpu2:8000/v1"])
        # the hosted API (reads OPENAI_API_KEY)
        OpenAIModel("gpt-4o-mini")

    Rate limits (HTTP 429) and server errors (5xx) are retried with
    exponential backoff, at most ``max_retries`` times; a replica that
    cannot be reached or does not answer in time is skipped for another.
    Any other failure raises :class:`~syndisco_widgets.errors.ModelError`
    naming the server and the fix (for a discussion, a retryable
    :class:`~syndisco_widgets.errors.TurnError`).

    Args:
        model_name: The model as the server knows it (vLLM: the name given to
            ``vllm serve``; ``transformers serve``: the model path).
        api_key: Defaults to ``OPENAI_API_KEY``; local servers need none.
        base_url: Server URL ending in ``/v1``, or a list of replicas.
            Defaults to ``OPENAI_BASE_URL`` (comma-separated for replicas),
            else the OpenAI API.
        name: Label recorded in logs; defaults to ``model_name``.
        max_out_tokens: Upper bound on new tokens per reply (``max_tokens``).
        temperature: ``0`` for (near) greedy decoding; ``None`` leaves it to the server.
        remove_string_list: Substrings removed from every finished reply.
        top_p: Nucleus-sampling threshold in (0, 1]; ``None`` leaves it to the server.
        seed: Asks the server for repeatable sampling (not every server obeys).
        max_concurrency: Most requests in flight at once, across all replicas.
        timeout: Seconds to wait for the server's next bytes before giving up
            on that replica (connecting waits at most 10 s).
        max_retries: Retries of a request after a 429 or 5xx answer.

    Raises:
        ModelLoadError: the ``openai`` package is missing (the message has the pip line).
        ConfigError: an argument has a wrong value, or the OpenAI API is
            meant but there is no API key.
    """

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        base_url: str | Sequence[str] | None = None,
        name: str | None = None,
        max_out_tokens: int = 256,
        temperature: float | None = 0.0,
        remove_string_list: Sequence[str] | None = None,
        *,
        top_p: float | None = None,
        seed: int | None = None,
        max_concurrency: int = 16,
        timeout: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        model_name = non_empty_text("model_name", model_name)
        strip = text_sequence("remove_string_list", remove_string_list or ())
        super().__init__(model_name if name is None else name, max_out_tokens, strip)
        self.model_name = model_name
        self.defaults = GenerationOptions(
            temperature=temperature, top_p=top_p, max_new_tokens=max_out_tokens, seed=seed
        )
        self.max_concurrency = positive_whole_number("max_concurrency", max_concurrency)
        self.timeout = finite_number("timeout", timeout, low=0.0)
        if self.timeout == 0:
            raise ConfigError("timeout must be more than 0 seconds, e.g. timeout=60")
        self.max_retries = whole_number("max_retries", max_retries)
        self.base_urls = _base_urls(base_url)
        if api_key is not None:
            non_empty_text("api_key", api_key)
        key = api_key or os.environ.get("OPENAI_API_KEY") or None
        if key is None and OPENAI_API_URL in self.base_urls:
            raise ConfigError(
                f"OpenAIModel {self.name!r}: no API key for {OPENAI_API_URL}. Pass api_key= or set "
                "OPENAI_API_KEY; for a server of your own pass base_url='http://host:port/v1'."
            )
        self._openai = _import_openai()
        self._api_key = key or "EMPTY"  # local servers accept any key
        self._replicas = _openai_pool.Replicas(self.base_urls)
        self._clients: dict[str, Any] = {}  # url -> AsyncOpenAI, made on the loop thread
        self._slots: asyncio.Semaphore | None = None
        self._usage_option = True  # ask for token counts when streaming, until a server refuses
        self._new_limit = False  # send max_completion_tokens instead of max_tokens (if a server insists)
        self._guided = True  # send guided choice with labels, until a server refuses it

    # -- the BaseModel contract -----------------------------------------------
    def generate(
        self, prompt: ChatPrompt, *, control: MaybeControl = None, options: MaybeOptions = None
    ) -> Completion:
        """Reply to ``prompt``; with a ``control``, stream into it and stop when asked.

        Stopping closes the stream, which tells the server to stop too.
        """
        settings = self._settings(options)
        if control is None:
            return _openai_pool.wait(_openai_pool.submit(self._request(prompt, settings, None)))
        pieces: queue.SimpleQueue[str | None] = queue.SimpleQueue()  # None: the request ended
        future = _openai_pool.submit(self._request(prompt, settings, pieces.put))
        future.add_done_callback(lambda _: pieces.put(None))
        parts: list[str] = []
        try:
            while not control.stopped:
                try:
                    piece = pieces.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                if piece is None:
                    return future.result()
                parts.append(piece)
                control.put(piece)
        except BaseException:
            future.cancel()
            raise
        future.cancel()
        return Completion("".join(parts))

    def generate_batch(
        self, prompts: Sequence[ChatPrompt], *, options: GenerationOptions | None = None
    ) -> list[Completion]:
        """Send every prompt at once (at most ``max_concurrency`` in flight); replies in order."""
        settings = self._settings(options)
        return _openai_pool.wait(_openai_pool.submit(self._gather(prompts, settings)))

    def reply_labels(self, prompts: list[ChatPrompt], labels: Sequence[str]) -> list[LabelChoice]:
        """One label per prompt, by guided choice where the server offers it, else parsed.

        The request carries vLLM's ``structured_outputs: {"choice": labels}``
        (and the older ``guided_choice``); a reply that is exactly a label is
        ``"guided"``. Servers that ignore the fields give free text, which is
        parsed, with one retry (see :func:`~.labels.parse_with_retry`); a
        server that refuses them is not sent them again.
        :meth:`~.base.BaseModel.choose_labels` checks the prompts and labels first.
        """
        if not self._guided:
            return super().reply_labels(prompts, labels)
        settings = self._settings(GenerationOptions(max_new_tokens=LABEL_REPLY_TOKENS))
        with self._wrapped_errors():
            replies = _openai_pool.wait(_openai_pool.submit(self._gather(prompts, settings, choices=labels)))
        first = [replace(r, text=self.clean(r.text)) for r in replies]
        guided = [r.text if r.text in labels else None for r in first]
        if all(g is not None for g in guided):
            return [
                LabelChoice(
                    g,
                    "guided",
                    raw_text=r.text,
                    prompt_tokens=r.prompt_tokens,
                    completion_tokens=r.completion_tokens,
                    seconds=r.seconds,
                )
                for g, r in zip(guided, first, strict=True)
            ]
        return parse_with_retry(self, prompts, labels, first=first)

    def submit(self, prompt: ChatPrompt, *, options: GenerationOptions | None = None) -> Future[Completion]:
        """Send ``prompt`` without waiting for it; at most ``max_concurrency`` run at once.

        The future gives the cleaned :class:`Completion` (as :meth:`complete`
        would), or raises :class:`ModelError`. ``drive`` uses this to keep a
        server's slots busy: each source's next request goes out as soon as
        its previous reply is in.
        """
        if not isinstance(prompt, ChatPrompt):
            raise ConfigError(f"submit takes a ChatPrompt, got {type(prompt).__name__}")
        return _openai_pool.submit(self._submitted(prompt, self._settings(options)))

    def describe(self) -> dict[str, Any]:
        """Backend, server URL(s), model name and generation settings (never the API key)."""
        return {
            **super().describe(),
            "model_name": self.model_name,
            "base_urls": [_shown_url(u) for u in self.base_urls],
            **{k: v for k, v in self.defaults.as_dict().items() if k != "max_new_tokens"},
            "max_concurrency": self.max_concurrency,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def close(self) -> None:
        """Close the HTTP connections (they reopen on the next request)."""
        _openai_pool.wait(_openai_pool.submit(self._close_clients()))

    def __repr__(self) -> str:
        urls = [_shown_url(u) for u in self.base_urls]
        where = urls[0] if len(urls) == 1 else urls
        return f"OpenAIModel({self.model_name!r}, base_url={where!r}, name={self.name!r})"

    # -- requests (on the private loop) ---------------------------------------
    def _settings(self, options: GenerationOptions | None) -> GenerationOptions:
        return (options or GenerationOptions()).over(self.defaults)

    async def _submitted(self, prompt: ChatPrompt, settings: GenerationOptions) -> Completion:
        started = time.perf_counter()
        with self._wrapped_errors():
            completion = await self._request(prompt, settings, None)
        seconds = completion.seconds or time.perf_counter() - started
        return replace(completion, text=self.clean(completion.text), seconds=seconds)

    async def _gather(
        self, prompts: Sequence[ChatPrompt], settings: GenerationOptions, *, choices: Sequence[str] = ()
    ) -> list[Completion]:
        results = await asyncio.gather(
            *(self._request(p, settings, None, choices=choices) for p in prompts), return_exceptions=True
        )
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            if len(results) == 1:
                raise failed[0]
            raise ModelError(
                f"{len(failed)} of {len(results)} requests failed; the first: {failed[0]}"
            ) from failed[0]
        return [r for r in results if isinstance(r, Completion)]

    async def _request(
        self,
        prompt: ChatPrompt,
        settings: GenerationOptions,
        sink: Callable[[str], None] | None,
        *,
        choices: Sequence[str] = (),
    ) -> Completion:
        """One reply, with retries on 429/5xx and failover between replicas."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        tried: list[str] = []
        retries = 0
        while True:
            url = self._replicas.pick(tried)
            streamed: list[str] = []
            try:
                async with self._slots:
                    self._replicas.started(url)
                    try:
                        return await self._attempt(url, prompt, settings, sink, streamed, choices)
                    finally:
                        self._replicas.finished(url)
            except Exception as exc:  # every failure is judged, then re-raised as ModelError
                if streamed:
                    raise self._error(
                        f"the connection to {_shown_url(url)} broke after {len(''.join(streamed))} "
                        f"characters of the reply ({type(exc).__name__}: {exc}). The partial reply was "
                        "discarded; retry the turn."
                    ) from exc
                verdict, message = await self._judge(exc, url, retries)
                if verdict == "adjusted":
                    continue
                if verdict == "failover":
                    self._replicas.mark_down(url)
                    tried.append(url)
                    if len(tried) < len(self.base_urls):
                        continue
                    if len(tried) > 1:
                        message = f"none of the {len(tried)} servers answered; the last: {message}"
                elif verdict == "retry" and retries < self.max_retries:
                    await asyncio.sleep(_backoff(retries, exc))
                    retries += 1
                    continue
                raise self._error(message) from exc

    async def _attempt(
        self,
        url: str,
        prompt: ChatPrompt,
        settings: GenerationOptions,
        sink: Callable[[str], None] | None,
        streamed: list[str],
        choices: Sequence[str] = (),
    ) -> Completion:
        client = self._client(url)
        body = self._body(prompt, settings, stream=sink is not None, choices=choices)
        if sink is None:
            # Plain JSON both ways: the client's typed request transform and
            # response models cost milliseconds per request, which adds up
            # when hundreds are in flight. Fields the typed call takes as
            # ``extra_body`` go into the JSON itself.
            plain = {k: v for k, v in body.items() if k != "extra_body"} | body.get("extra_body", {})
            data = await client.post("/chat/completions", body=plain, cast_to=object)
            return _completion_from_json(data, settings.stop)
        scanner = _StopScanner(settings.stop)
        usage = finish = None
        stream = await client.chat.completions.create(**body)
        async with stream:
            async for chunk in stream:
                usage = getattr(chunk, "usage", None) or usage
                for choice in chunk.choices or ():
                    finish = getattr(choice, "finish_reason", None) or finish
                    piece = scanner.feed(getattr(choice.delta, "content", None) or "")
                    if piece:
                        streamed.append(piece)
                        sink(piece)
                if scanner.done:
                    break  # closing the stream tells the server to stop
        rest = "" if scanner.done else scanner.flush()
        if rest:
            streamed.append(rest)
            sink(rest)
        return _completion("".join(streamed), usage, "stop" if scanner.done else finish)

    async def _close_clients(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    def _client(self, url: str) -> Any:
        if url not in self._clients:
            openai = self._openai
            self._clients[url] = openai.AsyncOpenAI(
                api_key=self._api_key,
                base_url=url,
                timeout=openai.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                max_retries=0,  # retries are ours: bounded, with failover between replicas
            )
        return self._clients[url]

    def _body(
        self, prompt: ChatPrompt, settings: GenerationOptions, *, stream: bool, choices: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The request: standard fields (some servers refuse unknown ones); guided choice if asked."""
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": prompt.as_chat(),
            _LIMIT_FIELDS[self._new_limit]: settings.max_new_tokens or self.max_out_tokens,
        }
        for key in ("temperature", "top_p", "seed"):
            value = getattr(settings, key)
            if value is not None:
                body[key] = value
        if settings.stop:
            body["stop"] = list(settings.stop[:_MAX_STOP_STRINGS])
        if choices and self._guided:
            body["extra_body"] = {
                "structured_outputs": {"choice": list(choices)},
                "guided_choice": list(choices),
            }
        if stream:
            body["stream"] = True
            if self._usage_option:
                body["stream_options"] = {"include_usage": True}
        return body

    async def _judge(self, exc: Exception, url: str, retries: int) -> tuple[Verdict, str]:
        """What to do about a failed attempt, and what to say if it is the last."""
        openai, where = self._openai, _shown_url(url)
        if isinstance(exc, openai.APITimeoutError) or "timeout" in type(exc).__name__.lower():
            return "failover", (
                f"{where} sent nothing for {self.timeout:g} s; the server may be overloaded or stuck. "
                "Check it, or pass a larger timeout=."
            )
        if not isinstance(exc, openai.APIStatusError):
            return "failover", (
                f"could not connect to {where} ({type(exc).__name__}: {exc}). Is the server running? "
                "Start it (e.g. `vllm serve MODEL`) or fix base_url= (it usually ends in /v1)."
            )
        code, said = exc.status_code, _server_said(exc)
        lowered, failed = said.lower(), code >= HTTPStatus.INTERNAL_SERVER_ERROR
        verdict: Verdict = "fatal"
        message = f"{where} refused the request (HTTP {code}: {said})."
        if self._adjusted(code, lowered):
            verdict = "adjusted"
        elif code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            message = (
                f"{where} refused the API key (HTTP {code}: {said}). Pass api_key= or set OPENAI_API_KEY."
            )
        elif (code == HTTPStatus.NOT_FOUND and "model" in lowered) or (
            code in _REFUSED and self.model_name in said
        ):
            message = (
                f"{where} does not serve model {self.model_name!r} (HTTP {code}: {said}). "
                f"Pass model_name= a model the server serves{await self._served_models(url)}."
            )
        elif code == HTTPStatus.NOT_FOUND:
            message = (
                f"{where} has no chat completions endpoint (HTTP 404: {said}). "
                "base_url= usually ends in /v1, e.g. 'http://localhost:8000/v1'."
            )
        elif code == HTTPStatus.TOO_MANY_REQUESTS and "quota" in lowered:
            message = f"{where} says the account is out of quota (HTTP 429: {said}). Check its billing."
        elif code == HTTPStatus.TOO_MANY_REQUESTS or failed:
            verdict = "retry"
            hint = "see the server's log" if failed else "lower max_concurrency="
            message = (
                f"{where} answered HTTP {code} to {retries + 1} attempt(s) (server said: {said}); "
                f"gave up: {hint} or try later."
            )
        return verdict, message

    def _adjusted(self, code: int, lowered: str) -> bool:
        """Drop a field the server refused (its message names it); True if one was dropped."""
        if code in _REFUSED and "stream_options" in lowered and self._usage_option:
            self._usage_option = False
        elif code == HTTPStatus.BAD_REQUEST and "max_completion_tokens" in lowered and not self._new_limit:
            self._new_limit = True
        elif code in _REFUSED and ("guided_choice" in lowered or "structured_outputs" in lowered):
            self._guided = False  # concurrent requests may all be refused: each resends without
        else:
            return False
        return True

    async def _served_models(self, url: str) -> str:
        """`` such as 'a', 'b'`` from the server's model list, or nothing if it won't say."""
        try:
            listing = await asyncio.wait_for(self._client(url).models.list(), timeout=5.0)
            names = [m.id for m in listing.data][:5]
        except Exception:  # noqa: BLE001  the list is a courtesy; the error stands without it
            return ""
        return f" such as {', '.join(map(repr, names))}" if names else ""

    def _error(self, message: str) -> ModelError:
        return ModelError(f"model {self.name!r} ({self.model_name}): {message}")


def _completion(text: str, usage: Any, finish_reason: Any = None) -> Completion:
    """A completion from a response's text, usage and finish reason (``"length"``: the token cap)."""
    prompt_tokens = getattr(usage, "prompt_tokens", None)
    completion_tokens = getattr(usage, "completion_tokens", None)
    return Completion(
        text,
        prompt_tokens if isinstance(prompt_tokens, int) else None,
        completion_tokens if isinstance(completion_tokens, int) else None,
        finish_reason="length" if finish_reason == "length" else ("stop" if finish_reason else None),
    )


def _completion_from_json(data: object, stops: Sequence[str]) -> Completion:
    """The completion in a chat-completions JSON answer (an empty reply if it has none)."""
    answer = data if isinstance(data, dict) else {}
    choices = answer.get("choices") or [{}]
    first = choices[0] if isinstance(choices[0], dict) else {}
    message = first.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    text = content if isinstance(content, str) else ""
    usage = answer.get("usage")
    counts = SimpleNamespace(**usage) if isinstance(usage, dict) else None
    cut = cut_at_stop(text, stops)
    # A reply we cut at a stop string ended there, whatever the server said.
    return _completion(cut, counts, first.get("finish_reason") if cut == text else "stop")


def _backoff(retries: int, exc: Exception) -> float:
    """Seconds before the next try: the server's Retry-After if it gives one, else exponential with jitter."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    retry_after = str(headers.get("retry-after", "")) if headers is not None else ""
    try:
        return min(float(retry_after), _RETRY_AFTER_CAP)
    except ValueError:
        pass
    jitter = 0.5 + random.random() / 2  # spreads retries out; not for security
    return min(_BACKOFF_CAP, _BACKOFF_BASE * 2.0**retries) * jitter


def hosted_model(model_name: str, **settings: Any) -> OpenAIModel | None:
    """An :class:`OpenAIModel` for a hosted name such as ``'gpt-4o'``, if the environment allows one.

    Returns ``None`` unless ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is
    set, so callers can keep their own "cannot run this name" error. With
    only the key, requests go to the OpenAI API (an ``openai/`` prefix, as in
    LiteLLM names, is dropped); with ``OPENAI_BASE_URL`` (comma-separated for
    replicas) they go to that server, under the name as given.

    Args:
        model_name: The hosted model's name.
        **settings: Further :class:`OpenAIModel` arguments (``name``,
            ``max_out_tokens``, ``temperature``, ``top_p``, ``seed``, ...).

    Raises:
        ModelLoadError: the environment asks for a server but the ``openai``
            package is missing.
    """
    model_name = non_empty_text("model_name", model_name)
    has_server = bool(os.environ.get("OPENAI_BASE_URL", "").strip())
    if not has_server and not os.environ.get("OPENAI_API_KEY", "").strip():
        return None
    if not has_server and model_name.lower().startswith("openai/"):
        model_name = model_name[len("openai/") :]
    return OpenAIModel(model_name, **settings)
