"""The text/html fallback: hostile transcripts stay text; nothing live, nothing remote."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from syndisco_widgets import Logs
from syndisco_widgets.viewer import discussion_bundle, experiment_bundle, structure_bundle
from syndisco_widgets.viewer.html import MAX_HTML_ENTRIES

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>window.pwned=1</script>",
    '"><svg onload=alert(2)>',
    "</div></details><iframe src=https://evil.example>",
    "javascript:alert(3)",
    "<a href='http://evil.example' style=\"background:url(http://evil.example/x.png)\">x</a>",
]
ALLOWED_TAGS = {"div", "span", "b", "table", "tr", "th", "td", "details", "summary"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str) -> Tags:
    parsed = parse(html)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= {"style", "title", "open"}, attrs
        # Only styles could load anything; no model text ever reaches them. (A title is plain text.)
        style = attrs.get("style") or ""
        assert "url(" not in style and "http" not in style and "expression" not in style, style
    return parsed


def hostile_logs() -> Logs:
    return Logs(
        {"name": HOSTILE[(i + 1) % len(HOSTILE)], "text": text, "model": text, "role": "user"}
        for i, text in enumerate(HOSTILE)
    )


def test_hostile_discussion_has_no_live_markup():
    html = discussion_bundle(hostile_logs())["text/html"]
    parsed = assert_inert(html)
    for text in HOSTILE:
        assert text in parsed.text  # shown literally, as text
    assert "<script" not in html and "<img" not in html and "<iframe" not in html


def test_hostile_structure_and_experiment(tmp_path):
    from tests.viewer.test_payload import make_structure

    structure = make_structure()
    structure.process()
    structure.logs.append(HOSTILE[0], HOSTILE[1], HOSTILE[2], role="moderator", seen=[0])
    assert_inert(structure_bundle(structure)["text/html"])

    import json

    (tmp_path / "run.jsonl").write_text(
        json.dumps({"header": {"metadata": {"models": [HOSTILE[3]]}}})
        + "\n"
        + "".join(json.dumps({"entry": {"name": t, "text": t}}) + "\n" for i, t in enumerate(HOSTILE))
    )
    manifest = {
        "seed": HOSTILE[0],
        "plan": [{"index": 0, "users": HOSTILE, "seed": HOSTILE[1]}],
        "runs": {"0": {"file": "run.jsonl", "status": HOSTILE[2]}},
    }
    (tmp_path / "manifest.experiment.json").write_text(json.dumps(manifest))
    parsed = assert_inert(experiment_bundle(tmp_path)["text/html"])
    assert HOSTILE[1] in parsed.text


def test_plain_text_is_a_short_summary():
    text = discussion_bundle(hostile_logs())["text/plain"]
    assert text.count("\n") == 6  # title line, five turns, "… 1 more"
    assert "… 1 more" in text


@pytest.mark.parametrize("count", [0, MAX_HTML_ENTRIES + 3])
def test_long_and_empty_transcripts(count):
    logs = Logs.from_lists(["A", "B"] * (count // 2) + ["A"] * (count % 2), ["x"] * count)
    html = discussion_bundle(logs)["text/html"]
    assert_inert(html)
    if count:
        assert "3 more turns" in html
    else:
        assert "No messages yet." in html
