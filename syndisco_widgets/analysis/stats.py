"""Per-discussion tables: speaking share, turn lengths, turn-taking, replies and mentions.

Each function takes one discussion (any
:data:`~syndisco_widgets.engine.run_folder.DiscussionSource`) and returns a
new :class:`pandas.DataFrame`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ..engine.run_folder import DiscussionSource, as_logs
from .core import mentions, speaker_order, summarize, word_count

if TYPE_CHECKING:
    import pandas as pd

SHARE_COLUMNS = ["speaker", "turns", "words", "turn_share", "word_share"]
LENGTH_COLUMNS = ["turn", "speaker", "role", "source", "words", "characters"]
LINK_COLUMNS = ["turn", "speaker", "target", "kind"]


def speaking_share(source: DiscussionSource) -> pd.DataFrame:
    """One row per speaker (first speaker first): turns, words, and their shares (0 to 1)."""
    import pandas as pd

    speakers = summarize(list(as_logs(source)))["speakers"]
    rows = [
        {"speaker": s["name"], **{k: s[k] for k in ("turns", "words", "turn_share", "word_share")}}
        for s in speakers
    ]
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def turn_lengths(source: DiscussionSource) -> pd.DataFrame:
    """One row per turn: who spoke, their role and source, and the length in words and characters."""
    import pandas as pd

    rows = [
        {
            "turn": i,
            "speaker": e["name"],
            "role": e.get("role"),
            "source": e.get("source"),
            "words": word_count(e["text"]),
            "characters": len(e["text"]),
        }
        for i, e in enumerate(as_logs(source))
    ]
    return pd.DataFrame(rows, columns=LENGTH_COLUMNS)


def transitions(source: DiscussionSource, normalize: Literal["rows"] | None = None) -> pd.DataFrame:
    """Turn-taking: cell ``[a, b]`` counts how often ``b`` spoke right after ``a``.

    Args:
        source: The discussion.
        normalize: ``"rows"`` divides each row by its total, giving the
            chance of each next speaker after ``a`` (rows with no
            successor stay 0).
    """
    import pandas as pd

    if normalize not in (None, "rows"):
        raise ValueError(f"normalize must be None or 'rows', got {normalize!r}")
    table = summarize(list(as_logs(source)))["transitions"]
    names = table["names"]
    frame = pd.DataFrame(
        table["counts"], index=pd.Index(names, name="after"), columns=pd.Index(names, name="next")
    )
    if normalize == "rows":
        totals = frame.sum(axis=1).replace(0, 1)
        frame = frame.div(totals, axis=0)
    return frame


def links(source: DiscussionSource) -> pd.DataFrame:
    """Reply and mention links between speakers, one row per link.

    ``kind`` is ``"reply"`` when ``speaker`` took the turn right after
    ``target`` (a different speaker), and ``"mention"`` when the turn's
    text names another participant (``@Name`` or ``Name`` as a word).
    """
    import pandas as pd

    entries = list(as_logs(source))
    names = speaker_order(entries)
    rows: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        if i and entries[i - 1]["name"] != entry["name"]:
            rows.append(
                {"turn": i, "speaker": entry["name"], "target": entries[i - 1]["name"], "kind": "reply"}
            )
        rows.extend(
            {"turn": i, "speaker": entry["name"], "target": name, "kind": "mention"}
            for name in mentions(entry["text"], names, own=entry["name"])
        )
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def discussion_summary(source: DiscussionSource, **design: Any) -> dict[str, Any]:
    """One discussion's figures as a dict: ``design`` keys first, then counts and balance.

    ``top_share`` is the largest speaker's share of words (1.0: one voice
    wrote everything); ``mentions`` counts mention links.
    """
    entries = list(as_logs(source))
    summary = summarize(entries)
    names = speaker_order(entries)
    mention_count = sum(len(mentions(e["text"], names, own=e["name"])) for e in entries)
    turns = summary["total_turns"]
    return {
        **design,
        "turns": turns,
        "speakers": len(summary["speakers"]),
        "words": summary["total_words"],
        "mean_words": summary["total_words"] / turns if turns else 0.0,
        "moderator_turns": sum(1 for e in entries if e.get("role") == "moderator"),
        "human_turns": sum(1 for e in entries if e.get("source") == "human"),
        "top_share": max((s["word_share"] for s in summary["speakers"]), default=0.0),
        "mentions": mention_count,
    }


def discussion_table(source: DiscussionSource, **design: Any) -> pd.DataFrame:
    """:func:`discussion_summary` as a one-row DataFrame (``design`` gives extra columns)."""
    import pandas as pd

    return pd.DataFrame([discussion_summary(source, **design)])
