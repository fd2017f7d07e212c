"""A real OpenAI-compatible server for the OpenAIModel tests.

``openai_server`` starts ONE ``transformers serve --continuous-batching`` on
127.0.0.1 (a free port) with the session's tiny model, waits on ``/health``
and kills it when the session ends. Tests that stop it must start it again.

``faulty_proxy`` puts a small HTTP proxy in front of that server which
answers chosen error statuses (429, 500, 401, ...) before forwarding
requests unchanged: the client under test still talks HTTP to a real server,
only the failures are injected.

No ``__init__.py`` here on purpose: this folder is named ``openai`` and must
never shadow the ``openai`` package.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

START_SECONDS = 300  # importing torch and loading on 2 busy cores can be slow


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "server: runs against a real `transformers serve` started by tests/openai/conftest.py"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServedModel:
    """``transformers serve`` running the tiny model; ``url`` ends in /v1."""

    def __init__(self, model_dir: Path, log_path: Path) -> None:
        self.model_name = str(model_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
        command = [
            sys.executable,
            "-c",
            "from transformers.cli.transformers import main; main()",
            "serve",
            self.model_name,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--continuous-batching",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        pytest.fail(f"transformers serve did not come up on port {self.port}:\n{tail}")

    def kill(self) -> None:
        """Kill -9, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture(scope="session")
def openai_server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedModel]:
    pytest.importorskip("fastapi", reason="the test server needs: pip install 'transformers[serving]'")
    server = ServedModel(tiny_model_dir, tmp_path_factory.mktemp("serve") / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def served(openai_server: ServedModel) -> ServedModel:
    """The session's server, restarted first if an earlier test left it down."""
    if not openai_server.running:
        openai_server.start()
    return openai_server


class FaultyProxy:
    """Answers ``faults`` (status codes, in order) to the first requests, then forwards."""

    def __init__(self, upstream: str, faults: list[int], *, retry_after: str | None = None) -> None:
        self.upstream = urlsplit(upstream)
        self.faults = list(faults)
        self.retry_after = retry_after
        self.answered: list[int] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with proxy.lock:
                    fault = proxy.faults.pop(0) if proxy.faults else None
                if fault is not None:
                    proxy.reply_fault(self, fault)
                else:
                    proxy.forward(self, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply_fault(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        payload = json.dumps({"error": {"message": f"injected fault {status}", "code": None}}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        if self.retry_after is not None:
            handler.send_header("Retry-After", self.retry_after)
        handler.end_headers()
        handler.wfile.write(payload)
        with self.lock:
            self.answered.append(status)

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        path = self.upstream.path + handler.path[len("/v1") :]
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            answer = connection.getresponse()
            payload = answer.read()
        finally:
            connection.close()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.getheader("Content-Type", "application/json"))
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
        with self.lock:
            self.answered.append(answer.status)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def faulty_proxy(served: ServedModel) -> Iterator[Any]:
    """``faulty_proxy([503, 429])`` makes a proxy to the server; all are closed after the test."""
    made: list[FaultyProxy] = []

    def make(faults: list[int], *, retry_after: str | None = None) -> FaultyProxy:
        proxy = FaultyProxy(served.url, faults, retry_after=retry_after)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()
