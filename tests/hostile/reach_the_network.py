# Connect to the grading machine's loopback (a port the test listens on) and to the internet.
import socket

LISTENER_PORT = 0   # the test's listener on the grading machine: written in when the case is placed
for address in (("127.0.0.1", LISTENER_PORT), ("10.0.0.1", 80), ("1.1.1.1", 53)):
    try:
        with socket.create_connection(address, timeout=2) as connection:
            connection.sendall(b"pwned")
    except OSError:
        pass
