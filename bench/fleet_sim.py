"""A fleet of simulated GPU servers speaking OpenAI chat completions, on loopback.

Each replica batches continuously, as vLLM does: it has a fixed number of
slots; a request waits for a free slot, then holds it for its prefill
(``prefill`` seconds per prompt token) and its decode (``decode`` seconds per
generated token), whatever the other slots do. Reply lengths are uneven
(log-normal, capped by ``max_tokens``) and drawn from a generator seeded by
the fleet seed and the request's messages, so the same prompt gets the same
reply in every run. Replies stream token by token when asked
(``"stream": true``, with ``stream_options.include_usage``), and a client that
closes the stream frees the slot.

It measures scheduling, not models: the replies are words from a fixed list.
Every replica counts the slot-seconds its requests held (``GET /stats``), so
a benchmark can compare its wall time with the lower bound
``slot-seconds / slots``.

    python bench/fleet_sim.py --replicas 4 --slots 64        # prints one URL per replica
    OPENAI_BASE_URL=$(...) python my_script.py                # use them as replicas

Only loopback addresses are served. Standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

HOST = "127.0.0.1"
WORDS = [
    "the",
    "a",
    "town",
    "budget",
    "library",
    "road",
    "park",
    "tea",
    "coffee",
    "people",
    "think",
    "agree",
    "because",
    "maybe",
    "yes",
    "no",
]
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Timing:
    """How long a replica's slot is held per prompt token and per generated token."""

    prefill: float = 0.0002
    decode: float = 0.02
    median_tokens: float = 40.0
    spread: float = 0.8  # sigma of log(reply length)
    seed: int = 0


@dataclass
class Stats:
    """What one replica did."""

    slots: int
    requests: int = 0
    streamed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    slot_seconds: float = 0.0  # measured
    nominal_seconds: float = 0.0  # prefill + decode time by the timing, for the lower bound
    most_waiting: int = 0
    waiting: int = 0
    busy: int = 0
    most_busy: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k not in ("waiting", "busy")}


@dataclass
class Replica:
    """One simulated server: slots, timing and counters."""

    slots: int
    timing: Timing
    stats: Stats = field(init=False)
    gate: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.stats = Stats(self.slots)
        self.gate = asyncio.Semaphore(self.slots)

    def reply_tokens(self, messages: Any, limit: int) -> list[str]:
        """The reply's tokens: length and words fixed by (fleet seed, messages)."""
        digest = hashlib.sha256(f"{self.timing.seed}:{json.dumps(messages, sort_keys=True)}".encode())
        rng = random.Random(digest.digest())
        length = round(rng.lognormvariate(math.log(self.timing.median_tokens), self.timing.spread))
        return [" " + rng.choice(WORDS) for _ in range(max(1, min(limit, length)))]


def prompt_tokens(messages: Any) -> int:
    chars = sum(len(str(m.get("content", ""))) for m in messages if isinstance(m, dict))
    return max(1, math.ceil(chars / CHARS_PER_TOKEN))


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request (method, path, headers, body), or None at end of connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return method, path, headers, body


