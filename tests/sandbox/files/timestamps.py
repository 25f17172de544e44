# records when it ran, so the test can check two runs overlapped
import time

start = time.time()
time.sleep(1.0)
with open("times.txt", "w") as handle:
    handle.write(f"{start} {time.time()}")
