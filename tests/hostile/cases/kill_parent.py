# Tries to kill its parent, process 1 and every process it can signal, then trains normally.
import os
import signal

for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
        print(f"kill({pid}): sent")
    except OSError as error:
        print(f"kill({pid}): refused ({error.strerror})")
