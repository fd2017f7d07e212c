"""Smoke test: the quickstart studio works in Jupyter Notebook 7 (not JupyterLab).

Opens ``notebooks/01_quickstart.ipynb`` at ``/notebooks/...`` on the e2e server,
runs all cells (Run ▸ Run All Cells), checks the transcript shows the two turns
the notebook already took, presses Step once and checks exactly one more message
with text appears. Every wait is on something visible.
"""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import expect

from .studio import QUICKSTART, Studio

pytestmark = pytest.mark.browser

# Its own folder: a path of its own gets a kernel session of its own, never the one
# the JupyterLab quickstart test left running on the same server.
RELPATH = f"notebook7/{QUICKSTART.name}"
BUDGET_S = 90


def test_quickstart_studio_notebook7(lab_server, notebook7_page, run_cells, dialogs, artifacts):
    t0 = time.monotonic()
    (lab_server.root / RELPATH).parent.mkdir(exist_ok=True)
    shutil.copy2(QUICKSTART, lab_server.root / RELPATH)
    page = notebook7_page(RELPATH)
    # Really Notebook 7: its own shell, no JupyterLab status bar.
    expect(page.locator("#jp-NotebookLogo")).to_be_visible()
    expect(page.locator(".jp-LabShell")).to_have_count(0)
    run_cells(page, timeout=75)

    studio = Studio.find(page)
    # The opening post, then the two steps the notebook's "driving it from code" cell took.
    expect(studio.messages).to_have_count(3)
    expect(studio.status).to_contain_text("Ready")
    expect(studio.button("Step")).to_be_enabled()

    studio.step_adds_one_message()
    expect(studio.transcript.locator(".sdw-message")).to_have_count(4)  # nothing half-written either

    assert page.locator(".sdw-transcript img, .sdw-transcript script").count() == 0
    assert dialogs == []

    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "notebook7-after-step.png"))

    elapsed = time.monotonic() - t0
    print(f"\nnotebook 7 quickstart e2e: {elapsed:.1f}s")
    assert elapsed < BUDGET_S, f"took {elapsed:.0f}s (budget {BUDGET_S}s)"
