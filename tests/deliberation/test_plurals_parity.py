"""Issue #12: what a Plurals user's code sends, samples and gets back."""

from __future__ import annotations

import itertools
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets.deliberation import (
    COMBINATION_INSTRUCTIONS,
    MODERATOR_COMBINATION_INSTRUCTIONS,
    MODERATOR_PERSONAS,
    PERSONA_TEMPLATES,
    Agent,
    Chain,
    Debate,
    Ensemble,
    Graph,
    Moderator,
    SyntheticDataWarning,
    plurals_data,
)
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import ScriptedModel

from .helpers import entries, user_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from syndisco_widgets.models.base import ChatPrompt, Completion, GenerationControl, GenerationOptions

TASK = "How should a town spend its budget?"


class RecordingModel(ScriptedModel):
    """A scripted model that also keeps the options of every call."""

    def __init__(self, replies: Sequence[str] | Callable[[ChatPrompt], str] | None = None) -> None:
        super().__init__(replies, name="recording")
        self.options: list[GenerationOptions | None] = []

    def generate(
        self,
        prompt: ChatPrompt,
        *,
        control: GenerationControl | None = None,
        options: GenerationOptions | None = None,
    ) -> Completion:
        self.options.append(options)
        return super().generate(prompt, control=control, options=options)


# -- sampling settings ---------------------------------------------------------------
def test_kwargs_travel_with_every_call_and_are_recorded() -> None:
    model = RecordingModel()
    agent = Agent(TASK, model=model, kwargs={"temperature": 0.3, "max_tokens": 2, "top_p": 0.9, "stop": "\n"})
    reply = agent.process()
    (options,) = model.options
    assert options is not None
    assert (options.temperature, options.max_new_tokens, options.top_p, options.stop) == (
        0.3,
        2,
        0.9,
        ("\n",),
    )
    assert isinstance(options.seed, int)
    assert reply == "Reply 1"
    assert agent.history[0]["options"] == options.as_dict()
    assert agent.info["options"]["max_new_tokens"] == 2 and agent.info["kwargs"]["max_tokens"] == 2


def test_agents_sample_by_default_and_temperature_zero_is_greedy() -> None:
    model = RecordingModel()
    Agent(TASK, model=model).process()
    Agent(TASK, model=model, kwargs={"temperature": 0}).process()
    assert [o.temperature for o in model.options if o is not None] == [1.0, 0]


def test_unknown_kwargs_are_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"'temprature'.*did you mean 'temperature'"):
        Agent(TASK, model=ScriptedModel(), kwargs={"temprature": 1.0})
    with pytest.raises(ConfigError, match="kwargs"):
        Agent(TASK, model=ScriptedModel(), kwargs={"presence_penalty": 1.0})


def test_a_run_seed_repeats_every_call_seed_and_a_kwargs_seed_wins() -> None:
    model = RecordingModel()
    agents = [Agent(model=model, name=n) for n in ("a", "b")]
    chain = Chain(agents, task=TASK, cycles=2)
    chain.process()
    first = [e["options"]["seed"] for e in entries(chain.logs)]
    assert len(set(first)) == 4
    again = Chain(agents, task=TASK, cycles=2, seed=chain.last_seed)
    again.process()
    assert [e["options"]["seed"] for e in entries(again.logs)] == first
    fixed = Agent(TASK, model=model, kwargs={"seed": 7})
    fixed.process()
    fixed.process()
    assert [h["options"]["seed"] for h in fixed.history] == [7, 7]


# -- ${task} -------------------------------------------------------------------------------
def test_task_placeholder_is_filled_in_system_texts() -> None:
    model = ScriptedModel()
    direct = Agent(model=model, system_instructions="You care about: ${task}")
    templated = Agent(model=model, persona="a nurse", persona_template="You are ${persona}. Topic: ${task}")
    Chain([direct, templated], task=TASK).process()
    assert model.calls[0].system == f"You care about: {TASK}"
    assert model.calls[1].system == f"You are a nurse. Topic: {TASK}"
    assert "${task}" not in repr(model.calls)


def test_moderator_without_task_placeholder_warns_but_still_sees_the_task() -> None:
    model = ScriptedModel()
    with pytest.warns(UserWarning, match=r"persona has no \$\{task\}"):
        moderator = Moderator(persona="You are a careful editor.", model=model)
    Chain([Agent(model=model)], task=TASK, moderator=moderator).process()
    assert user_text(model.calls[-1]).startswith(TASK)


