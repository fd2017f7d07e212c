"""Runner: one worker thread, commands, mid-turn stop, errors, branching."""

from __future__ import annotations

import threading

import pytest
from widget_helpers import LONG_REPLY, Gate, make_discussion

from syndisco_widgets.errors import TurnError
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.session import RunnerState, SourceChange
from syndisco_widgets.widgets import TranscriptView

IDLE, RUNNING, STOPPING, FINISHED, ERROR = (
    RunnerState.IDLE,
    RunnerState.RUNNING,
    RunnerState.STOPPING,
    RunnerState.FINISHED,
    RunnerState.ERROR,
)


def test_step_records_one_turn_on_the_worker_thread(runner_for):
    discussion = make_discussion()
    view = TranscriptView()
    runner = runner_for(discussion, view)
    threads = []
    runner.on_entry(lambda _e: threads.append(threading.current_thread().name))

    runner.step()
    assert runner.wait(5)

    assert len(discussion.logs) == 1
    assert view.entries == list(discussion.logs)
    assert threads == ["syndisco-runner"]
    assert runner.state == IDLE
    assert "1 of 4 user turns" in runner.status


def test_run_goes_to_the_end_and_streams_into_the_transcript(runner_for):
    discussion = make_discussion(ScriptedModel(["one two three"]), conv_len=3)
    view = TranscriptView()
    runner = runner_for(discussion, view)
    pieces = []
    runner.on_text(pieces.append)

    runner.run()
    assert runner.wait(5)

    assert runner.state == FINISHED and runner.finished
    assert [e["name"] for e in view.entries] == ["Emma35", "Giannis", "Emma35"]
    assert "".join(pieces) == "one two three" * 3
    assert view.streaming_text is None  # the writing bubble is gone
    runner.step()  # nothing left to do: no error, no new entry
    assert runner.wait(5) and len(discussion.logs) == 3


def test_stop_takes_effect_mid_turn_and_discards_the_turn(runner_for):
    model = ScriptedModel([LONG_REPLY], token_delay=0.01)
    discussion = make_discussion(model)
    view = TranscriptView()
    runner = runner_for(discussion, view)
    pieces: list[str] = []
    first = threading.Event()
    runner.on_text(lambda d: (pieces.append(d), first.set()))
    states = []
    runner.observe(lambda c: states.append(c["new"]), names="state")

    runner.run()
    assert first.wait(5)
    runner.stop()
    at_stop = len(pieces)
    assert runner.wait(5)

    assert len(pieces) - at_stop <= 2  # within a token or two
    assert len(pieces) < len(LONG_REPLY.split())
    assert len(discussion.logs) == 0 and view.entries == []
    assert view.streaming_text is None
    assert runner.state == IDLE and "Stopped" in runner.status
    assert STOPPING in states and RUNNING in states

    # Still usable: the same speaker retries and the turn is recorded.
    model.token_delay = 0
    runner.step()
    assert runner.wait(5)
    assert [e["name"] for e in discussion.logs] == ["Emma35"]
    assert discussion.logs[0]["text"] == LONG_REPLY


def test_stop_before_a_queued_step_drops_it_but_later_steps_run(runner_for):
    gate = Gate()
    discussion = make_discussion(ScriptedModel(gate))
    runner = runner_for(discussion)
    runner.step()
    assert gate.entered.wait(5)
    runner.step()  # queued behind the gated turn
    runner.stop()
    gate.opened.set()
    assert runner.wait(5)
    assert len(discussion.logs) == 0  # the gated turn was stopped, the queued one dropped

    runner.step()
    assert runner.wait(5)
    assert len(discussion.logs) == 1


def test_model_error_mid_run_keeps_entries_and_step_retries(runner_for):
    discussion = make_discussion(ScriptedModel(fail_on_call=3), conv_len=4)
    view = TranscriptView()
    runner = runner_for(discussion, view)

    runner.run()
    assert runner.wait(5)

    assert runner.state == ERROR
    assert "scripted failure on call 3" in runner.status and "retry" in runner.status
    assert isinstance(runner.last_error, TurnError)
    assert len(discussion.logs) == 2 and len(view.entries) == 2

    runner.step()
    assert runner.wait(5)
    assert runner.state == IDLE and len(discussion.logs) == 3
    assert discussion.logs[2]["name"] == "Emma35"  # the failed speaker's turn, retried
    runner.run()
    assert runner.wait(5) and runner.state == FINISHED


def test_inject_adds_human_entries_and_bad_names_only_report(runner_for):
    discussion = make_discussion(moderator="Mod")
    view = TranscriptView()
    runner = runner_for(discussion, view)

    runner.inject("Giannis", "I am a person")
    runner.inject("Mod", "Stay on topic, please")
    runner.inject("Nobody", "hello")
    assert runner.wait(5)

    sources = [(e["name"], e["source"], e["role"]) for e in discussion.logs]
    assert sources == [("Giannis", "human", "user"), ("Mod", "human", "moderator")]
    assert view.entries[-1]["text"] == "Stay on topic, please"
    assert "Could not send" in runner.status and runner.state == IDLE
    runner.step()
    assert runner.wait(5) and len(discussion.logs) == 3


