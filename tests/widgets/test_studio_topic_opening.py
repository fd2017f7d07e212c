"""The studio shows a discussion's opening posts from the start, numbered as in its log."""

from __future__ import annotations

from syndisco_widgets import DiscussionStudio, ScriptedModel


def test_the_opening_post_is_in_the_transcript_before_the_first_step_and_indices_match_the_log():
    studio = DiscussionStudio(
        model=ScriptedModel(["Cars out.", "Keep them."]),
        personas=[{"username": "Ann"}, {"username": "Bob"}],
        topic="Should the main street be car-free?",
        seed_opinions=["I'm for it."],
        seed_opinion_usernames=["Ann"],
        conv_len=2,
    )
    try:
        studio.runner.wait(10)
        assert [e["text"] for e in studio.transcript.entries] == ["I'm for it."]
        assert studio.transcript.wire_snapshot()["entries"][0]["source"] == "seed"
        studio.runner.step()
        studio.runner.wait(10)
        assert studio.logs is not None
        assert [e["text"] for e in studio.transcript.entries] == [e["text"] for e in studio.logs]
    finally:
        studio.runner.close()
