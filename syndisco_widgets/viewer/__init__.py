"""The discussion viewer: one payload, three places.

* JupyterLab (the ``syndisco-widgets`` extension) renders :data:`MIME_TYPE`;
* everywhere else (Colab, VS Code, nbconvert, GitHub) gets the
  self-contained ``text/html`` fallback, and consoles ``text/plain``;
* the studio's Insights tab draws the same payload through anywidget.

``display(discussion_bundle(logs), raw=True)`` shows any discussion. In
IPython, ``Logs``, ``Discussion``, structures and ``DiscussionExperiment``
show themselves: :mod:`.display` registers them when ``syndisco_widgets``
is imported. The names below load on first use, so that registering stays light.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_attributes

if TYPE_CHECKING:
    from .bundles import MimeBundle, bundle, discussion_bundle, experiment_bundle, structure_bundle
    from .html import to_html, to_text
    from .payload import (
        MIME_TYPE,
        PAYLOAD_VERSION,
        DiscussionPayload,
        ExperimentPayload,
        Payload,
        StructurePayload,
        discussion_payload,
        experiment_payload,
        structure_payload,
    )

#: Which module of the viewer holds each public name.
_HOMES = {
    "MIME_TYPE": ".payload",
    "PAYLOAD_VERSION": ".payload",
    "DiscussionPayload": ".payload",
    "ExperimentPayload": ".payload",
    "MimeBundle": ".bundles",
    "Payload": ".payload",
    "StructurePayload": ".payload",
    "bundle": ".bundles",
    "discussion_bundle": ".bundles",
    "discussion_payload": ".payload",
    "experiment_bundle": ".bundles",
    "experiment_payload": ".payload",
    "structure_bundle": ".bundles",
    "structure_payload": ".payload",
    "to_html": ".html",
    "to_text": ".html",
}

__all__ = [
    "MIME_TYPE",
    "PAYLOAD_VERSION",
    "DiscussionPayload",
    "ExperimentPayload",
    "MimeBundle",
    "Payload",
    "StructurePayload",
    "bundle",
    "discussion_bundle",
    "discussion_payload",
    "experiment_bundle",
    "experiment_payload",
    "structure_bundle",
    "structure_payload",
    "to_html",
    "to_text",
]
assert set(__all__) == set(_HOMES)


__getattr__ = lazy_attributes(globals(), _HOMES)


def __dir__() -> list[str]:
    return sorted(__all__)
