"""The JupyterLab extension in real JupyterLab + Chromium: files, a growing run, an experiment, an output.

The extension must be installed in the environment (``pip install -e .`` or
the wheel does it); the first test checks that the running JupyterLab loads it
and the widget front ends.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest

from syndisco_widgets import DiscussionExperiment, JsonlLogWriter, Logs, ScriptedModel, unique_run_path
from tests.engine.helpers import make_actors

pytestmark = pytest.mark.browser

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>window.pwned=1</script>",
    '"><svg onload=alert(2)>',
]
LIVE_MARKUP = ".sdv-root img, .sdv-root script, .sdv-root iframe, .sdv-root svg[onload], .sdv-root b"


def entry(name, text, **extra):
    return {
        "name": name,
        "text": text,
        "model": "tiny",
        "prompt": "",
        "role": "user",
        "source": "model",
        **extra,
    }


def assert_inert(page, dialogs):
    assert page.locator(LIVE_MARKUP).count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []


def set_theme(page, dark: bool):
    name = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{name}'}})")
    page.locator(f"body[data-jp-theme-light='{'false' if dark else 'true'}']").wait_for(state="attached")
    page.wait_for_timeout(800)  # the theme's CSS swaps in after the attribute


def snap(page, view, path):
    """Screenshot the view; a growing run file may re-render it mid-shot, then take the page."""
    from playwright.sync_api import Error

    try:
        view.screenshot(path=str(path))
    except Error:
        page.screenshot(path=str(path))


def shoot(page, view, artifacts, name):
    snap(page, view, artifacts / f"{name}-light.png")
    set_theme(page, dark=True)
    snap(page, view, artifacts / f"{name}-dark.png")
    set_theme(page, dark=False)


def open_file(page, lab_server, relpath):
    page.goto(f"{lab_server.url}/lab/workspaces/viewer-{uuid.uuid4().hex[:8]}/tree/{relpath}")
    view = page.locator(".jp-MimeDocument:visible .sdv-root")
    view.wait_for()
    return view


#: The front-end extensions the kit needs: its own viewer, anywidget and the widget manager.
FRONT_ENDS = ("syndisco-widgets", "anywidget", "@jupyter-widgets/jupyterlab-manager")


def test_the_server_loads_every_front_end_the_kit_needs(lab_server):
    """What the running JupyterLab hands the browser, not what `labextension list` prints.

    A virtual environment made with --system-site-packages imports the widget
    packages from the system Python, but its JupyterLab never loads their front
    ends: every widget then shows as plain text.
    """
    with urllib.request.urlopen(f"{lab_server.url}/lab", timeout=30) as response:
        html = response.read().decode("utf-8")
    found = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert found, html[:2000]
    loaded = {ext["name"] for ext in json.loads(found.group(1)).get("federated_extensions", [])}
    missing = [name for name in FRONT_ENDS if name not in loaded]
    assert not missing, f"JupyterLab at {lab_server.url} does not load {missing}; it loads {sorted(loaded)}"


def test_exported_file_opens_as_transcript_and_summary(page, lab_server, dialogs, artifacts):
    logs = Logs(
        [
            entry("Ann", "Phones help kids learn.", source="seed"),
            entry("Bob", HOSTILE[0]),
            entry("Mod", f"{HOSTILE[1]} Keep it **civil**.", role="moderator"),
            entry(HOSTILE[2], "a hostile *name*"),
            entry("Ann", "Only without rules, @Bob."),
        ]
    )
    logs.export(lab_server.root / "phones.discussion.json")
    view = open_file(page, lab_server, "phones.discussion.json")

    texts = view.locator(".sdw-list .sdw-message .sdw-text")
    assert texts.all_text_contents() == [
        "Phones help kids learn.",
        HOSTILE[0],
        f"{HOSTILE[1]} Keep it civil.",
        "a hostile name",
        "Only without rules, @Bob.",
    ]
    names = view.locator(".sdv-share-name").all_text_contents()
    assert names == ["Ann", "Bob", "Mod", HOSTILE[2]]
    assert view.locator(".sdv-turn-bar").count() == 5
    assert view.locator(".sdv-matrix td").count() == 16
    assert_inert(page, dialogs)
    # "Open With > Editor" is still offered.
    page.locator(".jp-DirListing-item", has_text="phones.discussion.json").click(button="right")
    page.locator(".lm-Menu-item", has_text="Open With").hover()
    submenu = page.locator(".lm-Menu").nth(1)
    submenu.locator(".lm-Menu-itemLabel", has_text="Editor").wait_for()
    assert submenu.locator(".lm-Menu-itemLabel", has_text="Discussion").count() == 1
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    shoot(page, view, artifacts, "export")


def test_growing_autosave_file_refreshes(page, lab_server, dialogs, artifacts):
    path = unique_run_path(lab_server.root / "runs")
    writer = JsonlLogWriter(path, metadata={"models": ["tiny"], "users": ["Ann", "Bob"]})
    writer.write(entry("Ann", "First point."))
    writer.write(entry("Bob", HOSTILE[0]))
    view = open_file(page, lab_server, f"runs/{path.name}")
    messages = view.locator(".sdw-list .sdw-message")
    assert messages.count() == 2
    assert view.locator(".sdv-facts", has_text="model: tiny").count() == 1

    writer.write(entry("Ann", "A third turn, written while the file is open."))
    messages.nth(2).wait_for(timeout=10_000)
    with path.open("a", encoding="utf-8") as handle:  # a line cut off mid-write is not shown yet
        handle.write('{"entry": {"name": "Bob", "te')
    page.wait_for_timeout(2500)
    assert messages.count() == 3
    assert view.locator(".sdv-note", has_text="still being written").count() == 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write('xt": "done now", "model": "tiny", "prompt": ""}}\n')
    messages.nth(3).wait_for(timeout=10_000)
    assert view.locator(".sdv-share").count() == 2
    assert view.locator(".sdv-turn-bar").count() == 4
    assert_inert(page, dialogs)
    shoot(page, view, artifacts, "autosave")


def test_experiment_manifest_opens_as_a_table(page, lab_server, dialogs, artifacts):
    folder = lab_server.root / "experiment-a"
    users = make_actors(ScriptedModel([HOSTILE[0], "plain words"], name="scripted"), ("Ann", "Bob", "Cy"))
    DiscussionExperiment(users, ["Open"], num_turns=2, num_discussions=3, seed=2).begin(folder, verbose=False)
    view = open_file(page, lab_server, "experiment-a/manifest.experiment.json")
    rows = view.locator(".sdv-row")
    assert rows.count() == 3
    assert view.locator(".sdv-facts", has_text="3 of 3 done").count() == 1
    shoot(page, view, artifacts, "manifest")
    rows.first.locator("a.sdv-open").click()
    opened = page.locator(".jp-MimeDocument:visible .sdv-root .sdw-list .sdw-message")
    opened.first.wait_for()
    assert opened.count() == 3
    assert_inert(page, dialogs)


def test_notebook_output_shows_the_view(lab_page, run_cells, dialogs, artifacts):
    page = lab_page("viewer_display.ipynb")
    run_cells(page)
    view = page.locator(".jp-OutputArea-output .sdv-root")
    view.wait_for()
    assert view.locator(".sdw-list .sdw-message").count() == 5
    view.locator(".sdw-text").get_by_text(HOSTILE[0], exact=True).wait_for()
    assert view.locator(".sdv-share").count() == 4
    assert view.locator(".sdw-text strong", has_text="civil").count() == 1
    assert_inert(page, dialogs)
    shoot(page, view, artifacts, "output")


def test_payload_mime_type_matches_the_extension():
    from syndisco_widgets.viewer import MIME_TYPE
    from tests.e2e.conftest import REPO_ROOT

    source = (REPO_ROOT / "js" / "discussion_view.js").read_text()
    assert f'MIME_TYPE = "{MIME_TYPE}"' in source
    built = json.loads((REPO_ROOT / "js" / "labextension" / "package.json").read_text())
    assert built["jupyterlab"]["mimeExtension"] is True


_ROUTE_CHECK_JS = """
(root) => {
  const boxes = [...root.querySelectorAll('.sdv-node')].map((g) => {
    const r = g.querySelector('rect');
    return {name: g.getAttribute('aria-label').split(':')[0],
            x: +r.getAttribute('x'), y: +r.getAttribute('y'),
            w: +r.getAttribute('width'), h: +r.getAttribute('height')};
  });
  const hits = [];
  for (const path of root.querySelectorAll('.sdv-edge')) {
    const length = path.getTotalLength();
    for (let s = 0; s <= length; s += 2) {
      const p = path.getPointAtLength(s);
      for (const b of boxes) {
        if (b.name === path.dataset.from || b.name === path.dataset.to) continue;
        if (p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1) {
          hits.push(`${path.dataset.from}>${path.dataset.to} behind ${b.name}`);
        }
      }
    }
  }
  return [...new Set(hits)];
}
"""


def test_structures_are_drawn_whole_and_summaries_say_their_seed(lab_page, run_cells, dialogs, artifacts):
    warnings: list[str] = []
    page = lab_page("viewer_structures.ipynb")
    page.on("console", lambda msg: warnings.append(msg.text) if "anywidget" in msg.text.lower() else None)
    page.set_viewport_size({"width": 1024, "height": 768})
    run_cells(page)
    graph, chain = (page.locator(".jp-OutputArea-output .sdv-structure").nth(i) for i in (0, 1))
    graph.wait_for()
    # Arrows to the moderator (and any arrow over a column) never run behind another agent's box.
    assert graph.locator(".sdv-edge").count() == 4 + 4
    assert graph.evaluate(_ROUTE_CHECK_JS) == []
    # The Chain fits the notebook's width: the moderator's box is inside the visible frame.
    frame = chain.locator(".sdv-graph-frame")
    moderator = chain.locator(".sdv-node-moderator rect")
    right = moderator.evaluate("r => r.getBoundingClientRect().right")
    assert right <= frame.evaluate("f => f.getBoundingClientRect().right") + 1
    assert chain.evaluate(_ROUTE_CHECK_JS) == []
    # 04's case: an experiment's summary says the seed it was run with.
    summary = page.locator(".jp-OutputArea-output .sdv-experiment")
    summary.locator(".sdv-fact", has_text="seed 4").wait_for()
    assert summary.locator(".sdv-fact", has_text="None").count() == 0
    # The anywidget view loads without anywidget's deprecation warning (once per view, under the kit's id).
    page.locator(".jp-OutputArea-output .sdv-discussion").last.wait_for()
    assert not [w for w in warnings if "Deprecation" in w], warnings
    assert_inert(page, dialogs)
    shoot(page, graph, artifacts, "graph")
    shoot(page, chain, artifacts, "chain")


def test_a_study_export_shows_who_made_it(page, lab_server, dialogs, artifacts):
    from syndisco_widgets import export_run

    path = export_run(
        Logs([entry("Ann", "Phones help kids learn.", source="seed"), entry("Bob", "Not in class.")]),
        lab_server.root,
        participant="Maria",
        branch="branch 1",
    )
    view = open_file(page, lab_server, path.name)
    assert view.locator(".sdv-title").inner_text() == "Maria's branch 1"
    facts = view.locator(".sdv-fact").all_inner_texts()
    assert {"by Maria", "branch: branch 1", "2 turns"} <= set(facts)
    created = next(f for f in facts if f.startswith("created"))
    assert not re.search(r"\d{4}-\d\d-\d\dT", created)  # a date for people, not ISO text
    assert_inert(page, dialogs)
    shoot(page, view, artifacts, "study-export")
