"""Canonical solutions, one module per assignment. Trusted code: never loaded into a sandbox."""
