"""Bytes sent and milliseconds spent per new turn, at 10 and at 1,000 entries.

For each growing view of the studio (the transcript, the log table and the
Insights view) this fills the view with 10 or 1,000 entries, then appends
new turns one by one and counts the JSON bytes of every comm message each
one causes and the time ``append`` takes. A view whose cost grows with the
log would show a ratio far above 1; the goal is 1,000/10 within 10%.
For contrast it also prints what re-sending the whole list would cost.

    python3 bench/transcript_bytes.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import comm
from comm.base_comm import BaseComm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syndisco_widgets.widgets.insights import InsightsView
from syndisco_widgets.widgets.table import LogTable
from syndisco_widgets.widgets.transcript import TranscriptView

SIZES = (10, 1000)
NEW_TURNS = 30  # appended per measurement; the median time is reported
ROUNDS = 3  # the two sizes alternate, so a busy machine slows both alike


class CountingComm(BaseComm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):  # noqa: ARG002  the Comm signature
        if msg_type == "comm_msg":
            self.sent.append(data or {})

    def nbytes(self) -> int:
        return sum(len(json.dumps(d, separators=(",", ":"))) for d in self.sent)


comm.create_comm = CountingComm


def entry(i: int) -> dict[str, Any]:
    return {
        "name": f"agent{i % 4}",
        "text": f"Turn {i}: I think the proposal has merit, but we should look at the costs first. " * 2,
        "model": "tiny-llama",
        "prompt": "You are a participant in an online discussion. " * 10,
        "role": "user",
        "source": "model",
        "context": [max(0, i - 5), i],
    }


def comms(view: Any) -> list[CountingComm]:
    """Every counting comm of ``view`` and the widgets inside it."""
    found = [view.comm] if isinstance(getattr(view, "comm", None), CountingComm) else []
    for child in getattr(view, "children", ()):
        found += comms(child)
    return found


def make(kind: str, entries: list[dict[str, Any]]) -> Any:
    if kind == "transcript":
        return TranscriptView(entries)
    if kind == "table":
        table = LogTable()
        table.show(entries)
        return table
    view = InsightsView()
    view.update(entries)
    return view


def whole(kind: str, view: Any) -> int:
    """Bytes of the whole list, as one full-state send would carry it."""
    target = view.body if kind == "table" else view
    return len(json.dumps(target.wire_snapshot(), separators=(",", ":")))


def per_turn(kind: str, size: int) -> tuple[float, float, int]:
    """(bytes per new turn, median ms per new turn, bytes of the whole list) for a view of ``size`` entries."""
    view = make(kind, [entry(i) for i in range(size)])
    counted = comms(view)
    for c in counted:
        c.sent.clear()
    times = []
    for k in range(NEW_TURNS):
        new = entry(7 + 4 * k)  # the same turns at both sizes, so only their index differs
        start = time.perf_counter()
        view.append(new)
        times.append((time.perf_counter() - start) * 1000)
    sent = sum(c.nbytes() for c in counted) / NEW_TURNS
    full = whole(kind, view)
    view.close()
    return sent, statistics.median(times), full


def main() -> None:
    print(f"{'view':>10} {'entries':>8} {'bytes/turn':>11} {'ms/turn':>8} {'(whole list)':>13}")
    for kind in ("transcript", "table", "insights"):
        results: dict[int, list[tuple[float, float, int]]] = {n: [] for n in SIZES}
        for _ in range(ROUNDS):
            for n in SIZES:
                results[n].append(per_turn(kind, n))
        rows = {
            n: (
                statistics.median(r[0] for r in rs),
                statistics.median(r[1] for r in rs),
                rs[0][2],
            )
            for n, rs in results.items()
        }
        for n, (sent, ms, full) in rows.items():
            print(f"{kind:>10} {n:>8} {sent:>11.0f} {ms:>8.3f} {full:>13}")
        (b10, m10, w10), (b1k, m1k, w1k) = rows[SIZES[0]], rows[SIZES[1]]
        print(
            f"{kind:>10} ratio 1000/10: bytes {b1k / b10:.3f}, ms {m1k / m10:.3f} "
            f"(re-sending the whole list would be {w1k / w10:.0f}x the bytes)"
        )


if __name__ == "__main__":
    main()
