"""A stand-in probe for rubric-loading tests."""
STEPS = []
