# Lifts the recursion limit and recurses without end before training: Python aborts (SIGABRT) when its
# stack runs out, instead of raising RecursionError.
import sys

sys.setrecursionlimit(10_000_000)


def dive(depth):
    return dive(depth + 1) + 1


dive(0)
