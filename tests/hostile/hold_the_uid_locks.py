# Reach the folder under /run where grading processes agree on uids and course files (found by
# listing /run, not named: the name alone is credited nothing): hold every uid block's lock (so
# the next grading process waits, or shares a uid), and overwrite the saved modes of the
# course files (so the last grading process opens them to everyone). Whatever was reached is
# raised in a check, which then fails.
import fcntl
import os

reached = []
try:
    folders = [os.path.join("/run", name) for name in os.listdir("/run")]
except OSError:
    folders = []
for folder in folders:
    try:
        names = os.listdir(folder)
    except OSError:
        continue
    for name in names:
        if name.endswith(".lock"):
            try:
                fd = os.open(os.path.join(folder, name), os.O_RDWR)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                reached.append("locked " + name)
            except OSError:
                pass
        if name.endswith(".json") and name.startswith("course"):
            try:
                with open(os.path.join(folder, name), "w") as saved:
                    saved.write('{"/nonexistent/kit-pwned": 511}')
                reached.append("rewrote " + name)
            except OSError:
                pass


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def extra_repr(self):
        if reached:
            raise ValueError("reached the locks: " + "; ".join(reached))
        return super().extra_repr()
