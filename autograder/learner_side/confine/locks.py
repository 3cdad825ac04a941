"""Where grading processes running as root on one machine agree (on uids, `identity`, and on the
course files' modes, `permissions`): flocks on files in a folder only root can write."""
from __future__ import annotations

import os
import stat

from autograder import config

# Where grading processes running as root on one machine agree on uids and course files.
LOCKS = config.locks_dir()


def _locks_folder() -> str | None:
    """The folder for locks, or None where it cannot be made safely (a read-only /run): each
    grading process then goes its own way, as if it were alone on the machine."""
    try:
        os.makedirs(LOCKS, mode=0o700, exist_ok=True)
        folder = os.lstat(LOCKS)
    except OSError:
        return None
    if not stat.S_ISDIR(folder.st_mode) or folder.st_uid != 0 or folder.st_mode & 0o022:
        return None
    return LOCKS


def _lock_file(folder: str, name: str) -> int:
    return os.open(os.path.join(folder, name),
                   os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
