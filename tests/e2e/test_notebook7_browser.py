"""Smoke test: the quickstart studio works in Jupyter Notebook 7 (not JupyterLab).

Opens ``notebooks/01_quickstart.ipynb`` at ``/notebooks/...`` on the e2e server,
runs all cells (Run ▸ Run All Cells), checks the transcript shows the two turns
the notebook already took, presses Step once and checks exactly one more message
with text appears. Every wait is on something visible.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = REPO_ROOT / "notebooks" / "01_quickstart.ipynb"
# Its own folder: a path of its own gets a kernel session of its own, never the one
# the JupyterLab quickstart test left running on the same server.
RELPATH = f"notebook7/{QUICKSTART.name}"
PERSONAS = ("Emma35", "Giannis")  # the quickstart's persona usernames
BUDGET_S = 90
# Finished turns; the turn being written (.sdw-message.sdw-streaming) sits outside the list.
MESSAGES = ".sdw-list .sdw-message"


def _button(scope, label: str):
    """A button by its visible label (its accessible name starts with the icon-font glyph)."""
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(label)}$"))


def test_quickstart_studio_notebook7(lab_server, notebook7_page, run_cells, dialogs, artifacts):
    t0 = time.monotonic()
    (lab_server.root / RELPATH).parent.mkdir(exist_ok=True)
    shutil.copy2(QUICKSTART, lab_server.root / RELPATH)
    page = notebook7_page(RELPATH)
    # Really Notebook 7: its own shell, no JupyterLab status bar.
    expect(page.locator("#jp-NotebookLogo")).to_be_visible()
    expect(page.locator(".jp-LabShell")).to_have_count(0)
    run_cells(page, timeout=75)

    studio = page.locator(".sdw-studio")
    expect(studio).to_have_count(1)
    studio.scroll_into_view_if_needed()
    transcript = studio.locator(".sdw-stage .sdw-transcript").first  # the live one
    messages = transcript.locator(MESSAGES)
    controls = studio.locator(".sdw-controls")
    status = controls.locator(".sdw-status")
    step = _button(controls, "Step")

    # The notebook's "driving it from code" cell already took two steps.
    expect(messages).to_have_count(2)
    expect(status).to_contain_text("Ready")
    expect(step).to_be_visible()
    expect(step).to_be_enabled()

    step.click()
    expect(messages).to_have_count(3)
    expect(status).to_contain_text("Turn done")
    expect(transcript.locator(".sdw-streaming")).to_have_count(0)
    expect(transcript.locator(".sdw-message")).to_have_count(3)  # nothing half-written either
    newest = messages.nth(2)
    assert newest.locator(".sdw-name").inner_text().strip() in PERSONAS
    assert newest.locator(".sdw-text").inner_text().strip(), "the new message has no text"

    assert page.locator(".sdw-transcript img, .sdw-transcript script").count() == 0
    assert dialogs == []

    studio.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "notebook7-after-step.png"))

    elapsed = time.monotonic() - t0
    print(f"\nnotebook 7 quickstart e2e: {elapsed:.1f}s")
    assert elapsed < BUDGET_S, f"took {elapsed:.0f}s (budget {BUDGET_S}s)"
