# ruff: noqa: INP001  loaded by path from pyproject.toml, not an importable package
"""Build the JupyterLab extension only when its sources changed (hatch-jupyter-builder hook).

``pip install`` (wheel or editable) calls :func:`build_if_stale`. It runs
``jlpm install`` and the build script when the built extension is missing or
older than any of its sources, and does nothing otherwise, so a reinstall with
a fresh build takes no time. ``jlpm --cwd js/labextension clean`` forces a
rebuild (do that before building a release wheel).
"""

from __future__ import annotations

from pathlib import Path

from hatch_jupyter_builder import npm_builder

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "syndisco_widgets" / "labextension" / "package.json"
SOURCES = (
    "js/discussion_view.js",
    "js/discussion_view.css",
    "js/transcript.js",
    "js/transcript.css",
    "js/labextension/src",
    "js/labextension/style",
    "js/labextension/package.json",
    "js/labextension/tsconfig.json",
    "js/labextension/yarn.lock",
)


def _newest(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in files), default=0.0)


def is_stale() -> bool:
    """True when the built extension is missing or older than a source file."""
    if not BUILT.is_file():
        return True
    built = BUILT.stat().st_mtime
    return any(_newest(ROOT / source) > built for source in SOURCES)


def build_if_stale(target_name: str, version: str, build_cmd: str = "build:prod") -> None:
    """Hatch build function: ``jlpm install`` + ``jlpm run <build_cmd>`` when stale."""
    if not is_stale():
        print("syndisco-widgets: the JupyterLab extension is up to date; not rebuilding")  # noqa: T201
        return
    npm_builder(
        target_name, version, path=str(ROOT / "js" / "labextension"), build_cmd=build_cmd, npm=["jlpm"]
    )
