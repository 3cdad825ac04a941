# Fork until the system refuses.
import os
import time

children = 0
try:
    while children < 100000:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError:
    pass
