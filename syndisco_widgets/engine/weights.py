"""What identifies a model's weights: a sha256 over its weight files, computed once.

Hashing a model of a few hundred megabytes takes seconds, so each file's
digest is cached, keyed by its real path, size and modification time, in a
small JSON file under the user cache folder
(``$XDG_CACHE_HOME/syndisco_widgets/weights-sha256.json``). The cache is
rewritten atomically, so two kernels never leave a half-written file; a lost
update only means a file is hashed again.

Nothing here imports torch or transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .storage import atomic_write_text

#: File endings that hold model weights.
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".ckpt", ".h5", ".msgpack", ".onnx")

_CACHE_VERSION = 1
_CACHE_LIMIT = 2000  # digests kept in the cache file, newest last
_CHUNK = 1 << 20
_HEX_DIGEST_LEN = 64

_memo: dict[str, str] = {}  # this process's digests, by cache key
_memo_lock = threading.Lock()


def default_cache_file() -> Path:
    """``$XDG_CACHE_HOME/syndisco_widgets/weights-sha256.json`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path("~/.cache").expanduser()
    return root / "syndisco_widgets" / "weights-sha256.json"


def weight_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The weight files under ``folder`` (any depth, hidden folders skipped), sorted."""
    root = Path(folder)
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix in WEIGHT_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def weights_sha256(folder: str | os.PathLike[str], *, cache_file: Path | None = None) -> str | None:
    """A sha256 over every weight file in ``folder``: names and contents, in name order.

    Returns None when the folder holds no weight files. Any change to a
    weight file (content, name, a file added or removed) changes the result.

    Args:
        folder: A model folder (e.g. one saved with ``save_pretrained``).
        cache_file: Where per-file digests are cached; default :func:`default_cache_file`.
    """
    root = Path(folder).resolve()
    files = weight_files(root)
    if not files:
        return None
    cache_path = cache_file if cache_file is not None else default_cache_file()
    stored = _read_cache(cache_path)
    fresh: dict[str, str] = {}
    total = hashlib.sha256()
    for path in files:
        key = _cache_key(path)
        digest = _memo.get(key) or stored.get(key)
        if digest is None:
            digest = _file_sha256(path)
            fresh[key] = digest
        with _memo_lock:
            _memo[key] = digest
        total.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + bytes.fromhex(digest))
    if fresh:
        _write_cache(cache_path, {**stored, **fresh})
    return total.hexdigest()


def _cache_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_cache(path: Path) -> dict[str, str]:
    """The cached digests; a missing, unreadable or foreign file counts as empty."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    files = data.get("files") if isinstance(data, Mapping) and data.get("version") == _CACHE_VERSION else None
    if not isinstance(files, Mapping):
        return {}
    return {
        k: v
        for k, v in files.items()
        if isinstance(k, str) and isinstance(v, str) and len(v) == _HEX_DIGEST_LEN
    }


def _write_cache(path: Path, digests: Mapping[str, str]) -> None:
    """Replace the cache file in one step; stale keys for the same file are dropped."""
    by_file: dict[str, tuple[str, str]] = {}
    for key, digest in digests.items():  # later keys (fresh digests) win and move to the end
        file_path = key.rsplit("|", 2)[0]
        by_file.pop(file_path, None)
        by_file[file_path] = (key, digest)
    kept = dict(list(by_file.values())[-_CACHE_LIMIT:])
    text = json.dumps({"version": _CACHE_VERSION, "files": kept}, indent=1) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError:
        return  # a read-only cache folder only costs a re-hash next time
