import json
from dataclasses import dataclass

import pytest

from syndisco_widgets import Persona, load_personas, save_personas
from syndisco_widgets.errors import PersonaError

GUIDE_ORDER = [
    "username",
    "age",
    "sex",
    "sexual_orientation",
    "demographic_group",
    "current_employment",
    "education_level",
    "special_instructions",
    "personality_characteristics",
]


def emma(**over):
    data = {
        "username": "Emma35",
        "age": 38,
        "sex": "female",
        "education_level": "Bachelor's",
        "sexual_orientation": "Heterosexual",
        "demographic_group": "Latino",
        "current_employment": "Registered Nurse",
        "special_instructions": "",
        "personality_characteristics": ["compassionate", "patient"],
    }
    data.update(over)
    return data


def test_str_is_json_in_output_order():
    text = str(Persona(**emma()))
    assert list(json.loads(text)) == GUIDE_ORDER
    assert text.startswith('{"username": "Emma35", "age": 38, "sex": "female", "sexual_orientation"')


def test_positional_order_follows_the_guide():
    p = Persona("Emma35", 38, "female", "Bachelor's")
    assert p.education_level == "Bachelor's"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("age", "thirty", "'age' must be a whole number"),
        ("age", True, "'age' must be a whole number"),
        ("personality_characteristics", "kind", "'personality_characteristics' must be a list of strings"),
        ("sex", 3, "'sex' must be a string"),
        ("username", "", "'username' must be a non-empty string"),
    ],
)
def test_wrong_types_name_the_field(field, value, words):
    with pytest.raises(PersonaError, match=words):
        Persona(**emma(**{field: value}))


def test_unknown_and_missing_fields_are_named():
    with pytest.raises(PersonaError, match=r"unknown field\(s\) \['hobby'\]"):
        Persona.from_dict(emma(hobby="chess"))
    data = emma()
    del data["username"]
    with pytest.raises(PersonaError, match="missing required field 'username'"):
        Persona.from_dict(data)


def test_extra_attributes_and_subclassing():
    p = Persona(**emma(extra={"political_view": "centrist"}))
    assert json.loads(str(p))["extra"] == {"political_view": "centrist"}

    @dataclass
    class VoterPersona(Persona):
        party: str = ""

    v = VoterPersona(**emma(), party="green")
    assert json.loads(str(v))["party"] == "green"
    with pytest.raises(PersonaError, match="'party' must be a string"):
        VoterPersona(**emma(), party=1)


def test_file_round_trip_one_and_many(tmp_path):
    many = [Persona(**emma()), Persona(username="Giannis", age=21)]
    save_personas(many, tmp_path / "all.json")
    assert load_personas(tmp_path / "all.json") == many
    many[1].to_json_file(tmp_path / "one.json")
    assert Persona.from_json_file(tmp_path / "one.json") == many[1]
    assert load_personas(tmp_path / "one.json") == [many[1]]


def test_malformed_file_errors_say_where(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"username": "A"}, {"username": "B", "age": "x"}]')
    with pytest.raises(PersonaError, match=r"bad.json, item 1: persona 'B': field 'age'"):
        load_personas(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"username": "A",}]')
    with pytest.raises(PersonaError, match=r"broken.json: not valid JSON at line 1"):
        load_personas(broken)
    with pytest.raises(PersonaError, match="no such persona file"):
        load_personas(tmp_path / "missing.json")
    assert bad.read_text().startswith('[{"username": "A"}')  # the user's file is untouched
