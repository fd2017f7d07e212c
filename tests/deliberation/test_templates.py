"""Named templates, raw text, and placeholder filling."""

from __future__ import annotations

from typing import Any

import pytest

from syndisco_widgets.deliberation import templates
from syndisco_widgets.errors import ConfigError, SyndiscoWarning


def test_fill_replaces_both_placeholder_spellings_and_leaves_everything_else() -> None:
    text = "Task: ${task} / again $task / cost $$5 and $5 / ${unknown} / {task}"
    assert templates.fill(text, task="T") == "Task: T / again T / cost $$5 and $5 / ${unknown} / {task}"


def test_fill_does_not_substitute_inside_inserted_values() -> None:
    assert templates.fill("${persona}", persona="I like ${task}", task="X") == "I like ${task}"


def test_placeholders_lists_names() -> None:
    assert templates.placeholders("a ${task} b $previous_responses $$ c") == {"task", "previous_responses"}


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("persona_template", {"default", "survey", "anes", "first_wave", "second_wave"}),
        ("combination_instructions", {"default", "chain", "debate", "voting", "first_wave", "second_wave"}),
        ("moderator persona", {"default", "voting", "first_wave", "second_wave"}),
        ("moderator combination_instructions", {"default", "voting", "first_wave", "second_wave"}),
    ],
)
def test_named_sets_exist_and_carry_their_placeholders(kind: Any, names: Any) -> None:
    for name in names:
        got_name, text = templates.resolve(kind, name)
        assert got_name == name and text.strip()
        needed = {"persona_template": "persona", "moderator persona": "task"}.get(kind, "previous_responses")
        assert needed in templates.placeholders(text)


def test_raw_text_is_returned_unchanged() -> None:
    raw = "Look at these: ${previous_responses} and answer."
    assert templates.resolve("combination_instructions", raw) == (None, raw)


def test_unknown_single_word_is_an_error_listing_known_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown template name 'chian'.*'chain'"):
        templates.resolve("combination_instructions", "chian")


def test_raw_text_missing_its_placeholder_warns_or_is_an_error() -> None:
    # Plurals accepts combination instructions without ${previous_responses}; we do too, with a warning
    with pytest.warns(SyndiscoWarning, match=r"\$\{previous_responses\}.*not shown"):
        assert templates.resolve("combination_instructions", "Please combine the answers.") == (
            None,
            "Please combine the answers.",
        )
    with pytest.raises(ConfigError, match=r"\$\{persona\}"):
        templates.resolve("persona_template", "You are a person.")


def test_defaults_is_a_fresh_copy() -> None:
    first = templates.defaults()
    first["combination_instructions"]["default"] = "changed"
    assert templates.defaults()["combination_instructions"]["default"] != "changed"
    assert set(first["moderator"]) == {"persona", "combination_instructions", "auto"}
