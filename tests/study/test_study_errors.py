"""Bad study files: every error names the file, the field and the fix."""

import json

import pytest

from syndisco_widgets import FunctionTurnManager, Persona, ScriptedModel
from syndisco_widgets.engine.study import Study
from syndisco_widgets.errors import ConfigError, StudyError, StudyVersionError

from .helpers import FULL


def with_(**changes):
    return {**FULL, **changes}


def persona(**fields):
    return with_(personas=[{"username": "Ann", **fields}, {"username": "Bob"}])


BAD = [
    # (data, field, words in the message)
    (with_(conv_len="5"), "conv_len", ["whole number", "text '5'"]),
    (with_(conv_len=-1), "conv_len", [">= 0"]),
    (with_(name=""), "name", ["must not be empty"]),
    (with_(name=3), "name", ["must be text"]),
    (with_(personas={"username": "Ann"}), "personas", ["must be a list"]),
    (with_(personas=[]), "personas", ["at least one persona"]),
    (with_(personas=["Ann"]), "personas[0]", ["must be an object"]),
    (persona(age="old"), "personas[0].age", ["whole number"]),
    (
        persona(personality_characteristics="shy"),
        "personas[0].personality_characteristics",
        ["list of strings"],
    ),
    (persona(agee=3), "personas[0].agee", ["unknown field", "did you mean 'age'"]),
    (with_(personas=[{"age": 3}]), "personas[0].username", ["missing"]),
    (with_(personas=[{"username": "Ann"}, {"username": "Ann"}]), "personas[1].username", ["unique"]),
    (with_(nmae="x"), "nmae", ["unknown field", "did you mean 'name'"]),
    (with_(turn_manager={"kind": "round_robbin"}), "turn_manager.kind", ["did you mean 'round_robin'"]),
    (
        with_(turn_manager={"kind": "random_weighted", "p_respond": 2}),
        "turn_manager.p_respond",
        ["probability"],
    ),
    (with_(turn_manager={"kind": "round_robin", "p_respond": 0.5}), "turn_manager.p_respond", ["remove it"]),
    (with_(turn_manager={"kind": "random_weighted", "seed": "7"}), "turn_manager.seed", ["whole number"]),
    (
        with_(turn_manager={"kind": "custom_order", "order": ["Ann", "Zed"]}, experiment=None),
        "turn_manager.order[1]",
        ["not a participant"],
    ),
    (with_(turn_manager={"kind": "custom_order", "order": ["Ann"]}), "turn_manager.kind", ["experiment"]),
    (with_(moderator={"persona": {"username": "Ann"}}), "moderator.persona.username", ["its own"]),
    (with_(moderator={"persona": {"username": "Mo"}, "every": 0}), "moderator.every", [">= 1"]),
    (with_(moderator={"instructions": "x"}), "moderator.persona", ["missing"]),
    (with_(seed_opinions=[{"user": "Zed", "text": "hi"}]), "seed_opinions[0].user", ["not a participant"]),
    (with_(seed_opinions=[{"user": "Ann"}]), "seed_opinions[0].text", ["missing"]),
    (with_(model={"kind": "gpt"}), "model.kind", ["unknown kind"]),
    (with_(model={"kind": "transformers"}), "model.path", ["folder or Hugging Face id"]),
    (
        with_(model={"kind": "openai", "path": "m", "base_url": "localhost:8000"}),
        "model.base_url",
        ["http://"],
    ),
    (with_(model={"kind": "demo", "base_url": "http://x"}), "model.kind", ["takes no path"]),
    (with_(generation={"temperature": -1}), "generation.temperature", [">= 0"]),
    (with_(generation={"max_new_tokens": 0}), "generation.max_new_tokens", [">= 1"]),
    (with_(generation={"temprature": 1}), "generation.temprature", ["did you mean 'temperature'"]),
    (with_(experiment={"num_active_users": 9}), "experiment.num_active_users", ["only 3 personas"]),
    (with_(price={"input_per_million": "x", "output_per_million": 1}), "price.input_per_million", ["finite"]),
    (with_(price={"input_per_million": 1}), "price.output_per_million", ["missing"]),
    (with_(format="other"), "format", ["syndisco-widgets/study"]),
    (with_(version="1"), "version", ["whole number"]),
    ({k: v for k, v in FULL.items() if k != "version"}, "version", ['add "version": 1']),
]


