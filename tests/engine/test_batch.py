import pytest

from syndisco_widgets import (
    Actor,
    ActorType,
    AnnotationExperiment,
    Discussion,
    DiscussionExperiment,
    GenerationControl,
    Logs,
    Persona,
    RoundRobin,
    ScriptedModel,
    TurnRequest,
    drive,
    run_discussions,
)
from syndisco_widgets.errors import ConfigError, DiscussionsFailedError, GenerationStopped, RunLockedError

from .helpers import make_actors, make_discussion


def echo(prompt):
    return f"{prompt.system.split('You are ')[1][:3]} saw {len(prompt.messages[0]['content'])}"


def test_next_request_is_typed_frozen_and_recorded_with_its_cost():
    conv = make_discussion(ScriptedModel(), conv_len=2, history_context_len=1)
    request = conv.next_request()
    assert isinstance(request, TurnRequest) and request is conv.next_request()
    assert (request.name, request.window, request.drawn, request.turn) == ("Ann", (0, 0), True, 0)
    assert request.payload is conv.next_speaker() and conv.next_requests() == [request]
    with pytest.raises(AttributeError):
        request.window = (0, 1)
    entry = conv.record(request, request.model.complete(request.prompt))
    assert entry["prompt_tokens"] > 0 and entry["completion_tokens"] == 2 and entry["seconds"] >= 0
    with pytest.raises(ConfigError, match="no longer the discussion's next turn"):
        conv.record(request, "again")  # recorded once, never twice
    second = conv.next_request()
    conv.inject("Ann", "a person speaks")
    with pytest.raises(ConfigError, match="ask next_request"):
        conv.record(second, "stale")
    fresh = conv.next_request()
    assert fresh.name == "Bob" and fresh.window == (1, 2)
    conv.record(fresh, "ok")
    assert conv.next_request() is None and conv.finished


def test_run_discussions_batches_each_round_and_matches_sequential_runs():
    model = ScriptedModel(echo)
    convs = [make_discussion(model, names=("Ann", "Bob", "Cy"), conv_len=4) for _ in range(5)]
    for i, conv in enumerate(convs):
        conv.inject("Bob", f"topic {i}")
    report = run_discussions(convs, batch_size=2, verbose=False)
    assert report.ok and report.turns == 20 and report.finished == [0, 1, 2, 3, 4]
    assert [len(b) for b in model.batch_calls] == [2, 2, 1] * 4
    alone = []
    for i in range(5):
        conv = make_discussion(ScriptedModel(echo), names=("Ann", "Bob", "Cy"), conv_len=4)
        conv.inject("Bob", f"topic {i}")
        conv.begin(verbose=False)
        alone.append(conv.logs)
    assert [c.logs for c in convs] == alone


def test_a_failing_discussion_is_isolated_and_reported_at_the_end():
    def flaky(prompt):
        if "topic 1" in prompt.messages[0]["content"]:
            raise RuntimeError("boom")
        return "fine"

    model = ScriptedModel(flaky)
    convs = [make_discussion(model, conv_len=3) for _ in range(3)]
    for i, conv in enumerate(convs):
        conv.inject("Bob", f"topic {i}")
    with pytest.raises(
        DiscussionsFailedError, match=r"discussion 1: Ann's turn \(entry 1\) failed.*boom"
    ) as info:
        run_discussions(convs, verbose=False)
    assert list(info.value.failures) == [1] and info.value.report.finished == [0, 2]
    assert len(convs[1].logs) == 1 and all(len(convs[i].logs) == 4 for i in (0, 2))
    report = run_discussions(convs, verbose=False, raise_on_failure=False)
    assert report.failures[1].speaker == "Ann"


def test_run_discussions_checks_its_inputs():
    conv = make_discussion()
    with pytest.raises(ConfigError, match="run_discussions discussions"):
        run_discussions(conv)
    with pytest.raises(ConfigError, match="batch_size"):
        run_discussions([conv], batch_size=0)
    with pytest.raises(ConfigError, match="repeat"):
        run_discussions([conv, conv])


def annotator(model, name="Rater"):
    return Actor(model, Persona(username=name), ActorType.ANNOTATOR, "ctx", "Rate toxicity 1-5")


def test_annotation_experiment_labels_every_entry_resumably(tmp_path):
    model = ScriptedModel(["mod-led"], name="scripted")
    paths = DiscussionExperiment(
        make_actors(model, names=("Ann", "Bob", "Cy")), ["Hi"], num_turns=3, num_discussions=2
    ).begin(tmp_path / "runs", verbose=False)
    rater = ScriptedModel(lambda p: "3", name="rater")
    extra = Logs.from_lists(["A", "B"], ["x", "y"])
    exp = AnnotationExperiment(
        [annotator(rater), annotator(rater, "Judge")], [tmp_path / "runs", extra], history_ctx_len=1
    )
    frame = exp.begin(tmp_path / "labels", verbose=False, batch_size=5)
    assert len(frame) == 2 * (4 + 4 + 2) and set(frame["label"]) == {"3"}
    assert list(frame.columns) == [
        "discussion",
        "entry",
        "annotator",
        "model",
        "label",
        "target_name",
        "target_text",
    ]
    assert set(frame["discussion"]) == {p.stem for p in paths} | {"logs-1"}
    assert max(len(b) for b in rater.batch_calls) == 5
    files = sorted((tmp_path / "labels").glob("*.jsonl"))
    assert len(files) == 6
    # a second begin() finds everything done and asks the model nothing
    again = ScriptedModel(lambda p: "9", name="rater")
    frame2 = AnnotationExperiment(
        [annotator(again), annotator(again, "Judge")], [tmp_path / "runs", extra], 1
    ).begin(tmp_path / "labels", verbose=False)
    assert again.calls == [] and frame2.equals(frame)


