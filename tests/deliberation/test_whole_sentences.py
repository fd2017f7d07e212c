"""Deliberation replies cut by the token cap end on their last whole sentence, as discussion turns do."""

from __future__ import annotations

from syndisco_widgets.deliberation import Agent, Ensemble
from syndisco_widgets.models import ScriptedModel

LONG = "Cars should go. Streets are for people and the cap cuts this sente"
CAPPED = "Cars should go. Streets are for people and the"  # LONG at the scripted model's 9-word cap


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


def test_a_cut_reply_is_marked_in_the_log_with_what_the_model_wrote(tmp_path) -> None:
    from syndisco_widgets.deliberation import DeliberationExperiment

    model = ScriptedModel([LONG], max_out_tokens=9)
    ensemble = Ensemble([Agent(model=model), Agent(model=model)], task="Car-free main street?")
    ensemble.process()
    assert [(e["text"], e.get("truncated"), e.get("raw_text")) for e in ensemble.logs] == [
        ("Cars should go.", True, CAPPED)
    ] * 2
    whole = Ensemble([Agent(model=ScriptedModel(["Yes."]))], task="Car-free main street?")
    whole.process()
    assert "truncated" not in whole.logs[0] and "raw_text" not in whole.logs[0]
    # Saved and resumed, the entry keeps the mark.
    structures = [Ensemble([Agent(model=model)], task="Car-free main street?")]
    DeliberationExperiment(structures, seed=1).begin(tmp_path, verbose=False)
    again = [Ensemble([Agent(model=ScriptedModel(["never asked"]))], task="Car-free main street?")]
    DeliberationExperiment(again, seed=1).begin(tmp_path, verbose=False)
    assert [(e["text"], e.get("truncated"), e.get("raw_text")) for e in again[0].logs] == [
        ("Cars should go.", True, CAPPED)
    ]
