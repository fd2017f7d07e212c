"""What both browser tests need to find and drive the quickstart's DiscussionStudio."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "01_quickstart.ipynb"
PERSONAS = ("Emma35", "Giannis")  # the quickstart's persona usernames
MESSAGES = ".sdw-list .sdw-message"  # finished turns (the one being written is elsewhere)
TURN_TIMEOUT_MS = 90_000  # the demo model writes a reply in seconds, slower on a busy machine
# Words any English reply is full of: the demo model writes sentences, the random-weight one does not.
COMMON_WORDS = frozenset(
    [
        "i",
        "you",
        "we",
        "it",
        "is",
        "are",
        "was",
        "be",
        "to",
        "of",
        "and",
        "a",
        "an",
        "the",
        "in",
        "on",
        "for",
        "with",
        "that",
        "this",
        "my",
        "your",
        "what",
        "how",
        "do",
        "can",
        "not",
        "but",
        "so",
        "have",
        "has",
        "about",
    ]
)


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

    def settled_count(self) -> int:
        """How many messages the transcript shows once it has caught up with the status line's entry count.

        A turn that ended as Stop was pressed is recorded, and the status says so, a moment
        before its message reaches the transcript; counting then would be one short.
        """
        found = re.search(r"(\d+) entr(?:y|ies)", self.status.inner_text())
        if found is not None:
            expect(self.messages).to_have_count(int(found.group(1)), timeout=TURN_TIMEOUT_MS)
        return self.messages.count()

    def step_adds_one_message(self, names: tuple[str, ...] = PERSONAS) -> Locator:
        """Click Step; exactly one more finished message by one of ``names``, with text. Returns it."""
        before = self.settled_count()
        self.button("Step").click()
        expect(self.messages).to_have_count(before + 1, timeout=TURN_TIMEOUT_MS)
        expect(self.status).to_contain_text("Turn done")
        expect(self.transcript.locator(".sdw-streaming")).to_have_count(0)  # nothing half-written
        newest = self.messages.nth(before)
        assert newest.locator(".sdw-name").inner_text().strip() in names
        assert newest.locator(".sdw-text").inner_text().strip(), "the new message has no text"
        return newest


def assert_real_words(text: str) -> None:
    """``text`` reads as English: mostly words, and some of the most common ones."""
    tokens = text.split()
    words = [w for w in (re.sub(r"[^A-Za-z']", "", t).lower() for t in tokens) if w]
    assert len(words) >= 4, f"too few words: {text!r}"
    assert len(words) >= 0.7 * len(tokens), f"not mostly words: {text!r}"
    stems = {w.split("'")[0] for w in words}  # "we're" -> "we", "i'm" -> "i"
    # A short whole sentence ("Sounds good, there's another one.") may lack them; random-weight
    # output, what this check is for, is never that short.
    assert len(words) < 8 or COMMON_WORDS & stems, f"no common English word: {text!r}"


# Every visible text inside ``root`` (a node with its own text), with its size and contrast.
# Disabled controls are exempt (as in WCAG 1.4.3); colours are blended over the first opaque
# background behind them, falling back to the page's.
_AUDIT_JS = """
(root) => {
  const parse = (c) => {
    let m = c.match(/rgba?\\(([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c.match(/color\\(srgb ([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ \\/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const pageBg = parse(getComputedStyle(document.body).backgroundColor) || [255, 255, 255, 1];
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = pageBg[3] >= 1 ? pageBg : [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!el || seen.has(el) || !t.textContent.trim()) continue;
    seen.add(el);
    const rects = el.getClientRects();
    const style = getComputedStyle(el);
    if (!rects.length || style.visibility === "hidden" || style.display === "none") continue;
    if (el.closest("[disabled], .mod-disabled, option, .sdw-icon")) continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const text = over(fg, bg);
    const [hi, lo] = [lum(text), lum(bg)].sort((a, b) => b - a);
    out.push({
      text: t.textContent.trim().slice(0, 50),
      cls: el.className && el.className.baseVal === undefined ? String(el.className).slice(0, 60) : el.tagName,
      size: parseFloat(style.fontSize),
      contrast: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
      clipped: el.scrollWidth > el.clientWidth + 1 && style.overflow !== "visible"
        && style.textOverflow !== "ellipsis" && el.clientWidth > 0,
    });
  }
  return out;
}
"""


def audit_text(root: Locator) -> list[dict]:
    """Visible texts in ``root`` that are smaller than 13 px, below 4.5:1 contrast, or cut off."""
    found = root.evaluate(_AUDIT_JS)
    return [t for t in found if t["size"] < 13 or t["contrast"] < 4.5 or t["clipped"]]


def button_rows(scope: Locator) -> int:
    """How many lines the visible buttons of ``scope`` take (1 = all on one row)."""
    tops = scope.locator("button:visible").evaluate_all(
        "bs => bs.map(b => Math.round(b.getBoundingClientRect().top))"
    )
    return len({round(t / 8) for t in tops})
