"""What runs cost: tokens in and out, seconds and turns, per discussion and overall.

Entries written by a model carry ``prompt_tokens``, ``completion_tokens`` and
``seconds`` (from the model call's :class:`~syndisco_widgets.models.base.Completion`).
:func:`summarize_usage` adds them up for one :class:`Logs`, a run file, an
export, an experiment folder or a list of those; with a :class:`Price` it
also estimates the cost. Read from run files, each discussion's usage also
says when the run started (its run record) and ended (its last record's time)::

    summary = summarize_usage("runs/experiment-1", price=Price(0.15, 0.60))
    print(summary)  # one line per discussion, then the total
    summary.to_pandas()
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from ..checks import finite_number, known_keys_only, non_empty_text
from ..errors import ConfigError
from .logs import Logs
from .run_folder import discussion_files, logs_of, read_run

if TYPE_CHECKING:
    import pandas as pd

#: What :func:`summarize_usage` reads: logs, a discussion (anything with ``.logs``),
#: a run file, an export, an experiment folder, or a list of those.
UsageSource = Any


class EntryUsage(TypedDict):
    """What one entry's model call cost; ``None`` counts were not reported by the model."""

    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float


@dataclass(frozen=True)
class Price:
    """A hosted model's price per million tokens, to estimate what a run cost.

    Args:
        input_per_million: Price of one million prompt (input) tokens.
        output_per_million: Price of one million completion (output) tokens.
        currency: Shown next to the cost, e.g. ``"USD"``.
    """

    input_per_million: float
    output_per_million: float
    currency: str = "USD"

    def __post_init__(self) -> None:
        for label in ("input_per_million", "output_per_million"):
            value = finite_number(f"Price {label}", getattr(self, label), low=0.0)
            object.__setattr__(self, label, value)
        non_empty_text("Price currency", self.currency)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The estimated cost of these token counts."""
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1e6

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "input_per_million": self.input_per_million,
            "output_per_million": self.output_per_million,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class Usage:
    """The totals of one discussion (or of all of them).

    ``model_turns`` counts entries a model wrote; ``counted_turns`` those of
    them with token counts. When they differ, the token totals and the cost
    cover only the counted turns (``complete`` is False).

    ``started`` and ``ended`` are wall-clock times (ISO 8601, UTC) known for
    run files: the run record's start and the last record's time; for a
    total, the earliest start and the latest end. None when not known.
    """

    label: str
    turns: int = 0
    model_turns: int = 0
    counted_turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cost: float | None = None
    started: str | None = None
    ended: str | None = None

    @property
    def complete(self) -> bool:
        """True when every model-written turn reported its token counts."""
        return self.counted_turns == self.model_turns

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (what a summary row holds)."""
        return {
            "discussion": self.label,
            "turns": self.turns,
            "model_turns": self.model_turns,
            "counted_turns": self.counted_turns,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 6),
            "cost": self.cost,
            "started": self.started,
            "ended": self.ended,
        }


