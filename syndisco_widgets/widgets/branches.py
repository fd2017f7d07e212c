"""Branches of a discussion: the tree, the bar above the transcript, and a side-by-side compare.

:class:`BranchTree` is the pure bookkeeping (no widgets): it mirrors every
change of the live discussion a :class:`Runner` reports. A new
discussion starts a new root and a start-over starts a new branch, so no
branch is ever dropped. :class:`BranchExplorer` shows the tree with switch,
fork, compare and export; :class:`BranchBar` is the one-line strip above the
transcript (live branch, switch, branch here, compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import ConfigError
from ..session import EntryAdded, Runner, RunnerEvent, SourceChange, TurnEnded, as_runner
from ..wording import plural
from ._style import classed, style_widget
from .export import export_branch
from .transcript import TranscriptView
from .ui import button, note, set_note, set_note_html

if TYPE_CHECKING:
    import os

    from ..engine import Discussion
    from ..engine.study import Study

__all__ = ["Branch", "BranchBar", "BranchExplorer", "BranchTree", "shared_prefix"]

PAIR = 2  # switching and comparing need two branches


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
    for x, y in zip(a.logs, b.logs, strict=False):
        if x != y:
            break
        n += 1
    return n


class BranchTree:
    """Every discussion the runner made live, as a tree; ``active`` is the live one."""

    def __init__(self) -> None:
        self.branches: dict[int, Branch] = {}
        self.active: int | None = None
        self._next_id = 0
        self._roots = 0
        self._forks = 0
        self._fresh = 0

    @property
    def live(self) -> Branch | None:
        """The branch whose discussion is live."""
        return self.branches.get(self.active) if self.active is not None else None

    def find(self, discussion: Discussion | None) -> int | None:
        """The id of the branch holding ``discussion``."""
        return next((b.id for b in self.branches.values() if b.discussion is discussion), None)

    def add(
        self,
        discussion: Discussion,
        label: str | None = None,
        parent: int | None = None,
        fork_at: int | None = None,
    ) -> int:
        """Add a branch and return its id."""
        if label is None:
            if parent is None:
                self._roots += 1
                label = "main" if self._roots == 1 else f"discussion {self._roots}"
            else:  # numbered among branches, so "discussion 2" forks into "branch 1", not "branch 2"
                self._forks += 1
                label = f"branch {self._forks}"
        node = Branch(self._next_id, label, discussion, parent, fork_at)
        self.branches[node.id] = node
        if parent is not None:
            self.branches[parent].children.append(node.id)
        self._next_id += 1
        return node.id

    def apply(self, change: SourceChange) -> None:
        """Mirror one change of the live discussion."""
        discussion = change.discussion
        if discussion is None:
            self.active = None
            return
        known = self.find(discussion)
        if known is not None:
            self.active = known
        elif change.reason == "start":
            self.active = self.add(discussion)
        else:
            parent = self.find(change.parent)
            at = change.at_turn if parent is not None else None
            label = None
            if change.reason == "reset":
                self._fresh += 1
                label = f"fresh start {self._fresh}"
            self.active = self.add(discussion, label, parent, at)

    def rows(self) -> list[tuple[str, int]]:
        """Tree rows for a list, depth-first, indented by depth, live branch marked."""
        rows: list[tuple[str, int]] = []

        def walk(node_id: int, depth: int) -> None:
            node = self.branches[node_id]
            mark = "●" if node_id == self.active else "○"
            where = f", forked after entry {node.fork_at}" if node.fork_at is not None else ""
            # Non-breaking spaces: browsers collapse ordinary ones in <option> text.
            indent = "\u00a0\u00a0\u00a0" * depth + ("└\u00a0" if depth else "")
            size = plural(len(node.discussion.logs), "entry", "entries")
            rows.append((f"{indent}{mark} {node.label} ({size}{where})", node_id))
            for child in node.children:
                walk(child, depth + 1)

        for root in [b.id for b in self.branches.values() if b.parent is None]:
            walk(root, 0)
        return rows

    def choices(self) -> list[tuple[str, int]]:
        """``(label, id)`` for pickers."""
        return [(b.label, b.id) for b in self.branches.values()]


class ComparePanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Two branches side by side from their fork point, numbered as in the whole log.

    It follows the runner: as either branch grows, its column grows too.
    """

    def __init__(self, tree: BranchTree, runner: Runner) -> None:
        self._tree = tree
        self.pair: tuple[int, int] | None = None
        self.note = classed(widgets.HTML(""), "sdw-hint")
        self.left_title = classed(widgets.HTML(""), "sdw-section-title")
        self.right_title = classed(widgets.HTML(""), "sdw-section-title")
        # Per-message "branch from here" is absent: a comparison only reads.
        self.left_view = TranscriptView(branchable=False)
        self.right_view = TranscriptView(branchable=False)
        self.close_button = button("Close compare", "times", "Hide the comparison")
        self.close_button.on_click(lambda _: self.hide())
        column = widgets.Layout(flex="1 1 0", min_width="0")
        super().__init__(
            [
                widgets.HBox([self.note, self.close_button], layout=widgets.Layout(align_items="center")),
                classed(
                    widgets.HBox(
                        [
                            widgets.VBox([self.left_title, self.left_view], layout=column),
                            widgets.VBox([self.right_title, self.right_view], layout=column),
                        ]
                    ),
                    "sdw-row",
                ),
            ],
            layout=widgets.Layout(display="none", width="100%"),
        )
        classed(self, "sdw-compare")
        runner.subscribe(self._on_event)

    @property
    def visible(self) -> bool:
        """True while the comparison is shown."""
        return bool(self.layout.display != "none")

    def show(self, a: int, b: int) -> int:
        """Compare branches ``a`` and ``b``; returns their shared prefix length."""
        self.pair = (a, b)
        self.layout.display = ""
        return self.redraw()

    def hide(self) -> None:
        """Hide the comparison."""
        self.pair = None
        self.layout.display = "none"

    def redraw(self) -> int:
        """Redraw both columns from the branches' current logs."""
        if self.pair is None:
            return 0
        left, right = (self._tree.branches[i] for i in self.pair)
        start = shared_prefix(left.discussion, right.discussion)
        self.left_view.reset(left.discussion.logs[start:], start=start)
        self.right_view.reset(right.discussion.logs[start:], start=start)
        self.left_title.value = _title(left, len(left.discussion.logs))
        self.right_title.value = _title(right, len(right.discussion.logs))
        self.note.value = f'<span class="sdw-hint">{_shared_text(start)}</span>'
        return start

    def _on_event(self, event: RunnerEvent) -> None:
        if self.pair is None or not isinstance(event, (TurnEnded, EntryAdded, SourceChange)):
            return
        if isinstance(event, (TurnEnded, EntryAdded)) and event.entry is None:
            return
        if all(i in self._tree.branches for i in self.pair):
            self.redraw()


