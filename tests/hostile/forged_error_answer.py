# Write an answer claiming an error whose message carries a large blob, on every descriptor.
import json
import os
import struct

message = {"error": {"type": "ValueError", "message": "B" * 19000, "not_implemented": False,
                     "frames": [{"cell": 1, "line": 1, "function": "x" * 5000}]}}
body = json.dumps({"v": message, "b": []}).encode()
for fd in range(3, 256):
    try:
        os.write(fd, struct.pack("!II", len(body), len(body)) + body)
    except OSError:
        pass
