"""cgroup v1 details that need no sandboxed run: priming the next run's join."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox.cgroups import SlotCgroups, own_cgroup

needs_v1_pids = pytest.mark.skipif(os.geteuid() != 0 or own_cgroup("pids") is None,
                                   reason="moving a process needs root and the cgroup v1 pids controller")


@needs_v1_pids
def test_priming_the_next_join_leaves_the_process_where_it_was(tmp_path: Path) -> None:
    before = Path("/proc/self/cgroup").read_text()
    assert SlotCgroups(pids=tmp_path, memory=None).prime_next_join()
    assert Path("/proc/self/cgroup").read_text() == before


def test_priming_is_not_tried_without_a_v1_cgroup(tmp_path: Path) -> None:
    assert not SlotCgroups(pids=None, memory=None).prime_next_join()
    # a v2 zygote may not write its own cgroup, and a wrong guess would move it
    assert not SlotCgroups(pids=tmp_path, memory=tmp_path, version=2).prime_next_join()