def _shared_text(start: int) -> str:
    """What two compared branches have in common, for people."""
    if start == 0:
        return "These two share no entries (separate discussions); both are shown from the start."
    shared = "the first entry" if start == 1 else f"the first {start} entries"
    return f"Both share {shared}; shown from #{start + 1} on, where they part."


def _title(branch: Branch, size: int) -> str:
    import html

    return f"{html.escape(branch.label)} <span class='sdw-hint'>({plural(size, 'entry', 'entries')})</span>"


class BranchExplorer(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Tree of branches made by forking (the Branch button, "branch from here", or ``fork``).

    Args:
        source: The :class:`Runner` to follow, or a :class:`Discussion`
            (a runner and a transcript are then made and shown here, so the
            explorer works alone).
        folder: Text widget holding the export folder (shared with the studio);
            by default the explorer has its own.
        participant: Text widget holding the name exports are made under
            (shared with the studio); by default the explorer shows its own.
        study: The study the discussion was set up from; exports name it.
        compare_here: Show the comparison inside the explorer (default), or
            leave :attr:`compare_box` for the host to place (the studio
            puts it full width). By default a host that shares its
            ``participant`` box places it.
        **kwargs: Passed on to the box.

    ``study`` is public and may be changed (the studio does when a study is opened).
    """

    def __init__(
        self,
        source: Discussion | Runner | None = None,
        *,
        folder: widgets.Text | None = None,
        participant: widgets.Text | None = None,
        study: Study | None = None,
        compare_here: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.runner, self._owns_runner = as_runner(source)
        self.study = study
        own_view = TranscriptView() if self._owns_runner else None
        if own_view is not None:
            own_view.follow(self.runner)
        self.tree_model = BranchTree()

        self.tree = widgets.Select(options=[], rows=6, layout=widgets.Layout(width="100%"))
        self.show_button = button("Show", "eye", "Make the selected branch the live one")
        self.fork_at = widgets.BoundedIntText(
            value=0, min=0, max=0, description="Fork after entry", layout=widgets.Layout(width="200px")
        )
        self.fork_at.style.description_width = "8.5em"
        self.fork_button = button("Fork", "code-fork", "Fork the live branch after this many entries")
        self.export_button = button("Export branch", "download", "Write the selected branch as JSON")
        self.folder = folder or widgets.Text(value="runs", description="Folder")
        own_name = participant is None
        self.participant = participant or widgets.Text(
            description="Your name", placeholder="names your exports", layout=widgets.Layout(width="240px")
        )
        self.left = widgets.Dropdown(description="Compare", layout=widgets.Layout(width="220px"))
        self.right = widgets.Dropdown(description="with", layout=widgets.Layout(width="200px"))
        self.left.style.description_width = "5em"
        self.right.style.description_width = "3em"
        self.compare_button = button("Compare", "columns", "Show the two branches side by side")
        self.message = note("sdw-branch-status")
        self.compare_box = ComparePanel(self.tree_model, self.runner)

        self.show_button.on_click(lambda _: self.show(self.tree.value))
        self.fork_button.on_click(lambda _: self.fork(self.fork_at.value))
        self.export_button.on_click(lambda _: self.export(self.tree.value))
        self.compare_button.on_click(lambda _: self.compare(self.left.value, self.right.value))
        self.runner.subscribe(self._on_event)
        self.runner.observe(lambda _change: self._refresh(), names="state")  # e.g. closed
        if self.runner.discussion is not None:
            self.tree_model.apply(SourceChange(self.runner.discussion, "start"))
        self._refresh(follow_live=True)

        children: list[widgets.Widget] = [style_widget()]
        if own_view is not None:
            children.append(own_view)
        children += [
            widgets.HTML(
                '<span class="sdw-section-title">Branches</span> '
                '<span class="sdw-hint">(● live; indented = forked from the line above)</span>'
            ),
            self.tree,
            classed(
                widgets.HBox(
                    [
                        self.show_button,
                        self.fork_at,
                        self.fork_button,
                        *([self.participant] if own_name else []),
                        self.export_button,
                    ]
                ),
                "sdw-toolbar",
            ),
            classed(widgets.HBox([self.left, self.right, self.compare_button]), "sdw-toolbar"),
            self.message,
        ]
        if compare_here if compare_here is not None else own_name:
            children.append(self.compare_box)
        super().__init__(children, **kwargs)
        classed(self, "sdw-branches", "sdw-panel")

    # ------------------------------------------------------------------ public
    @property
    def branches(self) -> dict[int, Branch]:
        """Every branch by id."""
        return self.tree_model.branches

    @property
    def active(self) -> int | None:
        """The id of the live branch."""
        return self.tree_model.active

    @property
    def live(self) -> Branch | None:
        """The branch whose discussion is live in the runner."""
        return self.tree_model.live

    def branch(self, at_turn: int | None = None) -> None:
        """Fork the live branch after ``at_turn`` entries (default: all) and go live on the fork.

        The fork samples with a new seed (see ``Discussion.fork``), so it does
        not repeat the branch it came from word for word; the note says so.
        """
        if self._refuse_closed("Fork"):
            return
        self.runner.branch(at_turn)

    fork = branch

    def show(self, branch_id: int | None) -> None:
        """Make branch ``branch_id`` the live one (its transcript is shown)."""
        if self._refuse_closed("Show"):
            return
        if branch_id in self.branches and branch_id != self.active:
            self.runner.switch(self.branches[branch_id].discussion)

    def compare(self, a: int | None, b: int | None) -> int | None:
        """Show branches ``a`` and ``b`` side by side from their fork point; returns that point."""
        if a is None or b is None or a not in self.branches or b not in self.branches:
            set_note(self.message, "Compare: pick two branches.", "error")
            return None
        if a == b:
            set_note(self.message, "Compare: pick two different branches.", "error")
            return None
        set_note(self.message, "")
        return self.compare_box.show(a, b)

    def export(self, branch_id: int | None, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write branch ``branch_id`` as a study export (JSON) naming the study, participant and branch.

        The file name never collides; the note offers it as a download.
        """
        if branch_id is None or branch_id not in self.branches:
            set_note(self.message, "Export: pick a branch.", "error")
            return None
        if self._refuse_closed("Export"):
            return None
        node = self.branches[branch_id]
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        try:
            path, written = export_branch(
                node.discussion,
                target,
                "json",
                study=self.study,
                participant=self.participant.value,
                branch=node.label,
            )
        except (OSError, ConfigError) as exc:  # export_run says which folder it could not write
            set_note(self.message, f"Export: {exc}", "error")
            return None
        set_note_html(self.message, written, "ok")
        return path

    # ----------------------------------------------------------------- internals
    def _refuse_closed(self, action: str) -> bool:
        """Say so and return True when the runner is closed (its discussion can no longer change)."""
        if not self.runner.closed:
            return False
        closed = f"{action}: this discussion's runner is closed; make a new one to go on."
        set_note(self.message, closed, "error")
        return True

    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, SourceChange):
            self.tree_model.apply(event)
            self._refresh(follow_live=True)
            if event.reason == "branch" and self.live is not None:
                self._pick_pair()
                seed = self.live.discussion.seed
                fresh = f"It samples with a new seed ({seed}), so it will not repeat its parent word for word"
                set_note(
                    self.message,
                    f"{self.live.label} goes on from here. {fresh}; Discussion.fork(..., keep_seed=True) "
                    "replays it instead.",
                    "ok",
                )
        elif isinstance(event, (TurnEnded, EntryAdded)) and event.entry is not None:
            self._refresh()

    def _pick_pair(self) -> None:
        """Offer the natural comparison: the live branch against the one it came from (or another)."""
        live = self.live
        if live is None or len(self.branches) < PAIR:
            return
        other = live.parent if live.parent is not None else next(i for i in self.branches if i != live.id)
        self.left.value, self.right.value = other, live.id

    def _refresh(self, *, follow_live: bool = False) -> None:
        """Redraw the tree and the pickers.

        ``follow_live``: the live branch changed, so the selection moves to it;
        otherwise the person's own selection stays.
        """
        rows = self.tree_model.rows()
        plain = self.tree_model.choices()
        keep = not follow_live and self.tree.value in self.branches
        selected = self.tree.value if keep else self.active
        with self.tree.hold_sync():
            self.tree.options = rows
            self.tree.value = selected if rows else None
        keep_left, keep_right = self.left.value, self.right.value
        self.left.options = plain
        self.right.options = plain
        if keep_left in self.branches and keep_right in self.branches and keep_left != keep_right:
            self.left.value, self.right.value = keep_left, keep_right
        else:
            self._pick_pair()
        live = self.live
        size = len(live.discussion.logs) if live else 0
        at_end = self.fork_at.value == self.fork_at.max  # keep following the end of the live branch
        with self.fork_at.hold_sync():
            self.fork_at.max = size  # clamps the value when the branch is shorter
            if at_end:
                self.fork_at.value = size
        closed = self.runner.closed
        for b in (self.show_button, self.fork_button, self.export_button):
            b.disabled = not rows or closed
        enough = len(plain) >= PAIR
        self.compare_button.disabled = not enough or closed
        self.compare_button.tooltip = (
            "The runner is closed"
            if closed
            else ("Show the two branches side by side" if enough else "Make a branch first")
        )

    def close(self) -> None:
        """Close the widget (and the worker thread if this widget started it)."""
        if getattr(self, "_owns_runner", False):
            self.runner.close()
        super().close()


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False)


