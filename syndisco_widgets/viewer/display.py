"""Rich display in IPython, attached from above: the engine never imports the viewer.

When ``syndisco_widgets`` is imported inside IPython (a Jupyter kernel,
VS Code, Colab, nbconvert), :func:`attach_to_ipython` tells IPython's
MIME-bundle formatter how to show :data:`DISPLAYED` classes and their
subclasses: the payload the JupyterLab extension renders, escaped HTML for
other front ends, and plain text (see :mod:`.bundles`). The classes are named
by module and name, so registering imports none of them, and the viewer
itself loads on the first display. A shell started after the import can
``%load_ext syndisco_widgets.viewer.display``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from .bundles import MimeBundle

#: Which bundle shows a class.
Kind = Literal["discussion", "structure", "experiment"]

#: ``(module, class, kind)`` of every class shown with the viewer.
DISPLAYED: tuple[tuple[str, str, Kind], ...] = (
    ("syndisco_widgets.engine.logs", "Logs", "discussion"),
    ("syndisco_widgets.engine.discussion", "Discussion", "discussion"),
    ("syndisco_widgets.engine.experiment", "DiscussionExperiment", "experiment"),
    ("syndisco_widgets.deliberation.experiment", "DeliberationExperiment", "experiment"),
    ("syndisco_widgets.deliberation.structures", "AbstractStructure", "structure"),
)

#: What IPython wants back from a MIME-bundle printer: the bundle and its metadata.
Shown = tuple["MimeBundle", dict[str, Any]]


class MimeBundleFormatter(Protocol):
    """The part of ``IPython.core.formatters.MimeBundleFormatter`` used here."""

    def for_type_by_name(self, type_module: str, type_name: str, func: Callable[[Any], Shown]) -> Any:
        """Show instances of ``type_module.type_name`` (and subclasses) with ``func``."""


class DisplayFormatter(Protocol):
    """The part of ``IPython.core.formatters.DisplayFormatter`` used here."""

    @property
    def mimebundle_formatter(self) -> MimeBundleFormatter:
        """The formatter consulted first for every displayed object."""


class Shell(Protocol):
    """The part of an IPython ``InteractiveShell`` used here."""

    @property
    def display_formatter(self) -> DisplayFormatter:
        """How the shell turns objects into MIME bundles."""


def register(formatter: DisplayFormatter) -> None:
    """Show the :data:`DISPLAYED` classes with the viewer wherever ``formatter`` displays."""
    for module, name, kind in DISPLAYED:
        formatter.mimebundle_formatter.for_type_by_name(module, name, _printer(kind))


def load_ipython_extension(shell: Shell) -> None:
    """``%load_ext syndisco_widgets.viewer.display``, for a shell started after the package was imported."""
    register(shell.display_formatter)


def attach_to_ipython() -> bool:
    """:func:`register` with the running IPython shell; False (and nothing done) outside IPython."""
    ipython = sys.modules.get("IPython")  # a running shell has imported it; never import it here
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    load_ipython_extension(shell)
    return True


def _printer(kind: Kind) -> Callable[[Any], Shown]:
    def show(obj: Any) -> Shown:
        from . import bundles  # the viewer loads on the first display, not at import

        makers = {
            "discussion": bundles.discussion_bundle,
            "structure": bundles.structure_bundle,
            "experiment": bundles.experiment_bundle,
        }
        return makers[kind](obj), {}

    show.__name__ = f"show_{kind}"
    return show
