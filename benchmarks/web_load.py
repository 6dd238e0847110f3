"""20 clients recomputing the example fleet at once, for a minute: every answer must be a
results table (no error), and the server's memory must stay under a cap.

Each client posts the scenario with one input changed (so no two answers are alike), waits
for the answer, and posts again; the server's resident memory is read every second from
/proc. The cap is 500 MB for the whole server process, and its growth from the end of
the first ten seconds to the end must stay under 100 MB (a leak of one array per request,
80 kB at 10^4 samples, shows in the growth after some 1,250 requests).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _web import FLEET, start  # noqa: E402
from results import machine, update_section  # noqa: E402

CLIENTS = 20
SECONDS = 60.0
CAP_MB = 500.0
GROWTH_MB = 100.0


def main() -> int:
    text = FLEET.read_text()
    assert "pue: 1.2 to 1.4" in text
    served = start()
    stop = time.monotonic() + SECONDS
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(
            base_url=served.base, cookies={"flopbook_token": served.token}, timeout=120
        ) as c:
            i = 0
            while time.monotonic() < stop:
                i += 1
                body = text.replace(
                    "pue: 1.2 to 1.4", f"pue: 1.2 to {1.4 + (n * 997 + i) / 1e5:.5f}"
                )
                t0 = time.perf_counter()
                try:
                    r = c.post("/run", data={"text": body}, headers={"HX-Request": "true"})
                    ok = r.status_code == 200 and 'id="results-table"' in r.text
                    problem = None if ok else f"{r.status_code}: {r.text[:120]}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                with lock:
                    times.append(time.perf_counter() - t0)
                    if problem:
                        errors.append(problem)

    memory: list[tuple[float, float]] = []
    start_time = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        while any(t.is_alive() for t in threads):
            memory.append((time.monotonic() - start_time, served.rss_mb()))
            time.sleep(1)
        for t in threads:
            t.join()
        alive = served.process.poll() is None
    finally:
        served.stop()
    peak = max(m for _, m in memory)
    after_warm = next((m for t, m in memory if t >= 10), memory[0][1])
    growth = memory[-1][1] - after_warm
    ok = not errors and alive and peak <= CAP_MB and growth <= GROWTH_MB
    ms = sorted(x * 1000 for x in times)
    median, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    verdict = "met" if ok else "MISSED"
    body = f"""
`python benchmarks/web_load.py` ({machine()}): {CLIENTS} clients posting recomputes of the
example fleet (10,000 samples, one input changed each time) for {SECONDS:.0f} s.

| requests | errors | server alive | median | p95 | requests/s | peak memory | growth after 10 s |
|---|---|---|---|---|---|---|---|
| {len(times)} | {len(errors)} | {"yes" if alive else "NO"} | {median:.0f} ms | {p95:.0f} ms \
| {len(times) / SECONDS:.1f} | {peak:.0f} MB | {growth:+.0f} MB |

Caps: no error, peak memory ≤ {CAP_MB:.0f} MB, growth ≤ {GROWTH_MB:.0f} MB: {verdict}.
Latency here is queueing: {CLIENTS} clients share the server's cores (load average
{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores shared with other work).
"""
    if errors:
        body += "\nFirst error: " + errors[0].replace("\n", " ") + "\n"
    update_section("Web app: 20 clients for a minute (`benchmarks/web_load.py`)", body)
    print(body)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
