# tries to kill whatever supervises it: its parent, pid 1, and every zygote of the pool whose runtime
# directory is named in rundir.txt (so a broken sandbox could only hurt the test's own pool)
import os
import signal

for pid in sorted({os.getppid(), 1}):
    try:
        os.kill(pid, signal.SIGKILL)
        print(f"sent SIGKILL to {pid}")
    except OSError as error:
        print(f"kill {pid}: {error.strerror}")
rundir = open("rundir.txt").read().strip().encode()
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) == os.getpid():
        continue
    try:
        cmdline = open(f"/proc/{entry}/cmdline", "rb").read()
    except OSError:
        continue
    if b"grader.sandbox.zygote" in cmdline and rundir in cmdline:
        os.kill(int(entry), signal.SIGKILL)
        print(f"killed zygote {entry}")
print("still running")
