"""Shared look of the ipywidgets-based parts (the transcript has its own CSS).

Colours come from JupyterLab's CSS variables, with fallbacks for front ends
that lack them (VS Code, Colab), so light and dark themes both fit.
The CSS is a constant: no user or model text ever goes into it.
"""

from __future__ import annotations

import ipywidgets as widgets

CSS = """
.sdw-app, .sdw-panel { color: var(--jp-ui-font-color1, inherit); }
.sdw-panel {
  border: 1px solid var(--jp-border-color2, #ccc);
  border-radius: 6px;
  padding: 6px 8px;
  background: var(--jp-layout-color1, transparent);
}
.sdw-row { gap: 10px; }
.sdw-wrap, .sdw-wrap.widget-label {
  white-space: normal !important;
  overflow-wrap: anywhere;
  height: auto !important;
  min-height: 0;
  line-height: 1.4 !important;
}
.sdw-section-title { font-weight: 600; color: var(--jp-ui-font-color1, inherit); }
.sdw-hint { color: var(--jp-ui-font-color2, #666); font-size: 0.92em; }
.sdw-field-error, .sdw-error, .sdw-error .widget-label {
  color: var(--jp-error-color1, #d32f2f) !important;
}
.sdw-ok { color: var(--jp-success-color1, #2e7d32) !important; }
.sdw-warn { color: var(--jp-warn-color0, #b26a00) !important; }
.sdw-state-badge {
  display: inline-block;
  padding: 0 7px;
  margin-right: 6px;
  border-radius: 9px;
  font-size: 0.85em;
  font-weight: 600;
  color: var(--jp-ui-inverse-font-color1, #fff);
  background: var(--jp-layout-color4, #777);
}
.sdw-state-running .sdw-state-badge, .sdw-state-badge.sdw-state-running { background: var(--jp-brand-color1, #1976d2); }
.sdw-state-badge.sdw-state-stopping { background: var(--jp-warn-color0, #b26a00); }
.sdw-state-badge.sdw-state-finished { background: var(--jp-success-color1, #2e7d32); }
.sdw-state-badge.sdw-state-error { background: var(--jp-error-color1, #d32f2f); }
.sdw-status-text { color: var(--jp-ui-font-color1, inherit); }
.sdw-status.sdw-error .sdw-status-text { color: var(--jp-error-color1, #d32f2f); }
/* Narrow columns (the studio's set-up side): fields shrink instead of spilling over
   the edge, and buttons keep their label while the text box beside them gives way. */
.sdw-persona-form, .sdw-field, .sdw-field > .widget-inline-hbox,
.sdw-field input, .sdw-field textarea { min-width: 0; }
.sdw-inject > .widget-button { flex: 0 0 auto; }
.sdw-inject > .widget-textarea { min-width: 0; }
.sdw-table-wrap { max-height: 420px; overflow: auto; }
.sdw-table-wrap table {
  border-collapse: collapse;
  width: 100%;
  font-size: var(--jp-ui-font-size1, 13px);
  line-height: 1.35;
}
.sdw-table-wrap tr { text-align: left !important; }
.sdw-table-wrap th, .sdw-table-wrap td {
  border: 1px solid var(--jp-border-color2, #ccc);
  padding: 2px 6px;
  vertical-align: top;
  text-align: left;
  min-width: 3em;
  color: var(--jp-ui-font-color1, inherit);
}
.sdw-table-wrap th { background: var(--jp-layout-color2, #eee); }
.sdw-demo-note { color: var(--jp-warn-color0, #b26a00); font-style: italic; }
/* Orange as text: JupyterLab's warning orange (#f57c00) is ~2.5:1 on white.
   Mixed towards the text colour it is darker on light themes (~7:1) and
   lighter on dark ones; without color-mix() the darker shade above is used. */
@supports (color: color-mix(in srgb, red 50%, black)) {
  .sdw-demo-note, .sdw-warn, .sdw-state-badge.sdw-state-stopping {
    --sdw-warn-text: color-mix(in srgb, var(--jp-warn-color1, #f57c00) 55%,
                               var(--jp-ui-font-color0, var(--vscode-editor-foreground, #000)));
  }
  .sdw-demo-note, .sdw-warn { color: var(--sdw-warn-text) !important; }
  .sdw-state-badge.sdw-state-stopping { background: var(--sdw-warn-text); }
}
"""


def style_widget() -> widgets.HTML:
    """A hidden HTML widget holding the shared ``sdw-`` stylesheet."""
    tag = widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(display="none"))
    tag.add_class("sdw-style")
    return tag


def classed(widget: widgets.DOMWidget, *names: str) -> widgets.DOMWidget:
    """Add ``sdw-`` CSS classes to ``widget`` and return it (for inline layouts)."""
    for name in names:
        widget.add_class(name if name.startswith("sdw-") else f"sdw-{name}")
    return widget
