"""Seeded runs repeat exactly through the real model path (sampling, not greedy)."""

from __future__ import annotations

import syndisco_widgets as syndisco


def run_discussion(model_path: str, seed: int) -> syndisco.Logs:
    llm = syndisco.TransformersModel(model_path, "tiny", 12, temperature=1.0, top_p=0.95, seed=seed)
    actors = [
        syndisco.Actor(llm, syndisco.Persona(username=name), syndisco.ActorType.USER, "A forum.", "Be brief.")
        for name in ("Ann", "Bob", "Cy")
    ]
    conv = syndisco.Discussion(syndisco.RandomWeighted(p_respond=0.5, seed=seed), actors, conv_len=5)
    conv.begin(verbose=False)
    return conv.logs


def test_same_seeds_give_the_same_discussion(tiny_model_dir):
    first = run_discussion(str(tiny_model_dir), seed=4)
    again = run_discussion(str(tiny_model_dir), seed=4)
    other = run_discussion(str(tiny_model_dir), seed=5)
    assert again == first and again.id == first.id
    assert [e["text"] for e in other] != [e["text"] for e in first]
    assert all(e["text"] for e in first)
