"""What every process of the engine does to itself, on either side of the boundary."""
from __future__ import annotations

import ctypes


def make_undumpable() -> None:
    """No process of the same user may open this one's /proc files (its pipes under fd/, its
    memory) or attach a debugger to it: what a learner process without namespaces could try."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass
