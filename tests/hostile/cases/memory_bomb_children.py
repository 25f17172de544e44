# Forks four children that each fill 400 MB for a few seconds: every process stays under the
# per-process limit, only the limit on all processes of the run together can stop them. The parent
# waits for them and then goes on (training comes next).
import os
import time

children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = np.ones(50_000_000)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
