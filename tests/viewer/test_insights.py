"""InsightsView: the studio's Insights tab follows a discussion, a structure or an experiment."""

from __future__ import annotations

import base64
import threading

from syndisco_widgets import DiscussionExperiment, ScriptedModel
from syndisco_widgets.viewer import MIME_TYPE
from syndisco_widgets.widgets.insights import InsightsView, view_module, view_stylesheet
from tests.engine.helpers import make_actors, make_discussion
from tests.viewer.test_payload import make_structure


def test_module_inlines_its_helper_and_needs_no_network():
    module = view_module()
    assert '"./transcript.js"' not in module
    prefix = "data:text/javascript;base64,"
    start = module.index(prefix) + len(prefix)
    helper = base64.b64decode(module[start : module.index('"', start)]).decode()
    assert "export function hueOf" in helper
    assert f'MIME_TYPE = "{MIME_TYPE}"' in module
    assert "http" not in view_stylesheet()
    assert ".sdv-summary" in view_stylesheet() and ".sdw-message" in view_stylesheet()


def test_follows_a_running_discussion_from_a_worker_thread():
    conv = make_discussion(conv_len=4)
    view = InsightsView(conv)
    assert view.payload["kind"] == "discussion" and view.payload["entries"] == []
    seen = []
    view.observe(lambda change: seen.append(len(change["new"]["entries"])), "payload")

    def run():
        for _ in conv:
            view.update(conv)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert seen == [1, 2, 3, 4]
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
