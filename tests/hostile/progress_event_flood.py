# Flood the judge with well-formed progress events, written by hand on every socket this process
# holds: each costs the judge a decode. The judge passes on one per cell and paces the rest, so
# the flood costs this submission its time, not the judge or the grading process their CPU.
import json
import os
import socket
import stat
import struct

header = json.dumps({"v": {"event": "cell", "index": 0}, "b": []}).encode()
frame = struct.pack("!II", len(header), len(header)) + header
burst = frame * 512
for fd in range(3, 256):
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            continue
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        continue
    try:
        for _ in range(2000):   # about a million events
            sock.sendall(burst)
    except OSError:
        pass
