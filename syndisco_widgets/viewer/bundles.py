"""MIME bundles for rich display: the viewer payload, the HTML fallback and plain text.

IPython shows ``Logs``, ``Discussion``, the deliberation structures and
``DiscussionExperiment`` with these (registered by :mod:`.display`, so the
engine never depends on the viewer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .html import to_html, to_text
from .payload import MIME_TYPE, Payload, discussion_payload, experiment_payload, structure_payload

if TYPE_CHECKING:
    from collections.abc import Callable, Container

MimeBundle = dict[str, Any]


def bundle(
    payload: Payload, include: Container[str] | None = None, exclude: Container[str] | None = None
) -> MimeBundle:
    """``{MIME_TYPE: payload, "text/html": ..., "text/plain": ...}``, filtered as IPython asks."""
    makers: dict[str, Callable[[], Any]] = {
        MIME_TYPE: lambda: payload,
        "text/html": lambda: to_html(payload),
        "text/plain": lambda: to_text(payload),
    }
    return {
        mime: make()
        for mime, make in makers.items()
        if (include is None or mime in include) and (exclude is None or mime not in exclude)
    }


def discussion_bundle(
    source: Any, include: Container[str] | None = None, exclude: Container[str] | None = None
) -> MimeBundle:
    """The bundle of one discussion (``Logs``, a ``Discussion``, a file path or a list of entries)."""
    return bundle(discussion_payload(source), include, exclude)


def structure_bundle(
    structure: Any, include: Container[str] | None = None, exclude: Container[str] | None = None
) -> MimeBundle:
    """The bundle of a deliberation structure and its latest run."""
    return bundle(structure_payload(structure), include, exclude)


def experiment_bundle(
    source: Any, include: Container[str] | None = None, exclude: Container[str] | None = None
) -> MimeBundle:
    """The bundle of an experiment folder, or of a ``DiscussionExperiment`` (its plan, or its results)."""
    return bundle(experiment_payload(source), include, exclude)
