"""One Python syntax tree built at a time in the grader's process.

CPython 3.11 keeps the AST constructor's recursion-depth count per interpreter, not per thread (CPython
issue 106905), so two threads building syntax trees at once can fail with "SystemError: AST constructor
recursion depth mismatch". Grading threads build them in two places: advice parses the hand-in
(`ast.parse`), and reading observations parses each array file's header (numpy's `.npy` reader uses
`ast.literal_eval`). Seen as a grader-error row for a correct-looking mutant on two busy cores. Every such
call on the trusted side holds this lock; each takes well under a millisecond.
"""
from __future__ import annotations

import threading

#: held while a syntax tree is built (ast.parse, ast.literal_eval, numpy's .npy header reader)
SYNTAX_TREE_LOCK = threading.Lock()
