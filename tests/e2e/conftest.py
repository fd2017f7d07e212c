"""Real-browser fixtures: JupyterLab (and Notebook 7) on a free port, driven by Debian Chromium.

Reusable pieces for any notebook test:

* ``lab_server``: a token-less ``jupyter lab`` (session scope) whose root is a
  temporary copy of ``tests/e2e/notebooks``; its kernels import this checkout.
  The same server also serves the Notebook 7 UI (``/tree``, ``/notebooks/<path>``).
* ``page``: a fresh browser context + page; ``dialogs`` collects any
  alert/confirm (they are dismissed); a screenshot is kept when a test fails.
* ``lab_page(relpath)``: open a notebook in a clean workspace and wait until
  its kernel is idle. Returns the playwright ``Page``.
* ``notebook7_page(relpath)``: the same in the Notebook 7 UI (``/notebooks/<relpath>``).
* ``run_all_cells(page)``: Run ▸ Run All Cells, then wait until every code
  cell has run and the kernel is idle (fails fast on an error output).
* ``wait_idle(page)``: wait until the kernel is visibly idle: "<kernel> | Idle" in
  Lab's status bar; in Notebook 7 (no status bar) the toolbar's kernel name plus
  its idle execution indicator.
* ``artifacts``: ``test-results/e2e/<test name>/`` for screenshots.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
ARTIFACTS = REPO_ROOT / "test-results" / "e2e"
CHROMIUM = Path(os.environ.get("SDW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60
KERNEL_IDLE_TIMEOUT = 60_000  # ms
IDLE_STATUS = re.compile(r"^(?!No Kernel).+\|\s*Idle$")  # e.g. "Python 3 (ipykernel) | Idle"
KERNEL_NAME = re.compile(r"^\s*(?!No Kernel)\S")  # Notebook 7 toolbar, e.g. "Python 3 (ipykernel)"


# ------------------------------------------------------------------ server
@dataclass
class LabServer:
    url: str
    root: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"jupyter lab did not answer within {SERVER_START_TIMEOUT}s:\n{log.read_text()[-3000:]}"
    )


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and its kernels (they share the process group we created)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        except ProcessLookupError:
            pass
    with contextlib.suppress(ProcessLookupError):  # kernels that outlived the server
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A token-less JupyterLab on 127.0.0.1 serving a copy of tests/e2e/notebooks."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    shutil.copytree(NOTEBOOKS, root)
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    # No "news" toast over the notebook.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    # Serve the Notebook 7 UI too (a no-op where `notebook` is already enabled system-wide).
    if _importable("notebook"):
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"notebook": True}}})
        )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        # As nbmake runs the notebooks (see the root conftest.py): one torch thread,
        # so the browser keeps a core, and short replies. Values already set win.
        "SYNDISCO_THREADS": os.environ.get("SYNDISCO_THREADS", "1"),
        "SYNDISCO_MAX_TOKENS": os.environ.get("SYNDISCO_MAX_TOKENS", "32"),
    }
    env.pop("ANYWIDGET_HMR", None)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.allow_root=True",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = base / "jupyter-lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(proc, url, log)
        yield LabServer(url=url, root=root, log=log)
    finally:
        _stop(proc)


# ----------------------------------------------------------------- browser
# Module scope: playwright's sync API keeps an asyncio loop running on the main
# thread while it is open, which would make later tests that use asyncio.run()
# (the OpenAI-server tests) fail when the whole suite runs in one process.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's `chromium`, or set SDW_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Folder for this test's screenshots: test-results/e2e/<test name>/ (emptied first,
    so a stale failure.png from an earlier run is never mistaken for this one's)."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    path = ARTIFACTS / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every JS dialog (alert, confirm, prompt) the page opened."""
    return []


@pytest.fixture
def page(browser, dialogs, artifacts, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        with contextlib.suppress(Exception):  # the page may be gone; the failure itself matters more
            pg.screenshot(path=str(artifacts / "failure.png"), full_page=True)
    context.close()


# --------------------------------------------------------------- notebooks
def is_notebook7(page) -> bool:
    """True when the page shows the Notebook 7 UI (``/notebooks/...``), not JupyterLab (``/lab...``)."""
    return urllib.parse.urlparse(page.url).path.startswith("/notebooks/")


def wait_for_kernel_idle(page, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    """Wait until the kernel is visibly idle.

    JupyterLab: the status bar reads e.g. 'Python 3 (ipykernel) | Idle'.
    Notebook 7 has no status bar: its notebook toolbar shows the kernel name next to the
    execution indicator (a circle, filled while busy). The indicator alone reads "idle"
    for a moment before any kernel exists ("No Kernel"), so both must agree.
    """
    if not is_notebook7(page):
        page.locator(".jp-StatusBar-TextItem", has_text=IDLE_STATUS).first.wait_for(timeout=timeout)
        return
    (
        page.locator(".jp-NotebookPanel-toolbar")
        .filter(has=page.locator(".jp-KernelName", has_text=KERNEL_NAME))
        .locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
        .first.wait_for(timeout=timeout)
    )


@pytest.fixture
def lab_page(page, lab_server: LabServer) -> Callable[[str], object]:
    """Factory: ``lab_page("x.ipynb")`` opens the notebook (fresh workspace), waits for an idle kernel."""

    def open_notebook(relpath: str):
        workspace = f"e2e-{uuid.uuid4().hex[:8]}"
        page.goto(f"{lab_server.url}/lab/workspaces/{workspace}/tree/{relpath}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        wait_for_kernel_idle(page)
        return page

    return open_notebook


@pytest.fixture
def notebook7_page(page, lab_server: LabServer) -> Callable[[str], object]:
    """Factory: ``notebook7_page("x.ipynb")`` opens the notebook in the Notebook 7 UI, waits for an idle kernel."""
    if not _importable("notebook"):
        pytest.skip("Notebook 7 (the `notebook` package) is not installed")

    def open_notebook(relpath: str):
        page.goto(f"{lab_server.url}/notebooks/{urllib.parse.quote(relpath)}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        wait_for_kernel_idle(page)
        return page

    return open_notebook


_CELLS_STATE_JS = """
() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => !p.classList.contains('lm-mod-hidden'));
  if (!panel) return {prompts: [], errors: []};
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const errors = [...panel.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]')]
    .map(e => e.textContent.slice(0, 2000));
  return {prompts, errors};
}
"""


def run_all_cells(page, timeout: float = 60.0) -> None:
    """Run ▸ Run All Cells, then wait until all code cells ran and the kernel is idle.

    Works in JupyterLab and Notebook 7 (same menu bar, same notebook panel)."""
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate(_CELLS_STATE_JS)
        if state["errors"]:
            raise AssertionError("a notebook cell failed:\n" + "\n---\n".join(state["errors"]))
        prompts = state["prompts"]
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"cells did not finish within {timeout}s; prompts: {prompts}")
        time.sleep(0.2)
    wait_for_kernel_idle(page, timeout=max(1.0, deadline - time.monotonic()) * 1000)


@pytest.fixture
def wait_idle() -> Callable[..., None]:
    """Fixture form of :func:`wait_for_kernel_idle`."""
    return wait_for_kernel_idle


@pytest.fixture
def run_cells() -> Callable[..., None]:
    """Fixture form of :func:`run_all_cells` (for tests that prefer fixtures to imports)."""
    return run_all_cells
