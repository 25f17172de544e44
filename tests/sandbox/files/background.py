# leaves two processes behind: a plain child and a double-forked daemon in its own session
import ctypes
import os
import subprocess
import sys
import time

marker = open("token.txt").read().strip()
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, marker.encode(), 0, 0, 0)  # PR_SET_NAME
        time.sleep(60)
    os._exit(0)
time.sleep(0.2)
print("left processes behind")
