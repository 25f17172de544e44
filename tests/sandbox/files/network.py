# port.txt holds the port of a listener the test opened on 127.0.0.1 outside the sandbox
import socket

port = int(open("port.txt").read())
for label, address in (("loopback", ("127.0.0.1", port)), ("external", ("1.1.1.1", 53))):
    try:
        socket.create_connection(address, timeout=3).close()
        print(f"{label}: connected")
    except OSError as error:
        print(f"{label}: blocked ({error})")
try:
    socket.getaddrinfo("pypi.org", 443)
    print("dns: resolved")
except OSError as error:
    print(f"dns: blocked ({error})")