@pytest.mark.parametrize(("data", "field", "words"), BAD, ids=[b[1] + f"-{i}" for i, b in enumerate(BAD)])
def test_a_bad_field_is_named_with_its_fix(tmp_path, data, field, words):
    path = tmp_path / "class.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        Study.load(path)
    assert caught.value.field == field
    assert caught.value.source == str(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, field {field!r}: ")
    for word in words:
        assert word in message


def test_a_newer_schema_version_is_refused_clearly(tmp_path):
    path = tmp_path / "future.json"
    path.write_text(json.dumps({**FULL, "version": 2, "new_field_from_the_future": 1}), encoding="utf-8")
    with pytest.raises(StudyVersionError, match=r"schema version 2.*reads versions up to 1.*upgrade"):
        Study.load(path)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("broken.json", '{"version": 1,\n "name": }', ["not valid JSON at line 2, column"]),
        ("twice.json", '{"version": 1, "name": "a", "name": "b"}', ["'name' appears twice"]),
        ("nan.json", '{"version": 1, "name": "a", "conv_len": NaN}', ["NaN"]),
        ("deep.json", "[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
        ("list.json", "[1, 2]", ["holds one object"]),
        ("bad.yaml", "version: 1\nname: [unclosed\n", ["not valid YAML at line"]),
        (
            "date.yaml",
            "version: 1\nname: d\npersonas:\n  - username: Ann\n    age: 2020-01-01\n",
            ["personas[0].age", "date"],
        ),
        ("loop.yaml", "version: 1\nname: &a [*a]\npersonas: []\n", ["nested too deeply"]),
        (
            "bomb.yaml",
            "a: &a [1,1,1,1,1,1,1,1,1]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
                for i in range(8)
            ),
            ["more than"],
        ),
        ("keys.yaml", "version: 1\n1: x\n", ["not text"]),
    ],
)
def test_broken_files_are_located(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        Study.load(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for word in words:
        assert word in message


def test_os_and_decoding_failures_name_the_file(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(StudyError, match=r"missing\.json: no such study file"):
        Study.load(missing)
    with pytest.raises(StudyError, match="is a folder"):
        Study.load(tmp_path)
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Müller"}'.encode("latin-1"))
    with pytest.raises(StudyError, match=r"latin\.json: not UTF-8"):
        Study.load(latin)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * 6_000_000)
    with pytest.raises(StudyError, match="too big for a study file"):
        Study.load(huge)
    with pytest.raises(StudyError, match="path must be a file path"):
        Study.load(42)


def test_saving_where_it_cannot_write_says_so(full_study, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StudyError, match="cannot write the study file"):
        full_study.save(blocker / "study.json")


def test_code_and_test_models_cannot_go_into_a_study():
    with pytest.raises(StudyError, match="FunctionTurnManager cannot be saved"):
        Study.from_setup(
            name="s", personas=[{"username": "Ann"}], turn_manager=FunctionTurnManager(lambda tm: "Ann")
        )
    with pytest.raises(StudyError, match="ScriptedModel cannot be named"):
        Study.from_setup(name="s", personas=[{"username": "Ann"}], model=ScriptedModel())


def test_building_in_code_runs_the_same_checks():
    with pytest.raises(StudyError, match=r"Study, field 'conv_len'"):
        Study(name="s", personas=(Persona("Ann"),), conv_len="3")  # type: ignore[arg-type]
    with pytest.raises(StudyError, match=r"field 'experiment'"):
        Study.from_dict({**FULL, "experiment": None}).build_experiment(ScriptedModel())
    with pytest.raises(StudyError, match=r"moderator.every"):
        Study.from_dict(FULL).build_experiment(ScriptedModel())
    with pytest.raises(ConfigError, match="model must be a BaseModel"):
        Study.from_dict(FULL).build_discussion("tiny")
