# two processes each fill size.txt MB: each fits the per-process limit, together they exceed the total
import os
import time

size = int(open("size.txt").read()) * 1024 * 1024
child = os.fork()
data = b"\1" * size  # touched, so it is resident
if child == 0:
    time.sleep(1)  # hold the memory while the parent allocates too
    os._exit(0)
_, status = os.waitpid(child, 0)
if os.WIFSIGNALED(status):
    print(f"child killed by signal {os.WTERMSIG(status)}")
else:
    print("both allocations survived")
