"""A helper module a handout provides (used by the rubric tests)."""
