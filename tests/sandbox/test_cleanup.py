"""A run's work folder is removed whatever the run left in it, and a folder that stays is reported."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.sandbox import workdir
from grader.sandbox.cleanup import remove_tree

#: deeper than shutil.rmtree can recurse (about 1000 levels)
DEPTH = 1100


def nest(root: Path, depth: int) -> None:
    """`depth` nested folders below `root`, built through descriptors (the full path is too long to use)."""
    parent = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for level in range(depth):
        os.mkdir("d", dir_fd=parent)
        child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=parent)
        if level % 500 == 0:
            fd = os.open("file", os.O_WRONLY | os.O_CREAT, 0o000, dir_fd=child)
            os.close(fd)
            os.symlink("/etc/hostname", "link", dir_fd=child)
        os.close(parent)
        parent = child
    os.chmod(f"/proc/self/fd/{parent}", 0)  # the innermost folder unreadable, as a run may leave it
    os.close(parent)


def test_a_deep_tree_with_unreadable_folders_is_removed(tmp_path):
    root = tmp_path / "work"
    root.mkdir()
    nest(root, DEPTH)
    os.chmod(root / "d", stat.S_IRUSR | stat.S_IXUSR)  # not writable: nothing in it could be unlinked
    assert remove_tree(root)
    assert not root.exists() and Path("/etc/hostname").exists()


def test_links_are_removed_not_followed(tmp_path):
    target = tmp_path / "keep"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    root = tmp_path / "work"
    root.mkdir()
    (root / "to_folder").symlink_to(target)
    os.mkfifo(root / "fifo")
    assert remove_tree(root)
    assert (target / "precious.txt").read_text() == "keep me"


def test_a_missing_folder_counts_as_removed(tmp_path):
    assert remove_tree(tmp_path / "never")


def test_folders_that_stay_are_reported_at_the_end_of_a_run(tmp_path, monkeypatch):
    stuck = workdir.create_workdir()
    monkeypatch.setattr(workdir, "remove_tree", lambda path: False)
    workdir.remove_workdir(stuck)
    assert workdir.sweep_workdirs() == [stuck]
    monkeypatch.undo()
    assert workdir.sweep_workdirs() == [] and not stuck.exists()
