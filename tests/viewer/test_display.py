"""IPython shows the engine's objects with the viewer, attached from above; plain Python is untouched."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest
from IPython.core.formatters import DisplayFormatter

from syndisco_widgets import DiscussionExperiment, ScriptedModel
from syndisco_widgets.deliberation import DeliberationExperiment
from syndisco_widgets.viewer import (
    MIME_TYPE,
    discussion_bundle,
    discussion_payload,
    experiment_bundle,
    structure_payload,
)
from syndisco_widgets.viewer.display import DISPLAYED, register
from tests.engine.helpers import make_actors, make_discussion
from tests.viewer.test_payload import fixture_logs, make_structure


@pytest.fixture
def formatter() -> DisplayFormatter:
    shown = DisplayFormatter()
    register(shown)
    return shown


def test_every_displayed_class_exists_where_it_is_named():
    for module, name, _ in DISPLAYED:
        assert isinstance(getattr(importlib.import_module(module), name), type), f"{module}.{name}"


def test_logs_and_discussions_show_the_discussion_bundle(formatter):
    logs = fixture_logs()
    data, metadata = formatter.format(logs)
    assert data == discussion_bundle(logs) and metadata == {}
    conv = make_discussion(conv_len=2)
    conv.begin(verbose=False)
    data, _ = formatter.format(conv)
    assert data[MIME_TYPE]["title"] == "Discussion: Ann, Bob"
    assert data[MIME_TYPE]["entries"] == discussion_payload(conv)["entries"]
    assert set(data) == {MIME_TYPE, "text/html", "text/plain"}


def test_include_and_exclude_are_honoured(formatter):
    assert set(formatter.format(fixture_logs(), include={"text/plain"})[0]) == {"text/plain"}
    assert set(formatter.format(fixture_logs(), exclude={"text/html"})[0]) == {MIME_TYPE, "text/plain"}


def test_structures_of_every_kind_show_their_graph_and_answers(formatter):
    for kind in ("Graph", "Chain"):
        structure = make_structure(kind)
        structure.process()
        data, _ = formatter.format(structure)
        assert data[MIME_TYPE] == structure_payload(structure)
        assert "Final answer:" in data["text/plain"]


def test_an_experiment_shows_its_plan_then_its_folder(formatter, tmp_path):
    users = make_actors(ScriptedModel(name="scripted"), ("Ann", "Bob", "Cy"))
    experiment = DiscussionExperiment(users, ["Open"], num_turns=2, num_discussions=2, seed=1)
    data, _ = formatter.format(experiment)
    assert [r["status"] for r in data[MIME_TYPE]["discussions"]] == ["planned", "planned"]
    experiment.begin(tmp_path, verbose=False)
    assert formatter.format(tmp_path)[0].keys() == {"text/plain"}  # a bare path stays a path
    assert experiment_bundle(tmp_path)["text/plain"].endswith("2 of 2 discussions done")


def test_a_deliberation_experiment_shows_its_plan_then_its_folder(formatter, tmp_path):
    structures = [make_structure("Chain"), make_structure("Graph")]
    experiment = DeliberationExperiment(structures, seed=3)
    data, _ = formatter.format(experiment)
    rows = data[MIME_TYPE]["discussions"]
    assert [r["status"] for r in rows] == ["planned", "planned"]
    assert rows[0]["users"] == structures[0].names
    experiment.begin(tmp_path, verbose=False)
    shown = experiment_bundle(tmp_path)
    assert [r["status"] for r in shown[MIME_TYPE]["discussions"]] == ["done", "done"]
    assert all(r["turns"] for r in shown[MIME_TYPE]["discussions"])


def run_python(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_inside_ipython_registers_without_loading_the_viewer():
    out = run_python(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        import syndisco_widgets as s
        print("syndisco_widgets.viewer.bundles" in sys.modules, "syndisco_widgets.analysis" in sys.modules)
        logs = s.Logs([{"name": "Ann", "text": "<b>hi</b>", "model": "m", "prompt": ""}])
        data, _ = shell.display_formatter.format(logs)
        print(sorted(data))
        print("&lt;b&gt;hi&lt;/b&gt;" in data["text/html"])
        """
    )
    assert out.splitlines() == [
        "False False",
        f"['{MIME_TYPE}', 'text/html', 'text/plain']",
        "True",
    ]


def test_plain_python_loads_neither_ipython_nor_the_viewer():
    out = run_python(
        """
        import sys
        import syndisco_widgets as s
        loaded = [m for m in ("IPython", "syndisco_widgets.viewer.bundles", "syndisco_widgets.analysis")
                  if m in sys.modules]
        print(loaded, repr(s.Logs([])), hasattr(s.Logs, "_repr_mimebundle_"))
        """
    )
    assert out.startswith("[] Logs(0 entries") and out.endswith("False")


def test_a_shell_started_after_the_import_can_load_the_extension():
    out = run_python(
        """
        import syndisco_widgets as s
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        logs = s.Logs([{"name": "Ann", "text": "hi", "model": "m", "prompt": ""}])
        print(sorted(shell.display_formatter.format(logs)[0]))
        shell.run_line_magic("load_ext", "syndisco_widgets.viewer.display")
        print(len(shell.display_formatter.format(logs)[0]))
        """
    )
    assert out.splitlines() == ["['text/plain']", "3"]
