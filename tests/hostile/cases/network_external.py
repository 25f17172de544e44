# Tries DNS, an external TCP connection and a UDP packet to the outside world, then trains normally.
import socket

attempts = {
    "dns": lambda: socket.getaddrinfo("pypi.org", 443),
    "tcp": lambda: socket.create_connection(("1.1.1.1", 53), timeout=2).close(),
    "udp": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
}
for label, attempt in attempts.items():
    try:
        attempt()
        print(f"{label}: reached the network")
    except OSError as error:
        print(f"{label}: blocked ({error})")
