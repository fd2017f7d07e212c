"""TurnManagerSelector: choose how turns are taken, with a live preview."""

from __future__ import annotations

import copy
import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from ..checks import seed_text
from ..engine import CustomOrder, RandomWeighted, RoundRobin, TurnManager
from ..errors import ConfigError
from ._style import classed, style_widget
from .persona_editor import PersonaEditor
from .ui import note, set_note, text_box

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["TurnManagerSelector"]

ROUND_ROBIN, RANDOM_WEIGHTED, CUSTOM, GIVEN = "round_robin", "random_weighted", "custom", "given"
_KINDS = [("Round robin", ROUND_ROBIN), ("Random weighted", RANDOM_WEIGHTED), ("Custom order", CUSTOM)]


class TurnManagerSelector(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Pick RoundRobin, RandomWeighted (``p_respond`` and seed) or a custom order.

    Args:
        names: Who may speak (usually the users' usernames); update with ``.names = [...]``.
            Or a :class:`PersonaEditor`: the selector then follows its usernames,
            so renaming a persona there changes the preview here.
        value: A turn manager to start from (its kind and settings are copied).
        preview: How many upcoming speakers to show.

    ``value`` builds a *fresh* manager on every read, ready for a Discussion.
    Any other :class:`TurnManager` given as ``value`` is offered as "Given"
    and copied on each read.
    """

    names = traitlets.List(trait=traitlets.Unicode())

    def __init__(
        self,
        names: Sequence[str] | PersonaEditor = (),
        *,
        value: TurnManager | None = None,
        preview: int = 8,
        **kwargs: Any,
    ) -> None:
        self.preview_count = preview
        self._given: TurnManager | None = None
        self.kind = widgets.ToggleButtons(options=_KINDS, value=ROUND_ROBIN, style={"button_width": "auto"})
        self.p_respond = widgets.FloatSlider(
            value=0.5, min=0.0, max=1.0, step=0.05, description="p_respond", readout_format=".2f"
        )
        self.seed = text_box("Seed", "empty = unseeded", "0", width="220px")
        self.order = text_box("Order", "e.g. Emma35, Giannis, Emma35")
        self.error = note("sdw-field-error")
        self.preview = classed(widgets.HTML(""), "sdw-turn-preview")
        self._random_box = widgets.VBox(
            [
                self.p_respond,
                widgets.HTML(
                    '<span class="sdw-hint">Chance that the previous speaker answers back; '
                    "otherwise someone else is picked at random.</span>"
                ),
                self.seed,
            ]
        )
        self._custom_box = widgets.VBox(
            [
                self.order,
                widgets.HTML('<span class="sdw-hint">Comma-separated usernames, repeated in a cycle.</span>'),
            ]
        )
        for w in (self.kind, self.p_respond, self.seed, self.order):
            w.observe(self._update, names="value")
        super().__init__(
            [
                style_widget(),
                self.kind,
                self._random_box,
                self._custom_box,
                self.error,
                self.preview,
            ],
            **kwargs,
        )
        classed(self, "sdw-turn-selector", "sdw-panel")
        self.observe(self._update, names="names")
        if value is not None:
            self.set_value(value)
        if isinstance(names, PersonaEditor):
            self.follow(names)
        else:
            self.names = list(names) or (list(value.names) if value is not None else [])
        self._update()

    def follow(self, editor: PersonaEditor) -> None:
        """Take the speakers' names from ``editor`` now and whenever its personas change."""
        self.names = _usernames(editor.value)
        editor.observe(self._on_personas, names="value")

    def _on_personas(self, change: dict[str, Any]) -> None:
        self.names = _usernames(change["new"])

    # ------------------------------------------------------------------ value
    @property
    def value(self) -> TurnManager:
        """A fresh turn manager with the chosen settings (raises ConfigError if invalid)."""
        return self._build(self.names)

    @value.setter
    def value(self, manager: TurnManager) -> None:
        self.set_value(manager)

    def set_value(self, manager: TurnManager) -> None:
        """Show the settings of ``manager`` (its names too, if it has any)."""
        if not isinstance(manager, TurnManager):
            raise ConfigError(f"expected a TurnManager, got {type(manager).__name__}")
        with self.hold_trait_notifications():
            if type(manager) is RoundRobin:
                self.kind.value = ROUND_ROBIN
            elif type(manager) is RandomWeighted:
                self.p_respond.value = manager.p_respond
                self.seed.value = "" if manager.seed is None else str(manager.seed)
                self.kind.value = RANDOM_WEIGHTED
            elif type(manager) is CustomOrder:
                self.order.value = ", ".join(manager.order)
                self.kind.value = CUSTOM
            else:
                self._given = copy.deepcopy(manager)
                self.kind.options = [*_KINDS, (f"Given: {type(manager).__name__}", GIVEN)]
                self.kind.value = GIVEN
            if manager.names:
                self.names = list(manager.names)
        self._update()

    def peek(self, count: int | None = None) -> list[str]:
        """The first ``count`` speakers the current settings would give."""
        return self._build(self.names).peek(count or self.preview_count)

    # ----------------------------------------------------------------- internals
    def _seed(self) -> int | None:
        return seed_text("Seed", self.seed.value)

    def _build(self, names: Sequence[str]) -> TurnManager:
        names = list(names)
        kind = self.kind.value
        if kind == GIVEN and self._given is not None:
            manager = copy.deepcopy(self._given)
            if names and not manager.names:
                manager.set_names(names)
            return manager
        if kind == CUSTOM:
            order = [n.strip() for n in self.order.value.split(",") if n.strip()]
            if not order:
                raise ConfigError("type a speaking order, e.g. " + ", ".join(names[:2] or ["Ann", "Bob"]))
            unknown = [n for n in order if names and n not in names]
            if unknown:
                raise ConfigError(f"unknown name(s) {unknown}; choose from {names}")
            return CustomOrder(order)
        if not names:
            raise ConfigError("add personas first: there is nobody to take turns")
        if kind == RANDOM_WEIGHTED:
            return RandomWeighted(names, p_respond=self.p_respond.value, seed=self._seed())
        return RoundRobin(names)

    def _update(self, *_: Any) -> None:
        kind = self.kind.value
        self._random_box.layout.display = "" if kind == RANDOM_WEIGHTED else "none"
        self._custom_box.layout.display = "" if kind == CUSTOM else "none"
        try:
            upcoming = self.peek()
        except ConfigError as exc:
            set_note(self.error, f"Turn-taking: {exc}", "error")
            self.preview.value = "Next speakers: —"
        else:
            set_note(self.error, "")
            self.preview.value = html.escape("Next speakers: " + " → ".join(upcoming) + " → …")


def _usernames(personas: Sequence[Any]) -> list[str]:
    return [p.username for p in personas]