@dataclass(frozen=True)
class UsageSummary:
    """Per-discussion usage and the total over all of them."""

    discussions: tuple[Usage, ...]
    total: Usage
    price: Price | None = None

    def to_pandas(self) -> pd.DataFrame:
        """One row per discussion, then a ``"total"`` row."""
        import pandas as pd

        rows = [u.as_dict() for u in (*self.discussions, self.total)]
        return pd.DataFrame(rows, columns=list(Usage("").as_dict()))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"discussions": [...], "total": {...}, "price": {...} | None}``."""
        return {
            "discussions": [u.as_dict() for u in self.discussions],
            "total": self.total.as_dict(),
            "price": self.price.as_dict() if self.price else None,
        }

    def status_text(self) -> str:
        """One short line for a status bar.

        For example ``8 turns · 2,310 tokens in · 412 out · 9.4 s · ≈ 0.0006 USD``.
        """
        return usage_line(self.total, self.price)

    def __str__(self) -> str:
        lines = [f"{u.label}: {usage_line(u, self.price)}" for u in self.discussions]
        if len(self.discussions) != 1:
            lines.append(f"total: {usage_line(self.total, self.price)}")
        return "\n".join(lines)


def usage_line(usage: Usage, price: Price | None = None) -> str:
    """``usage`` as one readable line; token counts missing for some turns are said so."""
    parts = [f"{usage.turns} turns"]
    if usage.model_turns and not usage.counted_turns:
        parts.append("tokens not reported by the model")
    elif usage.model_turns:
        parts.append(f"{usage.prompt_tokens:,} tokens in · {usage.completion_tokens:,} out")
        if not usage.complete:
            parts.append(f"counts for {usage.counted_turns} of {usage.model_turns} model turns")
    parts.append(f"{usage.seconds:.1f} s")
    if price is not None and usage.cost is not None:
        bound = "≈" if usage.complete else "≥"
        parts.append(f"{bound} {_money(usage.cost)} {price.currency}")
    return " · ".join(parts)


def entry_usage(entry: Mapping[str, Any]) -> EntryUsage:
    """The token counts and seconds of one entry (``None`` / ``0.0`` when absent)."""
    return EntryUsage(
        prompt_tokens=_count(entry.get("prompt_tokens")),
        completion_tokens=_count(entry.get("completion_tokens")),
        seconds=_seconds(entry.get("seconds")),
    )


def usage_of(
    entries: Iterable[Mapping[str, Any]],
    label: str,
    price: Price | None = None,
    *,
    started: str | None = None,
    ended: str | None = None,
) -> Usage:
    """Add up the usage of ``entries`` (one discussion that ran from ``started`` to ``ended``)."""
    turns = model_turns = counted = prompt = completion = 0
    seconds = 0.0
    for entry in entries:
        turns += 1
        used = entry_usage(entry)
        counts = (used["prompt_tokens"], used["completion_tokens"])
        if entry.get("source") == "model" or counts != (None, None):
            model_turns += 1
        if counts[0] is not None and counts[1] is not None:
            counted += 1
            prompt += counts[0]
            completion += counts[1]
        seconds += used["seconds"]
    cost = price.cost(prompt, completion) if price is not None else None
    return Usage(label, turns, model_turns, counted, prompt, completion, seconds, cost, started, ended)


def summarize_usage(source: UsageSource, *, price: Price | Mapping[str, Any] | None = None) -> UsageSummary:
    """Tokens, seconds, turns (and cost, with ``price``) per discussion and overall.

    Args:
        source: A :class:`Logs`; a discussion (anything with a ``logs``
            attribute); a run file (``.jsonl``), a ``Logs.export`` file or a
            study export (``.json``); an experiment folder (its
            ``manifest.experiment.json`` lists the runs) or any folder of such files;
            or a list of these.
        price: A :class:`Price`, or a dict of its fields.

    Raises:
        ConfigError: ``source`` or ``price`` has a wrong type, or a path does not exist.
        LogsFormatError: a file cannot be read; the message says where.
    """
    chosen = _price(price)
    discussions = tuple(
        usage_of(d.entries, d.label, chosen, started=d.started, ended=d.ended) for d in _discussions(source)
    )
    total = _add_up(discussions, chosen)
    return UsageSummary(discussions, total, chosen)


def usage_status(logs: Logs | None, price: Price | Mapping[str, Any] | None = None) -> str:
    """The studio's status text for the live logs (``""`` before a discussion starts)."""
    if logs is None:
        return ""
    return summarize_usage(logs, price=price).status_text()


