"""How strong a rubric is: generated mutants' mutation score per check, the reference's false-fail rate over
seeds for checks that depend on randomness, and the selftest record `grader run` checks for staleness."""
