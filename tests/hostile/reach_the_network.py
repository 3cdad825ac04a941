# Connect to the grading machine's loopback (a port the test listens on) and to the internet.
import os
import socket

port = int(os.environ.get("HOSTILE_PORT", "0") or 0)
for address in (("127.0.0.1", port), ("10.0.0.1", 80), ("1.1.1.1", 53)):
    try:
        with socket.create_connection(address, timeout=2) as connection:
            connection.sendall(b"pwned")
    except OSError:
        pass
