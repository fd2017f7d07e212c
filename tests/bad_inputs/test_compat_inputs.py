"""Bad input to the SynDisco 2.2 namespace and the Plurals port: a clear error naming what to change.

Every row is (call, error type, text the message must contain).
"""

from __future__ import annotations

import re

import pytest

from syndisco_widgets.compat import syndisco
from syndisco_widgets.compat.errors import OutOfRangeError
from syndisco_widgets.deliberation import Interview, run_interviews
from syndisco_widgets.errors import ConfigError, LogsFormatError, RunLockedError
from syndisco_widgets.models import ScriptedModel

MODEL = ScriptedModel(["a reply"])


def actor(name="Ann", **kwargs):
    return syndisco.Actor(MODEL, {"age": "30"}, "context", "instructions", name=name, **kwargs)


def pair():
    return [actor("Ann"), actor("Bob")]


def discussion(**kwargs):
    return syndisco.Discussion(syndisco.QueueTurnManager(), pair(), **kwargs)


def annotator():
    return actor("Rater", is_annotator=True)


def logs():
    made = syndisco.Logs()
    made.append(name="Ann", text="hi", model="m")
    return made


def held_run_file(tmp):
    first = syndisco.Discussion(syndisco.QueueTurnManager(seed=1), pair(), autosave_dir=tmp)
    return syndisco.Discussion(syndisco.QueueTurnManager(seed=1), pair()).resume_from(first.log_path)


def other_run_file(tmp):
    path = syndisco.Discussion(
        syndisco.QueueTurnManager(), [actor("Cid"), actor("Dee")], autosave_dir=tmp
    ).log_path
    return discussion().resume_from(path)


