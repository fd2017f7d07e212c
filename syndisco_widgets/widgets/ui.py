"""The small building blocks every widget uses: buttons, notes, badges, fields.

One factory per kind of piece, so the whole kit looks and behaves the same.
"""

from __future__ import annotations

import html
from typing import Literal

import ipywidgets as widgets

from ._style import classed

__all__ = ["NoteKind", "badge_html", "button", "note", "set_note", "set_note_html", "text_box"]

#: How a note reads: a success, an error, a warning, or plain information.
NoteKind = Literal["ok", "error", "warn", "info"]
_NOTE_CLASSES = {"ok": "sdw-ok", "error": "sdw-error", "warn": "sdw-warn", "info": "sdw-info"}


def button(
    label: str,
    icon: str,
    tip: str,
    *,
    style: Literal["", "primary", "success", "info", "warning", "danger"] = "",
) -> widgets.Button:
    """A button sized to its label, with an icon, a tooltip and the kit's classes.

    It also gets ``sdw-btn-<label>`` so tests and CSS can find it by name.
    """
    slug = "-".join(label.lower().split())
    b = widgets.Button(
        description=label, icon=icon, tooltip=tip, button_style=style, layout=widgets.Layout(width="auto")
    )
    return classed(b, "sdw-button", f"sdw-btn-{slug}")


def text_box(
    label: str, placeholder: str, value: str = "", *, width: str = "100%", label_width: str = ""
) -> widgets.Text:
    """A one-line text field with a label and a hint of what to type."""
    box = widgets.Text(value=value, description=label, placeholder=placeholder)
    if width:
        box.layout.width = width
    if label_width:
        box.style.description_width = label_width
    return box


def note(*names: str) -> widgets.HTML:
    """An empty, wrapping status note (set it with :func:`set_note`)."""
    return classed(widgets.HTML(""), "sdw-note", *names)


def set_note(target: widgets.HTML, text: str, kind: NoteKind = "info") -> None:
    """Show ``text`` (escaped) in ``target`` in the style of ``kind``; empty text hides it."""
    with target.hold_sync():
        target.value = f'<span class="sdw-note-text">{html.escape(text, quote=False)}</span>' if text else ""
        for name in _NOTE_CLASSES.values():
            target.remove_class(name)
        target.add_class(_NOTE_CLASSES[kind])


def set_note_html(target: widgets.HTML, markup: str, kind: NoteKind = "info") -> None:
    """Show ready-made HTML in ``target`` in the style of ``kind``; every text in it must be escaped."""
    with target.hold_sync():
        target.value = markup
        for name in _NOTE_CLASSES.values():
            target.remove_class(name)
        target.add_class(_NOTE_CLASSES[kind])


def note_text(target: widgets.HTML) -> str:
    """The plain text a note shows (for tests and status lines)."""
    value = str(target.value)
    start = value.find(">") + 1
    return html.unescape(value[start : value.rfind("<")]) if value else ""


def badge_html(label: str, state: str) -> str:
    """A small coloured state badge (both strings escaped)."""
    return f'<span class="sdw-state-badge sdw-state-{html.escape(state)}">{html.escape(label)}</span>'
