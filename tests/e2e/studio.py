"""What both browser tests need to find and drive the quickstart's DiscussionStudio."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "01_quickstart.ipynb"
PERSONAS = ("Emma35", "Giannis")  # the quickstart's persona usernames
MESSAGES = ".sdw-list .sdw-message"
TURN_TIMEOUT_MS = 90_000  # the demo model writes a reply in seconds, slower on a busy machine  # finished turns (the one being written is elsewhere)


def button(scope: Locator, label: str) -> Locator:
    """A button by its visible label (its accessible name starts with the icon-font glyph)."""
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(label)}$"))


@dataclass
class Studio:
    """The rendered studio's parts, as a person sees them."""

    root: Locator
    stage: Locator
    transcript: Locator
    messages: Locator
    controls: Locator
    status: Locator

    @classmethod
    def find(cls, page: Page) -> Studio:
        root = page.locator(".sdw-studio")
        expect(root).to_have_count(1)
        root.scroll_into_view_if_needed()
        stage = root.locator(".sdw-stage")
        transcript = stage.locator(".sdw-transcript").first  # the live one; compare views come later
        controls = root.locator(".sdw-controls")
        return cls(
            root, stage, transcript, transcript.locator(MESSAGES), controls, controls.locator(".sdw-status")
        )

    def button(self, label: str) -> Locator:
        return button(self.controls, label)

    def step_adds_one_message(self) -> Locator:
        """Click Step; exactly one more finished message by a persona, with text. Returns it."""
        before = self.messages.count()
        self.button("Step").click()
        expect(self.messages).to_have_count(before + 1, timeout=TURN_TIMEOUT_MS)
        expect(self.status).to_contain_text("Turn done")
        expect(self.transcript.locator(".sdw-streaming")).to_have_count(0)  # nothing half-written
        newest = self.messages.nth(before)
        assert newest.locator(".sdw-name").inner_text().strip() in PERSONAS
        assert newest.locator(".sdw-text").inner_text().strip(), "the new message has no text"
        return newest
