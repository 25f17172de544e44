"""Harness overhead per trivial submission for the user running it (root or an ordinary user).

    .venv/bin/python benchmarks/overhead_users.py [--small 5] [--large 25] [--reps 3]
    runuser -u ta -- .venv/bin/python benchmarks/overhead_users.py     # the same as an ordinary user

The marginal cost per submission at --jobs 1, as in overhead.py (same method: (T(large) - T(small)) /
(large - small), median over the repetitions), plus what isolation this user gets. Run it once as root
and once as an ordinary user to compare the two sandboxes (issue 11: the ordinary user within 20 %).
"""
from __future__ import annotations

import argparse
import os
import pwd

from common import machine
from overhead import marginal_ms

from grader.sandbox.machine import inspect_machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignment", default="bench_layers")
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--large", type=int, default=25)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    user = pwd.getpwuid(os.geteuid()).pw_name
    found = inspect_machine()
    print(f"machine: {machine()}")
    print(f"user: {user} (uid {os.geteuid()}); isolation gaps: "
          f"{', '.join(f.name for f in found.features if not f.active) or 'none'}")
    wall, cpu, _ = marginal_ms(args.assignment, 1, args.small, args.large, args.reps)
    print(f"--jobs 1: {wall:.1f} ms wall, {cpu:.1f} ms CPU per trivial submission; {machine().split('; ')[1]}")


if __name__ == "__main__":
    main()
