"""Known-mistake diagnosis: which of an assignment's known mistakes a submission's observations look like.

The known mistakes are assignment content (`reference/<assignment>_mutants/mutants.toml`): mutants of the
reference and whole hand-ins (degenerate or shortcut submissions). They run through the same probe on the
same inputs as every student (`known.py`, cached per rubric, reference and probe version); a student's failed
checks and observed values are then compared with theirs (`match.py`). A diagnosis never changes a score.
"""
