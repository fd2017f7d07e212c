import json
import os
import signal
import subprocess
import sys

import pytest

from syndisco_widgets import JsonlLogWriter, Logs, unique_run_path
from syndisco_widgets.errors import LogsFormatError

from .helpers import make_discussion


def test_sequence_interface():
    logs = Logs.from_lists(["A", "B", "A"], ["one", "two", "three"])
    assert len(logs) == 3
    assert logs[0] == {"name": "A", "text": "one", "model": "hardcoded", "prompt": ""}
    assert logs[-1]["text"] == "three"
    assert [e["name"] for e in logs] == ["A", "B", "A"]
    assert isinstance(logs[1:], Logs) and [e["text"] for e in logs[1:]] == ["two", "three"]


def test_items_are_copies():
    logs = Logs.from_lists(["A"], ["one"])
    logs[0]["text"] = "changed"
    for entry in logs:
        entry["name"] = "changed"
    assert logs[0] == {"name": "A", "text": "one", "model": "hardcoded", "prompt": ""}


def test_str_and_content_hash_id():
    a, b = Logs(), Logs()
    for logs in (a, b):
        logs.append("Alice", "hi")
        logs.append("Bob", "hello", model="m", prompt="p")
    data = json.loads(str(a))
    assert list(data) == ["timestamp", "logs", "id"]
    assert data["logs"][1] == {"name": "Bob", "text": "hello", "model": "m", "prompt": "p"}
    assert a.id == b.id and len(a.id) == 64
    b.append("Alice", "bye")
    assert a.id != b.id


def test_export_from_file_round_trip_keeps_prompts_and_extras(tmp_path):
    conv = make_discussion(conv_len=3)
    conv.begin(verbose=False)
    path = conv.logs.export(tmp_path / "run.json")
    again = Logs.from_file(path)
    assert again == conv.logs
    assert again.to_dict() == conv.logs.to_dict()
    assert again[0]["prompt"].startswith('{"context": "ctx"')
    assert again[1]["context"] == [0, 1]


def test_from_lists_checks_lengths():
    with pytest.raises(LogsFormatError, match="same length, got 2, 1 and 2"):
        Logs.from_lists(["a", "b"], ["x"])


def test_to_pandas_is_tidy():
    conv = make_discussion(conv_len=4)
    conv.begin(verbose=False)
    frame = conv.logs.to_pandas()
    assert list(frame.columns[:5]) == ["turn", "name", "text", "model", "prompt"]
    assert len(frame) == 4 and frame["turn"].tolist() == [0, 1, 2, 3]
    assert frame["context_end"].tolist() == [0, 1, 2, 3]
    assert Logs().to_pandas().empty


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON at line 1, column 2"),
        ('{"entries": []}', "expected an object with a 'logs' list"),
        ('{"logs": [{"name": "A"}]}', r"logs\[0\]: missing 'text'"),
        ('{"logs": [{"name": "A", "text": 5}]}', r"logs\[0\]: log entry field 'text' must be a string"),
        ('{"logs": ["hello"]}', r"logs\[0\]: expected an object"),
    ],
)
def test_malformed_json_files_say_what_and_where(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(LogsFormatError, match=words):
        Logs.from_file(path)


def test_unique_run_paths_never_collide(tmp_path):
    paths = {unique_run_path(tmp_path) for _ in range(500)}
    assert len(paths) == 500
    path = unique_run_path(tmp_path)
    JsonlLogWriter(path)
    with pytest.raises(FileExistsError):
        JsonlLogWriter(path)  # never overwrites an existing run


def test_jsonl_writer_round_trip_and_crash_tolerance(tmp_path):
    path = unique_run_path(tmp_path)
    writer = JsonlLogWriter(path, metadata={"seed": 3})
    logs = Logs.from_lists(["A", "B"], ["one", "two"])
    for entry in logs:
        writer.write(entry)
    assert Logs.from_file(path) == logs
    with path.open("a") as handle:
        handle.write('{"entry": {"name": "A", "te')  # crash mid-write
    with pytest.warns(UserWarning, match="cut off mid-write"):
        assert Logs.from_file(path) == logs


def test_a_writer_that_syncs_in_steps_loses_nothing_when_killed_before_syncing(tmp_path, monkeypatch):
    script = (
        "import os, signal, sys\n"
        "from syndisco_widgets import JsonlLogWriter, Logs\n"
        "writer = JsonlLogWriter(sys.argv[1], sync_each=False)\n"
        "for entry in Logs.from_lists(['A', 'B', 'A'], ['one', 'two', 'three']):\n"
        "    writer.write(entry)\n"
        "os.kill(os.getpid(), signal.SIGKILL)  # before any sync or close\n"
    )
    path = tmp_path / "run.jsonl"
    killed = subprocess.run([sys.executable, "-c", script, str(path)], check=False, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [e["text"] for e in Logs.from_file(path)] == ["one", "two", "three"]
    synced = []
    monkeypatch.setattr(os, "fsync", synced.append)
    writer = JsonlLogWriter(path, resume=True, sync_each=False)
    writer.write(Logs.from_lists(["B"], ["four"])[0])
    writer.write(Logs.from_lists(["A"], ["five"])[0])
    assert synced == []
    writer.sync()
    writer.sync()  # nothing new: no second fsync
    writer.close()
    assert len(synced) == 1 and len(Logs.from_file(path)) == 5
    each = JsonlLogWriter(tmp_path / "each.jsonl")  # the default syncs every line
    each.write(Logs.from_lists(["A"], ["one"])[0])
    each.close()
    assert len(synced) == 3  # its header and its line


def test_jsonl_broken_middle_line_is_an_error(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text(
        '{"header": {}}\n{"entry": {"name": "A", "text": "x"}}\nnonsense\n{"entry": {"name": "B", "text": "y"}}\n'
    )
    with pytest.raises(LogsFormatError, match=r"run\.jsonl, line 3: not valid JSON"):
        Logs.from_file(path)


def test_add_checks_a_built_entry_and_returns_a_copy():
    logs = Logs()
    added = logs.add({"name": "A", "text": "hi", "model": "m", "prompt": "", "role": "user"})
    added["text"] = "changed"
    assert logs[0]["text"] == "hi" and logs[0]["role"] == "user"
    with pytest.raises(LogsFormatError, match="entry 1: missing 'text'"):
        logs.add({"name": "B"})
    assert len(logs) == 1


@pytest.mark.parametrize("name", ["missing.json", "missing.jsonl"])
def test_a_missing_log_file_is_named(tmp_path, name):
    with pytest.raises(LogsFormatError, match=f"{name}: no such log file"):
        Logs.from_file(tmp_path / name)
