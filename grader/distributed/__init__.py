"""Grading beyond one machine: the same per-submission work units, dispatched to a Dask cluster."""
