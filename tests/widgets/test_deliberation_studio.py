"""DeliberationStudio driven like a person would: traits, button clicks, a ScriptedModel."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pytest

from syndisco_widgets.deliberation import Agent
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.session import RunnerState
from syndisco_widgets.widgets.deliberation_form import (
    AgentDraft,
    FormValues,
    check_edges,
    check_form,
    draft_of,
    rename_in_edges,
)
from syndisco_widgets.widgets.deliberation_studio import DeliberationStudio

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

HOSTILE = '<img src=x onerror="alert(1)"><script>window.pwned=1</script>'
NAMES = ["Nurse", "Farmer", "Student"]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def studio_for(closing: Callable[[Any], Any]) -> Callable[..., DeliberationStudio]:
    def make(model: ScriptedModel | None = None, **kwargs: Any) -> DeliberationStudio:
        return closing(DeliberationStudio(model or ScriptedModel(), **kwargs))

    return make


def html_values(root: widgets.Widget) -> Iterator[str]:
    """The value of every HTML widget under ``root``."""
    if isinstance(root, widgets.HTML):
        yield str(root.value)
    for child in getattr(root, "children", ()):
        yield from html_values(child)


def names_and_texts(studio: DeliberationStudio) -> list[tuple[str, str]]:
    return [(e["name"], e["text"]) for e in studio.transcript.entries]


# ---------------------------------------------------------------- running
def test_run_shows_every_answer_by_name_then_the_final_answer(studio_for):
    model = ScriptedModel(["Fix the roads.", "Plant trees.", "Free buses.", "Roads and trees."])
    studio = studio_for(model)
    assert studio.state == RunnerState.IDLE
    assert studio.stop_button.disabled
    studio.run_button.click()
    assert studio.wait(10)
    assert studio.state == RunnerState.FINISHED
    assert names_and_texts(studio) == [
        ("Nurse", "Fix the roads."),
        ("Farmer", "Plant trees."),
        ("Student", "Free buses."),
        ("Moderator", "Roads and trees."),
    ]
    assert studio.transcript.entries[-1]["role"] == "moderator"
    # The final answer is marked apart from the answers, with who wrote it.
    assert studio.final_box.layout.display == ""
    assert [e["text"] for e in studio.final_view.entries] == ["Roads and trees."]
    assert "moderator after reading all 3 answers" in studio.final_title.value
    assert studio.final_response == "Roads and trees."
    status = studio.status.value
    assert "Finished: 4 answers" in status
    assert f"Seed {studio.structure.last_seed}" in status
    # The viewer's deliberation view shows the finished structure.
    assert studio.structure_box.layout.display == ""
    payload = studio.structure_view.payload
    assert payload["kind"] == "structure"
    assert payload["settings"]["agents"] == NAMES
    assert payload["final"] == "Roads and trees."
    assert studio.progress_box.layout.display == "none"
    assert not studio.run_button.disabled


def test_progress_counts_answers_while_running(studio_for):
    model = ScriptedModel(["one two three four five six"], token_delay=0.02)
    studio = studio_for(model, moderator=False)
    seen: list[str] = []
    studio.progress_text.observe(lambda c: seen.append(c["new"]), names="value")
    studio.run()
    assert studio.state == RunnerState.RUNNING
    assert studio.run_button.disabled
    assert studio.agent_rows[0].persona.disabled  # the set-up is locked while it runs
    wait_for(lambda: studio.transcript.streaming_text is not None)
    assert studio.transcript.streaming_text is not None  # an answer is being written, live
    assert studio.wait(10)
    assert any(t.startswith("1 of 3 answers done") for t in seen)
    assert any(t.startswith("2 of 3 answers done") for t in seen)
    assert studio.progress.max == 3
    assert not studio.agent_rows[0].persona.disabled


def test_stop_ends_a_slow_run_within_half_a_second(studio_for):
    slow = ScriptedModel([" ".join(f"word{i}" for i in range(400))], token_delay=0.05)
    studio = studio_for(slow)
    studio.run_button.click()
    wait_for(lambda: bool(studio.transcript.streaming_text))
    started = time.monotonic()
    studio.stop_button.click()
    assert studio.state in (RunnerState.STOPPING, RunnerState.IDLE)
    assert studio.wait(2)
    assert time.monotonic() - started < 0.5
    assert studio.state == RunnerState.IDLE
    assert "Stopped after 0 of 4 answers" in studio.status.value
    # The text written so far stays in view, marked, and is not recorded (issue 19, finding 5).
    [kept] = studio.transcript.entries
    assert kept["name"] == "Nurse" and kept["stopped"] is True and kept["text"].startswith("word0 word1")
    assert "not recorded" in studio.status.value and len(studio.structure.logs) == 0
    assert studio.transcript.streaming_text is None
    assert studio.final_box.layout.display == "none"
    assert not studio.run_button.disabled


def test_step_writes_one_answer_and_continues_after_stop(studio_for):
    studio = studio_for(ScriptedModel(), moderator=False)
    studio.controls.step_button.click()
    assert studio.wait(10)
    assert names_and_texts(studio) == [("Nurse", "Reply 1")] and studio.state == RunnerState.IDLE
    assert "1 of 3 answers" in studio.progress_text.value
    studio.controls.step_button.click()
    studio.controls.run_button.click()  # Run starts a fresh run; the first is kept as history
    assert studio.wait(10)
    assert len(studio.history) == 1 and len(studio.history[0].logs) == 2
    assert "Run 1" in studio.history_list.value and studio.history_box.layout.display == ""
    assert names_and_texts(studio) == [("Nurse", "Reply 3"), ("Farmer", "Reply 4"), ("Student", "Reply 5")]


def test_table_insights_and_export_follow_the_run(studio_for, tmp_path):
    studio = studio_for(ScriptedModel(), moderator=False, export_dir=tmp_path)
    assert studio.tabs.titles == ["Table", "Insights", "Export"]
    studio.run_button.click()
    assert studio.wait(10)
    assert [r.speaker for r in studio.log_table.rows] == NAMES
    assert studio.log_table.body._tail["index"] == 2  # each answer sent on its own
    assert [e["name"] for e in studio.structure_view.payload["entries"]] == NAMES
    studio.tabs.select("Export")
    assert studio.tabs.pane("Export").layout.display == "" and studio.log_table.layout.display == "none"
    studio.export_panel.participant.value = "Sam"
    studio.export_panel.json_button.click()
    studio.export_panel.csv_button.click()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 2 and all(name.startswith("Sam--Chain-run-1") for name in written)
    assert "Download" in studio.export_panel.status.value


def test_rerun_starts_clean(studio_for):
    studio = studio_for(ScriptedModel(), moderator=False)
    studio.run()
    assert studio.wait(10)
    first = names_and_texts(studio)
    assert first == [("Nurse", "Reply 1"), ("Farmer", "Reply 2"), ("Student", "Reply 3")]
    studio.run()
    assert studio.wait(10)
    assert names_and_texts(studio) == [("Nurse", "Reply 4"), ("Farmer", "Reply 5"), ("Student", "Reply 6")]
    assert [e["text"] for e in studio.final_view.entries] == ["Reply 6"]
    assert "No moderator: the last answer of the run, by Student" in studio.final_title.value
    assert len(studio.structure.logs) == 3


def test_seed_repeats_a_run(studio_for):
    studio = studio_for(ScriptedModel(lambda chat: str(hash(chat.system) % 97)), seed=5)
    studio.run()
    assert studio.wait(10)
    assert studio.structure.last_seed == 5
    seeds = studio.structure.to_pandas()["seed"].tolist()
    studio.run()
    assert studio.wait(10)
    assert studio.structure.to_pandas()["seed"].tolist() == seeds


def test_model_failure_shows_inline_and_the_studio_stays_usable(studio_for):
    studio = studio_for(ScriptedModel(fail_on_call=2))
    studio.run()
    assert studio.wait(10)
    assert studio.state == RunnerState.ERROR
    assert "The run failed" in studio.status.value
    assert "Farmer" in studio.status.value  # names the agent whose call failed
    assert names_and_texts(studio) == [("Nurse", "Reply 1")]
    assert studio.structure_box.layout.display == ""  # what was answered is still drawn
    assert studio.run()  # call 3 onwards succeed
    assert studio.wait(10)
    assert studio.state == RunnerState.FINISHED


# ------------------------------------------------------------ editing
def test_edit_agents_and_task(studio_for):
    model = ScriptedModel()
    studio = studio_for(model, moderator=False, structure="ensemble")
    studio.task.value = "Name one tree."
    studio.agent_rows[1].persona.value = "a botanist"
    studio.agent_rows[1].instructions.value = "Answer in one word. Costs $5."
    studio.agent_rows[2].remove_button.click()
    row = studio.add_agent("Poet", "a poet")
    assert [r.name.value for r in studio.agent_rows] == ["Nurse", "Farmer", "Poet"]
    assert row.persona.value == "a poet"
    studio.run()
    assert studio.wait(10)
    assert [n for n, _ in names_and_texts(studio)] == ["Nurse", "Farmer", "Poet"]
    botanist = model.calls[1]
    assert "a botanist" in botanist.system
    assert "Answer in one word. Costs $5." in botanist.system
    assert botanist.messages[0]["content"].startswith("Name one tree.")


def test_bad_input_shows_inline_and_run_refuses(studio_for):
    studio = studio_for()
    studio.task.value = "   "
    studio.agent_rows[1].name.value = "Nurse"
    studio.agent_rows[2].name.value = "Moderator"
    studio.seed.value = "12abc"
    studio.agent_rows[0].persona.value = "a ${persona} placeholder"
    assert "Task" in studio.task_error.value
    assert "already taken" in studio.agent_rows[1].name_error.value
    assert "is the moderator's name" in studio.agent_rows[2].name_error.value
    assert "not a whole number" in studio.seed_error.value
    assert "placeholder" in studio.agent_rows[0].persona_error.value
    assert studio.run_button.disabled
    assert studio.run_button.tooltip == "Fix the marked fields first"
    assert studio.run() is False
    assert studio.state == RunnerState.IDLE
    # Fixing the fields clears every message; nothing typed was lost meanwhile.
    studio.task.value = "A task"
    studio.agent_rows[1].name.value = "Farmer"
    studio.moderator.value = False
    studio.seed.value = ""
    studio.agent_rows[0].persona.value = "a nurse"
    assert studio.errors == {}
    assert not studio.run_button.disabled
    assert studio.agent_rows[2].name_error.value == ""


def test_graph_edges_are_checked_inline_and_cycles_named(studio_for):
    studio = studio_for(structure="graph", moderator=False)
    assert studio.edges.value == "Nurse -> Farmer\nFarmer -> Student"
    assert studio.edges_box.layout.display == ""
    assert studio.cycles.layout.display == "none"
    assert "Order: Nurse, Farmer, Student" in studio.edges_note.value

    studio.edges.value = "Nurse => Farmer"
    assert "Line 1: write an arrow" in studio.edges_error.value
    studio.edges.value = "Nurse -> farmer"
    assert "did you mean 'Farmer'?" in studio.edges_error.value
    studio.edges.value = "Nurse -> Farmer -> Student\nStudent -> Nurse"
    assert "circle: Nurse -&gt; Farmer -&gt; Student -&gt; Nurse" in studio.edges_error.value
    assert studio.run_button.disabled
    assert studio.run() is False

    studio.edges.value = "Nurse -> Student\nFarmer -> Student  # both feed the student"
    assert studio.edges_error.value == ""
    studio.run()
    assert studio.wait(10)
    frame = studio.structure.to_pandas()
    assert frame["agent"].tolist() == ["Nurse", "Farmer", "Student"]
    assert frame["seen"].tolist()[-1] == [0, 1]
    assert studio.structure_view.payload["settings"]["edges"] == [["Nurse", "Student"], ["Farmer", "Student"]]


def test_renaming_an_agent_renames_it_in_the_arrows(studio_for):
    studio = studio_for(structure="graph")
    studio.agent_rows[1].name.value = "Grower"
    assert studio.edges.value == "Nurse -> Grower\nGrower -> Student"
    assert studio.errors == {}


def test_structure_switch(studio_for):
    studio = studio_for(ScriptedModel(), moderator=False)
    studio.structure_picker.value = "debate"
    assert "exactly 2 agents, there are 3; remove 1" in studio.agents_error.value
    assert studio.run_button.disabled
    assert studio.edges_box.layout.display == "none"
    studio.agent_rows[2].remove_button.click()
    assert studio.agents_error.value == ""
    studio.cycles.value = 2
    studio.run()
    assert studio.wait(10)
    assert [n for n, _ in names_and_texts(studio)] == ["Nurse", "Farmer", "Nurse", "Farmer"]
    assert type(studio.structure).__name__ == "Debate"
    studio.structure_picker.value = "ensemble"
    studio.run()
    assert studio.wait(10)
    assert type(studio.structure).__name__ == "Ensemble"
    assert len(studio.transcript.entries) == 4  # 2 agents x 2 cycles, the debate's answers gone


def test_hostile_answers_and_names_never_become_html(studio_for):
    studio = studio_for(ScriptedModel([HOSTILE]), agents=[{"name": "<b>Eve</b>", "persona": HOSTILE}])
    studio.run()
    assert studio.wait(10)
    assert studio.transcript.entries[0]["text"] == HOSTILE  # kept as text, drawn with textContent
    assert studio.final_view.entries[-1]["text"] == HOSTILE
    for value in html_values(studio):
        assert "<img" not in value
        assert "<script" not in value
        assert "<b>Eve" not in value
    twin = studio.add_agent("<b>Eve</b>")  # a duplicate: the message quotes the name, escaped
    assert "&lt;b&gt;Eve&lt;/b&gt;" in twin.name_error.value
    assert "<b>" not in twin.name_error.value


def test_close_says_closed_and_disables_everything(studio_for):
    studio = studio_for(ScriptedModel([" ".join(["w"] * 300)], token_delay=0.05))
    studio.run()
    wait_for(lambda: bool(studio.transcript.streaming_text))
    studio.close()
    assert studio.state == RunnerState.CLOSED
    assert "Closed" in studio.status.value
    assert studio.run_button.disabled
    assert studio.run_button.tooltip == "The studio is closed"
    assert studio.run() is False


def test_constructor_refuses_bad_arguments():
    with pytest.raises(ConfigError, match="structure must be one of"):
        DeliberationStudio(ScriptedModel(), structure="tree")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="cycles"):
        DeliberationStudio(ScriptedModel(), cycles=0)
    with pytest.raises(ConfigError, match="model must be a model"):
        DeliberationStudio("gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown key"):
        DeliberationStudio(ScriptedModel(), agents=[{"name": "A", "role": "x"}])  # type: ignore[list-item]


def test_agents_from_agent_objects(studio_for):
    model = ScriptedModel()
    studio = studio_for(
        model,
        agents=[
            Agent(persona="a judge", name="Judge", model=model),
            Agent(system_instructions="Be brief.", name="B", model=model),
        ],
    )
    assert [r.draft for r in studio.agent_rows] == [
        AgentDraft("Judge", "a judge", ""),
        AgentDraft("B", "", "Be brief."),
    ]


# ------------------------------------------------------- the form's pure logic
def test_check_edges_reports_each_problem_with_its_line():
    names = ["A", "B", "C"]
    check = check_edges("A -> B\n\n# note\nB -> B\nA -> B\nA ->\nD -> A", names)
    assert check.errors == (
        "Line 4: B -> B points an agent at itself.",
        "Line 5: A -> B is listed twice.",
        "Line 6: write an arrow between two agents, like 'Nurse -> Farmer'.",
        "Line 7: 'D' is not an agent Agents: A, B, C.",
    )
    ok = check_edges("A -> B -> C", names)
    assert ok.errors == ()
    assert ok.edges == (("A", "B"), ("B", "C"))
    assert ok.order == ("A", "B", "C")
    assert check_edges("", names).order == ("A", "B", "C")  # no arrows: everyone answers alone


def test_rename_in_edges_keeps_other_lines_and_comments():
    text = "A -> B  # first\nAB -> A\nB -> A -> C"
    assert rename_in_edges(text, "A", "Zed") == "Zed -> B # first\nAB -> Zed\nB -> Zed -> C"
    assert rename_in_edges(text, "A", "") == text


def test_check_form_fields():
    agents = (AgentDraft("A", "x"), AgentDraft("", "y"))
    check = check_form(FormValues("chain", "task", agents, seed=" 7 "))
    assert check.errors == {"agent1.name": "Name: give this agent a name; it labels its answers."}
    good = check_form(FormValues("chain", "task", (AgentDraft("A"),), seed="7"))
    assert good.ok
    assert good.seed == 7
    assert check_form(FormValues("ensemble", "t", ())).errors == {"agents": "Agents: add at least one agent."}


def test_draft_of_refuses_other_things():
    with pytest.raises(ConfigError, match="must be dicts"):
        draft_of("Nurse")  # type: ignore[arg-type]
