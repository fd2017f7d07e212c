"""Branches sample anew unless asked not to; a person writing as a user takes that user's turn."""

from __future__ import annotations

import pytest

import syndisco_widgets as syndisco
from syndisco_widgets.errors import ConfigError

from .helpers import make_actors, make_discussion


def sampled_discussion(model_dir) -> syndisco.Discussion:
    llm = syndisco.TransformersModel(str(model_dir), "tiny", 8, temperature=1.0, top_p=0.95, seed=3)
    users = make_actors(llm, names=("Ann", "Bob"))
    return syndisco.Discussion(syndisco.RoundRobin(), users, conv_len=2)


def texts(conv: syndisco.Discussion) -> list[str]:
    conv.begin(verbose=False)
    return [e["text"] for e in conv.logs]


def test_a_branch_draws_a_new_seed_unless_asked_to_keep_it(tiny_model_dir):
    parent = sampled_discussion(tiny_model_dir)
    original = texts(parent)
    fresh = parent.fork(0)
    assert parent.seed is None and isinstance(fresh.seed, int)
    assert texts(fresh) != original  # same (empty) start, new words
    assert parent.fork(0).seed != fresh.seed
    assert texts(parent.fork(0, keep_seed=True)) == original  # a replay, word for word
    pinned = [texts(parent.fork(0, seed=11)) for _ in range(2)]
    assert pinned[0] == pinned[1] != original
    assert fresh.settings()["seed"] == fresh.seed  # saved in an autosave header
    assert fresh.fork(0, keep_seed=True).seed == fresh.seed


def test_fork_seed_arguments_are_checked():
    conv = make_discussion()
    with pytest.raises(ConfigError, match="not both"):
        conv.fork(0, seed=1, keep_seed=True)
    with pytest.raises(ConfigError, match="fork seed must be an integer"):
        conv.fork(0, seed="7")


def test_a_resumed_branch_keeps_its_seed(tmp_path):
    conv = make_discussion(conv_len=3)
    next(conv)
    child = conv.fork(seed=21, autosave_dir=tmp_path)
    next(child)
    child.close()
    again = syndisco.Discussion.resume(child.log_path, syndisco.RoundRobin(), child.users)
    assert again.seed == 21 and again.next_request().options.seed == 21
    again.close()


def test_the_model_does_not_speak_next_as_the_user_a_person_wrote_as():
    conv = make_discussion(names=("Tom", "Maria", "Aisha"), conv_len=4)
    assert next(conv)["name"] == "Tom"  # Maria is next in the round
    conv.inject("Maria", "I think we should vote on it.")
    assert conv.next_speaker().name == "Aisha"  # the person took Maria's turn
    assert [e["name"] for e in conv] == ["Aisha", "Tom", "Maria"]
    assert [e["source"] for e in conv.logs][:2] == ["model", "human"]
    # A fork replays the draws, the person's included, and carries on the same way.
    assert conv.fork(2).next_speaker().name == "Aisha"


def test_writing_as_someone_whose_turn_it_is_not_leaves_the_order_alone():
    conv = make_discussion(names=("Tom", "Maria", "Aisha"), conv_len=4)
    next(conv)
    conv.inject("Aisha", "Hello.")
    assert [e["name"] for e in conv] == ["Maria", "Aisha", "Tom"]


def test_a_character_cut_at_the_token_cap_is_not_stored():
    conv = make_discussion(syndisco.ScriptedModel(["Café au l\ufffd", "ok"]), conv_len=2)
    assert [e["text"] for e in conv] == ["Café au l", "ok"]