def test_annotation_experiment_resumes_a_cut_log_and_refuses_other_settings(tmp_path):
    logs = Logs.from_lists(["A", "B", "A"], ["x", "y", "z"])
    calls = {"n": 0}

    def flaky(prompt):
        calls["n"] += 1
        if "z" in prompt.messages[0]["content"].rsplit("by", 1)[1]:
            raise RuntimeError("down")
        return "1"

    with pytest.raises(DiscussionsFailedError, match="labelling entry 2"):
        AnnotationExperiment([annotator(ScriptedModel(flaky))], logs).begin(tmp_path, verbose=False)
    model = ScriptedModel(lambda p: "2")
    frame = AnnotationExperiment([annotator(model)], logs).begin(tmp_path, verbose=False)
    assert list(frame["label"]) == ["1", "1", "2"] and len(model.calls) == 1
    with pytest.raises(ConfigError, match="history_ctx_len 3, not 1"):
        AnnotationExperiment([annotator(model)], logs, history_ctx_len=1).begin(tmp_path, verbose=False)


def test_annotation_experiment_checks_its_inputs(tmp_path):
    user = make_actors(ScriptedModel())[0]
    with pytest.raises(ConfigError, match=r"annotators\[0\]"):
        AnnotationExperiment([user], Logs())
    with pytest.raises(ConfigError, match="discussion_logs"):
        AnnotationExperiment([annotator(ScriptedModel())], 5)
    with pytest.raises(ConfigError, match=r"holds no \.jsonl"):
        AnnotationExperiment([annotator(ScriptedModel())], tmp_path)


def test_resume_of_a_live_run_file_is_refused(tmp_path):
    conv = Discussion(RoundRobin(), make_actors(ScriptedModel()), conv_len=3, autosave_dir=tmp_path)
    next(conv)
    with pytest.raises(RunLockedError, match="call its close"):
        Discussion.resume(conv.log_path, RoundRobin(), make_actors(ScriptedModel()))


def test_resume_restores_seed_opinions_a_crash_cut_short(tmp_path):
    conv = make_discussion(
        conv_len=2, seed_opinions=["one", "two"], seed_opinion_usernames=["Ann", "Bob"], autosave_dir=tmp_path
    )
    path = conv.log_path
    conv.close()  # crashed before iterating: the file holds only the header (with the seeds)
    resumed = Discussion.resume(path, RoundRobin(), make_actors(ScriptedModel()))
    resumed.begin(verbose=False)
    assert [e["text"] for e in Logs.from_file(path)][:2] == ["one", "two"]
    # a header cut off mid-write: nothing was recorded, so the run starts over in the same file
    path.write_text('{"header": {"format"')
    with pytest.warns(UserWarning, match="cut off"):
        again = Discussion.resume(path, RoundRobin(), make_actors(ScriptedModel()), conv_len=1)
    again.begin(verbose=False)
    assert [e["source"] for e in Logs.from_file(path)] == ["model"]


class Recorder:
    """A DriveListener that keeps what it was told."""

    def __init__(self):
        self.started, self.recorded = [], []

    def request_started(self, source, request):
        self.started.append((source, request.name))

    def entry_recorded(self, source, request, entry):
        self.recorded.append((source, request.name, entry["text"]))


def test_drive_with_a_control_streams_one_request_at_a_time_and_tells_its_listener():
    model = ScriptedModel(["one two three"])
    convs = [make_discussion(model, conv_len=2) for _ in range(2)]
    pieces, listener = [], Recorder()
    control = GenerationControl(on_text=pieces.append)
    report = drive(convs, control=control, listener=listener, verbose=False)
    assert report.ok and report.turns == 4 and report.batches == 4 and model.batch_calls == []
    assert " ".join(pieces).split() == ["one", "two", "three"] * 4
    assert [name for _, name in listener.started] == ["Ann", "Ann", "Bob", "Bob"]
    assert [(s, t) for s, _, t in listener.recorded] == [
        (c, "one two three") for c in (convs[0], convs[1])
    ] * 2


def test_drive_stop_leaves_the_turn_unrecorded_and_the_next_drive_retries_it():
    model = ScriptedModel(["slow " * 30], token_delay=0.001)
    conv = make_discussion(model, conv_len=2)
    control = GenerationControl()
    control.on_text = lambda piece: control.stop()
    with pytest.raises(GenerationStopped):
        drive([conv], control=control, verbose=False)
    assert len(conv.logs) == 0 and conv.next_request().name == "Ann"
    drive([conv], control=GenerationControl(), verbose=False)
    assert [e["name"] for e in conv.logs] == ["Ann", "Bob"]


def test_drive_max_entries_takes_steps_and_run_discussions_is_drive():
    model = ScriptedModel(echo)
    convs = [make_discussion(model, conv_len=3) for _ in range(2)]
    first = drive(convs, max_entries=3, verbose=False)
    assert first.turns == 3 and first.finished == [] and [len(c.logs) for c in convs] == [2, 1]
    rest = run_discussions(convs, verbose=False)
    assert rest.turns == 3 and rest.finished == [0, 1] and all(c.finished for c in convs)
    assert drive(convs, verbose=False).turns == 0  # nothing left: no model call
    assert len(model.calls) == 6


def test_drive_checks_its_inputs():
    conv = make_discussion()
    with pytest.raises(ConfigError, match="drive sources must be a list"):
        drive(conv)
    with pytest.raises(ConfigError, match=r"drive sources\[1\] must be a Discussion"):
        drive([conv, "talk"])
    with pytest.raises(ConfigError, match="max_entries"):
        drive([conv], max_entries=0)
    with pytest.raises(ConfigError, match="repeat"):
        drive([conv, conv])