# -- Debate ------------------------------------------------------------------------------
def test_debate_alternates_strictly_under_shuffle_and_strips_echoed_labels() -> None:
    model = ScriptedModel(
        lambda p: "[You]: I insist.\n[Other]: fake line" if "[" in p.messages[0]["content"] else "Opening"
    )
    openers = set()
    for seed in range(12):
        debate = Debate(
            [Agent(model=model, name="L"), Agent(model=model, name="C")],
            task=TASK,
            shuffle=True,
            cycles=3,
            seed=seed,
        )
        debate.process()
        names = [e["name"] for e in entries(debate.logs)]
        assert all(a != b for a, b in itertools.pairwise(names))
        assert debate.first_speaker == names[0]
        openers.add(names[0])
    assert openers == {"L", "C"}
    last = user_text(model.calls[-1])
    assert "[You]: [You]" not in last and "[Other]: [You]" not in last
    assert "\n[Other]: fake line" not in last  # an echoed label cannot forge a speaker line


# -- the reference's Agent signature --------------------------------------------------------
def test_positional_arguments_follow_the_reference() -> None:
    model = ScriptedModel()
    agent = Agent("Say hello", None, None, None, model)
    assert agent.task == "Say hello" and agent.persona is None
    assert agent.process() == "Reply 1" and user_text(model.calls[0]) == "Say hello"
    with pytest.raises(ConfigError, match="survey=SurveyPersonas"):
        Agent(TASK, model=model, data=object())


def test_best_of_n_keeps_every_candidate() -> None:
    model = ScriptedModel(["short", "a much longer reply", "mid reply"])
    agent = Agent(TASK, model=model, num_responses=3, response_selector=lambda rs: max(rs, key=len))
    assert agent.process() == "a much longer reply"
    assert agent.history[-1]["all_responses"] == ["short", "a much longer reply", "mid reply"]
    assert len(model.batch_calls) == 1
    with pytest.raises(ConfigError, match="response_selector"):
        Agent(TASK, model=model, num_responses=2)


def test_reference_attributes_and_history_shape() -> None:
    model = ScriptedModel()
    agent = Agent("first task", model=model, persona="a nurse")
    assert agent.original_task_description == agent.current_task_description == "first task"
    agent.process(previous_responses=["earlier"])
    assert agent.current_task_description == user_text(model.calls[0])
    entry = agent.history[0]
    assert set(entry) == {"prompts", "response", "model", "options"}
    assert entry["prompts"]["system"] == agent.system_instructions
    assert agent.prompts == [entry["prompts"]]
    agent.set_task("second task")
    assert agent.original_task_description == agent.current_task_description == "second task"
    assert agent.persona == "a nurse"


# -- templates -----------------------------------------------------------------------------
def test_every_reference_template_name_exists() -> None:
    assert {"default", "anes", "first_wave", "second_wave"} <= set(PERSONA_TEMPLATES)
    assert {
        "default", "chain", "debate", "debate_minimal", "jury", "debate_jury", "debate_emotional",
        "debate_win", "debate_first_wave", "debate_second_wave", "voting", "critique_revise",
        "minimal_discussion", "first_wave", "second_wave",
    } <= set(COMBINATION_INSTRUCTIONS)  # fmt: skip
    assert set(MODERATOR_PERSONAS) == {"default", "voting", "first_wave", "second_wave", "divergent"}
    assert {
        "default",
        "voting",
        "synthesis",
        "critique_revise",
        "first_wave",
        "second_wave",
        "divergent",
    } == set(MODERATOR_COMBINATION_INSTRUCTIONS)
    assert "Do not reveal" in PERSONA_TEMPLATES["anes"] and "courteous" in PERSONA_TEMPLATES["anes"]
    assert "common good" in PERSONA_TEMPLATES["first_wave"] and "fairness" in PERSONA_TEMPLATES["second_wave"]
    assert "one clear, definite conclusion" in COMBINATION_INSTRUCTIONS["voting"]
    assert COMBINATION_INSTRUCTIONS["default"].count("\n") <= 5  # minimal: just the earlier responses


def test_auto_moderator_strips_a_leading_label() -> None:
    model = ScriptedModel(["**System Instructions:** Merge the ideas and drop duplicates."])
    moderator = Moderator(system_instructions="auto", model=model)
    assert moderator.generate_system_instructions(TASK) == "Merge the ideas and drop duplicates."


