"""The HTML fallback reads like the JupyterLab view: labels, dates, plurals, a chart with room."""

from __future__ import annotations

import re

from syndisco_widgets import Logs
from syndisco_widgets.viewer import discussion_bundle
from syndisco_widgets.viewer.html import when
from syndisco_widgets.wording import plural


def seeded_logs() -> Logs:
    return Logs(
        [
            {
                "name": "Ann",
                "text": "Phones: yes or no?",
                "model": "hardcoded",
                "prompt": "",
                "source": "seed",
            },
            {"name": "Bob", "text": "No.", "model": "tiny", "prompt": "", "source": "model"},
        ]
    )


def test_an_opening_message_is_labelled_as_in_the_transcript_not_seed_hardcoded():
    html = discussion_bundle(seeded_logs())["text/html"]
    assert "opening message" in html
    assert "hardcoded" not in html and ">seed<" not in html
    assert "model: tiny" in html


def test_dates_are_written_for_people():
    logs = seeded_logs()
    html = discussion_bundle(logs)["text/html"]
    assert logs.timestamp not in html  # never the raw ISO text
    assert re.search(r"created \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", html)
    assert when("2026-12-03T08:10:44+00:00") == "3 Dec 2026, 08:10 UTC"
    assert when("not a date") == "not a date"


def test_counts_agree_with_their_nouns_and_the_chart_has_a_row():
    one = Logs([{"name": "Ann", "text": "Hi", "model": "tiny", "prompt": ""}])
    html = discussion_bundle(one)["text/html"]
    assert "1 turn ·" in html and "1 speaker" in html and "1 turns" not in html
    assert "longest 1 word" in html
    assert "flex-basis:100%" in html  # the turn-length chart spans the box
    assert discussion_bundle(one)["text/plain"].startswith("Discussion: 1 turn;")
    assert (plural(1, "entry", "entries"), plural(2, "answer")) == ("1 entry", "2 answers")
