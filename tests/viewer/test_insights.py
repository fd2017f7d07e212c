"""InsightsView: the studio's Insights tab follows a discussion, a structure or an experiment."""

from __future__ import annotations

import base64
import threading

from syndisco_widgets import DiscussionExperiment, ScriptedModel
from syndisco_widgets.viewer import MIME_TYPE
from syndisco_widgets.widgets.insights import InsightsView, view_module, view_stylesheet
from tests.engine.helpers import make_actors, make_discussion
from tests.viewer.test_payload import make_structure


def _inlined(module: str) -> list[str]:
    """The modules inlined into ``module`` as data: URLs, and theirs, depth first."""
    prefix = "data:text/javascript;base64,"
    found, at = [], 0
    while (start := module.find(prefix, at)) >= 0:
        start += len(prefix)
        end = module.index('"', start)
        inner = base64.b64decode(module[start:end]).decode()
        found += [inner, *_inlined(inner)]
        at = end
    return found


def test_module_inlines_its_helpers_and_needs_no_network():
    module = view_module()
    assert '"./transcript.js"' not in module and '"./discussion_view.js"' not in module
    inlined = _inlined(module)
    assert any("export function hueOf" in m for m in inlined)
    assert any(f'MIME_TYPE = "{MIME_TYPE}"' in m for m in inlined)
    assert all('"./' not in m for m in inlined)
    assert "http" not in view_stylesheet()
    assert ".sdv-summary" in view_stylesheet() and ".sdw-message" in view_stylesheet()


def test_follows_a_running_discussion_from_a_worker_thread():
    conv = make_discussion(conv_len=4)
    view = InsightsView(conv)
    assert view.payload["kind"] == "discussion" and view.payload["entries"] == []
    seen = []
    view.observe(lambda change: change["new"] and seen.append(change["new"]["index"] + 1), "_tail")

    def run():
        for entry in conv:
            view.append(entry)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert seen == [1, 2, 3, 4]  # one entry sent per turn
    assert [e["name"] for e in view.payload["entries"]] == [e["name"] for e in conv.logs]
    view.update(conv)
    assert [s["turns"] for s in view.payload["summary"]["speakers"]] == [2, 2]


def test_shows_structures_and_experiments(tmp_path):
    structure = make_structure()
    structure.process()
    view = InsightsView(structure)
    assert view.payload["kind"] == "structure" and view.payload["final"] == structure.final_response
    users = make_actors(ScriptedModel(), ("Ann", "Bob"))
    experiment = DiscussionExperiment(users, num_turns=2, num_discussions=2)
    view.update(experiment)
    assert [r["status"] for r in view.payload["discussions"]] == ["planned", "planned"]
    experiment.begin(tmp_path, verbose=False)
    view.update(tmp_path)
    assert [r["status"] for r in view.payload["discussions"]] == ["done", "done"]
    view.update()
    assert view.payload["entries"] == []
