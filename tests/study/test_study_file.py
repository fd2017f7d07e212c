import json

import pytest

from syndisco_widgets import CustomOrder, Persona, RandomWeighted, RoundRobin, ScriptedModel
from syndisco_widgets.engine.study import STUDY_VERSION, Study, TurnManagerSpec
from syndisco_widgets.models import GenerationOptions

from .helpers import FULL


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_a_study_survives_save_and_load(full_study, tmp_path, suffix):
    path = full_study.save(tmp_path / f"budget{suffix}")
    loaded = Study.load(path)
    assert loaded == full_study
    assert loaded.sha256 == full_study.sha256
    assert loaded.source == str(path)
    assert Study.load(loaded.save(tmp_path / f"again{suffix}")) == full_study


def test_the_file_is_readable_json_with_every_field(full_study, tmp_path):
    data = json.loads(full_study.save(tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["version"] == STUDY_VERSION
    assert list(data)[:3] == ["format", "version", "name"]
    assert data["personas"][0] == {"username": "Ann", "age": 34, "personality_characteristics": ["curious"]}
    assert data["generation"] == FULL["generation"]
    assert data["moderator"]["every"] == 2
    assert data["price"]["currency"] == "EUR"


def test_a_minimal_file_gets_the_documented_defaults(tmp_path):
    path = tmp_path / "min.json"
    path.write_text('{"version": 1, "name": "mini", "personas": [{"username": "Ann"}]}', encoding="utf-8")
    study = Study.load(path)
    assert study.usernames == ["Ann"]
    assert (study.conv_len, study.history_context_len) == (5, 5)
    assert study.turn_manager == TurnManagerSpec("round_robin")
    assert study.model.kind == "demo"
    assert study.generation == GenerationOptions()
    assert study.moderator is None and study.experiment is None and study.price is None


def test_the_hash_follows_the_content_not_the_file(full_study):
    changed = Study.from_dict({**FULL, "conv_len": 4})
    assert changed.sha256 != full_study.sha256
    assert Study.from_dict(dict(reversed(list(FULL.items())))).sha256 == full_study.sha256


@pytest.mark.parametrize(
    "manager",
    [RoundRobin(), RandomWeighted(p_respond=0.3, seed=9), CustomOrder(["Bob", "Ann", "Ann"])],
    ids=["round_robin", "random_weighted", "custom_order"],
)
def test_a_set_up_saved_as_a_study_rebuilds_the_same_turn_taking(manager, tmp_path):
    study = Study.from_setup(
        name="setup", personas=[Persona("Ann"), {"username": "Bob"}], turn_manager=manager
    )
    loaded = Study.load(study.save(tmp_path / "s.json"))
    names = ["Ann", "Bob"]
    assert loaded.build_turn_manager(names).peek(12) == manager.fresh(names).peek(12)


def test_from_setup_keeps_every_setting(tmp_path):
    model = ScriptedModel()
    study = Study.from_setup(
        name="class",
        personas=[Persona("Ann", age=20), Persona("Bob")],
        moderator="Mo",
        moderator_instructions="Be brief.",
        moderator_every=3,
        context="ctx",
        instructions="ins",
        conv_len=7,
        history_context_len=2,
        seed_opinions=["Hello"],
        seed_opinion_usernames=["Bob"],
        generation={"temperature": 0.5, "max_tokens": 40, "seed": 1},
        experiment={"num_discussions": 4},
        price={"input_per_million": 1, "output_per_million": 2},
    )
    loaded = Study.load(study.save(tmp_path / "s.yaml"))
    assert loaded == study
    assert loaded.moderator is not None and loaded.moderator.persona.username == "Mo"
    assert (loaded.moderator.instructions, loaded.moderator.every) == ("Be brief.", 3)
    assert loaded.generation == GenerationOptions(temperature=0.5, max_new_tokens=40, seed=1)
    discussion = loaded.build_discussion(model)
    assert [a.name for a in discussion.participants] == ["Ann", "Bob", "Mo"]
    assert (discussion.conv_len, discussion.history_context_len, discussion.moderator_every) == (7, 2, 3)
    assert discussion.users[0].context == "ctx" and discussion.users[0].instructions == "ins"


def test_persona_subclass_fields_are_kept_under_extra():
    from dataclasses import dataclass

    @dataclass
    class Voter(Persona):
        party: str = ""

    study = Study.from_setup(name="s", personas=[Voter("Ann", party="green")])
    assert study.personas[0].extra == {"party": "green"}


def test_studio_kwargs_prefill_a_studio(full_study):
    kwargs = full_study.studio_kwargs()
    assert [p.username for p in kwargs["personas"]] == ["Ann", "Bob", "Cy"]
    assert kwargs["moderator"].username == "Mo"
    assert kwargs["moderator_instructions"] == "Keep it civil."
    assert kwargs["seed_opinions"] == ["The library needs more money."]
    assert kwargs["seed_opinion_usernames"] == ["Ann"]
    assert isinstance(kwargs["turn_manager"], RandomWeighted) and kwargs["turn_manager"].seed == 11


def test_a_study_builds_an_experiment_with_its_plan(full_study):
    study = Study.from_dict({**FULL, "moderator": None})
    experiment = study.build_experiment(ScriptedModel())
    assert (experiment.num_discussions, experiment.num_active_users, experiment.seed) == (2, 2, 3)
    assert experiment.num_turns == 3 and experiment.history_context_len == 4
    assert experiment.seed_opinions == ["The library needs more money."]