CASES = [
    # actors
    ("actor-model-string", lambda t: syndisco.Actor("gpt-4o", {}), ConfigError, "Actor model"),
    ("actor-persona-list", lambda t: syndisco.Actor(MODEL, ["age 30"]), ConfigError, "Actor persona"),
    ("actor-persona-key", lambda t: syndisco.Actor(MODEL, {1: "x"}), ConfigError, "persona keys"),
    (
        "actor-annotator-flag",
        lambda t: syndisco.Actor(MODEL, {}, is_annotator="yes"),
        ConfigError,
        "is_annotator",
    ),
    ("actor-empty-name", lambda t: syndisco.Actor(MODEL, {}, name=""), ConfigError, "Actor name"),
    ("actor-context-number", lambda t: syndisco.Actor(MODEL, {}, 5), ConfigError, "Actor context"),
    ("actor-without-model-speaks", lambda t: syndisco.Actor(name="Seed").speak(), ConfigError, "pass model="),
    # turn managers
    ("tm-names-not-actors", lambda t: syndisco.QueueTurnManager(["Ann", "Bob"]), ConfigError, "actors[0]"),
    ("tm-actors-string", lambda t: syndisco.QueueTurnManager("Ann"), ConfigError, "list of Actor"),
    ("tm-p-respond-high", lambda t: syndisco.RespondTurnManager(p_respond=2), OutOfRangeError, "p_respond"),
    (
        "tm-p-respond-text",
        lambda t: syndisco.RespondTurnManager(p_respond="half"),
        OutOfRangeError,
        "p_respond",
    ),
    (
        "tm-random-state-int",
        lambda t: syndisco.RespondTurnManager(random_state=42),
        ConfigError,
        "random_state",
    ),
    (
        "tm-state-and-seed",
        lambda t: syndisco.QueueTurnManager(random_state=None, seed=1.5),
        ConfigError,
        "seed",
    ),
    (
        "tm-first-speaker-flag",
        lambda t: syndisco.QueueTurnManager(randomize_first_speaker=1),
        ConfigError,
        "first",
    ),
    ("tm-no-actors", lambda t: syndisco.QueueTurnManager().next(), ConfigError, "set_actors"),
    ("tm-two-seeds", lambda t: syndisco.RandomTurnManager(random_seed=1, seed=2), ConfigError, "random_seed"),
    # discussions
    (
        "disc-turn-manager-names",
        lambda t: syndisco.Discussion(["Ann"], pair()),
        ConfigError,
        "next_turn_manager",
    ),
    ("disc-no-users", lambda t: syndisco.Discussion(syndisco.QueueTurnManager(), []), ConfigError, "users"),
    (
        "disc-user-dict",
        lambda t: syndisco.Discussion(syndisco.QueueTurnManager(), [{}]),
        ConfigError,
        "users[0]",
    ),
    (
        "disc-annotator-user",
        lambda t: syndisco.Discussion(syndisco.QueueTurnManager(), [actor(), annotator()]),
        ConfigError,
        "annotator",
    ),
    ("disc-conv-len", lambda t: discussion(conv_len=-1), ConfigError, "conv_len"),
    ("disc-history-len", lambda t: discussion(history_context_len="5"), ConfigError, "history_context_len"),
    ("disc-textwrap", lambda t: discussion(textwrap_len=0), OutOfRangeError, "textwrap_len"),
    ("disc-seeds-alone", lambda t: discussion(seed_opinions=["hi"]), ConfigError, "seed_opinion_usernames"),
    (
        "disc-seeds-string",
        lambda t: discussion(seed_opinions="hi", seed_opinion_usernames=["A"]),
        ConfigError,
        "seed_opinions",
    ),
    (
        "disc-seeds-count",
        lambda t: discussion(seed_opinions=["a", "b"], seed_opinion_usernames=["A"]),
        ConfigError,
        "one username per opinion",
    ),
    (
        "disc-seed-none",
        lambda t: discussion(seed_opinions=["a", None], seed_opinion_usernames=["A", "B"]),
        ConfigError,
        "seed_opinions[1]",
    ),
    ("disc-autosave-file", lambda t: discussion(autosave_dir=3), ConfigError, "autosave_dir"),
    ("disc-resume-held", held_run_file, RunLockedError, "run file"),
    ("disc-resume-other", other_run_file, ConfigError, "other settings"),
    (
        "disc-resume-missing",
        lambda t: discussion().resume_from(t / "none.jsonl"),
        LogsFormatError,
        "none.jsonl",
    ),
    # annotation
    ("annot-not-annotator", lambda t: syndisco.Annotation(actor(), logs()), ConfigError, "is_annotator=True"),
    (
        "annot-logs-list",
        lambda t: syndisco.Annotation(annotator(), [{"name": "A"}]),
        ConfigError,
        "discussion_logs",
    ),
    (
        "annot-history",
        lambda t: syndisco.Annotation(annotator(), logs(), history_ctx_len=0),
        ConfigError,
        "history",
    ),
    # experiments
    (
        "exp-too-few-users",
        lambda t: syndisco.DiscussionExperiment(pair(), num_active_users=3),
        ConfigError,
        "inadequate",
    ),
    ("exp-one-turn", lambda t: syndisco.DiscussionExperiment(pair(), num_turns=1), ConfigError, "num_turns"),
    (
        "exp-one-user",
        lambda t: syndisco.DiscussionExperiment(pair(), num_active_users=1),
        ConfigError,
        "num_active",
    ),
    (
        "exp-no-discussions",
        lambda t: syndisco.DiscussionExperiment(pair(), num_discussions=0),
        ConfigError,
        "num_disc",
    ),
    (
        "exp-annotator-user",
        lambda t: syndisco.DiscussionExperiment([*pair(), annotator()]),
        ConfigError,
        "users[2]",
    ),
    ("exp-seed-text", lambda t: syndisco.DiscussionExperiment(pair(), seed="7"), ConfigError, "seed"),
    (
        "exp-seeds-number",
        lambda t: syndisco.DiscussionExperiment(pair(), seed_opinions=[5]),
        ConfigError,
        "[0]",
    ),
    (
        "exp-seeds-string",
        lambda t: syndisco.DiscussionExperiment(pair(), seed_opinions="hi"),
        ConfigError,
        "openings",
    ),
    (
        "exp-tm-class",
        lambda t: syndisco.DiscussionExperiment(pair(), turn_manager=syndisco.QueueTurnManager),
        ConfigError,
        "turn_manager",
    ),
    (
        "annexp-user",
        lambda t: syndisco.AnnotationExperiment([actor()], logs()),
        ConfigError,
        "annotators[0]",
    ),
    (
        "annexp-logs-path",
        lambda t: syndisco.AnnotationExperiment([annotator()], "logs.json"),
        ConfigError,
        "Logs.from_file",
    ),
    # logs and logging
    ("logs-missing", lambda t: syndisco.Logs.from_file(t / "gone.json"), FileNotFoundError, "gone.json"),
    ("logs-timestamp-format", lambda t: logs().to_dict(timestamp_format=5), ConfigError, "timestamp_format"),
    ("logging-level", lambda t: syndisco.logging_setup(True, False, level="loud"), ConfigError, "level"),
    ("logging-no-dir", lambda t: syndisco.logging_setup(False, True), ConfigError, "logs_dir"),
    # models
    ("prompt-user-missing", lambda t: MODEL.prompt("system only"), ConfigError, "user_prompt"),
    # Plurals' Interview
    ("interview-no-seed", lambda t: Interview(seed="  ", model=MODEL), ConfigError, "seed"),
    (
        "interview-kwarg",
        lambda t: Interview(seed="a voter", model=MODEL, temprature=1),
        ConfigError,
        "temperature",
    ),
    (
        "interview-kwargs-list",
        lambda t: Interview(seed="a voter", model=MODEL, kwargs=[1]),
        ConfigError,
        "kwargs",
    ),
    (
        "interview-questions",
        lambda t: Interview(seed="a voter", model=MODEL, questions="all"),
        ConfigError,
        "questions",
    ),
    ("interview-list", lambda t: run_interviews(["a voter"]), ConfigError, "Interview objects"),
]


@pytest.mark.parametrize(("make", "error", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named(tmp_path, make, error, names):
    with pytest.raises(error, match=re.escape(names)):
        make(tmp_path)


def test_the_table_is_big_enough():
    assert len(CASES) >= 50
