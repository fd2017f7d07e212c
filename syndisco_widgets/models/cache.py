"""A process-wide cache of loaded Hugging Face models and tokenizers.

Many agents usually share one model. :func:`load_model_and_tokenizer` loads
each (path, kwargs, device) combination once per process and hands every
caller the same torch module, the same tokenizer and one lock that serializes
generation on that module.

torch and transformers are imported inside the functions, so importing this
module stays cheap.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelLoadError
from .env import apply_thread_limit

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Example of a small instruct model, named in error messages.
EXAMPLE_MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"

_CacheKey = tuple[str, str, str, str]

_guard = threading.Lock()  # protects the two dicts below
_entries: dict[_CacheKey, tuple[Any, Any, threading.Lock]] = {}
_key_locks: dict[_CacheKey, threading.Lock] = {}


def resolve_device(device: str = "auto") -> str:
    """Turn ``"auto"`` into ``"cuda"``, ``"mps"`` or ``"cpu"`` (first available).

    Any other value is returned unchanged, e.g. ``"cuda:1"``.
    """
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def checked_device(device: object) -> str:
    """Return ``device`` if it is ``"auto"`` or a torch device this machine has.

    Raises:
        ConfigError: it is not a device string (e.g. ``"gpu0"``), or names a
            device that is not available here (e.g. ``"cuda"`` without a GPU).
    """
    hint = "pass 'auto', 'cpu', 'cuda', 'cuda:0' or 'mps'"
    if not isinstance(device, str) or not device.strip():
        raise ConfigError(f"device must be a string; {hint}, got {device!r}")
    if device == "auto":
        return device
    import torch

    try:
        kind = torch.device(device).type
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(f"device {device!r} is not a torch device; {hint}") from exc
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
    }
    if not available.get(kind, False):
        raise ConfigError(f"device {device!r} is not available on this machine; {hint} (or 'auto')")
    return device


def _looks_local(model_path: str) -> bool:
    """True if ``model_path`` is meant as a folder rather than a Hub id."""
    path = Path(model_path)
    if model_path.startswith((".", "/", "~", "\\")) or path.is_absolute() or path.exists():
        return True
    # "models/my-model" where a local "models" folder exists.
    return str(path.parent) != "." and path.parent.is_dir()


def resolve_model_path(model_path: str | os.PathLike[str]) -> str:
    """Absolute folder path for local models, the id unchanged for Hub ids.

    Raises:
        ModelLoadError: ``model_path`` looks like a local path that does not exist.
    """
    text = os.fspath(model_path)
    if not isinstance(text, str) or not text.strip():
        raise ModelLoadError(
            f"model_path must be a folder or a Hugging Face id such as {EXAMPLE_MODEL_ID!r}, "
            f"got {model_path!r}"
        )
    if not _looks_local(text):
        return text
    path = str(Path(text).expanduser().resolve())
    if not Path(path).exists():
        raise ModelLoadError(
            f"model folder {text!r} does not exist (resolved to {path!r}); check the path, "
            f"or pass a Hugging Face id such as {EXAMPLE_MODEL_ID!r}"
        )
    return path


def canonical_kwargs(kwargs: Mapping[str, Any] | None) -> str:
    """Stable text for a kwargs dict (sorted keys; non-JSON values by repr)."""
    return json.dumps(dict(kwargs or {}), sort_keys=True, default=repr, separators=(",", ":"))


def _not_a_causal_lm(path: str, reason: str) -> ModelLoadError:
    return ModelLoadError(
        f"folder {path!r} does not hold a causal (decoder-only) language model: {reason}. "
        "Pass a folder saved with save_pretrained() from a chat/causal LM "
        f"(config.json plus weights), or a Hub id such as {EXAMPLE_MODEL_ID!r}"
    )


def _load_model(path: str, model_kwargs: dict[str, Any]) -> Any:
    """Load the causal LM at ``path``, turning failures into :class:`ModelLoadError`."""
    from transformers import AutoModelForCausalLM

    is_folder = Path(path).is_dir()
    if Path(path).exists() and not is_folder:
        raise _not_a_causal_lm(path, "it is a file, not a folder")
    if is_folder and not (Path(path) / "config.json").is_file():
        raise _not_a_causal_lm(path, "there is no config.json in it")
    try:
        return AutoModelForCausalLM.from_pretrained(path, **model_kwargs)
    except ValueError as exc:
        if is_folder:
            # e.g. "Unrecognized configuration class ... for this kind of AutoModel"
            raise _not_a_causal_lm(path, f"{type(exc).__name__}: {exc}") from exc
        raise ModelLoadError(f"could not load model {path!r}: {exc}") from exc
    except OSError as exc:
        if is_folder:
            raise ModelLoadError(
                f"could not read the model in folder {path!r}: {exc}. "
                "Check that the weights were saved completely (save_pretrained)"
            ) from exc
        raise ModelLoadError(
            f"could not find model {path!r} on the Hugging Face Hub or in the local cache: "
            "check the id, or pass a local folder; no network access? "
            "(download it once where there is network, or set HF_HOME to a cache that has it). "
            f"Original error: {type(exc).__name__}: {exc}"
        ) from exc
    except Exception as exc:
        raise ModelLoadError(f"could not load model {path!r}: {type(exc).__name__}: {exc}") from exc


def _load_uncached(
    path: str, model_kwargs: dict[str, Any], tokenizer_kwargs: dict[str, Any], device: str
) -> tuple[Any, Any]:
    """Load the model and tokenizer, turning failures into :class:`ModelLoadError`."""
    from transformers import AutoTokenizer

    from .progress import quiet_progress_bars

    with quiet_progress_bars():  # no "Loading weights" bar in every notebook cell
        model = _load_model(path, model_kwargs)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, **tokenizer_kwargs)
    except Exception as exc:
        raise ModelLoadError(
            f"loaded the model from {path!r} but not its tokenizer: {type(exc).__name__}: {exc}. "
            "The folder needs tokenizer files (tokenizer.json / tokenizer_config.json); "
            "save them with tokenizer.save_pretrained(folder)"
        ) from exc

    # Batched generation on decoder-only models needs left padding and a pad token.
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token

    if "device_map" not in model_kwargs:  # otherwise accelerate placed it already
        model.to(device)
    model.eval()
    return model, tokenizer


def load_model_and_tokenizer(
    model_path: str | os.PathLike[str],
    model_kwargs: Mapping[str, Any] | None = None,
    tokenizer_kwargs: Mapping[str, Any] | None = None,
    device: str = "auto",
) -> tuple[Any, Any, threading.Lock]:
    """Return ``(model, tokenizer, lock)``, loading them only on first use.

    The cache key is (resolved path, canonical JSON of both kwargs dicts,
    resolved device), so ``"auto"`` and the device it picks share an entry.
    It is thread-safe: two threads asking for the same key at once load once
    and get the same objects. Hold ``lock`` while generating with ``model``.

    Args:
        model_path: Local folder or Hugging Face id.
        model_kwargs: Passed to ``AutoModelForCausalLM.from_pretrained``.
        tokenizer_kwargs: Passed to ``AutoTokenizer.from_pretrained``.
        device: ``"auto"`` (cuda, then mps, then cpu) or a torch device string.
            Ignored for placement when ``model_kwargs`` has ``device_map``.

    Raises:
        ModelLoadError: the path, the id or the folder's contents are wrong;
            the message says which and how to fix it.
    """
    apply_thread_limit()
    path = resolve_model_path(model_path)
    device = resolve_device(device)
    key = (path, canonical_kwargs(model_kwargs), canonical_kwargs(tokenizer_kwargs), device)
    with _guard:
        entry = _entries.get(key)
        if entry is not None:
            return entry
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:  # one loader per key; other keys load in parallel
        with _guard:
            entry = _entries.get(key)
        if entry is None:
            model, tokenizer = _load_uncached(
                path, dict(model_kwargs or {}), dict(tokenizer_kwargs or {}), device
            )
            entry = (model, tokenizer, threading.Lock())
            with _guard:
                _entries[key] = entry
    return entry


def cached_model_count() -> int:
    """How many (model, tokenizer) pairs are loaded right now."""
    with _guard:
        return len(_entries)


def clear_model_cache() -> None:
    """Forget every cached model so its memory can be freed.

    Models still referenced elsewhere (e.g. by a ``TransformersModel``) stay
    alive until those references go; the next load makes a fresh copy.
    """
    with _guard:
        _entries.clear()
        _key_locks.clear()
    import gc
    import sys

    gc.collect()
    torch = sys.modules.get("torch")  # only if someone already imported it
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
