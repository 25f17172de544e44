# Raises an exception with a 50 MB message before training.
raise ValueError("y" * 50_000_000)
