"""The README's picture: the quickstart's discussion, run to its end in real JupyterLab.

Runs ``notebooks/01_quickstart.ipynb`` as a class would (the demo model at its
full reply length, unless ``SYNDISCO_MAX_TOKENS`` is set), presses Run in the
studio and waits for all 12 replies. Then it reads the transcript as shown:
the topic is above it, no reply ends mid-word, and each reply is judged on
topic or not by ``bench/on_topic.py``'s written rule (the share is printed;
a sampling 135M model is not asserted to a figure here, ``bench/on_topic.py``
measures that over several seeds). The studio is saved as
``notebooks/img/studio.png`` (light) and, for a look at the dark theme,
``test-results/e2e/test_readme_screenshot_of_a_whole_quickstart_discussion/studio-dark.png``,
the transcript scrolled to its start (topic, opening post, first replies).

    flock /tmp/heavy.lock python -m pytest tests/e2e/test_readme_screenshot.py -m browser -s
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .studio import MESSAGES, QUICKSTART, TURN_TIMEOUT_MS, Studio

pytestmark = [pytest.mark.browser, pytest.mark.slow]

README_IMAGE = QUICKSTART.parent / "img" / "studio.png"
ON_TOPIC = Path(__file__).resolve().parents[2] / "bench" / "on_topic.py"
CONV_LEN = 12  # the quickstart studio's conv_len


def _on_topic_rule():
    spec = importlib.util.spec_from_file_location("on_topic", ON_TOPIC)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_screenshot_of_a_whole_quickstart_discussion(
    lab_server, lab_page, run_cells, dialogs, artifacts
):
    shutil.copy2(QUICKSTART, lab_server.root / QUICKSTART.name)
    page = lab_page(QUICKSTART.name)
    run_cells(page, timeout=120)
    rule = _on_topic_rule()
    question = rule.QUICKSTART["topic"]  # the notebook's TOPIC, read from the notebook
    studio = Studio.find(page)
    expect(studio.root.locator(".sdw-topic")).to_contain_text(question)  # shown above the transcript

    studio.button("Run").click()
    expect(studio.status.locator(".sdw-state-badge")).to_have_text("Finished", timeout=TURN_TIMEOUT_MS * 12)
    expect(studio.status).to_contain_text(f"{CONV_LEN} of {CONV_LEN} user turns")
    replies = studio.transcript.locator(f"{MESSAGES}.sdw-source-model")
    expect(replies).to_have_count(CONV_LEN)

    patterns = rule.topic_patterns(question, [])
    texts = []
    for i in range(CONV_LEN):
        shown = replies.nth(i).locator(".sdw-text")
        text = shown.inner_text().strip()
        if shown.locator(".sdw-cut").count():  # the quiet mark of a reply cut at the token limit
            text = text.removesuffix("\u2026").rstrip()
        texts.append(text)
    verdicts = [rule.judge(t, question, patterns) for t in texts]
    cut_mid_word = [t for t, v in zip(texts, verdicts, strict=True) if not v["whole"]]
    assert not cut_mid_word, f"replies ending mid-word: {cut_mid_word}"
    on_topic = sum(v["names_question"] and not v["echo"] and not v["letter"] for v in verdicts)
    print(f"\nREADME discussion: {on_topic}/{len(texts)} replies on topic")
    for text, verdict in zip(texts, verdicts, strict=True):
        print(f"  [{'T' if verdict['names_question'] else '-'}] {text[:160]}")

    page.set_viewport_size({"width": 1280, "height": 2600})
    studio.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    # The discussion from its start: the topic, the opening post and the first replies.
    studio.transcript.locator(".sdw-scroll").evaluate("el => { el.scrollTop = 0; }")
    page.wait_for_timeout(300)
    expect(studio.root).to_be_in_viewport(ratio=0.99)
    studio.root.screenshot(path=str(artifacts / "studio-light.png"))
    README_IMAGE.parent.mkdir(exist_ok=True)
    shutil.copy2(artifacts / "studio-light.png", README_IMAGE)
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    page.wait_for_timeout(500)
    studio.root.screenshot(path=str(artifacts / "studio-dark.png"))
    assert dialogs == []
