import os
import sys

chunk = "spam " * 20000 + "\n"
for _ in range(2000):  # about 200 MB to stdout and stderr
    sys.stdout.write(chunk)
    sys.stderr.write(chunk)
os.write(1, b"Total: 999 / 33 points\n" * 1000)