def usage_table(source: UsageSource) -> pd.DataFrame:
    """One row per entry: ``discussion``, ``turn``, ``name``, ``source``, the counts and ``seconds``."""
    import pandas as pd

    columns = ["discussion", "turn", "name", "source", "prompt_tokens", "completion_tokens", "seconds"]
    rows = [
        {
            "discussion": label,
            "turn": turn,
            "name": entry.get("name"),
            "source": entry.get("source"),
            **entry_usage(entry),
        }
        for label, entries, *_ in _discussions(source)
        for turn, entry in enumerate(entries)
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"prompt_tokens": "Int64", "completion_tokens": "Int64"})


# -- reading sources ------------------------------------------------------------


class _Discussion(NamedTuple):
    """One discussion read from a source: its label, entries and (for run files) times."""

    label: str
    entries: list[Mapping[str, Any]]
    started: str | None = None
    ended: str | None = None


def _discussions(source: UsageSource) -> list[_Discussion]:
    """Every discussion in ``source``."""
    logs = logs_of(source)
    if logs is not None:
        label = "logs" if isinstance(source, Logs) else getattr(source, "label", None) or "discussion"
        return [_Discussion(label, list(logs))]
    if isinstance(source, (str, os.PathLike)):
        return _from_path(Path(source))
    if isinstance(source, Sequence) and not isinstance(source, (bytes, bytearray)):
        found: list[_Discussion] = []
        for i, item in enumerate(source):
            labelled = _discussions(item)
            if isinstance(item, Logs) or not isinstance(item, (str, os.PathLike, Sequence)):
                labelled = [d._replace(label=f"{d.label} {i}") for d in labelled]
            found.extend(labelled)
        return found
    raise ConfigError(
        f"source must be Logs, a discussion, a run or export file, an experiment folder or a list of "
        f"those, got {type(source).__name__}"
    )


def _from_path(path: Path) -> list[_Discussion]:
    if path.is_dir():
        return [_from_file(p, str(p.relative_to(path))) for p in discussion_files(path)]
    if not path.exists():
        raise ConfigError(f"source {path} does not exist; pass a run file, an export or an experiment folder")
    return [_from_file(path, path.name)]


def _from_file(path: Path, label: str) -> _Discussion:
    """A run file (read once: entries, the run's start, its last record's time) or an export."""
    if path.suffix != ".jsonl":
        return _Discussion(label, list(Logs.from_file(path)))
    run = read_run(path)
    return _Discussion(label, run["entries"], run["started"], run["ended"])


def _add_up(parts: Sequence[Usage], price: Price | None) -> Usage:
    prompt = sum(u.prompt_tokens for u in parts)
    completion = sum(u.completion_tokens for u in parts)
    return Usage(
        "total",
        sum(u.turns for u in parts),
        sum(u.model_turns for u in parts),
        sum(u.counted_turns for u in parts),
        prompt,
        completion,
        math.fsum(u.seconds for u in parts),
        price.cost(prompt, completion) if price is not None else None,
        min((u.started for u in parts if u.started), default=None),
        max((u.ended for u in parts if u.ended), default=None),
    )


def _price(price: Price | Mapping[str, Any] | None) -> Price | None:
    if price is None or isinstance(price, Price):
        return price
    if isinstance(price, Mapping):
        hint = "give input_per_million, output_per_million and optionally currency"
        known_keys_only("price", price, ("input_per_million", "output_per_million", "currency"), hint)
        try:
            return Price(**price)
        except TypeError:
            raise ConfigError(
                "price needs input_per_million and output_per_million, e.g. "
                "{'input_per_million': 0.15, 'output_per_million': 0.6}"
            ) from None
    raise ConfigError(f"price must be a Price or a dict of its fields, got {type(price).__name__}")


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _seconds(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        return 0.0
    return float(value)


def _money(amount: float) -> str:
    """Enough digits to show small costs: 0.00012, 0.045, 0.45, 12.30."""
    if amount == 0:
        return "0"
    if amount >= 1:
        return f"{amount:,.2f}"
    return f"{amount:.{max(2, 1 - math.floor(math.log10(amount)))}f}"  # two significant digits
