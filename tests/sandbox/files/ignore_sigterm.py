import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring SIGTERM, spinning")
while True:
    pass
