"""Survey personas: seeded weighted draws, structured filters, the synthetic demo table."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from syndisco_widgets.deliberation import (
    SYNTHETIC_NOTICE,
    Agent,
    SurveyPersonas,
    SyntheticDataWarning,
    load_demo_survey,
)
from syndisco_widgets.deliberation.templates import PERSONA_TEMPLATES, fill
from syndisco_widgets.errors import ConfigError, PersonaError

if TYPE_CHECKING:
    from syndisco_widgets.models import ScriptedModel

FIELDS = {
    "age": {"sentence": "You are ${value} years old."},
    "edu": {"sentence": "You finished ${value}.", "labels": {1: "school", 2: "college"}, "missing": [-9]},
}


@pytest.fixture
def survey() -> SurveyPersonas:
    data = pd.DataFrame(
        {
            "age": [30, 40, 50, 60],
            "edu": [1, 2, -9, 2],
            "side": ["left", "left", "right", "right"],
            "w": [1.0, 0.0, 1.0, 0.0],
        }
    )
    return SurveyPersonas(data, FIELDS, weight_column="w", ideology_column="side")


def test_persona_text_uses_the_codebook_and_skips_missing(survey: SurveyPersonas) -> None:
    assert survey.persona_text({"age": 30, "edu": 1}) == "You are 30 years old. You finished school."
    assert survey.persona_text({"age": 50, "edu": -9}) == "You are 50 years old."
    assert survey.persona_text({"age": 50, "edu": float("nan")}) == "You are 50 years old."
    with pytest.raises(PersonaError, match="code 7"):
        survey.persona_text({"age": 1, "edu": 7})


def test_draws_are_seeded_and_weighted(survey: SurveyPersonas) -> None:
    assert survey.sample(seed=5) == survey.sample(seed=5)
    drawn = collections.Counter(survey.sample(seed=s).index for s in range(200))
    assert set(drawn) == {0, 2}  # rows with weight 0 are never drawn
    fresh = survey.sample()
    assert survey.sample(seed=fresh.seed) == fresh  # an unseeded draw records its seed


def test_structured_filters_and_ideology(survey: SurveyPersonas) -> None:
    assert {survey.sample(seed=s, ideology="right").index for s in range(20)} == {2}
    assert {survey.sample(seed=s, filters={"edu": ["1", 2]}).index for s in range(20)} == {0}
    with pytest.raises(ConfigError, match="weight 0"):
        survey.sample(filters={"age": 40})
    with pytest.raises(ConfigError, match="no survey respondent"):
        survey.sample(filters={"age": 99})
    with pytest.raises(ConfigError, match="never evaluated"):
        survey.sample(filters="age > 30")
    with pytest.raises(ConfigError, match="not in the survey data"):
        survey.sample(filters={"__import__('os')": 1})


def test_bad_tables_are_rejected() -> None:
    data = pd.DataFrame({"age": [1], "w": [-1.0]})
    with pytest.raises(ConfigError, match="weights"):
        SurveyPersonas(data, {"age": FIELDS["age"]}, weight_column="w")
    with pytest.raises(ConfigError, match="no weights column"):
        SurveyPersonas(data, {"age": FIELDS["age"]}, weight_column="weight")
    with pytest.raises(ConfigError, match=r"\$\{value\}"):
        SurveyPersonas(data.assign(w=1.0), {"age": {"sentence": "old"}}, weight_column="w")
    with pytest.raises(ConfigError, match="synthetic"):
        SurveyPersonas(data.assign(w=1.0), {"age": FIELDS["age"]}, weight_column="w", synthetic=True)


def test_demo_table_is_clearly_synthetic() -> None:
    demo = load_demo_survey()
    assert demo.synthetic and demo.notice == SYNTHETIC_NOTICE
    assert "SYNTHETIC" in SYNTHETIC_NOTICE and "not real survey data" in SYNTHETIC_NOTICE
    assert set(demo.data["synthetic"]) == {"yes"}
    assert "SYNTHETIC" in repr(demo)
    draw = demo.sample(seed=1)
    assert draw.synthetic and draw.source == SYNTHETIC_NOTICE


def test_random_agent_uses_the_demo_table_with_a_warning(model: ScriptedModel) -> None:
    with pytest.warns(SyntheticDataWarning, match="SYNTHETIC DEMO DATA"):
        agent = Agent(persona="random", model=model, seed=11)
    with pytest.warns(SyntheticDataWarning, match="SYNTHETIC DEMO DATA"):
        again = Agent(persona="random", model=model, seed=11)
    assert agent.persona == again.persona
    assert (agent.persona or "").startswith("You are ")
    assert agent.persona_template == "anes"
    assert agent.system_instructions == fill(PERSONA_TEMPLATES["anes"], persona=agent.persona)
    assert agent.info["survey"]["synthetic"] is True and agent.info["survey"]["seed"] == 11


@pytest.mark.filterwarnings("ignore::syndisco_widgets.deliberation.SyntheticDataWarning")
def test_ideology_agent_draws_matching_respondents(model: ScriptedModel) -> None:
    for seed in range(10):
        agent = Agent(ideology="liberal", model=model, seed=seed)
        assert agent.survey_draw.row["ideology"] in {"liberal", "very liberal"}
    with pytest.raises(ConfigError, match="unknown ideology"):
        Agent(ideology="anarchist", model=model)


def test_agent_with_user_supplied_survey_gives_no_warning(
    model: ScriptedModel, survey: SurveyPersonas, recwarn: pytest.WarningsRecorder
) -> None:
    agent = Agent(persona="random", survey=survey, model=model, seed=2, filters={"side": "left"})
    assert agent.survey_draw.index == 0 and agent.info["survey"]["synthetic"] is False
    assert not [w for w in recwarn if issubclass(w.category, SyntheticDataWarning)]
