"""`grader serve` as a TA starts it: prints an address with a token, listens on 127.0.0.1 only, stops on Ctrl-C."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from grader.store.results import ResultStore
from tests.report.fixtures import all_results


@pytest.fixture
def out(tmp_path: Path) -> Path:
    with ResultStore(tmp_path / "out" / "numpy_nn" / "results.sqlite") as store:
        for result in all_results():
            store.put(result, "key", "2026-12-01T10:00:00+00:00")
    return tmp_path / "out"


def read_url(process: subprocess.Popen, seconds: float = 300) -> str:
    """The address line `grader serve` prints (a reader thread: buffered lines and select() do not mix)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if line.startswith("http://"):
            return line.strip()
    pytest.fail(f"no address printed; stderr: {process.stderr.read() if process.poll() is not None else ''}")


def test_serve_prints_a_token_address_and_stops_on_ctrl_c(out: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "serve", str(out), "--port", "0", "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               # the child must not inherit an ignored SIGINT from a background job
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        url = read_url(process)
        assert url.startswith("http://127.0.0.1:") and "?token=" in url
        base, token = url.split("/?token=")
        assert len(token) >= 32
        assert httpx.get(base + "/").status_code == 403
        with httpx.Client(follow_redirects=True) as client:
            page = client.get(url)
            assert page.status_code == 200 and "numpy_nn" in page.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("grader serve did not stop on SIGINT")


def test_serve_refuses_a_folder_without_results(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "grader.cli", "serve", str(tmp_path), "--no-browser"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 2 and "no graded assignment" in result.stdout
