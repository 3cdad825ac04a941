# Look for what an earlier submission left behind (leave_state_behind.py) in the folders every
# user may write: /tmp, /var/tmp and /dev/shm (POSIX shared memory). Whatever is found reaches
# the feedback through an error (nothing must be). The kernel's own per-uid state (keyrings,
# SysV IPC) is looked at by tests/test_confinement.py, from outside.
import os

found = [name for name in ("/tmp/kit-left-behind", "/dev/shm/kit-left-behind",
                           "/var/tmp/kit-left-behind") if os.path.exists(name)]


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def extra_repr(self):
        if found:
            raise ValueError("found: " + ", ".join(found))
        return super().extra_repr()
