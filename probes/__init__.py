"""Sandbox-side probes, one module per assignment: they drive a submission's API and record observations.

Probes never import `reference/`: they run inside the untrusted process, where the reference must not be
reachable. The same probe runs on the reference (in its own sandbox) to produce the expected observations.
"""
