"""Notebook 02 in real JupyterLab + Chromium: the BranchExplorer beside someone else's runner.

Runs ``notebooks/02_steering.ipynb`` on the demo model, then checks what the
issue's walk-through tripped on: no discussion view frozen at its start, the
comparison shown in the explorer from the fork point (not scrolled to the
ends), a fork from the explorer that says it samples anew, the widgets still
live after the last cell and after a page reload, and every action disabled
once the runner is closed. Screenshots in light and dark go to
``test-results/e2e/test_steering_notebook/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .studio import MESSAGES, TURN_TIMEOUT_MS, button
from .test_viewer_browser import set_theme

pytestmark = pytest.mark.browser

STEERING = Path(__file__).resolve().parents[2] / "notebooks" / "02_steering.ipynb"


def _shoot(page, target, path: Path) -> None:
    target.scroll_into_view_if_needed()
    target.screenshot(path=str(path))


def _explorer(page):
    return page.locator(".jp-OutputArea-output .sdw-branches").first


def test_steering_notebook(lab_server, lab_page, run_cells, wait_idle, dialogs, artifacts):
    shutil.copy2(STEERING, lab_server.root / STEERING.name)
    page = lab_page(STEERING.name)
    run_cells(page, timeout=600)

    # No static discussion view stuck at "0 turns" above the live widgets.
    assert page.locator(".jp-OutputArea-output .sdv-root").count() == 0
    explorer = _explorer(page)
    compare = explorer.locator(".sdw-compare")
    expect(compare).to_be_visible()  # the explorer follows the notebook's runner, and still shows it
    note = compare.locator(".sdw-hint").first
    expect(note).to_contain_text(re.compile(r"Both share the first (entry|\d+ entries); shown from #\d+ on"))
    shared = int(re.search(r"from #(\d+) on", note.inner_text()).group(1)) - 1
    panes = compare.locator(".sdw-transcript")
    assert panes.count() == 2
    for i in range(2):
        pane = panes.nth(i)
        first = pane.locator(f"{MESSAGES} .sdw-index").first
        expect(first).to_have_text(f"#{shared + 1}")  # each column starts where the branches part
        scroll = pane.locator(".sdw-scroll")
        assert scroll.evaluate("s => s.scrollHeight - s.clientHeight") <= 1  # nothing scrolled out of view
    set_theme(page, dark=False)
    _shoot(page, explorer, artifacts / "explorer-light.png")
    set_theme(page, dark=True)
    _shoot(page, explorer, artifacts / "explorer-dark.png")
    set_theme(page, dark=False)

    # After the last cell the widgets still work: fork from the explorer.
    rows = explorer.locator("select[size] option")
    before = rows.count()
    button(explorer, "Fork").click()
    expect(rows).to_have_count(before + 1, timeout=TURN_TIMEOUT_MS)
    status = explorer.locator(".sdw-branch-status")
    expect(status).to_contain_text(re.compile(r"new seed \(\d+\)"))
    expect(status).to_contain_text("keep_seed=True")

    # A reload in the middle of the flow: the explorer comes back from the kernel, comparison included.
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.locator(".lm-TabBar-tab.jp-mod-dirty").wait_for(state="detached")
    page.reload()
    wait_idle(page)
    explorer = _explorer(page)
    expect(explorer.locator("select[size] option")).to_have_count(before + 1)
    expect(explorer.locator(".sdw-compare")).to_be_visible()

    # Closing the runner (as the last paragraph says) disables every action.
    page.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below, made a code cell, in edit mode
    page.keyboard.press("y")
    page.keyboard.press("Enter")
    page.keyboard.type("runner.close()")
    page.keyboard.press("Shift+Enter")
    wait_idle(page)
    for label in ("Show", "Fork", "Export branch", "Compare"):
        expect(button(explorer, label)).to_be_disabled()
    assert dialogs == []
    _shoot(page, explorer, artifacts / "explorer-closed-light.png")