def test_inject_during_run_lands_between_turns(runner_for):
    gate = Gate("model text")
    discussion = make_discussion(ScriptedModel(gate), conv_len=2)
    runner = runner_for(discussion)
    runner.run()
    assert gate.entered.wait(5)
    runner.inject("Giannis", "typed during the first turn")
    gate.opened.set()
    assert runner.wait(5)
    assert [e["source"] for e in discussion.logs] == ["model", "human", "model"]


def test_branch_forks_independent_discussions(runner_for):
    discussion = make_discussion(conv_len=4)
    view = TranscriptView()
    runner = runner_for(discussion, view)
    changes: list[SourceChange] = []
    runner.on_discussion(changes.append)
    runner.run()
    runner.branch(2)
    runner.step()
    assert runner.wait(5)

    child = runner.discussion
    assert child is not discussion
    assert changes[0].reason == "branch" and changes[0].parent is discussion and changes[0].at_turn == 2
    assert len(discussion.logs) == 4 and len(child.logs) == 3
    assert list(child.logs)[:2] == list(discussion.logs)[:2]
    assert child.logs[2]["text"] != discussion.logs[2]["text"]  # regenerated on the branch
    assert view.entries == list(child.logs)

    runner.switch(discussion)
    assert runner.wait(5)
    assert runner.discussion is discussion and view.entries == list(discussion.logs)
    assert runner.state == FINISHED


def test_reset_starts_over_and_keeps_seed_opinions(runner_for):
    discussion = make_discussion(seed_opinions=["Seed text"], seed_opinion_usernames=["Giannis"])
    runner = runner_for(discussion)
    runner.step()
    runner.step()
    runner.reset()
    assert runner.wait(5)
    fresh = runner.discussion
    assert fresh is not discussion
    assert [e["source"] for e in fresh.logs] == ["seed"]
    runner.step()
    assert runner.wait(5)
    assert fresh.logs[1]["name"] == "Emma35"  # the turn manager starts over too


def test_wait_turns_keyboard_interrupt_into_stop(runner_for):
    import _thread

    gate = Gate()
    discussion = make_discussion(ScriptedModel(gate))
    runner = runner_for(discussion)
    # Open the gate only once Stop has been requested, so the turn is discarded.
    runner.observe(lambda c: c["new"] == STOPPING and gate.opened.set(), names="state")
    runner.run()
    assert gate.entered.wait(5)

    timer = threading.Timer(0.1, _thread.interrupt_main)  # what Kernel > Interrupt does
    timer.start()
    assert runner.wait(10) is False  # no KeyboardInterrupt escapes
    timer.join()

    assert runner.wait(5)
    assert len(discussion.logs) == 0 and "Stopped" in runner.status


def test_close_ends_the_thread_and_refuses_commands():
    from syndisco_widgets.widgets import Runner

    runner = Runner(make_discussion())
    runner.step()
    runner.close()
    assert not runner._thread.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        runner.step()


def test_runner_without_discussion_explains_itself(runner_for):
    runner = runner_for(None)
    runner.step()
    runner.branch()
    assert runner.wait(5)
    assert runner.state == ERROR and "nothing to run" in runner.status
    runner.replace(make_discussion())
    assert runner.wait(5) and runner.state == IDLE and runner.discussion is not None


def test_bad_branch_point_is_reported_and_the_discussion_stays_usable(runner_for):
    discussion = make_discussion()
    runner = runner_for(discussion)
    runner.branch(99)
    assert runner.wait(5)
    assert runner.state == ERROR and "at_turn" in runner.status
    assert runner.discussion is discussion
    runner.step()
    assert runner.wait(5) and runner.state == IDLE and len(discussion.logs) == 1


def test_one_runner_steps_a_deliberation_structure_and_refuses_to_branch_it(runner_for):
    from syndisco_widgets.deliberation import Agent, Chain

    model = ScriptedModel(["one", "two"])
    chain = Chain([Agent(name="A", model=model), Agent(name="B", model=model)], task="t")
    view = TranscriptView()
    runner = runner_for(chain, view)
    assert not runner.can_branch and not runner.can_inject
    runner.step()
    assert runner.wait(5)
    assert [e["name"] for e in view.entries] == ["A"] and runner.progress() == "1 of 2 answers"
    runner.branch()
    assert runner.wait(5)
    assert runner.state == ERROR and "cannot branch" in runner.status
    runner.run()
    assert runner.wait(5)
    assert runner.state == FINISHED and [e["text"] for e in chain.logs] == ["one", "two"]
