"""TranscriptView in real JupyterLab + Chromium: untrusted text stays text, branch reaches Python."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.pwned=1</script>"


def test_transcript_safety(lab_page, run_cells, wait_idle, dialogs, artifacts):
    page = lab_page("transcript_safety.ipynb")
    run_cells(page)

    views = page.locator(".sdw-transcript")
    views.nth(1).wait_for()  # cell 3 shows the same widget again
    first = views.first

    # Untrusted text is shown literally and creates no elements.
    first.get_by_text(IMG, exact=True).wait_for()
    first.get_by_text(SCRIPT, exact=True).wait_for()
    assert page.locator(".sdw-transcript img, .sdw-transcript script, .sdw-transcript b").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []

    # Styling hooks: moderator, human-written and seed entries, markdown subset, live stream.
    assert first.locator(".sdw-role-moderator").count() == 2
    assert first.locator(".sdw-badge-human", has_text="written by a person").count() == 1
    assert first.locator(".sdw-badge-seed").count() == 1
    assert first.locator(".sdw-text strong", has_text="civil").count() == 1
    assert first.locator(".sdw-text code", has_text="phones").count() == 1
    live = first.locator(".sdw-streaming")
    live.locator(".sdw-writing").wait_for()
    live.get_by_text("I still think <b>phones</b> help with research, but").wait_for()

    # The second view (rendered after the appends) resynced to the full transcript.
    second = views.nth(1)
    second.locator(".sdw-list .sdw-message").nth(4).wait_for()
    assert (
        second.locator(".sdw-list .sdw-message").count()
        == first.locator(".sdw-list .sdw-message").count()
        == 5
    )

    first.locator(".sdw-list .sdw-message").first.scroll_into_view_if_needed()
    first.screenshot(path=str(artifacts / "transcript.png"))
    page.screenshot(path=str(artifacts / "page.png"))

    # "Branch from here" reaches the Python callback.
    first.locator(".sdw-list .sdw-message").nth(2).locator(".sdw-branch").click()
    page.locator(".e2e-branch-result", has_text="python got branch at entry 2").wait_for()

    # Dark theme (JupyterLab Dark) for a visual check.
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.locator("body[data-jp-theme-light='false']").wait_for(state="attached")
    page.wait_for_timeout(1000)  # theme CSS swaps in after the attribute
    first.screenshot(path=str(artifacts / "transcript-dark.png"))
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.locator("body[data-jp-theme-light='true']").wait_for(state="attached")

    # After saving and reloading the page, the kernel's widget is restored with
    # the live transcript (full state carries all entries, not a stale base).
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.locator(".lm-TabBar-tab.jp-mod-dirty").wait_for(state="detached")
    page.reload()
    wait_idle(page)
    views = page.locator(".sdw-transcript")
    views.first.locator(".sdw-list .sdw-message").nth(4).wait_for()
    assert views.first.locator(".sdw-list .sdw-message").count() == 5
    assert page.locator(".sdw-transcript img, .sdw-transcript script").count() == 0

    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []
