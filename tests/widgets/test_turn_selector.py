"""TurnManagerSelector: kinds, live preview, seeds, custom order, names updates."""

from __future__ import annotations

import pytest

from syndisco_widgets.engine import CustomOrder, FunctionTurnManager, Persona, RandomWeighted, RoundRobin
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.widgets import TurnManagerSelector

NAMES = ["John", "Mary", "Howard", "Todd"]


def test_round_robin_preview_and_fresh_values():
    sel = TurnManagerSelector(NAMES)
    assert sel.preview.value.startswith("Next speakers: John → Mary → Howard → Todd → John")
    first, second = sel.value, sel.value
    assert isinstance(first, RoundRobin) and first is not second
    assert next(first) == "John" and next(second) == "John"  # each value is fresh and unstarted


def test_random_weighted_is_reproducible_by_seed():
    sel = TurnManagerSelector(NAMES)
    sel.kind.value = "random_weighted"
    sel.p_respond.value = 0.3
    sel.seed.value = "7"
    manager = sel.value
    assert isinstance(manager, RandomWeighted) and manager.p_respond == 0.3 and manager.seed == 7
    seven = sel.peek(12)
    assert [next(manager) for _ in range(12)] == seven
    assert sel.preview.value.startswith("Next speakers: " + " → ".join(seven[:8]))
    sel.seed.value = "8"
    assert sel.peek(12) != seven
    sel.seed.value = "7"
    assert sel.peek(12) == seven


def test_bad_seed_and_custom_order_show_inline():
    sel = TurnManagerSelector(NAMES)
    sel.kind.value = "random_weighted"
    sel.seed.value = "abc"
    assert "Seed" in sel.error.value
    with pytest.raises(ConfigError):
        _ = sel.value
    sel.seed.value = ""
    assert sel.error.value == "" and sel.value.seed is None

    sel.kind.value = "custom"
    sel.order.value = "Mary, Bob"
    assert "Bob" in sel.error.value and sel.order.value == "Mary, Bob"
    sel.order.value = "Mary, Mary, John"
    assert sel.error.value == ""
    manager = sel.value
    assert isinstance(manager, CustomOrder) and manager.peek(4) == ["Mary", "Mary", "John", "Mary"]


def test_names_update_refreshes_the_preview():
    sel = TurnManagerSelector()
    assert "add personas" in sel.error.value
    sel.names = ["A", "B"]
    assert sel.error.value == "" and sel.preview.value.startswith("Next speakers: A → B → A")


def test_prefilled_from_a_manager():
    sel = TurnManagerSelector(value=RandomWeighted(NAMES, p_respond=0.9, seed=3))
    assert sel.kind.value == "random_weighted" and sel.p_respond.value == 0.9 and sel.seed.value == "3"
    assert sel.names == NAMES
    assert sel.value.peek(10) == RandomWeighted(NAMES, p_respond=0.9, seed=3).peek(10)

    custom = TurnManagerSelector(["A", "B"], value=FunctionTurnManager(lambda tm: tm.names[-1]))
    assert custom.kind.value == "given" and custom.peek(3) == ["B", "B", "B"]


def test_follows_a_persona_editor():
    from syndisco_widgets.widgets import PersonaEditor

    editor = PersonaEditor([{"username": "Ann"}, {"username": "Bob"}])
    sel = TurnManagerSelector(editor)
    assert sel.names == ["Ann", "Bob"]
    editor.fields["username"].value = "Anna"
    assert sel.names == ["Anna", "Bob"]
    assert "Anna → Bob" in sel.preview.value
    editor.value = [*editor.value, Persona(username="Cy")]
    assert sel.value.names == ["Anna", "Bob", "Cy"]
