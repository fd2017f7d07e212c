"""The viewer's data: what the JupyterLab extension and the Insights tab draw.

A payload is JSON sent under :data:`MIME_TYPE`. Its ``kind`` says what it holds:

``"discussion"``
    ``{kind, version, title, metadata, entries, summary, notes}``: the
    entries (without their prompts) and :func:`~..analysis.core.summarize`.
``"structure"``
    ``{kind, version, title, settings, metadata, entries, final, moderator, summary}``:
    a deliberation structure's run; ``settings`` as ``structure.settings()``
    (with ``edges`` for a Graph), entries carrying ``seen`` and ``cycle``.
``"experiment"``
    ``{kind, version, title, metadata, discussions, notes}``: one row per
    planned discussion (``index, file, status, users, seed, design, turns,
    words, entries``); ``entries`` is None when the experiment is too big to
    inline or the discussion has not started.

``version`` is :data:`PAYLOAD_VERSION`; js/discussion_view.js refuses others.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from ..analysis.core import Summary, summarize, word_count
from ..engine.run_folder import as_logs, read_experiment, read_manifest, run_metadata

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

#: The MIME type of a viewer payload (the JupyterLab extension renders it).
MIME_TYPE = "application/vnd.syndisco.discussion+json"
#: The payload format; bump it when a field changes meaning.
PAYLOAD_VERSION = 1
#: An experiment's transcripts are inlined only up to this many entries in all.
MAX_INLINE_ENTRIES = 5000
#: Keys left out of the entries sent to the view (long, and not shown).
OMITTED_KEYS = frozenset({"prompt"})


class DiscussionPayload(TypedDict):
    """One discussion."""

    kind: Literal["discussion"]
    version: int
    title: str
    metadata: dict[str, Any]
    entries: list[dict[str, Any]]
    summary: Summary
    notes: list[str]


class StructurePayload(TypedDict):
    """One run of a deliberation structure."""

    kind: Literal["structure"]
    version: int
    title: str
    settings: dict[str, Any]
    metadata: dict[str, Any]
    entries: list[dict[str, Any]]
    final: str | None
    moderator: str | None
    summary: Summary


class ExperimentRow(TypedDict):
    """One planned discussion of an experiment."""

    index: int
    file: str | None
    status: str
    users: list[str]
    seed: Any
    design: dict[str, Any]
    turns: int | None
    words: int | None
    entries: list[dict[str, Any]] | None


class ExperimentPayload(TypedDict):
    """An experiment's discussions."""

    kind: Literal["experiment"]
    version: int
    title: str
    metadata: dict[str, Any]
    discussions: list[ExperimentRow]
    notes: list[str]


Payload = DiscussionPayload | StructurePayload | ExperimentPayload


def view_entries(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries as the view gets them: plain dicts without :data:`OMITTED_KEYS`."""
    return [{k: v for k, v in e.items() if k not in OMITTED_KEYS} for e in entries]


def discussion_payload(source: Any, title: str | None = None) -> DiscussionPayload:
    """The payload of one discussion.

    Args:
        source: ``Logs``, a ``Discussion``, a path to an exported or autosave
            file, or a list of entries (see :func:`~syndisco_widgets.engine.run_folder.as_logs`).
        title: Shown above the view; a default says what the source is.
    """
    logs = as_logs(source)
    metadata: dict[str, Any] = {"created": logs.timestamp}
    settings = getattr(source, "settings", None)
    if callable(settings) and not isinstance(source, (str, os.PathLike)):
        metadata.update(settings())
    if isinstance(source, (str, os.PathLike)):
        metadata.update(run_metadata(source))
        metadata["file"] = Path(source).name
    entries = list(logs)
    return {
        "kind": "discussion",
        "version": PAYLOAD_VERSION,
        "title": title or _discussion_title(metadata),
        "metadata": metadata,
        "entries": view_entries(entries),
        "summary": summarize(entries),
        "notes": [],
    }


def _discussion_title(metadata: Mapping[str, Any]) -> str:
    if "file" in metadata:
        return f"Discussion ({metadata['file']})"
    users = metadata.get("users")
    if isinstance(users, list) and users:
        return "Discussion: " + ", ".join(str(u) for u in users)
    return "Discussion"


def structure_payload(structure: Any) -> StructurePayload:
    """The payload of a deliberation structure (Chain, Debate, Ensemble, Graph) and its latest run."""
    settings = dict(structure.settings())
    entries = list(structure.logs)
    moderators = [e["name"] for e in entries if e.get("role") == "moderator"]
    agents = settings.get("agents", [])
    kind = str(settings.get("structure", type(structure).__name__))
    return {
        "kind": "structure",
        "version": PAYLOAD_VERSION,
        "title": f"{kind} of {len(agents)} agent{'s' if len(agents) != 1 else ''}",
        "settings": settings,
        "metadata": {},
        "entries": view_entries(entries),
        "final": structure.final_response,
        "moderator": moderators[-1] if moderators else None,
        "summary": summarize(entries),
    }


def experiment_payload(source: Any) -> ExperimentPayload:
    """The payload of an experiment: its folder (with its manifest) or a ``DiscussionExperiment``.

    An experiment object shows its results when it knows its folder (an
    ``output_dir`` attribute), otherwise its plan.
    """
    folder = source if isinstance(source, (str, os.PathLike)) else getattr(source, "output_dir", None)
    if folder is None:
        return _plan_payload(source)
    runs = read_experiment(folder)
    manifest = read_manifest(folder)
    settings = manifest.get("settings")
    # An experiment's manifest keeps its seed in its settings.
    seed = manifest.get("seed", settings.get("seed") if isinstance(settings, dict) else None)
    inline = sum(len(r["logs"] or ()) for r in runs) <= MAX_INLINE_ENTRIES
    rows: list[ExperimentRow] = []
    for run in runs:
        entries = list(run["logs"]) if run["logs"] is not None else None
        rows.append(
            {
                "index": run["discussion"],
                "file": run["file"],
                "status": run["status"],
                "users": run["users"],
                "seed": run["seed"],
                "design": {"model": run["model"], "condition": run["condition"]},
                "turns": len(entries) if entries is not None else None,
                "words": sum(word_count(e["text"]) for e in entries) if entries is not None else None,
                "entries": view_entries(entries) if entries is not None and inline else None,
            }
        )
    notes = [] if inline else [f"Over {MAX_INLINE_ENTRIES} entries: open each run file to read it."]
    return {
        "kind": "experiment",
        "version": PAYLOAD_VERSION,
        "title": f"Experiment in {Path(folder).name}",
        "metadata": {"seed": seed, "folder": str(folder)},
        "discussions": rows,
        "notes": notes,
    }


def _plan_payload(experiment: Any) -> ExperimentPayload:
    plan: Sequence[Mapping[str, Any]] = getattr(experiment, "plan", [])
    rows: list[ExperimentRow] = [
        {
            "index": int(item["index"]),
            "file": None,
            "status": "planned",
            "users": [str(u) for u in item.get("users", [])],
            "seed": item.get("seed"),
            "design": {"condition": item.get("condition")} if "condition" in item else {},
            "turns": None,
            "words": None,
            "entries": None,
        }
        for item in plan
    ]
    return {
        "kind": "experiment",
        "version": PAYLOAD_VERSION,
        "title": f"Experiment plan: {len(rows)} discussion{'s' if len(rows) != 1 else ''}",
        "metadata": {"seed": getattr(experiment, "seed", None)},
        "discussions": rows,
        "notes": [
            "Not run yet here: call begin(folder), then display the folder with experiment_bundle(folder)."
        ],
    }
