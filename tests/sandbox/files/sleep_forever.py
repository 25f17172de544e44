import time

print("going to sleep")
while True:
    time.sleep(1)
