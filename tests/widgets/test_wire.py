"""The transcript wire format: one recorded exchange, replayed by Python and by vitest.

``js/fixtures/wire_sequence.json`` is what this module's ``record()`` sends
and receives. The Python side re-records it and must match the file exactly
(so the fixture is always the real wire); ``js/transcript.test.js`` plays the
same steps into the view and checks the DOM and the messages the view sends.
Regenerate after a deliberate format change with ``SDW_RECORD_WIRE=1``.
"""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path
from typing import Any

import pytest

from syndisco_widgets.widgets.message_box import MessageBox
from syndisco_widgets.widgets.transcript import TranscriptView
from syndisco_widgets.widgets.wire import (
    BranchRequest,
    SendRequest,
    SyncRequest,
    WireEntry,
    WireSnapshot,
    WireStream,
    WireTail,
    parse_view_message,
    wire_entry,
)

FIXTURE = Path(__file__).resolve().parents[2] / "js" / "fixtures" / "wire_sequence.json"
SHOWN = ("_snapshot", "_tail", "_stream", "markdown", "branchable")
COMPOSER_SHOWN = ("_part", "value", "placeholder", "disabled", "rows")


def entry(i: int, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "text": f"**turn** {i} by {name}",
        "model": "demo",
        "prompt": "never sent",
        "role": "user",
        "source": "model",
        "context": [max(0, i - 2), i],
        **extra,
    }


def record(comms) -> dict[str, Any]:
    """Drive a TranscriptView through one exchange and write down the wire."""
    view = TranscriptView([entry(0, "Mod", role="moderator", source="seed")])
    view.stream_interval = 0.0  # every streamed piece is sent at once: a fixed recording
    channel = comms[-1]
    branched: list[int] = []
    view.on_branch(branched.append)
    state = view.get_state()
    steps: list[dict[str, Any]] = [
        {"from": "python", "what": "comm open: full state", "state": {k: state[k] for k in SHOWN}}
    ]

    def python(what: str, *, missed: bool = False) -> None:
        updates = channel.updates()
        channel.clear()
        assert len(updates) == 1, f"{what}: expected one message, got {updates}"
        step: dict[str, Any] = {"from": "python", "what": what, "state": updates[0]}
        if missed:
            step["missed"] = True
        steps.append(step)

    def from_view(what: str, message: dict[str, Any]) -> None:
        steps.append({"from": "view", "what": what, "message": message})
        view.handle_view_message(message)

    channel.clear()
    view.append(entry(1, "Ann"))
    python("append #2")
    view.append(entry(2, "Bob", source="human"))
    python("append #3 (this view misses it)", missed=True)
    view.append(entry(3, "Ann"))
    python("append #4")
    from_view("the view saw a gap and asks for the transcript", {"type": "sync", "epoch": 0, "have": 2})
    python("answer: the live snapshot")
    view.stream_start("Bob", "user")
    python("Bob starts writing")
    view.stream_text("Half")
    python("streamed text")
    view.stream_end(entry(4, "Bob"))
    python("Bob's turn is done: stream cleared and the turn appended, in one message")
    from_view('"branch from here" on #2', {"type": "branch", "index": 1})
    assert branched == [1]
    view.reset([entry(2, "Bob", source="human"), entry(3, "Cy")], start=2)
    python("compare-style reset: entries from log index 2 on")
    return {
        "about": "Recorded by tests/widgets/test_wire.py; replayed by it and by js/transcript.test.js.",
        "steps": steps,
        "composer": record_composer(comms),
        "final": {
            "texts": [e["text"] for e in view.entries],
            "numbers": [f"#{view.start + i + 1}" for i in range(len(view.entries))],
            "branch_requests": branched,
        },
    }


