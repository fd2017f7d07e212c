"""Find the front-end files (``transcript.js`` / ``transcript.css``).

Two layouts are supported:

* a source checkout or editable install: the files live in ``<repo>/js/``;
* an installed wheel: hatch copies them into ``syndisco_widgets/widgets/static/``.

The checkout wins when both exist, so ``ANYWIDGET_HMR=1`` reloads the file
you are editing.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_PACKAGED = _HERE / "static"
_REPO_ROOT = _HERE.parents[1]


def asset_candidates(name: str) -> tuple[Path, ...]:
    """Where ``name`` is looked for, in order."""
    found = []
    # A repo checkout is recognised by its pyproject.toml next to js/, so an
    # unrelated ``site-packages/js`` directory is never picked up.
    if (_REPO_ROOT / "pyproject.toml").is_file():
        found.append(_REPO_ROOT / "js" / name)
    found.append(_PACKAGED / name)
    return tuple(found)


def asset_path(name: str) -> Path:
    """Return the path of front-end asset ``name`` or raise FileNotFoundError."""
    candidates = asset_candidates(name)
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(
        f"front-end asset {name!r} is missing (looked in: {tried}). "
        "Reinstall syndisco-widgets, or run from a full checkout that has js/."
    )