def response(status: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


def chunk(payload: dict[str, Any] | str) -> bytes:
    """One server-sent event as one HTTP chunk."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    data = f"data: {text}\n\n".encode()
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def complete(replica: Replica, request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
    """Answer one chat-completion request, holding a slot for its prefill and decode time."""
    messages = request.get("messages") or []
    limit = int(request.get("max_tokens") or request.get("max_completion_tokens") or 256)
    tokens = replica.reply_tokens(messages, limit)
    n_prompt = prompt_tokens(messages)
    stream = bool(request.get("stream"))
    stats, timing = replica.stats, replica.timing
    base = {"id": "sim", "created": int(time.time()), "model": request.get("model", "sim")}
    usage = {
        "prompt_tokens": n_prompt,
        "completion_tokens": len(tokens),
        "total_tokens": n_prompt + len(tokens),
    }
    stats.waiting += 1
    stats.most_waiting = max(stats.most_waiting, stats.waiting)
    async with replica.gate:
        stats.waiting -= 1
        stats.busy += 1
        stats.most_busy = max(stats.most_busy, stats.busy)
        started = time.perf_counter()
        stats.requests += 1
        stats.prompt_tokens += n_prompt
        stats.nominal_seconds += n_prompt * timing.prefill + len(tokens) * timing.decode
        try:
            await asyncio.sleep(n_prompt * timing.prefill)
            if not stream:
                await asyncio.sleep(len(tokens) * timing.decode)
                stats.completion_tokens += len(tokens)
                message = {"role": "assistant", "content": "".join(tokens).strip()}
                choice = {
                    "index": 0,
                    "message": message,
                    "finish_reason": "length" if len(tokens) >= limit else "stop",
                }
                body = {**base, "object": "chat.completion", "choices": [choice], "usage": usage}
                writer.write(response("200 OK", body))
                await writer.drain()
                return
            stats.streamed += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for i, token in enumerate(tokens):
                await asyncio.sleep(timing.decode)
                piece = token.lstrip() if i == 0 else token
                delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                writer.write(chunk({**base, "object": "chat.completion.chunk", "choices": [delta]}))
                await writer.drain()
                stats.completion_tokens += 1
            end = {"index": 0, "delta": {}, "finish_reason": "length" if len(tokens) >= limit else "stop"}
            writer.write(chunk({**base, "object": "chat.completion.chunk", "choices": [end]}))
            if (request.get("stream_options") or {}).get("include_usage"):
                writer.write(
                    chunk({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
                )
            writer.write(chunk("[DONE]") + b"0\r\n\r\n")
            await writer.drain()
        finally:
            stats.slot_seconds += time.perf_counter() - started
            stats.busy -= 1


async def serve_connection(
    replica: Replica, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while (request := await read_request(reader)) is not None:
            method, path, _, body = request
            if method == "POST" and path.endswith("/chat/completions"):
                await complete(replica, json.loads(body or b"{}"), writer)
            elif method == "GET" and path.endswith("/models"):
                writer.write(
                    response("200 OK", {"object": "list", "data": [{"id": "sim", "object": "model"}]})
                )
            elif method == "GET" and path.endswith("/stats"):
                writer.write(response("200 OK", replica.stats.as_dict()))
            elif method == "POST" and path.endswith("/reset"):
                replica.stats = Stats(replica.slots)
                writer.write(response("200 OK", {"reset": True}))
            else:
                writer.write(response("404 Not Found", {"error": {"message": f"no route {method} {path}"}}))
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass  # the client closed the connection (e.g. stopped a stream)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def serve(replicas: int, slots: int, timing: Timing, ports: list[int]) -> None:
    servers = []
    for i in range(replicas):
        replica = Replica(slots, timing)
        port = ports[i] if i < len(ports) else 0

        async def handler(
            r: asyncio.StreamReader, w: asyncio.StreamWriter, replica: Replica = replica
        ) -> None:
            await serve_connection(replica, r, w)

        server = await asyncio.start_server(handler, HOST, port, backlog=4096)
        servers.append(server)
        print(f"http://{HOST}:{server.sockets[0].getsockname()[1]}/v1", flush=True)
    print("READY", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


@contextlib.contextmanager
def fleet(replicas: int, slots: int, timing: Timing) -> Iterator[list[str]]:
    """Run a fleet in a child process (its own core and GIL); yields the replicas' base URLs."""
    command = [
        sys.executable,
        __file__,
        f"--replicas={replicas}",
        f"--slots={slots}",
        f"--prefill={timing.prefill}",
        f"--decode={timing.decode}",
        f"--median-tokens={timing.median_tokens}",
        f"--spread={timing.spread}",
        f"--seed={timing.seed}",
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        urls = []
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "READY":
                break
            urls.append(line.strip())
        yield urls
    finally:
        child.terminate()
        child.wait(timeout=10)


def fleet_stats(urls: list[str]) -> list[dict[str, Any]]:
    """Each replica's counters."""
    import urllib.request

    out = []
    for url in urls:
        with urllib.request.urlopen(f"{url}/stats", timeout=10) as answer:
            out.append(json.loads(answer.read()))
    return out


def reset_stats(urls: list[str]) -> None:
    """Zero every replica's counters."""
    import urllib.request

    for url in urls:
        request = urllib.request.Request(f"{url}/reset", data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--slots", type=int, default=64)
    parser.add_argument("--prefill", type=float, default=Timing.prefill, help="seconds per prompt token")
    parser.add_argument("--decode", type=float, default=Timing.decode, help="seconds per generated token")
    parser.add_argument("--median-tokens", type=float, default=Timing.median_tokens)
    parser.add_argument("--spread", type=float, default=Timing.spread)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ports", type=int, nargs="*", default=[])
    args = parser.parse_args()
    timing = Timing(args.prefill, args.decode, args.median_tokens, args.spread, args.seed)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.replicas, args.slots, timing, args.ports))


if __name__ == "__main__":
    main()
