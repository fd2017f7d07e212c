"""Module attributes that load on first use, so importing a package stays light.

A package lists where each heavy name lives and sets
``__getattr__ = lazy_attributes(globals(), homes)``: the first access imports
the home module, keeps the value in the package and returns it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


def lazy_attributes(
    namespace: dict[str, Any], homes: Mapping[str, str], shown_name: str | None = None
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the names in ``homes``.

    Args:
        namespace: The package's ``globals()``; each loaded value is kept there.
        homes: Name -> the module that defines it, absolute or relative to the
            package (``".tiny"``).
        shown_name: How an error names the package (default: its quoted ``__name__``).
    """
    package = namespace["__name__"]
    shown = shown_name or repr(package)

    def __getattr__(name: str) -> Any:  # noqa: N807  a module's own hook
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {shown} has no attribute {name!r}")
        value = getattr(import_module(home, package), name)
        namespace[name] = value
        return value

    return __getattr__