def record_composer(comms) -> list[dict[str, Any]]:
    """The message box: typed text syncs up, Ctrl+Enter sends, Python clears the box."""
    box = MessageBox(placeholder="Say something", rows=2)
    channel = comms[-1]
    sent: list[str] = []

    def take(text: str) -> None:  # what DiscussionControls does with a message it accepts
        sent.append(text)
        box.value = ""

    box.on_send(take)
    state = box.get_state()
    steps: list[dict[str, Any]] = [
        {"from": "python", "what": "comm open: full state", "state": {k: state[k] for k in COMPOSER_SHOWN}}
    ]
    typed = "Hello <b>there</b>"
    steps.append({"from": "view", "what": "typing syncs the value", "state": {"value": typed}})
    box.set_state({"value": typed})  # what ipywidgets does with a front-end update
    assert box.value == typed
    message = {"type": "send", "text": typed}
    steps.append({"from": "view", "what": "Ctrl+Enter sends the text", "message": message})
    channel.clear()
    box.handle_view_message(message)
    assert sent == [typed]
    updates = channel.updates()
    assert updates == [{"value": ""}], updates
    steps.append({"from": "python", "what": "taken: the box is cleared", "state": updates[0]})
    return steps


def test_the_fixture_is_the_real_wire(comms):
    recorded = record(comms)
    if os.environ.get("SDW_RECORD_WIRE") == "1":
        FIXTURE.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert json.loads(FIXTURE.read_text(encoding="utf-8")) == recorded


def _keys(kind: type) -> tuple[set[str], set[str]]:
    hints = set(typing.get_type_hints(kind))
    required = set(kind.__required_keys__)  # type: ignore[attr-defined]
    return required, hints


def _conforms(value: Any, kind: type) -> None:
    required, allowed = _keys(kind)
    assert isinstance(value, dict), f"{kind.__name__}: {value!r}"
    assert required <= value.keys() <= allowed, f"{kind.__name__} keys {sorted(value)}"


def test_every_recorded_message_has_its_typed_shape():
    sequence = json.loads(FIXTURE.read_text(encoding="utf-8"))
    seen = set()
    for step in sequence["steps"]:
        if step["from"] == "view":
            message = parse_view_message(step["message"])
            assert message == step["message"]
            _conforms(message, SyncRequest if message["type"] == "sync" else BranchRequest)
            seen.add(message["type"])
            continue
        state = step["state"]
        if "_snapshot" in state:
            _conforms(state["_snapshot"], WireSnapshot)
            for item in state["_snapshot"]["entries"]:
                _conforms(item, WireEntry)
            seen.add("snapshot")
        if state.get("_tail") is not None:
            _conforms(state["_tail"], WireTail)
            _conforms(state["_tail"]["entry"], WireEntry)
            seen.add("tail")
        if state.get("_stream") is not None:
            _conforms(state["_stream"], WireStream)
            seen.add("stream")
    assert seen == {"sync", "branch", "snapshot", "tail", "stream"}
    sends = [step["message"] for step in sequence["composer"] if "message" in step]
    assert sends
    for message in sends:
        assert parse_view_message(message) == message
        _conforms(message, SendRequest)


@pytest.mark.parametrize(
    "content",
    [
        None,
        "sync",
        {"type": "sync", "epoch": "0", "have": 1},
        {"type": "branch", "index": -1},
        {"type": "branch", "index": True},
        {"type": "branch"},
        {"type": "send"},
        {"type": "send", "text": 5},
        {"type": "delete-everything"},
    ],
)
def test_malformed_view_messages_are_ignored(content):
    assert parse_view_message(content) is None
    view = TranscriptView([entry(0, "Ann")])
    got: list[int] = []
    view.on_branch(got.append)
    view.handle_view_message(content)  # logs a warning, raises nothing
    assert got == []


def test_wire_entry_drops_what_the_view_does_not_show():
    shown = wire_entry({**entry(5, "Ann"), "role": "<script>", "context": ["a", 1], "extra": 1})
    assert shown == {
        "name": "Ann",
        "text": "**turn** 5 by Ann",
        "role": "user",
        "source": "model",
        "model": "demo",
    }


def test_a_reply_cut_at_the_token_cap_is_marked_and_its_raw_text_stays_in_python():
    cut = wire_entry({**entry(2, "Ann"), "truncated": True, "raw_text": "**turn** 2 by Ann and then some wo"})
    assert cut["truncated"] is True and "raw_text" not in cut
    assert "truncated" not in wire_entry({**entry(3, "Ann"), "truncated": "yes"})  # only a real True
