"""A stand-in reference for rubric-loading tests."""
