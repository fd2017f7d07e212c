"""LogTable: the live logs as a readable table, sortable and filterable.

Rows are built by :func:`table_rows` (pure, no widgets); the widget draws
them as escaped HTML. Exports use ``Logs.to_pandas``/``to_csv``, not this.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets

from ._style import classed
from .wording import plural

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..engine import Logs
    from ..engine.entries import Entry

__all__ = ["LogTable", "Row", "SortKey", "table_rows"]

CONTEXT_PAIR = 2  # an entry's context is a [start, end) pair
SortKey = Literal["number", "speaker", "length"]
_SORTS: list[tuple[str, SortKey]] = [("Order", "number"), ("Speaker", "speaker"), ("Longest first", "length")]
_SOURCE_LABELS = {"model": "model", "human": "a person", "seed": "opening message"}


@dataclass(frozen=True)
class Row:
    """One table row, as people read it."""

    number: int
    speaker: str
    role: str
    source: str
    text: str
    saw: str

    @property
    def words(self) -> int:
        """Length in words."""
        return len(self.text.split())


def _row(index: int, entry: Entry) -> Row:
    context = entry.get("context")
    saw = ""
    if isinstance(context, list) and len(context) == CONTEXT_PAIR:
        start, end = context
        saw = "nothing" if end <= start else f"#{start + 1} to #{end}"
    return Row(
        number=index + 1,
        speaker=entry["name"],
        role=str(entry.get("role", "user")),
        source=_SOURCE_LABELS.get(str(entry.get("source", "model")), str(entry.get("source", ""))),
        text=entry["text"],
        saw=saw,
    )


def table_rows(
    entries: Iterable[Entry], *, query: str = "", speaker: str = "", sort: SortKey = "number"
) -> list[Row]:
    """Rows for ``entries``, filtered by text ``query`` and ``speaker``, then sorted."""
    rows = [_row(i, e) for i, e in enumerate(entries)]
    needle = query.strip().casefold()
    if needle:
        rows = [r for r in rows if needle in r.text.casefold() or needle in r.speaker.casefold()]
    if speaker:
        rows = [r for r in rows if r.speaker == speaker]
    if sort == "speaker":
        rows.sort(key=lambda r: (r.speaker.casefold(), r.number))
    elif sort == "length":
        rows.sort(key=lambda r: (-r.words, r.number))
    return rows


class LogTable(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """The live logs as a table: filter by text or speaker, sort by order, speaker or length."""

    def __init__(self, **kwargs: Any) -> None:
        self._entries: list[Entry] = []
        self.query = widgets.Text(
            placeholder="Filter: words in a message or a speaker",
            layout=widgets.Layout(flex="1 1 220px", width="auto"),
        )
        self.speaker = widgets.Dropdown(
            options=[("Everyone", "")], description="Speaker", layout=widgets.Layout(width="auto")
        )
        self.sort = widgets.Dropdown(options=_SORTS, description="Sort", layout=widgets.Layout(width="auto"))
        self.speaker.style.description_width = "4.5em"
        self.sort.style.description_width = "3em"
        self.summary = classed(widgets.HTML(""), "sdw-hint")
        self.body = classed(widgets.HTML(""), "sdw-table-wrap")
        for control in (self.query, self.speaker, self.sort):
            control.observe(lambda _c: self._draw(), names="value")
        legend = widgets.HTML(
            '<span class="sdw-hint"><b>Saw</b>: the earlier messages the speaker read before writing.</span>'
        )
        super().__init__(
            [
                classed(widgets.HBox([self.query, self.speaker, self.sort]), "sdw-toolbar"),
                self.summary,
                self.body,
                legend,
            ],
            **kwargs,
        )
        classed(self, "sdw-log-table")
        self._draw()

    def show(self, logs: Logs | None) -> None:
        """Show these logs (None: nothing yet)."""
        self._entries = list(logs) if logs is not None else []
        names = sorted({e["name"] for e in self._entries}, key=str.casefold)
        keep = self.speaker.value
        self.speaker.options = [("Everyone", ""), *[(n, n) for n in names]]
        self.speaker.value = keep if keep in names else ""
        self._draw()

    @property
    def rows(self) -> list[Row]:
        """The rows shown now."""
        return table_rows(
            self._entries, query=self.query.value, speaker=self.speaker.value, sort=self.sort.value
        )

    def _draw(self) -> None:
        rows = self.rows
        total = len(self._entries)
        if not total:
            self.summary.value = ""
            self.body.value = '<span class="sdw-hint">No messages yet.</span>'
            return
        shown = "all " if len(rows) == total else f"{len(rows)} of "
        self.summary.value = f"Showing {shown}{plural(total, 'message')}."
        head = "".join(
            f'<th class="sdw-col-{c}">{label}</th>'
            for c, label in (
                ("n", "#"),
                ("who", "Speaker"),
                ("kind", "Role · source"),
                ("text", "Message"),
                ("saw", "Saw"),
            )
        )
        body = "".join(
            "<tr>"
            f'<td class="sdw-col-n">{r.number}</td>'
            f'<td class="sdw-col-who">{html.escape(r.speaker)}</td>'
            f'<td class="sdw-col-kind">{html.escape(r.role)} · {html.escape(r.source)}</td>'
            f'<td class="sdw-col-text">{html.escape(r.text)}</td>'
            f'<td class="sdw-col-saw">{html.escape(r.saw)}</td>'
            "</tr>"
            for r in rows
        )
        self.body.value = (
            f'<table class="sdw-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )
