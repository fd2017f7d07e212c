"""Bytes sent over the widget comm for one new transcript turn.

Appends the same turn to a TranscriptView holding 10 and 1,000 entries and
counts the JSON bytes of every comm message it causes. For contrast it also
prints what re-sending the whole transcript (a plain list trait) would cost.

    python3 bench/transcript_bytes.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import comm
from comm.base_comm import BaseComm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syndisco_widgets.widgets.transcript import TranscriptView


class CountingComm(BaseComm):
    def __init__(self, *args, **kwargs):
        self.sent: list[dict] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):  # noqa: ARG002  the Comm signature
        if msg_type == "comm_msg":
            self.sent.append(data or {})

    def nbytes(self) -> int:
        return sum(len(json.dumps(d, separators=(",", ":"))) for d in self.sent)


comm.create_comm = CountingComm


def entry(i: int) -> dict:
    return {
        "name": f"agent{i % 4}",
        "text": f"Turn {i}: I think the proposal has merit, but we should look at the costs first. " * 2,
        "model": "tiny-llama",
        "prompt": "You are a participant in an online discussion. " * 10,
        "role": "user",
        "source": "model",
        "context": [max(0, i - 5), i],
    }


def one_turn(length: int) -> tuple[int, int]:
    w = TranscriptView([entry(i) for i in range(length)])
    w.comm.sent.clear()
    w.append(entry(7))  # the same turn at both lengths, so only its index differs
    incremental = w.comm.nbytes()
    whole = len(json.dumps(w.get_state("_snapshot"), separators=(",", ":")))
    w.close()
    return incremental, whole


def main() -> None:
    rows = {n: one_turn(n) for n in (10, 1000)}
    print(f"{'transcript length':>18} {'bytes for 1 new turn':>21} {'(whole transcript)':>19}")
    for n, (inc, whole) in rows.items():
        print(f"{n:>18} {inc:>21} {whole:>19}")
    ratio = rows[1000][0] / rows[10][0]
    print(
        f"ratio 1000/10: {ratio:.3f}  (whole-transcript resend would be {rows[1000][1] / rows[10][1]:.1f}x)"
    )


if __name__ == "__main__":
    main()
