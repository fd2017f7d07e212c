"""LogTable: the live logs as a readable table, sortable and filterable.

Rows are built by :func:`table_rows` (pure, no widgets); the browser draws
them (``js/transcript.js``), every text as text. Exports use ``Logs.to_pandas``/``to_csv``, not this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import ipywidgets as widgets
import traitlets

from ..wording import plural
from ._style import classed
from .live_list import LiveList

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..engine.entries import Entry

__all__ = ["LogTable", "Row", "SortKey", "TableView", "WireRow", "table_rows", "wire_row"]

CONTEXT_PAIR = 2  # an entry's context is a [start, end) pair
SortKey = Literal["number", "speaker", "length"]
_SORTS: list[tuple[str, SortKey]] = [("Order", "number"), ("Speaker", "speaker"), ("Longest first", "length")]
_SOURCE_LABELS = {"model": "model", "human": "a person", "seed": "opening message"}


class WireRow(TypedDict):
    """One table row on the wire (``WireRow`` in ``js/transcript.js``)."""

    number: int
    speaker: str
    kind: str
    text: str
    saw: str


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


def wire_row(row: Row) -> WireRow:
    """One row as the browser draws it (every text goes in as text, never as markup)."""
    return {
        "number": row.number,
        "speaker": row.speaker,
        "kind": f"{row.role} · {row.source}",
        "text": row.text,
        "saw": row.saw,
    }


class TableView(LiveList):
    """The table's rows in the browser: one new row per turn; filter and order apply there."""

    _part = traitlets.Unicode("table", read_only=True).tag(sync=True)
    query = traitlets.Unicode("", help="words a shown row contains").tag(sync=True)
    speaker = traitlets.Unicode("", help="the speaker shown ('' for everyone)").tag(sync=True)
    sort = traitlets.Unicode("number", help="number, speaker or length").tag(sync=True)

    def add(self, row: Row) -> None:
        """Send one new row."""
        self._push(wire_row(row))

    def reset(self, rows: list[Row]) -> None:
        """Send a new set of rows."""
        self._replace([wire_row(r) for r in rows])


class LogTable(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """The live logs as a table: filter by text or speaker, sort by order, speaker or length.

    A new entry costs the same however long the log is: :meth:`append` sends
    one row, and the counts in the summary are kept as they change.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._entries: list[Entry] = []
        self._names: set[str] = set()
        self._shown = 0
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
        self.body = TableView()
        for name in ("query", "speaker", "sort"):
            traitlets.dlink((getattr(self, name), "value"), (self.body, name))
            getattr(self, name).observe(lambda _c: self._recount(), names="value")
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
        self._say()

    def show(self, logs: Iterable[Entry] | None) -> None:
        """Show these entries (None: nothing yet); the rows are sent once."""
        self._entries = list(logs) if logs is not None else []
        self._names = {e["name"] for e in self._entries}
        self._speakers()
        self.body.reset([_row(i, e) for i, e in enumerate(self._entries)])
        self._recount()

    def append(self, entry: Entry) -> None:
        """Add one new entry: one row goes to the browser, whatever the log's length."""
        row = _row(len(self._entries), entry)
        self._entries.append(entry)
        if row.speaker not in self._names:
            self._names.add(row.speaker)
            self._speakers()
        self.body.add(row)
        if table_rows([entry], query=self.query.value, speaker=self.speaker.value):
            self._shown += 1
        self._say()

    @property
    def rows(self) -> list[Row]:
        """The rows shown now."""
        return table_rows(
            self._entries, query=self.query.value, speaker=self.speaker.value, sort=self.sort.value
        )

    def _speakers(self) -> None:
        keep = self.speaker.value
        names = sorted(self._names, key=str.casefold)
        self.speaker.options = [("Everyone", ""), *[(n, n) for n in names]]
        self.speaker.value = keep if keep in names else ""

    def _recount(self) -> None:
        self._shown = len(self.rows)
        self._say()

    def _say(self) -> None:
        total = len(self._entries)
        if not total:
            self.summary.value = ""
            return
        shown = "all " if self._shown == total else f"{self._shown} of "
        self.summary.value = f"Showing {shown}{plural(total, 'message')}."
