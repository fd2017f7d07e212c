import threading

import pytest

from syndisco_widgets import (
    Actor,
    ActorType,
    Discussion,
    Logs,
    Persona,
    RandomWeighted,
    RoundRobin,
    ScriptedModel,
)
from syndisco_widgets.engine.prompts import history_text
from syndisco_widgets.errors import ConfigError, GenerationStopped, RunLockedError, TurnError
from syndisco_widgets.models import GenerationControl

from .helpers import make_actors, make_discussion


def moderator(model, name="Mod"):
    return Actor(model, Persona(username=name), ActorType.MODERATOR, "ctx", "moderate")


def test_is_its_own_single_pass_iterator():
    conv = make_discussion(conv_len=3)
    assert iter(conv) is conv
    entries = list(conv)
    assert [e["name"] for e in entries] == ["Ann", "Bob", "Ann"]
    assert conv._steps_taken == 3 and conv.finished
    assert list(conv) == []  # exhausted
    with pytest.raises(StopIteration):
        next(conv)


def test_entry_records_speaker_model_prompt_and_window():
    conv = make_discussion(conv_len=2)
    first = next(iter(conv))
    assert first["name"] == "Ann" and first["text"] == "Reply 1" and first["model"] == "scripted"
    assert first["role"] == "user" and first["source"] == "model" and first["context"] == [0, 0]
    assert first["prompt"].startswith(
        '{"context": "ctx", "instructions": "be brief", "type": "1", "persona": {"username": "Ann"'
    )


def test_each_entry_reconstructs_exactly_what_its_speaker_saw():
    model = ScriptedModel()
    conv = make_discussion(model, names=("Ann", "Bob", "Cy"), conv_len=7, history_context_len=3)
    conv.begin(verbose=False)
    assert len(model.calls) == 7
    for entry, call in zip(conv.logs, model.calls, strict=False):
        start, end = entry["context"]
        assert end - start == min(3, end)
        shown = history_text(conv.logs[start:end])
        assert call.messages[0]["content"].startswith(shown)
        assert f"You are {entry['name']}" in call.system


def test_begin_prints_posts_and_runs_to_the_end(capsys):
    conv = make_discussion(ScriptedModel(["Hello there, " * 10]), conv_len=2)
    conv.begin()
    out = capsys.readouterr().out
    assert out.count("User Ann posted:\nHello there,") == 1 and "User Bob posted:" in out
    assert max(len(line) for line in out.splitlines()) <= 70
    assert len(conv.logs) == 2


def test_moderator_speaks_after_every_k_user_turns():
    model = ScriptedModel()
    users = make_actors(model)
    conv = Discussion(RoundRobin(), users, moderator(model), conv_len=4, moderator_every=2)
    names = [e["name"] for e in conv]
    assert names == ["Ann", "Bob", "Mod", "Ann", "Bob", "Mod"]
    assert conv.logs[2]["role"] == "moderator" and conv.logs[2]["prompt"].count('"type": "2"') == 1


def test_moderator_can_also_be_scheduled_by_the_turn_manager():
    model = ScriptedModel()
    users = make_actors(model)
    conv = Discussion(
        RoundRobin(["Ann", "Mod", "Bob"]), users, moderator(model), conv_len=2, moderator_every=None
    )
    assert [e["name"] for e in conv] == ["Ann", "Mod", "Bob"]


def test_seed_opinions_come_first_and_are_marked():
    conv = make_discussion(conv_len=1, seed_opinions=["Is tea better?"], seed_opinion_usernames=["Bob"])
    entries = list(conv)
    assert [e["name"] for e in conv.logs] == ["Bob", "Ann"]
    assert conv.logs[0]["source"] == "seed" and entries[0]["context"] == [0, 1]
    with pytest.raises(ConfigError, match="same length"):
        make_discussion(seed_opinions=["x"], seed_opinion_usernames=[])


def test_seeded_runs_repeat_exactly():
    def run():
        model = ScriptedModel(lambda p: f"{len(p.messages[0]['content'])}:{p.system[-12:]}")
        users = make_actors(model, names=("A", "B", "C"))
        conv = Discussion(RandomWeighted(p_respond=0.6, seed=11), users, conv_len=8)
        conv.begin(verbose=False)
        return conv.logs

    assert run() == run()


def test_fork_copies_the_first_k_entries_and_continues_independently():
    conv = make_discussion(names=("Ann", "Bob", "Cy"), conv_len=6)
    for _ in range(4):
        next(conv)
    before = conv.logs.to_dict()["logs"]
    child = conv.fork(at_turn=2)
    assert child.logs[:] == conv.logs[:2]
    assert next(child)["name"] == "Cy"  # turn manager resumes where it was after 2 entries
    assert conv.logs.to_dict()["logs"] == before  # original untouched
    assert [e["name"] for e in child] == ["Ann", "Bob", "Cy"]
    assert child.user_turns == 6 and len(conv.logs) == 4
    assert next(conv)["name"] == "Bob"


def test_fork_of_seeded_random_turns_replays_the_same_future():
    model = ScriptedModel(lambda p: "same")
    users = make_actors(model, names=("A", "B", "C", "D"))
    conv = Discussion(RandomWeighted(p_respond=0.5, seed=5), users, conv_len=10)
    conv.begin(verbose=False)
    child = conv.fork(at_turn=4)
    child.begin(verbose=False)
    assert [e["name"] for e in child.logs] == [e["name"] for e in conv.logs]


def test_fork_rejects_out_of_range_turns():
    conv = make_discussion(conv_len=2)
    with pytest.raises(ConfigError, match="at_turn must be between 0 and 0"):
        conv.fork(at_turn=3)


