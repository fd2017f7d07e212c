"""Deliberation replies cut by the token cap end on their last whole sentence, as discussion turns do."""

from __future__ import annotations

from syndisco_widgets.deliberation import Agent, Ensemble
from syndisco_widgets.models import ScriptedModel

LONG = "Cars should go. Streets are for people and the cap cuts this sente"


def test_an_agent_keeps_a_capped_reply_up_to_its_last_sentence() -> None:
    agent = Agent(task="Car-free main street?", model=ScriptedModel([LONG], max_out_tokens=9))
    assert agent.process() == "Cars should go."
    history = agent.history
    assert history is not None and history[-1]["response"] == "Cars should go."
    short = Agent(task="Car-free main street?", model=ScriptedModel(["Yes, ban them"], max_out_tokens=9))
    assert short.process() == "Yes, ban them"  # not cut: left exactly as written


def test_best_of_n_and_structures_keep_whole_sentences() -> None:
    model = ScriptedModel([LONG], max_out_tokens=9)
    picky = Agent(
        task="Car-free main street?", model=model, num_responses=2, response_selector=lambda texts: texts[0]
    )
    assert picky.process() == "Cars should go."
    ensemble = Ensemble([Agent(model=model), Agent(model=model)], task="Car-free main street?")
    ensemble.process()
    assert ensemble.responses == ["Cars should go.", "Cars should go."]
    assert all(entry["text"] == "Cars should go." for entry in ensemble.logs)
