# Lifts the recursion limit and recurses without end before training: the interpreter dies (SIGSEGV or
# SIGABRT) when the C stack runs out, instead of raising RecursionError. Each level goes through a builtin
# (map), so it uses C stack at once: plain Python-to-Python recursion only fills the heap on Python 3.11,
# and whether it then hits the memory or the time limit first depends on the machine's speed.
import sys

sys.setrecursionlimit(10_000_000)


def dive(depth):
    return list(map(dive, [depth + 1]))


dive(0)
