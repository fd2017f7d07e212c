"""syndisco_widgets.compat.syndisco behaves as SynDisco 2.2.1's package, with our guarantees."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest

from syndisco_widgets.compat import syndisco
from syndisco_widgets.compat.errors import ExperimentIncompleteError, LogFileNotFoundError, OutOfRangeError
from syndisco_widgets.engine import JsonlLogWriter
from syndisco_widgets.errors import ConfigError, RunLockedError

from .helpers import EchoModel

if TYPE_CHECKING:
    from pathlib import Path

SYNDISCO_221_NAMES = {
    "DiscussionExperiment",
    "AnnotationExperiment",
    "Actor",
    "Discussion",
    "Annotation",
    "Logs",
    "logging_setup",
    "BaseModel",
    "TransformersModel",
    "OpenAIModel",
    "TurnManager",
    "RespondTurnManager",
    "RandomTurnManager",
    "QueueTurnManager",
}


def test_every_public_name_and_submodule_of_syndisco_221_is_there():
    assert set(syndisco.__all__) >= SYNDISCO_221_NAMES
    for name in syndisco.__all__:
        assert getattr(syndisco, name) is not None
    from syndisco_widgets.compat.syndisco import actors, experiments, jobs, logging, model, turn_manager

    assert jobs.Discussion is syndisco.Discussion and actors.Actor is syndisco.Actor
    assert turn_manager.RespondTurnManager is syndisco.RespondTurnManager
    assert experiments.DiscussionExperiment is syndisco.DiscussionExperiment
    assert logging.logging_setup is syndisco.logging_setup and model.BaseModel is syndisco.BaseModel
    with pytest.raises(AttributeError, match="DoesNotExist"):
        syndisco.DoesNotExist  # noqa: B018


def test_alias_makes_import_syndisco_and_its_submodules_resolve_to_the_namespace():
    code = (
        "import sys, syndisco_widgets.compat as c; c.alias_syndisco(); "
        "import syndisco, syndisco.jobs as j; from syndisco.model import BaseModel; "
        "import syndisco_widgets.compat.syndisco as s; "
        "print(syndisco is s, j.Logs is s.Logs, BaseModel is s.BaseModel, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True", "False"]  # and importing it loads no torch


def test_turn_managers_hand_out_actors_and_seeded_ones_repeat(make_actors):
    actors = make_actors("Ann", "Bob", "Cid")
    queue = syndisco.QueueTurnManager(actors)
    assert [next(queue).get_actor_name() for _ in range(4)] == ["Ann", "Bob", "Cid", "Ann"]

    def order(**kwargs):
        tm = syndisco.RespondTurnManager(actors, p_respond=0.5, **kwargs)
        return [tm.next().get_actor_name() for _ in range(30)]

    assert order(random_state=np.random.default_rng(3)) == order(random_state=np.random.default_rng(3))
    assert order(seed=3) == order(seed=3)
    drawn = syndisco.RespondTurnManager(actors)
    assert isinstance(drawn.seed, int)  # no seed given: one is drawn and kept, so the run can be repeated
    first = [drawn.next() for _ in range(10)]
    again = syndisco.RespondTurnManager(actors, seed=drawn.seed)
    assert [again.next() for _ in range(10)] == first
    fresh = drawn.make_instance()
    with pytest.raises(ConfigError, match="no actors"):
        fresh.next()
    never_back = syndisco.RandomTurnManager(actors, seed=1)
    picks = [never_back.next() for _ in range(40)]
    assert all(a is not b for a, b in itertools.pairwise(picks))


def test_a_discussion_runs_a_custom_model_and_shows_the_history_window(echo, make_actors):
    ann, bob = make_actors("Ann", "Bob")
    discussion = syndisco.Discussion(
        syndisco.QueueTurnManager(),
        [ann, bob],
        history_context_len=2,
        conv_len=3,
        seed_opinions=["Cut the bus budget."],
        seed_opinion_usernames=["Zoe"],
    )
    entries = list(discussion)
    assert [e["name"] for e in entries] == ["Ann", "Bob", "Ann"]
    assert [e["text"] for e in entries] == ["echo #1", "echo #2", "echo #3"]  # remove_string_list applied
    logs = discussion.get_logs()
    assert [e["name"] for e in logs] == ["Zoe", "Ann", "Bob", "Ann"] and logs[0]["model"] == "hardcoded"
    assert json.loads(logs[1]["prompt"])["persona"]["occupation"] == "job of Ann"
    system, first_user = echo.calls[0]
    assert "A forum about the city budget." in system and "job of Ann" in system
    assert "[Zoe]: Cut the bus budget." in first_user
    _, third_user = echo.calls[2]
    assert "Cut the bus budget" not in third_user  # only the 2 latest comments are shown
    assert "[Ann]: echo #1" in third_user and "[Bob]: echo #2" in third_user
    with pytest.raises(StopIteration):
        next(discussion)


def test_a_blank_reply_counts_as_a_turn_but_is_not_an_entry(make_actors):
    model = EchoModel(blank_on_call=2)
    discussion = syndisco.Discussion(
        syndisco.QueueTurnManager(), make_actors("Ann", "Bob", model=model), conv_len=3
    )
    entries = list(discussion)
    assert [e["text"] for e in entries] == ["echo #1", "", "echo #3"]
    assert len(discussion.get_logs()) == 2


def test_autosave_writes_each_entry_at_once_with_one_writer(tmp_path, make_actors):
    discussion = syndisco.Discussion(
        syndisco.QueueTurnManager(), make_actors("Ann", "Bob"), conv_len=3, autosave_dir=tmp_path
    )
    path = discussion.log_path
    assert path is not None and path.parent == tmp_path
    next(discussion)
    assert len(syndisco.Logs.from_file(path)) == 1  # on disk before the next turn
    with pytest.raises(RunLockedError):
        JsonlLogWriter(path, resume=True)
    other = syndisco.Discussion(syndisco.QueueTurnManager(), make_actors("Ann", "Bob"), autosave_dir=tmp_path)
    assert other.log_path != path  # same second, same folder: no collision
    list(discussion)
    other.close()
    assert syndisco.Logs.from_file(path) == discussion.get_logs()


def test_a_crashed_discussion_resumes_without_losing_or_repeating_a_turn(tmp_path, make_actors):
    def build(model):
        return syndisco.Discussion(
            syndisco.RespondTurnManager(p_respond=0.5, seed=11),
            make_actors("Ann", "Bob", "Cid", model=model),
            conv_len=6,
        )

    whole = [e["name"] for e in build(EchoModel())]
    crashing = build(EchoModel(fail_on_call=4))
    path = crashing.autosave_to(tmp_path / "run.jsonl")
    with pytest.raises(Exception, match="server went away"):
        crashing.begin(verbose=False)
    crashing.close()
    assert len(syndisco.Logs.from_file(path)) == 3
    model = EchoModel()
    resumed = build(model)
    resumed.resume_from(path)
    resumed.begin(verbose=False)
    assert [e["name"] for e in resumed.get_logs()] == whole
    assert len(model.calls) == 3  # only the missing turns were asked for
    assert syndisco.Logs.from_file(path) == resumed.get_logs()
    other_seed = syndisco.Discussion(
        syndisco.RespondTurnManager(seed=12), make_actors("Ann", "Bob", "Cid"), conv_len=6
    )
    with pytest.raises(ConfigError, match="other settings"):
        other_seed.resume_from(path)


def test_experiment_plans_are_seeded_and_files_never_collide(tmp_path, make_actors):
    def run(folder, seed):
        experiment = syndisco.DiscussionExperiment(
            make_actors("Ann", "Bob", "Cid", "Dee"),
            seed_opinions=[["Opening A.", "Reply A."], "Opening B."],
            turn_manager=syndisco.RespondTurnManager(p_respond=0.3),
            num_turns=3,
            num_active_users=2,
            num_discussions=5,
            seed=seed,
        )
        files = experiment.begin(folder, verbose=False)
        return [[(e["name"], e["text"]) for e in json.loads(f.read_text())["logs"]] for f in files]

    first = run(tmp_path / "a", 5)
    assert len(set((tmp_path / "a").glob("*.json"))) == 5  # all five kept (SynDisco's timestamps overwrote)
    assert [[n for n, _ in d] for d in run(tmp_path / "b", 5)] == [[n for n, _ in d] for d in first]
    for discussion in first:
        assert {n for n, _ in discussion} <= {"Ann", "Bob", "Cid", "Dee"} and len(
            {n for n, _ in discussion}
        ) == 2
        assert discussion[0][1] in {"Opening A.", "Opening B."}
    drawn = syndisco.DiscussionExperiment(make_actors("Ann", "Bob"), num_turns=2)
    assert isinstance(drawn.seed, int) and drawn.plan() == drawn.plan()


def test_a_crashed_experiment_continues_where_it_stopped(tmp_path, make_actors):
    def experiment(model):
        return syndisco.DiscussionExperiment(
            make_actors("Ann", "Bob", "Cid", model=model), num_turns=4, num_discussions=3, seed=9
        )

    with pytest.raises(ExperimentIncompleteError, match="seed=9"):
        experiment(EchoModel(fail_on_call=6)).begin(tmp_path, verbose=False)
    assert (
        len(list(tmp_path.glob("*.json"))) == 2
    )  # the failed one is kept as a run file, the others finished
    model = EchoModel()
    files = experiment(model).begin(tmp_path, verbose=False)
    assert len(model.calls) == 3  # the 5th discussion turn onwards: 12 turns - 9 already made
    assert len(files) == 3 and all(len(json.loads(f.read_text())["logs"]) == 4 for f in files)
    assert not list(tmp_path.glob("*.jsonl"))
    with pytest.raises(ConfigError, match="other settings"):
        syndisco.DiscussionExperiment(
            make_actors("Ann", "Bob", "Cid"), num_turns=5, num_discussions=3, seed=9
        ).begin(tmp_path, verbose=False)


def test_annotation_labels_every_comment_and_experiments_write_one_file_each(tmp_path, echo):
    logs = syndisco.Logs()
    for i in range(3):
        logs.append(name=f"User{i}", text=f"Comment {i}.", model="m")
    annotators = [
        syndisco.Actor(echo, {"expertise": "toxicity"}, "", "Rate toxicity 1-5.", is_annotator=True, name=n)
        for n in ("Rater A", "Rater B")
    ]
    job = syndisco.Annotation(annotators[0], logs, history_ctx_len=2)
    job.begin(verbose=False)
    labelled = job.get_logs()
    assert [e["name"] for e in labelled] == ["User0", "User1", "User2"]
    assert "Rate toxicity 1-5." in labelled[0]["prompt"] and labelled[0]["model"] == "echo"
    assert "[User1]: Comment 1." in echo.calls[2][1] and "Comment 0" not in echo.calls[2][1]
    files = syndisco.AnnotationExperiment(annotators, logs).begin(tmp_path, verbose=False)
    assert len(set(files)) == 2 and all(len(json.loads(f.read_text())["logs"]) == 3 for f in files)


def test_logs_speak_both_dialects(tmp_path):
    logs = syndisco.Logs()
    logs.append(name="Ann", text="=1+1", model="m", prompt="p")
    assert logs.to_list() == [{"name": "Ann", "text": "=1+1", "model": "m", "prompt": "p"}]
    assert logs.to_dict(timestamp_format="%Y")["timestamp"].isdigit()
    path = logs.export(output_path=tmp_path / "deep" / "x.json")
    assert syndisco.Logs.from_file(str(path)) == logs
    with pytest.raises(FileNotFoundError, match="no such log file"):
        syndisco.Logs.from_file(tmp_path / "missing.json")
    with pytest.raises(ConfigError):
        syndisco.Logs.from_file(tmp_path / "missing.json")  # also one of ours
    assert issubclass(LogFileNotFoundError, ConfigError)


def test_out_of_range_probabilities_are_assertion_errors_and_ours():
    with pytest.raises(AssertionError, match="p_respond"):
        syndisco.RespondTurnManager(p_respond=1.5)
    with pytest.raises(OutOfRangeError):
        syndisco.RespondTurnManager(p_respond=-0.1)


def test_logging_setup_writes_the_log_file(tmp_path):
    import logging

    syndisco.logging_setup(print_to_terminal=False, write_to_file=True, logs_dir=tmp_path, level="info")
    logging.getLogger("port-test").info("hello from the port")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "hello from the port" in (tmp_path / "log").read_text()
    logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_transformers_model_takes_syndiscos_argument_order(tiny_model_dir: Path):
    llm = syndisco.TransformersModel(
        str(tiny_model_dir), "tiny", 6, ["<x>"], generation_kwargs={"min_new_tokens": 6}
    )
    assert llm.stop_list == ["<x>"] and llm.get_name() == "tiny"
    reply = llm.prompt("You are terse.", "Say something.")
    assert isinstance(reply, str) and "<x>" not in reply
