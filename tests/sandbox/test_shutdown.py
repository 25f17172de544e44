"""Closing the pool, Ctrl-C and a killed grader leave no process behind."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.sandbox import SandboxPool

from tests.sandbox.conftest import processes_matching, wait_until

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0] != "Z"
    except OSError:
        return False


def _lingering_tasks(stage, marker: str, count: int):
    return [stage("linger", extra={"token.txt": marker}) for _ in range(count)]


def test_close_stops_every_process_even_mid_run(stage, scratch: Path) -> None:
    marker = f"close{scratch.name[-6:]}"
    own_pool = SandboxPool(jobs=2, preload=())
    tasks = _lingering_tasks(stage, marker, 2)
    with ThreadPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(own_pool.run, t) for t in tasks]
        assert wait_until(lambda: all((t.workdir / "started.txt").exists() for t in tasks))
        zygotes = [slot.process.pid for slot in own_pool._slots if slot.process]
        own_pool.close()
        outcomes = [f.result(timeout=20) for f in futures]
    assert [o.harness_error for o in outcomes] == ["sandbox pool was closed during the run"] * 2
    assert processes_matching(marker) == []
    assert not any(_alive(pid) for pid in zygotes)
    assert own_pool.run(stage("hello")).harness_error == "sandbox pool is closed"


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_stopping_the_grader_stops_every_sandboxed_process(stage, scratch: Path, how: int) -> None:
    marker = f"stop{how}{scratch.name[-6:]}"
    tasks = _lingering_tasks(stage, marker, 2)
    # with SIGINT ignored, as a background job starts it, whatever this test inherited
    driver = subprocess.Popen(
        ["sh", "-c", "trap '' INT; exec \"$0\" \"$@\"", sys.executable,
         str(Path(__file__).with_name("interrupt_driver.py"))] + [str(t.workdir) for t in tasks],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        zygotes = json.loads(driver.stdout.readline())
        assert wait_until(lambda: all((t.workdir / "started.txt").exists() for t in tasks))
        assert processes_matching(marker)
        driver.send_signal(how)
        driver.wait(timeout=20)
    finally:
        driver.kill()
        driver.wait()
    assert wait_until(lambda: not processes_matching(marker) and not any(_alive(pid) for pid in zygotes))


def test_preload_failure_is_a_harness_error(stage) -> None:
    with SandboxPool(jobs=1, preload=("grader_no_such_module",)) as broken:
        outcome = broken.run(stage("hello"))
    assert "preload failed" in outcome.harness_error and "grader_no_such_module" in outcome.harness_error
