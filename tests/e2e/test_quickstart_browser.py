"""The quickstart notebook in real JupyterLab + Chromium, driven like a person would.

Opens ``notebooks/01_quickstart.ipynb``, runs all cells, then on the rendered
DiscussionStudio: Step, Run + Stop (Stop is clicked as soon as the run is seen
running, so it lands early however fast the model is), Branch, and typing an
HTML/script payload in as a participant. Every wait is on something visible.
"""

from __future__ import annotations

import re
import shutil
import time
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from .studio import MESSAGES, PERSONAS, QUICKSTART, TURN_TIMEOUT_MS, Studio, button

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.browser

CONV_LEN = 12  # the quickstart studio's conv_len: a full run has this many entries
PAYLOAD = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"
BUDGET_S = 300


def _texts(transcript) -> list[str]:
    return transcript.locator(f"{MESSAGES} .sdw-text").all_inner_texts()


def _snap(page, stage, path: Path) -> None:
    """What a person sees: the discussion side scrolled to the top of the notebook, whole viewport."""
    stage.evaluate("el => el.scrollIntoView({block: 'start', inline: 'nearest'})")
    page.screenshot(path=str(path))


def _user_turns(status) -> int:
    m = re.search(r"(\d+) of (\d+) user turns", status.inner_text())
    assert m, f"no progress in status line: {status.inner_text()!r}"
    assert int(m.group(2)) == CONV_LEN
    return int(m.group(1))


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

    # The notebook's "driving it from code" cell already took two steps.
    expect(messages).to_have_count(2)
    expect(status).to_contain_text("Ready")
    expect(step).to_be_enabled()
    expect(stop).to_be_disabled()

    # 1. Step: exactly one more message, by a persona, with text.
    studio.step_adds_one_message()
    assert _user_turns(status) == 3
    _snap(page, stage, artifacts / "1-after-step.png")

    # 2. Run, then Stop as soon as it is visibly running.
    before_run = messages.count()
    run.click()
    expect(status.locator(".sdw-state-badge.sdw-state-running")).to_be_visible()
    expect(stop).to_be_enabled()
    stop.click()
    expect(status).to_contain_text("Stopped")  # "Stopped: the unfinished turn was discarded. …"
    expect(status.locator(".sdw-state-badge")).to_have_text("Ready")
    expect(step).to_be_enabled()
    expect(run).to_be_enabled()
    expect(stop).to_be_disabled()
    expect(transcript.locator(".sdw-streaming")).to_have_count(0)  # the unfinished turn is gone
    after_stop = messages.count()
    assert before_run <= after_stop < CONV_LEN, f"run did not stop early: {after_stop} messages"
    _snap(page, stage, artifacts / "2-after-stop.png")

    # ... and the discussion is still usable: Step adds exactly one message.
    step.click()
    expect(messages).to_have_count(after_stop + 1, timeout=TURN_TIMEOUT_MS)
    expect(status).to_contain_text("Turn done")
    assert _user_turns(status) == after_stop + 1 < CONV_LEN

    # 3. Branch: a second branch in the explorer; the transcript keeps the shared messages.
    shared = _texts(transcript)
    n_shared = len(shared)
    branch.click()
    expect(status).to_contain_text(f"Branched after {n_shared} entries")
    bar = studio.root.locator(".sdw-branch-bar")
    expect(bar).to_contain_text("Live: branch 1")
    tree = studio.root.locator(".sdw-branches select").first
    options = tree.locator("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text(f"main ({n_shared} entries)")
    expect(options.nth(1)).to_contain_text(f"branch 1 ({n_shared} entries, forked after entry {n_shared})")
    expect(options.nth(1)).to_contain_text("●")  # the new branch is live
    tree_text = options.all_inner_texts()
    expect(messages).to_have_count(n_shared)
    assert _texts(transcript) == shared

    # 4. A person types HTML/script as a participant: it stays literal text.
    inject = controls.locator(".sdw-inject")
    inject.locator("select").select_option(label=PERSONAS[1])
    inject.locator("textarea").fill(PAYLOAD)
    button(inject, "Send").click()
    expect(messages).to_have_count(n_shared + 1)
    human = messages.nth(n_shared)
    expect(human.locator(".sdw-name")).to_have_text(PERSONAS[1])
    expect(human.locator(".sdw-text")).to_have_text(PAYLOAD)
    expect(human.locator(".sdw-badge-human")).to_be_visible()
    expect(status).to_contain_text(f"{PERSONAS[1]}'s message was added")
    expect(inject.locator("textarea")).to_have_value("")
    assert page.locator(".sdw-transcript img, .sdw-transcript script").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []

    # 5. Compare the branch with its parent from the bar: full width, numbered as in the log.
    button(bar, "Compare with parent").click()
    compare = studio.root.locator(".sdw-compare")
    expect(compare).to_be_visible()
    expect(compare).to_contain_text(f"Both share the first {n_shared} entries")
    expect(compare.locator(".sdw-transcript").nth(1).locator(".sdw-index").first).to_have_text(
        f"#{n_shared + 1}"
    )
    assert compare.locator(".sdw-branch").count() == 0  # no dead per-message actions

    _snap(page, stage, artifacts / "3-end.png")
    transcript.screenshot(path=str(artifacts / "3-end-transcript.png"))
    # The whole studio at once needs a taller window (element shots clip inside the notebook's scroller).
    page.set_viewport_size({"width": 1280, "height": 2600})
    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    expect(studio.root).to_be_in_viewport(ratio=0.99)  # sub-pixel edges
    studio.root.screenshot(path=str(artifacts / "3-end-studio-full.png"))
    readme_image = QUICKSTART.parent / "img" / "studio.png"
    readme_image.parent.mkdir(exist_ok=True)
    shutil.copy2(artifacts / "3-end-studio-full.png", readme_image)  # the README's picture, kept fresh

    # 6. The same studio at 1024 px and in the dark theme.
    page.set_viewport_size({"width": 1024, "height": 1400})
    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "4-light-1024.png"))
    # The same command as Settings ▸ Theme ▸ JupyterLab Dark (the app is exposed by the test server).
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "5-dark-1024.png"))

    elapsed = time.monotonic() - t0
    tree_text = [" ".join(t.split()) for t in tree_text]
    print(f"\nquickstart e2e: {elapsed:.1f}s; stopped at {after_stop} of {CONV_LEN}; branches: {tree_text}")
    assert elapsed < BUDGET_S, f"took {elapsed:.0f}s (budget {BUDGET_S}s)"
