"""BranchExplorer: the tree of branches of a discussion; switch, compare and export them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..engine import Discussion, unique_run_path
from ._style import classed, style_widget
from .runner import DiscussionChange, DiscussionRunner, ensure_runner
from .transcript import TranscriptView

__all__ = ["Branch", "BranchExplorer", "shared_prefix"]


@dataclass
class Branch:
    """One node of the tree: a real, independent :class:`Discussion`."""

    id: int
    label: str
    discussion: Discussion
    parent: int | None = None
    fork_at: int | None = None  # entries copied from the parent
    children: list[int] = field(default_factory=list)


def shared_prefix(a: Discussion, b: Discussion) -> int:
    """How many leading entries two discussions have in common (the fork point)."""
    n = 0
    for x, y in zip(a.logs, b.logs):
        if x != y:
            break
        n += 1
    return n


class BranchExplorer(widgets.VBox):
    """Tree of branches made by forking (the Branch button, "branch from here", or ``fork``).

    Args:
        source: The :class:`DiscussionRunner` to follow, or a :class:`Discussion`
            (a runner and a transcript are then made and shown here, so the
            explorer works alone).
        folder: Text widget holding the export folder (shared with the studio);
            by default the explorer has its own.

    Every change of the live discussion that the runner reports is mirrored:
    a branch adds a child of the branch it came from, a reset replaces the
    live branch's discussion, a new discussion starts a new tree.
    """

    def __init__(
        self,
        source: Discussion | DiscussionRunner | None = None,
        *,
        folder: widgets.Text | None = None,
        **kwargs: Any,
    ) -> None:
        own_view = None
        if not isinstance(source, DiscussionRunner):
            own_view = TranscriptView()
        self.runner = ensure_runner(source, own_view)
        self._owns_runner = self.runner is not source
        self.branches: dict[int, Branch] = {}
        self.active: int | None = None
        self._next_id = 0

        self.tree = widgets.Select(options=[], rows=6, layout=widgets.Layout(width="100%"))
        self.show_button = classed(
            widgets.Button(description="Show", icon="eye", tooltip="Make the selected branch the live one"),
            "sdw-button",
        )
        self.fork_at = widgets.BoundedIntText(
            value=0, min=0, max=0, description="Fork at turn", layout=widgets.Layout(width="180px")
        )
        self.fork_at.style.description_width = "7em"
        self.fork_button = classed(
            widgets.Button(
                description="Fork", icon="code-fork", tooltip="Fork the live branch after this many entries"
            ),
            "sdw-button",
        )
        self.export_button = classed(
            widgets.Button(
                description="Export branch", icon="download", tooltip="Write the selected branch as JSON"
            ),
            "sdw-button",
        )
        self.folder = folder or widgets.Text(value="runs", description="Folder")
        self.left = widgets.Dropdown(description="Compare", layout=widgets.Layout(width="220px"))
        self.right = widgets.Dropdown(description="with", layout=widgets.Layout(width="200px"))
        self.left.style.description_width = "5em"
        self.right.style.description_width = "3em"
        self.compare_button = classed(widgets.Button(description="Compare", icon="columns"), "sdw-button")
        self.message = classed(widgets.Label(""), "sdw-branch-status", "sdw-wrap")
        self.compare_note = classed(widgets.Label(""), "sdw-hint", "sdw-wrap")
        self.left_view = TranscriptView()
        self.right_view = TranscriptView()
        self.left_title = classed(widgets.Label(""), "sdw-section-title", "sdw-wrap")
        self.right_title = classed(widgets.Label(""), "sdw-section-title", "sdw-wrap")
        self.compare_box = widgets.VBox(
            [
                self.compare_note,
                widgets.HBox(
                    [
                        widgets.VBox(
                            [self.left_title, self.left_view],
                            layout=widgets.Layout(flex="1 1 0", min_width="0"),
                        ),
                        widgets.VBox(
                            [self.right_title, self.right_view],
                            layout=widgets.Layout(flex="1 1 0", min_width="0"),
                        ),
                    ]
                ).add_class("sdw-row"),
            ],
            layout=widgets.Layout(display="none"),
        )

        self.show_button.on_click(lambda _: self.show(self.tree.value))
        self.fork_button.on_click(lambda _: self.fork(self.fork_at.value))
        self.export_button.on_click(lambda _: self.export(self.tree.value))
        self.compare_button.on_click(lambda _: self.compare(self.left.value, self.right.value))
        self.runner.on_discussion(self._on_change)
        self.runner.on_entry(lambda _entry: self._refresh())
        self._start_tree(self.runner.discussion)

        children: list[widgets.Widget] = [style_widget()]
        if own_view is not None:
            children.append(own_view)
        children += [
            widgets.HTML(
                '<span class="sdw-section-title">Branches</span> '
                '<span class="sdw-hint">(● live; indented = forked from the line above)</span>'
            ),
            self.tree,
            widgets.HBox(
                [self.show_button, self.fork_at, self.fork_button, self.export_button],
                layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
            ),
            widgets.HBox(
                [self.left, self.right, self.compare_button],
                layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
            ),
            self.message,
            self.compare_box,
        ]
        super().__init__(children, **kwargs)
        classed(self, "sdw-branches", "sdw-panel")

    # ------------------------------------------------------------------ public
    def branch(self, at_turn: int | None = None) -> None:
        """Fork the live branch after ``at_turn`` entries (default: all) and go live on the fork."""
        self.runner.branch(at_turn)

    fork = branch

    def show(self, branch_id: int | None) -> None:
        """Make branch ``branch_id`` the live one (its transcript is shown)."""
        if branch_id in self.branches and branch_id != self.active:
            self.runner.switch(self.branches[branch_id].discussion)

    def compare(self, a: int | None, b: int | None) -> int | None:
        """Show branches ``a`` and ``b`` side by side from their fork point; returns that point."""
        if a not in self.branches or b not in self.branches:
            self.message.value = "Pick two branches to compare."
            return None
        da, db = self.branches[a].discussion, self.branches[b].discussion
        start = shared_prefix(da, db)
        self.left_view.reset(da.logs[start:])
        self.right_view.reset(db.logs[start:])
        self.left_title.value = self.branches[a].label
        self.right_title.value = self.branches[b].label
        self.compare_note.value = f"Both share the first {start} entries; shown from entry {start} on."
        self.compare_box.layout.display = ""
        return start

    def export(self, branch_id: int | None, folder: str | os.PathLike | None = None) -> Path | None:
        """Write branch ``branch_id``'s logs as JSON under a collision-free name."""
        if branch_id not in self.branches:
            self.message.value = "Pick a branch to export."
            return None
        node = self.branches[branch_id]
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        try:
            path = node.discussion.logs.export(
                unique_run_path(target, stem=f"branch{node.id}", suffix=".json")
            )
        except OSError as exc:
            self.message.value = f"Could not export: {exc}"
            return None
        self.message.value = f"Wrote {path}"
        return path

    @property
    def live(self) -> Branch | None:
        """The branch whose discussion is live in the runner."""
        return self.branches.get(self.active) if self.active is not None else None

    # ----------------------------------------------------------------- internals
    def _start_tree(self, discussion: Discussion | None) -> None:
        self.branches.clear()
        self.active = None
        self._next_id = 0
        if discussion is not None:
            self.active = self._add(discussion, "main")
        self._refresh(follow_live=True)

    def _add(
        self, discussion: Discussion, label: str, parent: int | None = None, fork_at: int | None = None
    ) -> int:
        node = Branch(self._next_id, label, discussion, parent, fork_at)
        self.branches[node.id] = node
        if parent is not None:
            self.branches[parent].children.append(node.id)
        self._next_id += 1
        return node.id

    def _find(self, discussion: Discussion | None) -> int | None:
        return next((b.id for b in self.branches.values() if b.discussion is discussion), None)

    def _on_change(self, change: DiscussionChange) -> None:
        if change.reason == "start":
            self._start_tree(change.discussion)
            return
        if change.reason == "reset":
            node = self._find(change.parent)
            if node is None:
                self._start_tree(change.discussion)
                return
            self.branches[node].discussion = change.discussion
            self.active = node
        elif change.reason == "switch":
            found = self._find(change.discussion)
            self.active = (
                found if found is not None else self._add(change.discussion, f"branch {self._next_id}")
            )
        elif change.reason == "branch":
            # Forked from something we never saw (parent None): the fork starts a new root.
            parent = self._find(change.parent)
            at = change.at_turn if parent is not None else None
            self.active = self._add(change.discussion, f"branch {self._next_id}", parent, at)
            self._refresh(follow_live=True)
            # Offer the natural comparison: the new branch against the one it came from.
            self.left.value = parent if parent is not None else self.active
            self.right.value = self.active
            return
        self._refresh(follow_live=True)

    def _lines(self) -> list[tuple[str, int]]:
        """Tree rows, depth-first, indented by depth."""
        rows: list[tuple[str, int]] = []

        def walk(node_id: int, depth: int) -> None:
            node = self.branches[node_id]
            mark = "●" if node_id == self.active else "○"
            where = f", forked after entry {node.fork_at}" if node.fork_at is not None else ""
            # Non-breaking spaces: browsers collapse ordinary ones in <option> text.
            indent = "\u00a0\u00a0\u00a0" * depth + ("└\u00a0" if depth else "")
            rows.append(
                (f"{indent}{mark} {node.label} ({len(node.discussion.logs)} entries{where})", node_id)
            )
            for child in node.children:
                walk(child, depth + 1)

        for root in [b.id for b in self.branches.values() if b.parent is None]:
            walk(root, 0)
        return rows

    def _refresh(self, follow_live: bool = False) -> None:
        """Redraw the tree and the pickers. ``follow_live``: the live branch changed
        (branch, switch, reset, new tree), so the selection moves to it; otherwise
        the user's own selection stays.
        """
        rows = self._lines()
        plain = [(self.branches[i].label, i) for _text, i in rows]
        keep = not follow_live and self.tree.value in self.branches
        selected = self.tree.value if keep else self.active
        live = self.live
        with self.tree.hold_sync():
            self.tree.options = rows
            self.tree.value = selected if rows else None
        keep_left, keep_right = self.left.value, self.right.value
        self.left.options = plain
        self.right.options = plain
        if plain:
            self.left.value = keep_left if keep_left in self.branches else plain[0][1]
            self.right.value = keep_right if keep_right in self.branches else plain[-1][1]
        size = len(live.discussion.logs) if live else 0
        at_end = self.fork_at.value == self.fork_at.max  # keep following the end of the live branch
        with self.fork_at.hold_sync():
            self.fork_at.max = size  # clamps the value when the branch is shorter
            if at_end:
                self.fork_at.value = size
        for b in (self.show_button, self.fork_button, self.export_button, self.compare_button):
            b.disabled = not rows

    def close(self) -> None:
        """Close the widget (and the worker thread if this widget started it)."""
        if getattr(self, "_owns_runner", False):
            self.runner.close()
        super().close()
