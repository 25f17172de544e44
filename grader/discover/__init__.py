"""Discovery: find each student's hand-in on disk."""
from grader.discover.finder import DiscoveryError, discover, student_id_for
from grader.discover.submission import Submission

__all__ = ["DiscoveryError", "Submission", "discover", "student_id_for"]
