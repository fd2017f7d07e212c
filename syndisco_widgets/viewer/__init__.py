"""The discussion viewer: one payload, three places.

* JupyterLab (the ``syndisco-widgets`` extension) renders :data:`MIME_TYPE`;
* everywhere else (Colab, VS Code, nbconvert, GitHub) gets the
  self-contained ``text/html`` fallback, and consoles ``text/plain``;
* the studio's Insights tab draws the same payload through anywidget.

``display(discussion_bundle(logs), raw=True)`` shows any discussion; objects
with ``_repr_mimebundle_`` (``Logs``, ``Discussion``, structures,
``DiscussionExperiment``) show themselves.
"""

from .bundle import MimeBundle, bundle, discussion_bundle, experiment_bundle, structure_bundle
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
