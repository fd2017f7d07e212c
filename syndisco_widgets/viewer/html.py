"""The self-contained ``text/html`` fallback of a payload (Colab, VS Code, nbconvert, GitHub).

Every piece of text is escaped with :func:`html.escape`; styles are inline;
there are no scripts, no event attributes and no remote resources. What needs
a click in JupyterLab uses ``<details>`` here, which works without scripts.
Colours are translucent greys plus each speaker's hue, so light and dark
themes both read.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from ..analysis.core import Summary, hue_of
from ..wording import plural

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .payload import DiscussionPayload, ExperimentPayload, Payload, StructurePayload

BOX = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.45;"
    "border:1px solid rgba(127,127,127,.35);border-radius:6px;padding:10px 12px;max-width:980px"
)
CARD = "flex:1 1 230px;min-width:0;border:1px solid rgba(127,127,127,.3);border-radius:6px;padding:6px 8px"
CARD_TITLE = (
    "font-size:11px;font-weight:600;letter-spacing:.03em;text-transform:uppercase;"
    "opacity:.7;margin-bottom:4px"
)
MUTED = "opacity:.7;font-size:.92em"
CELL = "border:1px solid rgba(127,127,127,.3);padding:2px 6px;text-align:center"
#: The transcript is cut here in the fallback (the JupyterLab view shows everything).
MAX_HTML_ENTRIES = 400


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def accent(name: str) -> str:
    """The speaker's colour, as in the JupyterLab view."""
    return f"hsl({hue_of(name)},60%,50%)"


def when(stamp: object) -> str:
    """An ISO timestamp as people read it (``"3 Dec 2026, 08:10 UTC"``); anything else as given."""
    text = "" if stamp is None else str(stamp)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    zone = moment.tzname() or ""
    zone = "UTC" if zone in ("UTC", "UTC+00:00") else zone
    return f"{moment.day} {moment:%b %Y, %H:%M} {zone}".rstrip()


def _facts(items: Sequence[str]) -> str:
    return f'<div style="{MUTED}">' + " · ".join(e(i) for i in items if i) + "</div>"


def _header(title: str, facts: Sequence[str], notes: Sequence[str] = ()) -> str:
    note = "".join(f'<div style="color:#c25e00">{e(n)}</div>' for n in notes)
    return f'<div style="font-size:1.15em;font-weight:600">{e(title)}</div>{_facts(facts)}{note}'


def _shares(summary: Summary) -> str:
    rows = []
    for s in summary["speakers"]:
        bars = "".join(
            f'<div title="{e(s["name"])}: {plural(count, label[:-1])}" '
            f'style="position:relative;height:14px;margin:1px 0;'
            f'background:rgba(127,127,127,.12);border-radius:3px;overflow:hidden">'
            f'<div style="position:absolute;left:0;top:0;bottom:0;width:{share * 100:.1f}%;'
            f'background:{accent(s["name"])};opacity:{opacity}"></div>'
            f'<span style="position:relative;padding-left:4px;font-size:11px">'
            f"{share:.0%} of {label}</span></div>"
            for label, share, count, opacity in (
                ("turns", s["turn_share"], s["turns"], 0.55),
                ("words", s["word_share"], s["words"], 0.3),
            )
        )
        rows.append(
            f'<div style="display:flex;gap:8px;align-items:center;margin-bottom:4px">'
            f'<div style="width:7.5em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;'
            f'font-weight:600;color:{accent(s["name"])}">{e(s["name"])}</div>'
            f'<div style="flex:1">{bars}</div></div>'
        )
    return f'<div style="{CARD}"><div style="{CARD_TITLE}">Speaking share</div>{"".join(rows)}</div>'


def _timeline(entries: Sequence[Mapping[str, Any]], summary: Summary) -> str:
    top = max(summary["lengths"], default=0) or 1
    bars = "".join(
        f'<div title="#{i + 1} {e(entry["name"])}: {plural(n, "word")}" style="flex:1 1 0;max-width:24px;'
        f'height:{max(2, round(60 * n / top))}px;background:{accent(str(entry["name"]))}"></div>'
        for i, (entry, n) in enumerate(zip(entries, summary["lengths"], strict=False))
    )
    caption = f"{plural(len(entries), 'turn')} · longest {plural(top, 'word')}" if entries else "no turns yet"
    return (
        f'<div style="{CARD};flex-basis:100%"><div style="{CARD_TITLE}">Turn length (words) over time</div>'
        f'<div style="display:flex;align-items:flex-end;gap:1px;height:62px;'
        f'border-bottom:1px solid rgba(127,127,127,.4)">{bars}</div>'
        f'<div style="{MUTED}">{e(caption)}</div></div>'
    )


