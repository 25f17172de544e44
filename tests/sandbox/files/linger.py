# starts a marker process, says so in started.txt, then waits far beyond any test's patience
import subprocess
import sys
import time

marker = open("token.txt").read().strip()
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", marker])
with open("started.txt", "w") as handle:
    handle.write("started")
time.sleep(120)
