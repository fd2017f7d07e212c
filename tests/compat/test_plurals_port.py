"""Plurals 0.7 code runs on syndisco_widgets.deliberation: Interview, exports, moderator personas, surveys."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets.deliberation import (
    Agent,
    Chain,
    Graph,
    Interview,
    InterviewWarning,
    Moderator,
    PersonaError,
    plurals_data,
    run_interviews,
)
from syndisco_widgets.deliberation.interview import DEFAULT_QUESTIONS, SEPARATOR
from syndisco_widgets.engine import Logs
from syndisco_widgets.errors import ConfigError, SyndiscoWarning
from syndisco_widgets.models import ChatPrompt, ScriptedModel
from tests.deliberation.test_plurals_parity import _fake_plurals

if TYPE_CHECKING:
    from pathlib import Path

QUESTIONS = ["Where did you grow up?", "What do you do for work?", "Do you vote?"]


def interviewee(prompt: ChatPrompt) -> str:
    """Answers every question of the prompt, as the seed the system text names."""
    who = prompt.system.split(".")[0].removeprefix("You are ")
    asked = prompt.messages[0]["content"].count("Question ")
    return f"\n{SEPARATOR}\n".join(f"{who}, answer {i}" for i in range(1, asked + 1))


def test_an_interview_asks_every_question_in_one_call_and_builds_a_persona():
    model = ScriptedModel(interviewee)
    interview = Interview(
        seed="a utah voter", model=model, questions=QUESTIONS, temperature=0.5, max_tokens=900
    )
    assert interview.responses is None and interview.combined_response is None
    with pytest.warns(InterviewWarning, match="not run"):
        assert interview.info["responses"] is None
    answers = interview.run_interview()
    assert len(model.calls) == 1
    sent = model.calls[0].messages[0]["content"]
    assert all(f"Question {i}: {q}" in sent for i, q in enumerate(QUESTIONS, start=1)) and SEPARATOR in sent
    assert "a utah voter" in model.calls[0].system
    assert answers == ["a utah voter, answer 1", "a utah voter, answer 2", "a utah voter, answer 3"]
    combined = interview.combined_response or ""
    assert combined.startswith(f"Q: {QUESTIONS[0]}\nA: a utah voter, answer 1")
    info = interview.info
    assert info["kwargs"] == {"temperature": 0.5, "max_tokens": 900} and info["questions"] == QUESTIONS
    assert isinstance(interview.last_seed, int)
    agent = Agent(persona=combined, model=model, task="Should fares be free?")
    assert "a utah voter, answer 2" in (agent.system_instructions or "")


def test_default_interview_and_custom_instructions():
    interview = Interview(seed="a nurse", model=ScriptedModel(interviewee))
    assert interview.questions == list(DEFAULT_QUESTIONS) and len(interview.questions) == 9
    assert (
        "a nurse" in interview.interviewee_instructions
        and "${seed}" not in interview.interviewee_instructions
    )
    blunt = Interview(seed="a steelworker", interviewee_instructions="You are ${seed}. Be blunt.", model="x")
    assert blunt.interviewee_instructions == "You are a steelworker. Be blunt."
    interview.run_interview()
    assert len(interview.responses or []) == 9


def test_interviews_sharing_a_model_go_as_one_batch():
    model = ScriptedModel(interviewee)
    interviews = [
        Interview(seed=s, model=model, questions=QUESTIONS) for s in ("a farmer", "a teacher", "a nurse")
    ]
    run_interviews(interviews)
    assert len(model.batch_calls) == 1 and len(model.batch_calls[0]) == 3
    assert [i.responses[0] for i in interviews if i.responses] == [
        "a farmer, answer 1",
        "a teacher, answer 1",
        "a nurse, answer 1",
    ]


def test_a_reply_with_too_few_answers_warns_and_keeps_them():
    interview = Interview(seed="a voter", model=ScriptedModel(["only one answer"]), questions=QUESTIONS)
    with pytest.warns(InterviewWarning, match="3 questions but 1 answers"):
        interview.run_interview()
    assert interview.responses == ["only one answer"]


def test_interview_settings_are_checked():
    with pytest.raises(ConfigError, match="temprature"):
        Interview(seed="a voter", model="x", temprature=0.5)
    with pytest.raises(ConfigError, match="questions"):
        Interview(seed="a voter", model="x", questions=[])
    with pytest.raises(ConfigError, match="seed"):
        Interview(seed="", model="x")


def _agents(model: ScriptedModel) -> dict[str, Agent]:
    return {n: Agent(persona=f"a {n}", model=model) for n in ("nurse", "farmer", "student")}


def test_to_dataframe_has_plurals_columns_and_row_order(tmp_path: Path):
    model = ScriptedModel(["=HYPERLINK(1)", "second", "third", "fourth", "summary"])
    chain = Chain(
        list(_agents(model).values())[:2], task="Fares?", cycles=2, moderator=Moderator(model=model)
    )
    chain.process()
    frame = chain.to_dataframe()
    assert list(frame.columns) == [
        "response_index",
        "agent_index",
        "persona",
        "model",
        "turn",
        "system_prompt",
        "user_prompt",
        "response",
    ]
    assert frame["turn"].tolist() == [1, 1, 2, 2] and frame["agent_index"].tolist() == [0, 1, 0, 1]
    assert frame["response_index"].tolist() == [0, 1, 2, 3] and "summary" not in frame["response"].tolist()
    assert frame["persona"].tolist()[:2] == ["a nurse", "a farmer"]
    assert chain.to_pandas()["is_moderator"].tolist() == [False] * 4 + [True]  # every entry
    csv = chain.to_dataframe(fn=tmp_path / "run.csv")
    text = (tmp_path / "run.csv").read_text()
    assert "'=HYPERLINK(1)" in text and csv.loc[0, "response"] == "=HYPERLINK(1)"


def test_graph_rows_follow_agent_order_not_run_order():
    agents = _agents(ScriptedModel())
    graph = Graph(agents, edges=[("student", "nurse"), ("nurse", "farmer")], task="Fares?")
    graph.process()
    assert graph.topological_order == ["student", "nurse", "farmer"]
    assert graph.to_dataframe()["persona"].tolist() == ["a nurse", "a farmer", "a student"]
    assert graph.graph[agents["nurse"]] == [agents["farmer"]] and graph.in_degree[agents["student"]] == 0


def test_to_json_has_plurals_keys_and_reads_back(tmp_path: Path):
    chain = Chain(list(_agents(ScriptedModel()).values()), task="Fares?")
    chain.process()
    text = chain.to_json(fn=tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text())
    assert data == json.loads(text)
    assert data["structure_information"]["responses"] == chain.responses
    assert len(data["agent_information"]) == 3
    assert Logs.from_file(tmp_path / "run.json") == chain.logs
    assert json.loads(chain.to_json())["structure"]["structure"] == "Chain"


def test_moderator_persona_names_words_and_typos():
    model = ScriptedModel()
    voting = Moderator(persona="voting", model=model)
    assert voting.persona == "voting" and voting.persona_template == "${persona}"
    with (
        pytest.warns(SyndiscoWarning, match="not a moderator persona name"),
        pytest.warns(SyndiscoWarning, match="no \\$\\{task\\} placeholder"),
    ):
        skeptic = Moderator(persona="skeptic", model=model)
    assert skeptic.system_text("Fares?") is not None and "skeptic" in (skeptic.system_text("Fares?") or "")
    with pytest.raises(ConfigError, match="default"):
        Moderator(persona="defualt", model=model)
    assert Moderator(system_instructions="Sum up: ${task}", model=model).persona_template is None


def _fake_plurals_with_text_ages(root: Path) -> None:
    """An installed plurals whose ANES table has a text ``age`` column, as the real one does."""
    _fake_plurals(root)
    (root / "plurals" / "data" / "anes_pilot_2024_20240319.csv").write_text(
        "weight,ideo5,inputstate,birthyr,age\n"
        "1.0,Liberal,Michigan,1982,Age 40-44\n"
        "1.0,Conservative,Texas,1950,Age 70-74\n"
        "1.0,Moderate,Ohio,2000,Age 20-24\n",
        encoding="utf-8",
    )


def test_anes_ages_are_2024_minus_birth_year_and_bad_queries_are_persona_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _fake_plurals_with_text_ages(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plurals_data, "_cache", {})
    model = ScriptedModel()
    assert "michigan" in (Agent(query_str="age==42", model=model).persona or "")
    assert "texas" in (Agent(query_str="age>70", model=model).persona or "")
    for bad in ("inputstate=='Atlantis'", "no_such_column > 3", "age >"):
        with pytest.raises(PersonaError, match="query_str"):
            Agent(query_str=bad, model=model)
    with pytest.raises(PersonaError, match="ideology"):
        Agent(ideology="nonexistent", model=model)
    assert issubclass(PersonaError, ConfigError)
