"""A tiny grader stand-in for the shutdown tests: runs one sandboxed task per workdir given on the
command line, in parallel, and waits. The test interrupts or kills this process meanwhile.
Prints the zygote pids as one JSON line once they are running."""
from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.cli import interruptible
from grader.sandbox import Limits, SandboxPool, SandboxTask

ENTRY = "tests.sandbox.entries:run_behaviour"


def main(workdirs: list[str]) -> None:
    tasks = [SandboxTask(Path(w), ENTRY, Limits(wall_seconds=120)) for w in workdirs]
    # the pool inside the executor: on Ctrl-C the pool closes first, which releases the waiting threads
    with ThreadPoolExecutor(max_workers=len(tasks)) as executor:
        with SandboxPool(jobs=len(tasks), preload=()) as pool:
            futures = [executor.submit(pool.run, task) for task in tasks]
            print(json.dumps([slot.process.pid for slot in pool._slots]), flush=True)
            for future in futures:
                future.result()


if __name__ == "__main__":
    interruptible()  # as the grader's command line does: Ctrl-C works even if SIGINT came in ignored
    main(sys.argv[1:])
