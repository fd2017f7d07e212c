"""PersonaEditor: form editing, inline errors that keep the input, list actions, JSON files."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from syndisco_widgets.engine import Persona, load_personas
from syndisco_widgets.widgets import PersonaEditor

EMMA = {
    "username": "Emma35",
    "age": 38,
    "sex": "female",
    "education_level": "Bachelor's",
    "sexual_orientation": "Heterosexual",
    "demographic_group": "Latino",
    "current_employment": "Registered Nurse",
    "special_instructions": "",
    "personality_characteristics": ["compassionate", "patient", "diligent", "overwhelmed"],
}
GIANNIS = {
    "username": "Giannis",
    "age": 21,
    "sex": "male",
    "personality_characteristics": ["strategic", "nerdy"],
}


def editor() -> PersonaEditor:
    return PersonaEditor([Persona(**EMMA), GIANNIS])


def test_every_field_has_a_form_widget_and_shows_the_selected_persona():
    ed = editor()
    assert set(ed.fields) | {"extra"} == set(ed.field_errors)
    assert set(ed.field_errors) == set(Persona.__dataclass_fields__)
    assert ed.fields["username"].value == "Emma35"
    assert ed.fields["age"].value == "38"
    assert ed.fields["personality_characteristics"].value == "compassionate\npatient\ndiligent\noverwhelmed"
    assert [p.username for p in ed.value] == ["Emma35", "Giannis"]
    ed.list.index = 1
    assert ed.fields["username"].value == "Giannis"


def test_list_fields_fit_their_label_and_items():
    traits = editor().fields["personality_characteristics"]
    assert traits.description == "Personality traits"  # "Personality characteristics" is cut off at 11em
    assert traits.tooltip == "personality_characteristics"
    assert traits.rows >= len(EMMA["personality_characteristics"])


def test_editing_the_form_updates_value():
    ed = editor()
    ed.fields["current_employment"].value = "Doctor"
    ed.fields["personality_characteristics"].value = "calm\n\n  brave  \n"
    assert ed.value[0].current_employment == "Doctor"
    assert ed.value[0].personality_characteristics == ["calm", "brave"]
    ed.fields["username"].value = "Emma"
    assert ed.value[0].username == "Emma"
    assert ed.list.options[0][0].startswith("1. Emma")


def test_bad_input_shows_inline_and_is_kept():
    ed = editor()
    ed.fields["age"].value = "thirty"
    assert "whole number" in ed.field_errors["age"].value
    assert ed.fields["age"].value == "thirty"  # nothing typed is lost
    assert ed.value[0].age == 38  # value keeps the last valid persona
    assert not ed.valid and 0 in ed.errors and "age" in ed.errors[0]
    assert "⚠" in ed.list.options[0][0]

    ed.list.index = 1  # look at another persona and come back
    assert ed.field_errors["age"].value == ""
    ed.list.index = 0
    assert ed.fields["age"].value == "thirty"
    assert "whole number" in ed.field_errors["age"].value

    ed.fields["age"].value = "39"
    assert ed.field_errors["age"].value == "" and ed.valid
    assert ed.value[0].age == 39


def test_empty_and_duplicate_usernames_are_errors_next_to_the_field():
    ed = editor()
    ed.fields["username"].value = "  "
    assert "username" in ed.field_errors["username"].value
    assert ed.value[0].username == "Emma35"
    ed.fields["username"].value = "Giannis"
    assert "already" in ed.field_errors["username"].value
    assert [p.username for p in ed.value] == ["Emma35", "Giannis"]
    ed.fields["username"].value = "Emma"
    assert ed.valid and [p.username for p in ed.value] == ["Emma", "Giannis"]


def test_extra_attributes_rows():
    ed = editor()
    ed.add_attribute_button.click()
    key, value, _remove = ed.extra_rows.children[0].children
    key.value = "city"
    value.value = "Athens"
    assert ed.value[0].extra == {"city": "Athens"}
    ed.add_attribute_button.click()
    key2, value2, _ = ed.extra_rows.children[1].children
    key2.value = "kids"
    value2.value = "2"
    assert ed.value[0].extra == {"city": "Athens", "kids": 2}
    key2.value = "age"  # clashes with a regular field
    assert "regular field" in ed.field_errors["extra"].value
    assert key2.value == "age"
    ed.extra_rows.children[1].children[2].click()  # remove the bad row
    assert ed.valid and ed.value[0].extra == {"city": "Athens"}


def test_add_duplicate_delete_and_reorder():
    ed = editor()
    ed.add_button.click()
    assert len(ed.value) == 3 and ed.selected == 2
    new_name = ed.value[2].username
    assert new_name not in ("Emma35", "Giannis")

    ed.list.index = 0
    ed.fields["age"].value = "not yet"
    ed.duplicate_button.click()  # the copy keeps the raw text too
    assert ed.selected == 1
    assert ed.fields["username"].value == "Emma35_copy"
    assert ed.fields["age"].value == "not yet"

    ed.delete_button.click()
    assert [p.username for p in ed.value] == ["Emma35", "Giannis", new_name]

    ed.list.index = 2
    ed.up_button.click()
    assert [p.username for p in ed.value] == ["Emma35", new_name, "Giannis"]
    assert ed.selected == 1
    ed.down_button.click()
    assert [p.username for p in ed.value] == ["Emma35", "Giannis", new_name]


def test_setting_value_from_python_updates_the_form():
    ed = PersonaEditor()
    assert ed.value == [] and ed.selected == -1 and ed.fields["username"].disabled
    ed.value = [Persona(username="Ann", age=50, extra={"city": "Oslo"})]
    assert ed.fields["username"].value == "Ann" and ed.fields["age"].value == "50"
    assert ed.extra_rows.children[0].children[0].value == "city"
    assert ed.list.options == (("1. Ann", 0),)


def test_json_save_and_load_round_trip(tmp_path):
    ed = editor()
    path = tmp_path / "people.json"
    ed.path.value = str(path)
    ed.save_button.click()
    assert "Saved 2" in ed.file_status.value
    assert load_personas(path) == ed.value

    other = PersonaEditor()
    other.path.value = str(path)
    other.load_button.click()
    assert other.value == ed.value and "Loaded 2" in other.file_status.value


def test_bad_json_file_is_reported_inline_and_changes_nothing(tmp_path):
    ed = editor()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"username": "X", "age": "old"}]')
    ed.path.value = str(bad)
    ed.load_button.click()
    assert "age" in ed.file_status.value and "sdw-error" in ed.file_status._dom_classes
    assert [p.username for p in ed.value] == ["Emma35", "Giannis"]

    ed.fields["age"].value = "x"
    ed.path.value = str(tmp_path / "out.json")
    ed.save_button.click()
    assert "fix the fields" in ed.file_status.value
    assert not (tmp_path / "out.json").exists()


def test_upload(tmp_path):
    ed = PersonaEditor()
    ed.upload.value = (
        {
            "name": "p.json",
            "type": "application/json",
            "size": 10,
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(json.dumps([GIANNIS]).encode()),
        },
    )
    assert [p.username for p in ed.value] == ["Giannis"]
    ed.upload.value = (
        {
            "name": "broken.json",
            "type": "",
            "size": 1,
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(b"{nope"),
        },
    )
    assert "broken.json" in ed.file_status.value and [p.username for p in ed.value] == ["Giannis"]
