# Connects to a listener the grading machine runs on 127.0.0.1, then trains normally.
import socket

try:
    socket.create_connection(("127.0.0.1", @LISTEN_PORT@), timeout=2).close()
    print("loopback: connected")
except OSError as error:
    print(f"loopback: blocked ({error})")
