"""Running untrusted submission code: a warm pool of forked, limited, isolated processes."""
from grader.sandbox.limits import Limits
from grader.sandbox.pool import SandboxPool
from grader.sandbox.task import SandboxOutcome, SandboxTask

__all__ = ["Limits", "SandboxOutcome", "SandboxPool", "SandboxTask"]
