# starts six marker processes that each hold 64 MB, says so in started.txt once all of them hold it, then
# waits far beyond any test's patience; freeing that memory takes the kernel a moment when the run is killed,
# so a supervisor that reports before the run has really ended is caught
import subprocess
import sys
import time

HOLD = "import time; memory = bytearray(64 << 20); print('holding', flush=True); time.sleep(120)"

marker = open("token.txt").read().strip()
holders = [subprocess.Popen([sys.executable, "-c", HOLD, marker], stdout=subprocess.PIPE) for _ in range(6)]
for holder in holders:
    holder.stdout.readline()
with open("started.txt", "w") as handle:
    handle.write("started")
time.sleep(120)
