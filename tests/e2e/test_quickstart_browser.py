"""The quickstart notebook in real JupyterLab + Chromium: a class's whole flow, as a person does it.

Opens ``notebooks/01_quickstart.ipynb`` and runs all cells. Then, on what the
cells drew: renames a persona in section 2 (the turn preview of section 3 and
the studio follow), switches turn-taking to random weighted, starts the new
discussion (the old one stays under Branches), steps (real English from the
demo model), runs and stops early, branches, compares, types an HTML/script
payload in with Ctrl+Enter, runs to the end, reloads the browser page (the
studio's own tabs must still switch), exports (the download link gives the
file) and opens Insights. Every wait is on something visible. Screenshots in light and
dark themes and at 1024 px go to ``test-results/e2e/test_quickstart_studio/``;
every visible text of the studio is checked for size (13 px), contrast (4.5:1)
and clipping, and the control buttons must fit on one row.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from .conftest import wait_for_kernel_idle
from .studio import (
    MESSAGES,
    PERSONAS,
    QUICKSTART,
    TURN_TIMEOUT_MS,
    Studio,
    assert_real_words,
    audit_text,
    button,
    button_rows,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.browser

CONV_LEN = 12  # the quickstart studio's conv_len: a full run has this many entries
PAYLOAD = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"
RENAMED = "Nikos"  # Giannis, renamed in section 2
NAMES = (PERSONAS[0], RENAMED)
BUDGET_S = 360
# The notebook's own widgets, outside the studio (the studio shows the same widgets in its set-up).
OUTSIDE_STUDIO = ":not(.sdw-studio *)"


def _texts(transcript) -> list[str]:
    return transcript.locator(f"{MESSAGES} .sdw-text").all_inner_texts()


def _snap(page, target, path: Path) -> None:
    """What a person sees: ``target`` scrolled to the top of the notebook, whole viewport."""
    target.evaluate("el => el.scrollIntoView({block: 'start', inline: 'nearest'})")
    page.screenshot(path=str(path))


def _user_turns(status) -> int:
    m = re.search(r"(\d+) of (\d+) user turns", status.inner_text())
    assert m, f"no progress in status line: {status.inner_text()!r}"
    assert int(m.group(2)) == CONV_LEN
    return int(m.group(1))


def _strings(value: object) -> Iterator[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _check_looks(studio: Studio, where: str) -> None:
    """Readable text everywhere in the studio, and the control buttons on one row."""
    bad = audit_text(studio.root)
    assert not bad, f"{where}: text too small, too faint or cut off: {bad}"
    assert button_rows(studio.controls.locator(".sdw-buttons")) == 1, f"{where}: buttons wrap"


def test_quickstart_studio(lab_server, lab_page, run_cells, dialogs, artifacts):
    t0 = time.monotonic()
    # The server serves a temp copy of tests/e2e/notebooks; put the real quickstart beside it.
    shutil.copy2(QUICKSTART, lab_server.root / QUICKSTART.name)
    page = lab_page(QUICKSTART.name)
    run_cells(page, timeout=90)

    studio = Studio.find(page)
    stage, transcript, messages, controls, status = (
        studio.stage,
        studio.transcript,
        studio.messages,
        studio.controls,
        studio.status,
    )
    step, run, stop, branch = (studio.button(n) for n in ("Step", "Run", "Stop", "Branch"))
    studio_cell = page.locator(".jp-CodeCell").filter(has=studio.root)
    studio_prompt = studio_cell.locator(".jp-InputPrompt").inner_text()

    # The opening post, then the two steps the notebook's "driving it from code" cell took, in English.
    expect(messages).to_have_count(3)
    expect(messages.first.locator(".sdw-badge-seed")).to_have_text("opening message")
    expect(status).to_contain_text("Ready")
    assert_real_words(" ".join(_texts(transcript)[1:]))  # the model's replies, read together

    # 1. Edit personas in section 2: the preview of section 3 and the studio follow.
    editor = page.locator(f".sdw-persona-editor{OUTSIDE_STUDIO}")
    preview = page.locator(f".sdw-turn-selector{OUTSIDE_STUDIO} .sdw-turn-preview")
    expect(preview).to_contain_text(f"{PERSONAS[0]} → {PERSONAS[1]}")
    editor.locator("select").first.select_option(index=1)
    username = editor.locator(".sdw-field").filter(has_text="Username").locator("input")
    expect(username).to_have_value(PERSONAS[1])
    username.fill(RENAMED)
    expect(preview).to_contain_text(f"{PERSONAS[0]} → {RENAMED}")
    setup_status = studio.root.locator(".sdw-setup-status")
    expect(setup_status).to_contain_text("Set-up changed: press Start to apply it")

    # 2. Turn-taking: random weighted, chosen in section 3.
    selector = page.locator(f".sdw-turn-selector{OUTSIDE_STUDIO}")
    button(selector, "Random weighted").click()
    expect(selector.get_by_text("p_respond")).to_be_visible()
    expect(preview).to_contain_text(RENAMED)

    # 3. The studio's set-up shows the same edits; Start applies them, keeping the old discussion.
    button(studio.root, "Show set-up").click()
    sidebar = studio.root.locator(".sdw-setup")
    expect(sidebar).to_be_visible()
    sidebar.get_by_text("2. Personas").click()
    expect(sidebar.locator(".sdw-persona-editor select").first).to_contain_text(RENAMED)
    _snap(page, studio.root, artifacts / "1-setup-changed.png")
    _check_looks(studio, "set-up shown")
    button(sidebar, "Start with the new set-up").click()
    expect(setup_status).to_contain_text(f"Started: {PERSONAS[0]}, {RENAMED}")
    expect(setup_status).to_contain_text("The previous discussion is kept under Branches")
    expect(messages).to_have_count(1)  # the opening post of the new discussion
    button(studio.root, "Hide set-up").click()
    expect(sidebar).to_be_hidden()

    # 4. Step: exactly one more message, by a (renamed) persona, in English.
    newest = studio.step_adds_one_message(NAMES)
    assert_real_words(newest.locator(".sdw-text").inner_text())
    assert _user_turns(status) == 1
    _snap(page, stage, artifacts / "2-after-step.png")

    # 5. Run, then Stop as soon as it is visibly running.
    before_run = messages.count()
    run.click()
    expect(status.locator(".sdw-state-badge.sdw-state-running")).to_be_visible()
    expect(controls.locator(".sdw-progress")).to_be_visible()  # turns done of total
    expect(stop).to_be_enabled()
    stop.click()
    expect(status).to_contain_text("Stopped")  # "Stopped: the unfinished turn was discarded. …"
    expect(status.locator(".sdw-state-badge")).to_have_text("Ready")
    expect(step).to_be_enabled()
    expect(stop).to_be_disabled()
    expect(transcript.locator(".sdw-streaming")).to_have_count(0)  # the unfinished turn is gone
    after_stop = studio.settled_count()
    assert before_run <= after_stop < CONV_LEN, f"run did not stop early: {after_stop} messages"
    studio.step_adds_one_message(NAMES)  # still usable

    # 6. Branch: a new live branch that keeps the shared messages.
    studio.settled_count()
    shared = _texts(transcript)
    n_shared = len(shared)
    branch.click()
    expect(status).to_contain_text(f"Branched after {n_shared} entries")
    bar = studio.root.locator(".sdw-branch-bar")
    expect(bar).to_contain_text("Live: branch")
    tree = studio.root.locator(".sdw-branches select").first
    options = tree.locator("option")
    expect(options).to_have_count(3)  # the first discussion, the new one, and its branch
    expect(options.nth(2)).to_contain_text(f"({n_shared} entries, forked after entry {n_shared})")
    expect(options.nth(2)).to_contain_text("●")  # the new branch is live
    tree_text = options.all_inner_texts()
    expect(messages).to_have_count(n_shared)
    assert _texts(transcript) == shared

    # 7. Type HTML/script in as a participant and press Ctrl+Enter: it is added as literal text,
    #    the box empties, and the notebook does not run the cell again.
    inject = controls.locator(".sdw-inject")
    inject.locator("select").select_option(label=RENAMED)
    box = inject.locator("textarea")
    expect(box).to_have_css("font-family", re.compile(r"^(?!.*mono)"))  # body font, not code font
    box.fill(PAYLOAD)
    box.press("Control+Enter")
    expect(messages).to_have_count(n_shared + 1)
    human = messages.nth(n_shared)
    expect(human.locator(".sdw-name")).to_have_text(RENAMED)
    expect(human.locator(".sdw-text")).to_have_text(PAYLOAD)
    expect(human.locator(".sdw-badge-human")).to_be_visible()
    expect(status).to_contain_text(f"{RENAMED}'s message was added")
    expect(box).to_have_value("")
    assert studio_cell.locator(".jp-InputPrompt").inner_text() == studio_prompt, "Ctrl+Enter re-ran the cell"
    box.fill("Cmd+Enter works too.")
    box.press("Meta+Enter")
    expect(messages).to_have_count(n_shared + 2)
    expect(messages.nth(n_shared + 1).locator(".sdw-text")).to_have_text("Cmd+Enter works too.")
    expect(box).to_have_value("")
    assert page.locator(".sdw-transcript img, .sdw-transcript script").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"

    # 8. Compare the branch with its parent from the bar: full width, numbered as in the log.
    button(bar, "Compare with parent").click()
    compare = studio.root.locator(".sdw-compare")
    expect(compare).to_be_visible()
    expect(compare).to_contain_text(f"Both share the first {n_shared} entries")
    expect(compare.locator(".sdw-transcript").nth(1).locator(".sdw-index").first).to_have_text(
        f"#{n_shared + 1}"
    )
    assert compare.locator(".sdw-branch").count() == 0  # no dead per-message actions

    # 9. Run to the end: the compare view follows the growing branch.
    run.click()
    expect(status.locator(".sdw-state-badge")).to_have_text("Finished", timeout=TURN_TIMEOUT_MS * 3)
    assert _user_turns(status) == CONV_LEN
    n_final = messages.count()
    expect(compare.locator(".sdw-transcript").nth(1).locator(MESSAGES)).to_have_count(n_final - n_shared)
    # The replies after the two typed-in messages, read together: one whole-sentence reply
    # can be as short as "Absolutely!", but the model's text as a whole reads as English.
    assert_real_words(" ".join(_texts(transcript)[n_shared + 2 :]))
    _snap(page, stage, artifacts / "3-finished-compare.png")
    _check_looks(studio, "finished, light, 1280 px")

    # 9b. Reload the browser mid-flow (the notebook saved first, as JupyterLab's autosave does):
    #     the studio comes back from the kernel with its transcript, and its tabs still work
    #     under JupyterLab's default windowing mode (issue 19: an ipywidgets Tab went dead here).
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(500)
    page.reload()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    wait_for_kernel_idle(page)
    studio = Studio.find(page)  # the same studio, drawn again from the kernel's widget state
    transcript, messages, status = studio.transcript, studio.messages, studio.status
    stage, controls = studio.stage, studio.controls
    expect(messages).to_have_count(n_final, timeout=30_000)
    expect(status.locator(".sdw-state-badge")).to_have_text("Finished")
    for title in ("Table", "Insights", "Branches"):
        tab = studio.root.locator(".sdw-tab", has_text=title)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
    table = studio.root.locator(".sdw-log-table")
    studio.root.locator(".sdw-tab", has_text="Table").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(n_final)  # every row, sent whole once after the reload
    expect(table.locator("tbody")).to_contain_text(PAYLOAD)  # as text
    assert table.locator("img, script").count() == 0
    _snap(page, table, artifacts / "3b-table-after-reload.png")

    # 10. Export: the file is written, named after the student and the branch, and downloads.
    studio.root.locator(".sdw-tab", has_text="Export").click()
    studio.root.locator(".widget-text", has_text="Your name").locator("input").fill("Sam")
    button(studio.root, "Export JSON").click()
    export_status = studio.root.locator(".sdw-export-status")
    expect(export_status).to_contain_text("Wrote")
    link = export_status.locator("a.sdw-download")
    expect(link).to_contain_text(re.compile(r"Download Sam--branch-\d+.*\.json"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.match(r"Sam--branch-\d+.*\.json$", download.suggested_filename), download.suggested_filename
    saved = artifacts / download.suggested_filename
    download.save_as(saved)
    strings = set(_strings(json.loads(saved.read_text(encoding="utf-8"))))
    assert PAYLOAD in strings, "the typed message is missing from the download"
    assert RENAMED in strings
    _snap(page, stage, artifacts / "4-export.png")
    assert dialogs == []

    # The Insights tab draws the live branch (styled by the kit's one shared stylesheet).
    studio.root.locator(".sdw-tab", has_text="Insights").click()
    insights = studio.root.locator(".sdv-root")
    expect(insights.locator(".sdv-summary")).to_be_visible()
    expect(insights).to_contain_text(RENAMED)
    assert page.locator("style#syndisco-widgets-style").count() == 1
    assert page.locator("style#syndisco-widgets-insights").count() == 0
    _snap(page, insights, artifacts / "4-insights.png")

    # The whole studio at once needs a taller window (element shots clip inside the notebook's scroller).
    studio.root.locator(".sdw-tab", has_text="Branches").click()
    page.set_viewport_size({"width": 1280, "height": 2600})
    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    expect(studio.root).to_be_in_viewport(ratio=0.99)  # sub-pixel edges
    studio.root.screenshot(path=str(artifacts / "5-studio-full.png"))
    # (The README's picture is made by test_readme_screenshot.py: a whole discussion, no test payloads.)

    # 11. The same studio at 1024 px, light and dark.
    page.set_viewport_size({"width": 1024, "height": 1400})
    _snap(page, studio.root, artifacts / "6-light-1024.png")
    _check_looks(studio, "light, 1024 px")
    # The same command as Settings ▸ Theme ▸ JupyterLab Dark (the app is exposed by the test server).
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    page.wait_for_timeout(500)
    _snap(page, studio.root, artifacts / "7-dark-1024.png")
    _check_looks(studio, "dark, 1024 px")
    button(studio.root, "Show set-up").click()
    _snap(page, studio.root, artifacts / "8-dark-1024-setup.png")
    _check_looks(studio, "dark, 1024 px, set-up shown")
    sidebar.get_by_text("3. Turn-taking").click()
    chosen = sidebar.locator(".sdw-turn-selector .mod-active")
    expect(chosen).to_have_text("Random weighted")  # the choice made in the notebook's section 3
    expect(chosen).to_have_css("background-color", "rgb(21, 101, 192)")  # clearly marked
    _snap(page, studio.root, artifacts / "9-dark-1024-turn-taking.png")
    _check_looks(studio, "dark, 1024 px, turn-taking shown")

    elapsed = time.monotonic() - t0
    tree_text = [" ".join(t.split()) for t in tree_text]
    print(f"\nquickstart e2e: {elapsed:.1f}s; stopped at {after_stop} of {CONV_LEN}; branches: {tree_text}")
    assert elapsed < BUDGET_S, f"took {elapsed:.0f}s (budget {BUDGET_S}s)"
