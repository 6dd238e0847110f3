"""The web app under test: `flopbook serve` started once per test run on a free port, in a
folder of its own, and the system's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    url: str  # with the token
    base: str  # without it
    folder: Path
    process: subprocess.Popen[str]

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, *files: str) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from flopbook.cli import main; main()",
            "serve",
            *files,
            "--no-browser",
            "--port",
            str(port),
            "--folder",
            str(folder),
        ],
        cwd=folder,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError(f"flopbook serve exited with {proc.returncode}")
        found = re.search(r"open (http://\S+)", line)
        if found:
            url = found.group(1)
            return Server(url, url.split("/?")[0], folder, proc)
    proc.kill()
    raise RuntimeError("flopbook serve did not start")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    shutil.copy(ROOT / "examples" / "fleet.yaml", folder / "fleet.yaml")
    shutil.copy(ROOT / "examples" / "training.yaml", folder / "training.yaml")
    running = start_server(folder, "fleet.yaml")
    yield running
    running.process.terminate()
    try:
        running.process.wait(10)
    except subprocess.TimeoutExpired:
        running.process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (scripts/install-system-deps.sh installs it)")
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: Server) -> Iterator[object]:  # noqa: ANN001 - Playwright's Browser
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.goto(server.url)  # trades the token for the cookie
    yield p
    context.close()
