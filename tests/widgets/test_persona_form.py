"""The persona form's pure logic (no ipywidgets): one hint-to-field rule shared with the engine."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from syndisco_widgets.engine import Persona
from syndisco_widgets.engine.persona import field_kind
from syndisco_widgets.errors import PersonaError
from syndisco_widgets.widgets.persona_form import Draft, FieldSpec, check_drafts, draft_of, specs_of


@dataclasses.dataclass
class Nurse(Persona):
    """A subclass with one field of every kind the rule knows, plus an unchecked one."""

    shift: str = "night"
    years: int = 3
    patients: int | None = None
    wards: list[str] = dataclasses.field(default_factory=list)
    nickname: str | None = None  # not a simple kind: kept as is, edited as JSON


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (str, ("str", False)),
        (int, ("int", False)),
        (int | None, ("int", True)),
        (typing.Optional[int], ("int", True)),  # noqa: UP045  the spelling older code uses
        (list[str], ("list", False)),
        (dict[str, typing.Any], ("dict", False)),
        (str | None, ("json", False)),
        (list[int], ("json", False)),
        (float, ("json", False)),
    ],
)
def test_field_kind_reads_the_hint(hint, expected):
    assert field_kind(hint) == expected


def test_the_form_and_the_persona_follow_the_same_rule():
    hints = typing.get_type_hints(Nurse)
    specs = specs_of(Nurse)
    assert [s.name for s in specs] == [f.name for f in dataclasses.fields(Nurse)]
    for spec in specs:
        assert (spec.kind, spec.optional) == field_kind(hints[spec.name])
    kinds = {s.name: (s.kind, s.optional) for s in specs}
    assert kinds["years"] == ("int", False)
    assert kinds["patients"] == ("int", True)
    assert kinds["wards"] == ("list", False)
    assert kinds["nickname"] == ("json", False)
    # What the form calls a whole number, the persona checks as one.
    with pytest.raises(PersonaError, match="'years' must be a whole number"):
        Nurse(username="Ann", years="3")  # type: ignore[arg-type]
    assert Nurse(username="Ann", nickname=None).nickname is None  # json kind: not checked


def test_a_draft_round_trips_and_reports_the_field_the_persona_refuses():
    specs = specs_of(Nurse)
    nurse = Nurse(username="Ann", years=12, wards=["A", "B"], patients=None)
    draft = draft_of(nurse, specs)
    assert draft.raw["wards"] == "A\nB" and draft.raw["patients"] == ""
    check_drafts([draft], specs, Nurse)
    assert draft.errors == {} and draft.persona == nurse

    bad = Draft({**draft.raw, "years": "twelve", "patients": ""}, [])
    check_drafts([bad], specs, Nurse)
    assert bad.errors == {"years": "must be a whole number such as 38"}
    assert bad.raw["years"] == "twelve"  # what was typed is kept


def test_field_spec_labels():
    assert FieldSpec("personality_characteristics", "list").label == "Personality traits"
    assert FieldSpec("education_level", "str").label == "Education level"