# -- Graph ---------------------------------------------------------------------------------
def test_graph_runs_each_ready_wave_as_one_batch() -> None:
    model = ScriptedModel()
    agents = {n: Agent(model=model, system_instructions=f"you are {n}") for n in ("a", "b", "c", "d")}
    graph = Graph(agents, [("a", "c"), ("b", "c"), ("a", "d")], task=TASK)
    graph.process()
    assert [[p.system for p in batch] for batch in model.batch_calls] == [
        ["you are a", "you are b"],
        ["you are c", "you are d"],
    ]
    assert graph.waves == [[0, 1], [2, 3]]


# -- exports and progress ------------------------------------------------------------------
def test_print_responses_and_verbose_progress(capsys: pytest.CaptureFixture[str]) -> None:
    model = ScriptedModel()
    ensemble = Ensemble([Agent(model=model), Agent(model=model)], task=TASK, verbose=True)
    ensemble.process()
    err = capsys.readouterr().err
    assert "Ensemble" in err and "2/2" in err
    ensemble.print_responses()
    out = capsys.readouterr().out
    assert "Agent 1 (cycle 1):\nReply 1" in out and out.rstrip().endswith("Reply 2")


# -- survey personas from an installed plurals -------------------------------------------------
def _fake_plurals(root: Path) -> None:
    info = root / "plurals-9.9.dist-info"
    data = root / "plurals" / "data"
    data.mkdir(parents=True)
    info.mkdir()
    (data / "anes_pilot_2024_20240319.csv").write_text(
        "weight,ideo5,inputstate,birthyr\n1.0,Liberal,Michigan,1970\n1.0,Conservative,Texas,1950\n,Moderate,Ohio,1990\n",
        encoding="utf-8",
    )
    (root / "plurals" / "anes-mapping.yaml").write_text(
        textwrap.dedent(
            """\
            inputstate:
              name: Your state is
            ideo5:
              name: Your ideology is
            age:
              name: Your age is
            """
        ),
        encoding="utf-8",
    )
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plurals\nVersion: 9.9\n", encoding="utf-8")
    (info / "RECORD").write_text(
        "plurals/data/anes_pilot_2024_20240319.csv,,\nplurals/anes-mapping.yaml,,\nplurals-9.9.dist-info/METADATA,,\n",
        encoding="utf-8",
    )


def test_personas_come_from_an_installed_plurals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_plurals(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plurals_data, "_cache", {})
    model = ScriptedModel()
    liberal = Agent(TASK, ideology="liberal", model=model)
    assert liberal.persona == "Your state is michigan. Your ideology is liberal. Your age is 54."
    assert liberal.persona_template == "anes" and "plurals 9.9" in liberal.info["survey"]["source"]
    texan = Agent(TASK, query_str="inputstate == 'Texas'", model=model)
    assert "texas" in (texan.persona or "")
    assert "plurals" not in sys.modules
    with pytest.raises(ConfigError, match="query_str"):
        Agent(TASK, query_str="no_such_column > 3", model=model)


def test_without_plurals_the_synthetic_table_warns() -> None:
    assert plurals_data.plurals_survey() is None
    with pytest.warns(SyntheticDataWarning, match="Install the plurals package"):
        Agent(TASK, persona="random", model=ScriptedModel())


# -- the tiny real model ------------------------------------------------------------------------
@pytest.mark.slow
def test_sampling_settings_take_effect_on_the_tiny_model(tiny_path: str) -> None:
    def answers(seed: int, **kwargs: object) -> list[str]:
        agents = [Agent(model=tiny_path, persona="a nurse", kwargs=dict(kwargs)) for _ in range(3)]
        ensemble = Ensemble(agents, task=TASK, seed=seed)
        ensemble.process()
        return ensemble.responses

    hot = answers(1, temperature=1.0, max_tokens=12)
    assert len(set(hot)) == 3  # one persona, three different answers
    assert answers(1, temperature=1.0, max_tokens=12) == hot
    assert answers(2, temperature=1.0, max_tokens=12) != hot
    # Count the tokens generate made (re-tokenizing decoded text can give more).
    short = Chain([Agent(model=tiny_path, kwargs={"max_tokens": 5})], task=TASK)
    short.process()
    assert [entry["completion_tokens"] for entry in short.logs] == [5]
