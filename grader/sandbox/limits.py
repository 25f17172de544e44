"""Resource limits for one sandboxed run, as declared by a rubric's [limits] table."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """What one submission's process may use. Wall time is enforced by the supervising parent."""

    #: the whole run, from fork to exit; the parent kills the process group after this
    wall_seconds: float = 120.0
    #: running the student's script (training usually happens here); enforced inside the child
    load_seconds: float = 60.0
    #: each probe step after loading; enforced inside the child
    step_seconds: float = 20.0
    #: each cell of a notebook (the whole notebook has load_seconds); None: load_seconds
    cell_seconds: float | None = None
    #: address-space limit (RLIMIT_AS)
    memory_mb: int = 2048
    #: RLIMIT_CPU; defaults to the wall limit (a busy loop cannot use more CPU than wall time anyway)
    cpu_seconds: float | None = None
    #: processes/threads of the sandbox user (RLIMIT_NPROC), only enforceable for a non-root uid
    max_processes: int = 16
    #: how much captured stdout/stderr the report keeps
    output_kb: int = 256
    #: RLIMIT_FSIZE: the largest file the submission may write
    file_size_mb: int = 64
    #: RLIMIT_NOFILE
    open_files: int = 256
    #: modules the warm parent imports before forking, so no submission pays for them
    preload: tuple[str, ...] = field(default_factory=lambda: ("numpy",))

    @property
    def effective_cpu_seconds(self) -> float:
        return self.cpu_seconds if self.cpu_seconds is not None else self.wall_seconds
