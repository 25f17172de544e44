"""The cgroup v2 code against a fake cgroup2 tree in a temporary folder (the files the kernel exposes).

This machine mounts cgroup v1 only, so these tests check which files are written and read, not that a
kernel enforces them (see docs/security.md, "cgroup v2").
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from grader.sandbox import cgroups


@pytest.fixture
def v2_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A v2 root as the kernel shows it: controllers available, none enabled for children yet."""
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma misc\n")
    (tmp_path / "cgroup.subtree_control").write_text("\n")
    monkeypatch.setattr(cgroups, "own_cgroup", lambda controller: None)  # no cgroup v1 on this "machine"
    monkeypatch.delenv(cgroups.BASE_VARIABLE, raising=False)
    return tmp_path


def test_slot_gets_one_directory_under_a_grader_cgroup_with_controllers_enabled(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 1, v2_root=v2_root)
    assert slot.version == 2
    assert slot.pids == slot.memory == v2_root / "grader" / "grader-4242-1"
    assert slot.directories() == [slot.pids]
    for level in (v2_root, v2_root / "grader"):
        assert (level / "cgroup.subtree_control").read_text().split() == ["+pids", "+memory"]


def test_run_limits_use_the_v2_files(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 0, v2_root=v2_root)
    (slot.memory / "memory.swap.max").write_text("max\n")
    run = slot.for_run(17, 512 * 1024 * 1024)
    assert run.pids == run.memory == slot.pids and run.version == 2
    assert (slot.pids / "pids.max").read_text() == "17"
    assert (slot.memory / "memory.max").read_text() == str(512 * 1024 * 1024)
    assert (slot.memory / "memory.swap.max").read_text() == "0"
    assert not (slot.memory / "memory.limit_in_bytes").exists()


def test_join_writes_cgroup_procs_once(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 0, v2_root=v2_root)
    assert slot.join() == []
    assert (slot.pids / "cgroup.procs").read_text() == "0"


def test_out_of_memory_kills_are_read_from_memory_events(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 0, v2_root=v2_root)
    assert slot.oom_kills() == 0
    (slot.memory / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert slot.oom_kills() == 1


def test_kill_all_kills_the_listed_processes(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 0, v2_root=v2_root)
    victim = subprocess.Popen(["sleep", "30"])
    try:
        (slot.pids / "cgroup.procs").write_text(f"{victim.pid}\n")
        slot.kill_all(timeout=0.2)  # the fake file keeps listing it; the kernel would drop it
        assert victim.wait(timeout=5) == -9
    finally:
        victim.kill()


def test_paths_round_trip_keeps_the_version(v2_root: Path) -> None:
    slot = cgroups.SlotCgroups.create(4242, 0, v2_root=v2_root)
    again = cgroups.SlotCgroups.from_paths(slot.as_paths())
    assert again == slot


def test_delegated_cgroup_from_the_environment(v2_root: Path, tmp_path_factory, monkeypatch) -> None:
    delegated = tmp_path_factory.mktemp("delegated")
    (delegated / "cgroup.controllers").write_text("memory pids\n")
    (delegated / "cgroup.subtree_control").write_text("memory pids\n")
    monkeypatch.setenv(cgroups.BASE_VARIABLE, str(delegated))
    slot = cgroups.SlotCgroups.create(7, 0, v2_root=v2_root)
    assert slot.pids == delegated / "grader-7-0"


def test_no_v2_without_a_writable_hierarchy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgroups, "own_cgroup", lambda controller: None)
    monkeypatch.delenv(cgroups.BASE_VARIABLE, raising=False)
    slot = cgroups.SlotCgroups.create(7, 0, v2_root=tmp_path)  # no cgroup.controllers: not a v2 mount
    assert slot.pids is None and slot.memory is None
