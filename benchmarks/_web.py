"""Start `flopbook serve` for a benchmark: a free port, a folder of its own, the example
fleet opened; the address with its token is read from what the server prints."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "examples" / "fleet.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
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
class Served:
    url: str
    base: str
    token: str
    process: subprocess.Popen[str]
    folder: Path

    def rss_mb(self) -> float:
        """The server's resident memory, MB (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Served:
    folder = Path(tempfile.mkdtemp(prefix="flopbook-bench-"))
    shutil.copy(FLEET, folder / "fleet.yaml")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "from flopbook.cli import main; main()", "serve", "fleet.yaml"]
    cmd += ["--no-browser", "--port", str(port), "--folder", str(folder)]
    proc = subprocess.Popen(
        cmd, cwd=folder, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        found = re.search(r"open (http://\S+)", line)
        if found:
            url = found.group(1)
            return Served(url, url.split("/?")[0], url.split("token=")[1], proc, folder)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("flopbook serve did not start")
