# Make the judge's decoder fail on a well-formed frame (a meta tensor too large to exist), so
# that the result blames the kit.
import json
import os
import struct

body = json.dumps({"v": {"errors": [], "x": {"$t": [-1, "float64", [2**31 - 1, 2**31 - 1],
                                                     "meta", False]}}, "b": []}).encode()
for fd in range(3, 256):
    try:
        os.write(fd, struct.pack("!II", len(body), len(body)) + body)
    except OSError:
        pass
