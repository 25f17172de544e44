# Starts threads until no more can be started, then goes on as if nothing happened.
import threading
import time

threads = []
try:
    while True:
        thread = threading.Thread(target=time.sleep, args=(3600,), daemon=True)
        thread.start()
        threads.append(thread)
except RuntimeError as error:
    print(f"started {len(threads)} threads before: {error}")
