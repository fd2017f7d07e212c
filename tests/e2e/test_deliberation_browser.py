"""Notebook 03's DeliberationStudio in real JupyterLab + Chromium, driven like a person would.

Opens ``notebooks/03_deliberation.ipynb``, runs all cells, scrolls to the
studio at the end, picks Ensemble, renames an agent and gives it a new
persona, runs, and watches the answers arrive and the final answer marked;
then the Table, Export (a download) and Insights (the structure drawn) tabs;
then runs again and stops mid-answer (the partial answer kept, marked; the
first run listed under Earlier runs). Screenshots in the light and dark themes go to
``test-results/e2e/<test>/``. Every wait is on something visible.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .studio import button

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_deliberation.ipynb"
RUN_TIMEOUT_MS = 240_000  # 4 answers from the demo model, on a busy machine
ANSWERS = ".sdw-live-answers .sdw-list .sdw-message"  # the live answers, not the final box


def set_theme(page: Page, *, dark: bool) -> None:
    """Settings ▸ Theme, through the command the menu runs (the test server exposes the app)."""
    name = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{name}'}})")
    page.locator(f"body[data-jp-theme-light='{'false' if dark else 'true'}']").wait_for(state="attached")
    page.wait_for_timeout(800)  # the theme's CSS swaps in after the attribute


def snap(page: Page, studio: Locator, path: Path) -> None:
    """What a person sees: the studio scrolled to the top of the notebook, whole viewport."""
    studio.evaluate("el => el.scrollIntoView({block: 'start', inline: 'nearest'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))


def test_deliberation_studio_ensemble(lab_server, lab_page, run_cells, dialogs, artifacts):
    t0 = time.monotonic()
    shutil.copy2(NOTEBOOK, lab_server.root / NOTEBOOK.name)
    page = lab_page(NOTEBOOK.name)
    run_cells(page, timeout=600)

    studio = page.locator(".sdw-deliberation-studio")
    expect(studio).to_have_count(1)
    studio.scroll_into_view_if_needed()
    status = studio.locator(".sdw-stage .sdw-status")
    expect(status).to_contain_text("Ready")
    rows = studio.locator(".sdw-agent-row")
    expect(rows).to_have_count(3)
    run, stop = button(studio, "Run"), button(studio, "Stop")
    expect(run).to_be_enabled()
    expect(stop).to_be_disabled()

    # 1. Pick Ensemble: the hint follows, and no arrows are asked for.
    studio.locator(".sdw-structure-picker").get_by_role("button", name="Ensemble").click()
    expect(studio.locator(".sdw-deliberation-setup")).to_contain_text("Agents answer independently")
    expect(studio.get_by_placeholder("one per line: Nurse -> Farmer")).to_be_hidden()

    # 2. Edit an agent: a bad name is pointed out next to the field, then fixed.
    student = rows.nth(2)
    name_box = student.get_by_placeholder("shown on its answers")
    name_box.fill("Nurse")
    expect(student.locator(".sdw-name-error")).to_contain_text("already taken by agent 1")
    expect(run).to_be_disabled()
    name_box.fill("Driver")
    expect(student.locator(".sdw-name-error")).to_be_hidden()
    student.locator("textarea").first.fill("a retired bus driver who knows every street in town")
    expect(run).to_be_enabled()
    snap(page, studio, artifacts / "1-setup-light.png")

    # 3. Run: answers arrive by name, the progress counts them, then the final answer is marked.
    run.click()
    expect(status.locator(".sdw-state-badge.sdw-state-running")).to_be_visible()
    expect(stop).to_be_enabled()
    expect(studio.locator(".sdw-progress-text")).to_contain_text(re.compile(r"of 4 answers done|Loading"))
    answers = studio.locator(ANSWERS)
    expect(answers.first).to_be_visible(timeout=RUN_TIMEOUT_MS)
    snap(page, studio, artifacts / "2-running-light.png")
    expect(status).to_contain_text("Finished: 4 answers", timeout=RUN_TIMEOUT_MS)
    names = [n.strip() for n in answers.locator(".sdw-name").all_inner_texts()]
    assert names == ["Nurse", "Farmer", "Driver", "Moderator"], names
    for text in answers.locator(".sdw-text").all_inner_texts():
        assert text.strip(), "an answer is empty"
    final = studio.locator(".sdw-final-answer")
    expect(final).to_be_visible()
    expect(final).to_contain_text("Written by the moderator after reading all 3 answers")
    expect(final.locator(".sdw-message .sdw-name")).to_have_text("Moderator")
    expect(final.locator(".sdw-message .sdw-index")).to_have_text("#4")  # numbered as in the run
    assert final.locator(".sdw-message .sdw-text").inner_text().strip()
    expect(stop).to_be_disabled()

    # 4. The tabs: the Table lists the four answers; Insights draws the structure, the
    #    moderator marked as the final answer; Export writes the run and offers a download.
    def tab(title: str) -> None:
        strip_tab = studio.locator(".sdw-tab", has_text=title)
        strip_tab.click()
        expect(strip_tab).to_have_attribute("aria-selected", "true")

    tab("Table")
    table = studio.locator(".sdw-log-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tbody tr").nth(2)).to_contain_text("Driver")
    snap(page, table, artifacts / "3a-table-light.png")
    tab("Export")
    export = studio.locator(".sdw-export")
    export.locator(".widget-text", has_text="Your name").locator("input").fill("Sam")
    button(export, "Export JSON").click()
    expect(export.locator(".sdw-export-status")).to_contain_text("Wrote")
    link = export.locator("a.sdw-download")
    expect(link).to_contain_text(re.compile(r"Download Sam--Ensemble-run-1.*\.json"))
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename.startswith("Sam--Ensemble-run-1")
    snap(page, export, artifacts / "3b-export-light.png")
    tab("Insights")
    drawing = studio.locator(".sdv-structure")
    expect(drawing).to_be_visible()
    expect(drawing.locator(".sdv-final-mark")).to_have_text("★ final answer")
    expect(drawing).to_contain_text("Ensemble of 3 agents")
    snap(page, studio, artifacts / "3-finished-light.png")
    final.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "4-final-light.png"))

    # 5. The same in the dark theme.
    set_theme(page, dark=True)
    snap(page, studio, artifacts / "5-finished-dark.png")
    final.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "6-final-dark.png"))
    set_theme(page, dark=False)

    # 6. Run again and Stop mid-answer: the text written so far stays, marked, and the first
    #    run is kept under "Earlier runs" (issue 19, finding 5).
    run.click()
    expect(studio.locator(".sdw-live-answers .sdw-streaming .sdw-text")).not_to_be_empty(
        timeout=RUN_TIMEOUT_MS
    )
    stop.click()
    expect(status).to_contain_text("Stopped after", timeout=30_000)
    kept = studio.locator(".sdw-live-answers .sdw-badge-stopped")
    expect(kept).to_have_count(1)
    expect(kept).to_have_text("stopped, not recorded")
    history = studio.locator(".sdw-history")
    expect(history).to_contain_text("Run 1")
    expect(history).to_contain_text("Ensemble")
    snap(page, studio, artifacts / "7-stopped-history-light.png")
    set_theme(page, dark=True)
    snap(page, studio, artifacts / "8-stopped-history-dark.png")
    set_theme(page, dark=False)

    assert dialogs == [], f"unexpected dialogs: {dialogs}"
    assert time.monotonic() - t0 < 900
