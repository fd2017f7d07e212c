"""Viewer payloads and bundles for every displayable object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndisco_widgets import DiscussionExperiment, Logs, ScriptedModel
from syndisco_widgets.analysis import speaking_share
from syndisco_widgets.viewer import (
    MIME_TYPE,
    PAYLOAD_VERSION,
    discussion_bundle,
    discussion_payload,
    experiment_bundle,
    experiment_payload,
    structure_bundle,
    structure_payload,
)
from tests.engine.helpers import make_actors, make_discussion

FIXTURE = Path(__file__).parent / "fixtures" / "discussion_payload.json"


def fixture_logs() -> Logs:
    return Logs(
        [
            {"name": "Ann", "text": "Phones help kids learn.", "role": "user", "source": "seed"},
            {
                "name": "Bob",
                "text": "They distract, Ann.",
                "role": "user",
                "source": "model",
                "model": "tiny",
            },
            {"name": "Mod", "text": "Please keep it **civil**.", "role": "moderator", "source": "model"},
            {"name": "Ann", "text": "Only  without\trules.", "role": "user", "source": "human"},
            {"name": "Zoë", "text": "", "role": "user", "source": "model"},
            {"name": "Bob", "text": "fine", "role": "user", "source": "model"},
        ]
    )


def test_shared_fixture_is_current():
    """js/discussion_view.test.js replays this file; regenerate it if the payload changes."""
    payload = discussion_payload(fixture_logs(), title="Fixture")
    payload["metadata"].pop("created")
    if not FIXTURE.exists():  # pragma: no cover - first run writes it
        FIXTURE.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    assert json.loads(FIXTURE.read_text()) == json.loads(json.dumps(payload))


def test_discussion_payload_shape():
    payload = discussion_payload(fixture_logs())
    assert payload["kind"] == "discussion" and payload["version"] == PAYLOAD_VERSION
    assert all("prompt" not in e for e in payload["entries"])
    assert [e["text"] for e in payload["entries"]] == [e["text"] for e in fixture_logs()]
    share = speaking_share(fixture_logs())
    assert [s["word_share"] for s in payload["summary"]["speakers"]] == pytest.approx(
        share["word_share"].tolist()
    )
    assert payload["summary"]["lengths"] == [4, 3, 4, 3, 0, 1]
    json.dumps(payload)  # JSON-ready


def test_discussion_payload_from_a_discussion_and_its_autosave(tmp_path):
    conv = make_discussion(conv_len=3, autosave_dir=tmp_path)
    conv.begin(verbose=False)
    live = discussion_payload(conv)
    assert live["metadata"]["users"] == ["Ann", "Bob"] and live["title"] == "Discussion: Ann, Bob"
    saved = discussion_payload(conv.log_path)
    assert saved["metadata"]["file"] == conv.log_path.name
    assert saved["metadata"]["models"] == ["scripted"]
    assert saved["entries"] == live["entries"]


def test_bundle_has_three_forms_and_honours_include_exclude():
    bundle = discussion_bundle(fixture_logs())
    assert set(bundle) == {MIME_TYPE, "text/html", "text/plain"}
    assert bundle["text/plain"].startswith("Discussion: 6 turns; share of words: Ann 47%")
    assert set(discussion_bundle(fixture_logs(), include={"text/plain"})) == {"text/plain"}
    assert set(discussion_bundle(fixture_logs(), exclude={"text/html"})) == {MIME_TYPE, "text/plain"}


def make_structure(kind="Graph"):
    from syndisco_widgets.deliberation import Agent, Chain, Graph, Moderator

    model = ScriptedModel(["first view", "second view", "third view", "final: second"])
    agents = {n: Agent(model=model, task="Pick a colour") for n in ("A", "B", "C")}
    moderator = Moderator(model=model)
    if kind == "Graph":
        return Graph(agents, edges=[("A", "C"), ("B", "C")], moderator=moderator)
    return Chain(list(agents.values()), moderator=moderator)


def test_structure_payload_graph():
    structure = make_structure()
    structure.process()
    payload = structure_payload(structure)
    assert payload["kind"] == "structure"
    assert payload["settings"]["edges"] == [["A", "C"], ["B", "C"]]
    assert payload["final"] == structure.final_response
    assert payload["moderator"] == payload["entries"][-1]["name"]
    assert [e["seen"] for e in payload["entries"][:3]] == [[], [], [0, 1]]
    bundle = structure_bundle(structure)
    assert "Final answer:" in bundle["text/plain"]
    assert "final answer" in bundle["text/html"]


def test_structure_before_its_first_run():
    payload = structure_payload(make_structure("Chain"))
    assert payload["entries"] == [] and payload["final"] is None
    assert "0 answers" in structure_bundle(make_structure("Chain"))["text/html"]


def test_experiment_payload_folder_and_plan(tmp_path):
    users = make_actors(ScriptedModel(name="scripted"), ("Ann", "Bob", "Cy"))
    experiment = DiscussionExperiment(users, ["Open"], num_turns=2, num_discussions=2, seed=1)
    plan = experiment_payload(experiment)
    assert [r["status"] for r in plan["discussions"]] == ["planned", "planned"]
    assert "begin(folder)" in plan["notes"][0]
    experiment.begin(tmp_path, verbose=False)
    payload = experiment_payload(tmp_path)
    rows = payload["discussions"]
    assert [r["status"] for r in rows] == ["done", "done"]
    assert [r["turns"] for r in rows] == [3, 3]
    assert rows[0]["design"]["model"] == "scripted"
    assert rows[0]["entries"] is not None and all("prompt" not in e for e in rows[0]["entries"])
    assert payload["metadata"]["seed"] == 1  # from the manifest's settings, never "seed None"
    bundle = experiment_bundle(tmp_path)
    assert bundle["text/plain"].endswith("2 of 2 discussions done")
    assert "seed 1" in bundle["text/html"] and "seed None" not in bundle["text/html"]


def test_big_experiments_are_not_inlined(tmp_path, monkeypatch):
    from syndisco_widgets.viewer import payload as module

    monkeypatch.setattr(module, "MAX_INLINE_ENTRIES", 2)
    users = make_actors(ScriptedModel(), ("Ann", "Bob"))
    DiscussionExperiment(users, num_turns=2, num_discussions=2).begin(tmp_path, verbose=False)
    payload = experiment_payload(tmp_path)
    assert all(r["entries"] is None for r in payload["discussions"])
    assert payload["notes"]
