# every copy renames itself to the marker in token.txt, so the test can look for survivors by name
import ctypes
import os

marker = open("token.txt").read().strip().encode()
ctypes.CDLL(None).prctl(15, marker, 0, 0, 0)  # PR_SET_NAME
print("forking", flush=True)
refused = 0
while True:
    try:
        os.fork()
    except OSError:
        refused += 1
