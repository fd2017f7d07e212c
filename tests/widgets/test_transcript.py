"""TranscriptView semantics, checked on the Python side without a kernel."""

from __future__ import annotations

import time

import pytest

from syndisco_widgets.widgets import _static
from syndisco_widgets.widgets.transcript import TranscriptView


def turn(i: int, **extra) -> dict:
    return {
        "name": f"agent{i % 3}",
        "text": f"message number {i}",
        "model": "tiny",
        "prompt": "a long system prompt " * 20,
        "role": "user",
        "source": "model",
        "context": [max(0, i - 4), i],
        **extra,
    }


def open_state(c) -> dict:
    (msg_type, data), *_ = c.messages
    assert msg_type == "comm_open"
    return data["state"]


# ------------------------------------------------------------------ assets
def test_assets_resolve_for_checkout_and_wheel(tmp_path, monkeypatch):
    js = _static.asset_path("transcript.js")
    assert js.is_file() and js.parent.name == "js"  # source checkout
    # Wheel layout: no repo around, file in the package's static/ directory.
    pkg = tmp_path / "site-packages" / "syndisco_widgets" / "widgets"
    (pkg / "static").mkdir(parents=True)
    (pkg / "static" / "transcript.js").write_text("export default {}")
    monkeypatch.setattr(_static, "_REPO_ROOT", tmp_path / "site-packages")
    monkeypatch.setattr(_static, "_PACKAGED", pkg / "static")
    assert _static.asset_path("transcript.js") == pkg / "static" / "transcript.js"
    with pytest.raises(FileNotFoundError, match=r"transcript\.css"):
        _static.asset_path("transcript.css")


def test_widget_ships_esm_and_css():
    w = TranscriptView()
    assert "export default" in w._esm
    assert ".sdw-transcript" in w._css


# ------------------------------------------------------------ append/reset
def test_initial_entries_and_full_state(comms):
    w = TranscriptView([turn(0), turn(1)])
    assert [e["text"] for e in w.entries] == ["message number 0", "message number 1"]
    state = open_state(w.comm)
    assert state["_snapshot"]["epoch"] == 0
    assert [e["text"] for e in state["_snapshot"]["entries"]] == ["message number 0", "message number 1"]
    # Prompts and unknown keys stay in Python.
    assert "prompt" not in state["_snapshot"]["entries"][0]
    assert w.entries[0]["prompt"].startswith("a long system prompt")


def test_append_sends_only_the_new_turn(comms):
    w = TranscriptView([turn(0)])
    c = w.comm
    c.clear()
    w.append(turn(1, extra_key={"ignored": True}))
    (update,) = c.updates()
    assert set(update) == {"_tail"}
    assert update["_tail"]["epoch"] == 0
    assert update["_tail"]["index"] == 1
    assert update["_tail"]["entry"]["text"] == "message number 1"
    assert "extra_key" not in update["_tail"]["entry"]
    assert len(w.entries) == 2 and w.entries[1]["extra_key"] == {"ignored": True}


def test_entries_is_a_read_only_copy():
    w = TranscriptView([turn(0)])
    w.entries.append(turn(1))
    w.entries[0]["text"] = "changed"
    assert len(w.entries) == 1 and w.entries[0]["text"] == "message number 0"
    with pytest.raises(AttributeError):
        w.entries = []


def test_append_rejects_non_dicts_without_changing_state():
    w = TranscriptView([turn(0)])
    with pytest.raises(TypeError):
        w.append("not a dict")
    with pytest.raises(TypeError):
        w.reset([turn(1), 42])
    assert len(w.entries) == 1


def test_reset_bumps_epoch_and_sends_everything_once(comms):
    w = TranscriptView([turn(0), turn(1)])
    w.append(turn(2))
    c = w.comm
    c.clear()
    w.reset([turn(5)])
    (update,) = c.updates()  # one message: snapshot + cleared tail together
    assert update["_snapshot"] == {"epoch": 1, "start": 0, "entries": [w._wire[0]]}
    assert update["_tail"] is None
    assert [e["text"] for e in w.entries] == ["message number 5"]
    c.clear()
    w.append(turn(6))
    assert c.updates()[0]["_tail"]["epoch"] == 1
    assert c.updates()[0]["_tail"]["index"] == 1


def test_resync_request_sends_live_snapshot(comms):
    w = TranscriptView([turn(0)])
    for i in range(1, 4):
        w.append(turn(i))
    c = w.comm
    c.clear()
    w._handle_custom_msg({"type": "sync", "epoch": 0, "have": 1}, [])
    (update,) = c.updates()
    assert [e["text"] for e in update["_snapshot"]["entries"]] == [f"message number {i}" for i in range(4)]


