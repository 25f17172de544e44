# Kills itself with SIGKILL before training.
import os
import signal

os.kill(os.getpid(), signal.SIGKILL)