def _transitions(summary: Summary) -> str:
    names, counts = summary["transitions"]["names"], summary["transitions"]["counts"]
    top = max((c for row in counts for c in row), default=0) or 1
    head = "".join(f'<th style="{CELL};color:{accent(n)}">{e(n)}</th>' for n in names)
    body = "".join(
        f'<tr><th style="{CELL};color:{accent(a)}">{e(a)}</th>'
        + "".join(
            f'<td style="{CELL};background:rgba(25,118,210,{0.45 * c / top:.2f})">{c or "·"}</td>'
            for c in row
        )
        + "</tr>"
        for a, row in zip(names, counts, strict=False)
    )
    return (
        f'<div style="{CARD}"><div style="{CARD_TITLE}">Who followed whom</div>'
        f'<table style="border-collapse:collapse;font-size:12px"><tr><th style="{CELL};font-weight:normal;'
        f'opacity:.7">after ↓ / next →</th>{head}</tr>{body}</table></div>'
    )


def summary_strip(entries: Sequence[Mapping[str, Any]], summary: Summary) -> str:
    """The three summary cards."""
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:10px;margin:8px 0">'
        f"{_shares(summary)}{_transitions(summary)}{_timeline(entries, summary)}</div>"
    )


def message(entry: Mapping[str, Any], index: int, final: bool = False) -> str:
    """One turn, like a transcript bubble."""
    name = str(entry.get("name", ""))
    role = entry.get("role")
    badges = []
    if role == "moderator":
        badges.append("moderator")
    if entry.get("source") == "human":
        badges.append("written by a person")
    if entry.get("source") == "seed":
        badges.append("opening message")
    if "cycle" in entry:
        badges.append(f"cycle {entry['cycle']}")
    if final:
        badges.append("final answer")
    badge_html = "".join(
        f'<span style="border:1px solid rgba(127,127,127,.5);border-radius:8px;padding:0 6px;font-size:11px">'
        f"{e(b)}</span>"
        for b in badges
    )
    model = entry.get("model") if entry.get("source") not in ("human", "seed") else None
    model = None if model == "hardcoded" else model
    model_html = f'<span style="{MUTED};font-family:monospace">{e(model)}</span>' if model else ""
    border = "#1976d2" if role == "moderator" or final else accent(name)
    about = ""
    if "target_name" in entry:
        target = entry.get("target")
        where = f"#{target + 1}" if isinstance(target, int) else "an entry"
        about = f'<div style="{MUTED};font-style:italic">on {e(where)} by {e(entry["target_name"])}</div>'
    return (
        f'<div style="margin:5px 0;padding:5px 10px 7px;border-left:3px solid {border};'
        f'border-radius:4px 10px 10px 10px;background:rgba(127,127,127,.09)">'
        f'<div style="display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:.92em">'
        f'<b style="color:{accent(name)}">{e(name)}</b>{badge_html}{model_html}'
        f'<span style="margin-left:auto;{MUTED}">#{index + 1}</span></div>{about}'
        f'<div style="white-space:pre-wrap;overflow-wrap:anywhere">{e(entry.get("text", ""))}</div></div>'
    )


def transcript(entries: Sequence[Mapping[str, Any]]) -> str:
    """The transcript, cut after :data:`MAX_HTML_ENTRIES` turns."""
    shown = "".join(message(entry, i) for i, entry in enumerate(entries[:MAX_HTML_ENTRIES]))
    more = len(entries) - MAX_HTML_ENTRIES
    tail = (
        f'<div style="{MUTED}">… {plural(more, "more turn")} (open it in JupyterLab to see all)</div>'
        if more > 0
        else ""
    )
    empty = f'<div style="{MUTED};font-style:italic">No messages yet.</div>' if not entries else ""
    return f'<div style="max-height:32em;overflow-y:auto">{empty}{shown}{tail}</div>'


def discussion_html(payload: DiscussionPayload) -> str:
    """A discussion: header, summary strip, transcript."""
    entries, summary, meta = payload["entries"], payload["summary"], payload["metadata"]
    models = meta.get("models") or sorted(
        {str(x.get("model")) for x in entries if x.get("model")} - {"hardcoded"}
    )
    facts = [
        plural(len(entries), "turn"),
        plural(len(summary["speakers"]), "speaker"),
        f"model: {', '.join(str(m) for m in models)}" if models else "",
        f"created {when(meta['created'])}" if meta.get("created") else "",
        f"seed {meta['seed']}" if meta.get("seed") is not None else "",
    ]
    return (
        f'<div style="{BOX}">{_header(payload["title"], facts, payload["notes"])}'
        f"{summary_strip(entries, summary)}{transcript(entries)}</div>"
    )