def test_full_state_request_after_reload_is_live(comms):
    w = TranscriptView()
    for i in range(3):
        w.append(turn(i))
    c = w.comm
    c.clear()
    w._handle_msg({"content": {"data": {"method": "request_state"}}, "buffers": []})
    (update,) = c.updates()
    assert len(update["_snapshot"]["entries"]) == 3
    assert update["_tail"]["index"] == 2


# ------------------------------------------------------------------ bytes
def bytes_for_one_more_turn(comms, length: int) -> int:
    w = TranscriptView([turn(i) for i in range(length)])
    c = w.comm
    c.clear()
    w.append(turn(7))  # the same turn each time: only its index differs
    return c.sent_bytes()


def test_bytes_per_appended_turn_do_not_grow_with_length(comms):
    small = bytes_for_one_more_turn(comms, 10)
    large = bytes_for_one_more_turn(comms, 1000)
    assert 0 < small < 400
    assert large - small <= 2  # the index has two more digits; nothing else grows


def test_streamed_text_does_not_send_the_transcript(comms):
    w = TranscriptView([turn(i) for i in range(500)])
    w.stream_interval = 0
    c = w.comm
    c.clear()
    w.stream_start("agent1")
    w.stream_text("hello")
    w.stream_end()
    assert all(set(u) == {"_stream"} for u in c.updates())
    assert c.sent_bytes() < 400


# --------------------------------------------------------------- streaming
def test_stream_lifecycle():
    w = TranscriptView()
    w.stream_interval = 0  # sync every delta
    w.stream_start("Alice", role="moderator")
    assert w._stream == {"name": "Alice", "role": "moderator", "text": ""}
    w.stream_text("Hel")
    w.stream_text("lo")
    assert w._stream["text"] == "Hello"
    assert w.streaming_text == "Hello"
    w.stream_end()
    assert w._stream is None and w.streaming_text is None
    w.stream_text("late token")  # ignored, no error
    assert w._stream is None
    assert w.entries == []


def test_stream_end_with_entry_appends_in_the_same_message(comms):
    w = TranscriptView()
    c = w.comm
    w.stream_start("Bob")
    w.stream_text("Hi")
    c.clear()
    w.stream_end(turn(0, name="Bob", text="Hi"))
    (update,) = c.updates()
    assert update["_stream"] is None
    assert update["_tail"]["entry"]["text"] == "Hi"
    assert [e["text"] for e in w.entries] == ["Hi"]


def test_throttle_limits_syncs_and_keeps_the_final_text(comms):
    w = TranscriptView()
    c = w.comm
    w.stream_start("Alice")
    c.clear()
    tokens = [f"t{i} " for i in range(200)]
    start = time.monotonic()
    for tok in tokens:
        w.stream_text(tok)
    elapsed = time.monotonic() - start
    time.sleep(w.stream_interval * 4)  # let the trailing flush fire
    sent = [u["_stream"]["text"] for u in c.updates()]
    assert sent[-1] == "".join(tokens)  # nothing lost
    assert w._stream["text"] == "".join(tokens)
    assert len(sent) <= int(elapsed / w.stream_interval) + 2


def test_stale_timer_does_not_revive_a_finished_stream():
    w = TranscriptView()
    w.stream_start("Alice")
    w.stream_text("x")  # schedules a trailing flush
    w.stream_end()
    time.sleep(w.stream_interval * 3)
    assert w._stream is None


def test_stream_start_replaces_a_previous_stream():
    w = TranscriptView()
    w.stream_interval = 0
    w.stream_start("A")
    w.stream_text("aaa")
    w.stream_start("B", role="user")
    assert w._stream == {"name": "B", "role": "user", "text": ""}


def test_append_from_worker_threads_keeps_order(comms):
    import threading

    w = TranscriptView()
    c = w.comm
    done = threading.Event()

    def worker():
        for i in range(50):
            w.stream_start(f"agent{i}")
            w.stream_text("tok")
            w.stream_end(turn(i))
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    t.join(10)
    assert done.is_set()
    indices = [u["_tail"]["index"] for u in c.updates() if u.get("_tail")]
    assert indices == list(range(50))
    assert [e["text"] for e in w.entries] == [f"message number {i}" for i in range(50)]


# --------------------------------------------------------------- branching
def test_branch_message_calls_handlers():
    w = TranscriptView([turn(0), turn(1), turn(2)])
    got = []
    w.on_branch(got.append)
    w._handle_custom_msg({"type": "branch", "index": 1}, [])
    assert got == [1]
    # Out of range, wrong type or unknown messages are ignored.
    for bad in (
        {"type": "branch", "index": 3},
        {"type": "branch", "index": "1"},
        {"type": "branch", "index": True},
        {"type": "branch"},
        {"type": "nope"},
        "junk",
    ):
        w._handle_custom_msg(bad, [])
    assert got == [1]
    w.on_branch(got.append, remove=True)
    w._handle_custom_msg({"type": "branch", "index": 0}, [])
    assert got == [1]