class BranchBar(widgets.HBox):  # type: ignore[misc]  # ipywidgets is untyped
    """The strip above the transcript: which branch is live, switch, branch here, compare.

    Args:
        explorer: The :class:`BranchExplorer` whose tree it shows.
    """

    def __init__(self, explorer: BranchExplorer) -> None:
        self.explorer = explorer
        self.label = classed(widgets.HTML(""), "sdw-branch-label")
        self.switch = widgets.Dropdown(
            description="Switch to", options=[], layout=widgets.Layout(width="auto", min_width="200px")
        )
        self.switch.style.description_width = "5.5em"
        self.branch_button = button("Branch here", "code-fork", "Fork after the last message and go on there")
        self.compare_button = button(
            "Compare with parent", "columns", "Show this branch beside the one it came from"
        )
        self.branch_button.on_click(lambda _: explorer.branch())
        self.compare_button.on_click(lambda _: self._compare_with_parent())
        self.switch.observe(self._on_switch, names="value")
        self._quiet = False
        explorer.runner.subscribe(self._on_event)
        explorer.runner.observe(lambda _c: self.refresh(), names="state")
        super().__init__(
            [self.label, self.switch, self.branch_button, self.compare_button],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )
        classed(self, "sdw-branch-bar", "sdw-toolbar")
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the explorer's tree."""
        live = self.explorer.live
        tree = self.explorer.tree_model
        if live is None:
            self.label.value = '<span class="sdw-hint">No discussion yet</span>'
        else:
            size = plural(len(live.discussion.logs), "entry", "entries")
            self.label.value = (
                f'<span class="sdw-live-dot" aria-hidden="true">●</span> Live: '
                f"<strong>{_esc(live.label)}</strong> <span class='sdw-hint'>({size})</span>"
            )
        self._quiet = True
        try:
            self.switch.options = tree.choices()
            self.switch.value = tree.active if tree.active in tree.branches else None
        finally:
            self._quiet = False
        runner = self.explorer.runner
        busy = runner.busy or runner.closed
        self.switch.disabled = len(tree.branches) < PAIR or busy
        self.branch_button.disabled = live is None or busy
        self.compare_button.disabled = live is None or live.parent is None
        self.compare_button.tooltip = (
            "Show this branch beside the one it came from"
            if live is not None and live.parent is not None
            else "This branch has no parent: branch first"
        )

    def _compare_with_parent(self) -> None:
        live = self.explorer.live
        if live is not None and live.parent is not None:
            self.explorer.compare(live.parent, live.id)

    def _on_switch(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.explorer.show(change["new"])

    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, (SourceChange, TurnEnded, EntryAdded)):
            self.refresh()
