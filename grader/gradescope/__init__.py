"""Gradescope autograder mode: the bundle to upload (`bundle`) and the entry point it runs (`autograder`)."""
