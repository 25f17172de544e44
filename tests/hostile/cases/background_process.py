# Leaves processes behind that should outlive the script: a plain child, a double-forked daemon in its
# own session that ignores SIGHUP/SIGTERM, and a shell job started with nohup. Then trains normally.
import os
import signal
import subprocess
import sys
import time

MARKER = "grader-hostile-marker"
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", MARKER])
subprocess.Popen(["/bin/sh", "-c", f"nohup sleep 600 {MARKER} >/dev/null 2>&1 &"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", MARKER])
    os._exit(0)
time.sleep(0.3)
print("left processes behind")