def test_inject_records_a_person_as_any_participant():
    model = ScriptedModel()
    conv = Discussion(RoundRobin(), make_actors(model), moderator(model), conv_len=2, moderator_every=None)
    human = conv.inject("Mod", "Please stay on topic.")
    assert human == {
        "name": "Mod",
        "text": "Please stay on topic.",
        "model": "human",
        "prompt": "",
        "role": "moderator",
        "source": "human",
        "context": None,
    }
    next(conv)
    assert "[Mod]: Please stay on topic." in model.calls[-1].messages[0]["content"]
    with pytest.raises(ConfigError, match="unknown name 'Zed'; choose one of"):
        conv.inject("Zed", "hi")


def test_model_error_mid_run_keeps_entries_and_the_turn_can_be_retried():
    model = ScriptedModel(fail_on_call=3)
    conv = make_discussion(model, conv_len=4)
    next(conv), next(conv)
    with pytest.raises(
        TurnError,
        match=r"Ann's turn \(entry 2\) failed: .*scripted failure on call 3.*2 earlier entries are kept",
    ) as info:
        next(conv)
    assert info.value.speaker == "Ann" and info.value.turn == 2
    assert len(conv.logs) == 2
    assert next(conv)["name"] == "Ann"  # retried, same speaker
    assert conv.fork(at_turn=3).logs[:] == conv.logs[:3]
    assert [e["name"] for e in conv] == ["Bob"]


def test_stop_mid_turn_records_nothing_and_the_speaker_retries():
    model = ScriptedModel(["one two three four five six"])
    conv = make_discussion(model, conv_len=2)
    stop = threading.Event()
    pieces = []

    def on_text(piece):
        pieces.append(piece)
        if len(pieces) == 2:
            stop.set()

    with pytest.raises(GenerationStopped) as info:
        conv.step(control=GenerationControl(on_text, stop))
    assert info.value.partial_text == "one two "
    assert len(conv.logs) == 0
    assert conv.step()["name"] == "Ann"


def test_autosave_writes_each_entry_as_it_is_made(tmp_path):
    model = ScriptedModel(fail_on_call=3)
    conv = make_discussion(model, conv_len=4, autosave_dir=tmp_path)
    next(conv), next(conv)
    with pytest.raises(TurnError):
        next(conv)
    assert conv.log_path.parent == tmp_path and conv.log_path.suffix == ".jsonl"
    assert Logs.from_file(conv.log_path) == conv.logs  # nothing lost after a crash
    child = conv.fork(at_turn=1)
    assert child.log_path != conv.log_path
    assert Logs.from_file(child.log_path) == conv.logs[:1]


def test_bad_settings_are_explained():
    model = ScriptedModel()
    users = make_actors(model)
    with pytest.raises(ConfigError, match=r"names \['Zed'\] match no actor"):
        Discussion(RoundRobin(["Ann", "Zed"]), users)
    with pytest.raises(ConfigError, match="unique username"):
        Discussion(RoundRobin(), users + make_actors(model, names=("Ann",)))
    with pytest.raises(ConfigError, match="conv_len must be a whole number"):
        Discussion(RoundRobin(), users, conv_len=-1)
    with pytest.raises(ConfigError, match="users must be a non-empty list"):
        Discussion(RoundRobin(), [])


def test_resume_continues_a_crashed_autosaved_run_in_the_same_file(tmp_path):
    def setup(model):
        users = make_actors(model, names=("A", "B", "C"))
        return RandomWeighted(p_respond=0.5, seed=9), users

    reference = Discussion(*setup(ScriptedModel(lambda p: "x")), conv_len=6)
    reference.begin(verbose=False)

    crashing = Discussion(
        *setup(ScriptedModel(lambda p: "x", fail_on_call=4)), conv_len=6, autosave_dir=tmp_path
    )
    with pytest.raises(TurnError):
        crashing.begin(verbose=False)
    with pytest.raises(RunLockedError, match="another object in this process"):
        Discussion.resume(crashing.log_path, *setup(ScriptedModel(lambda p: "x")))
    crashing.close()  # as if its process had died: the lock goes with it
    with crashing.log_path.open("a") as handle:
        handle.write('{"entry": {"name": "A", "te')  # the process died mid-write

    with pytest.warns(UserWarning, match="cut off mid-write"):
        resumed = Discussion.resume(crashing.log_path, *setup(ScriptedModel(lambda p: "x")))
    assert len(resumed.logs) == 3 and resumed.conv_len == 6
    resumed.begin(verbose=False)
    assert [e["name"] for e in resumed.logs] == [e["name"] for e in reference.logs]
    assert Logs.from_file(crashing.log_path) == resumed.logs  # one clean file, nothing lost


def test_resume_refuses_other_participants(tmp_path):
    conv = make_discussion(conv_len=2, autosave_dir=tmp_path)
    next(conv)
    conv.close()
    with pytest.raises(ConfigError, match=r"was run with users \['Ann', 'Bob'\]"):
        Discussion.resume(conv.log_path, RoundRobin(), make_actors(ScriptedModel(), names=("X", "Y")))


def test_next_speaker_is_chosen_once_and_kept_until_the_turn_is_recorded():
    conv = make_discussion(names=("Ann", "Bob"), conv_len=2)
    assert conv.next_speaker().name == "Ann"
    assert conv.next_speaker().name == "Ann"  # asking again draws nothing
    assert next(conv)["name"] == "Ann"
    assert conv.next_speaker().name == "Bob"
    next(conv)
    assert conv.next_speaker() is None and conv.finished
