"""Namespaces that let code written for other packages run on syndisco-widgets.

* :mod:`syndisco_widgets.compat.syndisco` behaves as SynDisco 2.2.1's ``syndisco``.

:func:`alias_syndisco` makes ``import syndisco`` (and ``syndisco.jobs`` and
the other submodules) resolve to that namespace, for code you cannot edit.
"""

from __future__ import annotations

import sys
from importlib import import_module

SUBMODULES = ("actors", "experiments", "jobs", "logging", "model", "turn_manager")


def alias_syndisco() -> None:
    """Register the SynDisco namespace as ``syndisco`` and its submodules as ``syndisco.<name>``.

    Raises:
        ImportError: another ``syndisco`` is already imported (the real package).
    """
    package = import_module(f"{__name__}.syndisco")
    present = sys.modules.get("syndisco")
    if present is not None and present is not package:
        raise ImportError(
            "a 'syndisco' module is already imported; call alias_syndisco() before anything imports syndisco"
        )
    sys.modules["syndisco"] = package
    for name in SUBMODULES:
        sys.modules[f"syndisco.{name}"] = import_module(f"{package.__name__}.{name}")