def structure_html(payload: StructurePayload) -> str:
    """A structure: who read whom, and each agent's answers in a ``<details>`` (the final answer open)."""
    entries, settings = payload["entries"], payload["settings"]
    agents = [str(a) for a in settings.get("agents", [])]
    moderator = payload["moderator"]
    final_index = max(
        (i for i, x in enumerate(entries) if x.get("role") == "moderator"), default=len(entries) - 1
    )
    edges = settings.get("edges") or sorted(
        {
            (str(entries[i]["name"]), str(x["name"]))
            for x in entries
            for i in x.get("seen", [])
            if 0 <= i < len(entries)
        }
        - {(n, n) for n in agents}
    )
    edge_list = ", ".join(f"{a} → {b}" for a, b in edges) or "none (agents answer independently)"
    task = settings.get("task")
    parts = [
        _header(
            payload["title"],
            [plural(len(entries), "answer"), f"moderated by {moderator}" if moderator else "no moderator"],
        ),
        f'<div style="margin:6px 0;padding:6px 10px;border-radius:6px;background:rgba(127,127,127,.09);'
        f'white-space:pre-wrap"><b>Task:</b> {e(task)}</div>'
        if task
        else "",
        f'<div style="{MUTED}">Who read whom: {e(edge_list)}</div>',
    ]
    for name in [*agents, *([moderator] if moderator else [])]:
        mine = [(i, x) for i, x in enumerate(entries) if x.get("name") == name]
        is_final = any(i == final_index for i, _ in mine)
        label = f"{name} — final answer" if is_final else f"{name} ({plural(len(mine), 'answer')})"
        body = (
            "".join(message(x, i, final=i == final_index) for i, x in mine)
            or f'<div style="{MUTED}">No answer yet.</div>'
        )
        parts.append(
            f'<details{" open" if is_final else ""} style="margin:4px 0"><summary style="cursor:pointer;'
            f'font-weight:600;color:{accent(name)}">{e(label)}</summary>{body}</details>'
        )
    return f'<div style="{BOX}">{"".join(parts)}</div>'


def experiment_html(payload: ExperimentPayload) -> str:
    """An experiment: a table of its discussions; each transcript in a ``<details>`` below."""
    rows = payload["discussions"]
    keys = list(dict.fromkeys(k for r in rows for k in r["design"]))
    head = "".join(
        f'<th style="{CELL};text-align:left">{e(h)}</th>'
        for h in ["#", "users", "seed", *keys, "turns", "words", "status"]
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{CELL};text-align:left">{e(v)}</td>'
            for v in [
                r["index"] + 1,
                ", ".join(r["users"]),
                r["seed"],
                *[r["design"].get(k) for k in keys],
                r["turns"],
                r["words"],
                r["status"],
            ]
        )
        + "</tr>"
        for r in rows
    )
    done = sum(1 for r in rows if r["status"] == "done")
    details = "".join(
        f'<details style="margin:4px 0"><summary style="cursor:pointer">Discussion {r["index"] + 1}: '
        f"{e(', '.join(r['users']))} ({plural(len(r['entries']), 'turn')})</summary>"
        f"{transcript(r['entries'])}</details>"
        for r in rows
        if r["entries"] is not None
    )
    seed = payload["metadata"].get("seed")
    facts = [f"{done} of {len(rows)} done", f"seed {seed}" if seed is not None else ""]
    return (
        f'<div style="{BOX}">{_header(payload["title"], facts, payload["notes"])}'
        f'<div style="max-height:24em;overflow:auto;margin:8px 0"><table style="border-collapse:collapse;'
        f'width:100%">{head and "<tr>" + head + "</tr>"}{body}</table></div>{details}</div>'
    )


def to_html(payload: Payload) -> str:
    """The HTML fallback of any payload."""
    if payload["kind"] == "discussion":
        return discussion_html(payload)
    if payload["kind"] == "structure":
        return structure_html(payload)
    return experiment_html(payload)


def to_text(payload: Payload) -> str:
    """The ``text/plain`` form: a few lines that say what it is."""
    if payload["kind"] == "experiment":
        rows = payload["discussions"]
        if all(r["status"] == "planned" for r in rows):
            return f"{payload['title']} (not run yet)"
        done = sum(1 for r in rows if r["status"] == "done")
        return f"{payload['title']}: {done} of {len(rows)} discussions done"
    entries = payload["entries"]
    speakers = payload["summary"]["speakers"]
    share = ", ".join(f"{s['name']} {s['word_share']:.0%}" for s in speakers)
    lines = [f"{payload['title']}: {plural(len(entries), 'turn')}; share of words: {share or '-'}"]
    lines += [f"  {x['name']}: {_first_line(x['text'])}" for x in entries[:5]]
    if len(entries) > 5:  # noqa: PLR2004  a preview of five turns
        lines.append(f"  … {len(entries) - 5} more")
    if payload["kind"] == "structure" and payload["final"] is not None:
        lines.append(f"Final answer: {_first_line(payload['final'])}")
    return "\n".join(lines)


def _first_line(text: str, width: int = 90) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


__all__ = ["discussion_html", "experiment_html", "structure_html", "to_html", "to_text"]
