# A well-framed message whose JSON is not an object (the old parent crashed on .get).
import json
import os
import struct

for payload in ([1, 2, 3], "text", None, 7):
    body = json.dumps({"v": payload, "b": []}).encode()
    raw = json.dumps(payload).encode()
    for fd in range(3, 256):
        for frame in (struct.pack("!II", len(body), len(body)) + body,
                      struct.pack("!I", len(raw)) + raw):
            try:
                os.write(fd, frame)
            except OSError:
                pass
