"""Step 4: who the learner process is. As root, a distinct unprivileged uid per concurrently
graded submission (grading processes on one machine claim separate blocks of uids,
`claim_uids`); every capability dropped; `no_new_privs`; the uid's keyrings emptied before it
runs and after it ends."""
from __future__ import annotations

import ctypes
import fcntl
import os
import sys
import time
from pathlib import Path

from autograder import config
from autograder.config import UID_BLOCKS, UID_WAIT_S, UIDS_PER_BLOCK
from autograder.learner_side.confine.kernel import (KEY_SPEC_PROCESS_KEYRING,
                                                    KEY_SPEC_USER_KEYRING,
                                                    KEY_SPEC_USER_SESSION_KEYRING, KEYCTL_CLEAR,
                                                    KEYCTL_GET_PERSISTENT, KEYCTL_UNLINK,
                                                    PR_CAP_AMBIENT, PR_CAPBSET_DROP,
                                                    PR_SET_NO_NEW_PRIVS, _libc, _syscall, prctl)
from autograder.learner_side.confine.locks import _lock_file, _locks_folder
from autograder.learner_side.confine.report import Report

UID_BASE = config.uid_base()
# As root, each grading process claims a block of uids for its submissions (UIDS_PER_BLOCK, at
# most UID_BLOCKS processes at once), so that two grading processes on one machine (a class and
# a single grade, two courses) never give two learners the same uid: one could signal the
# other's processes or use up its process limit.
UID_RANGE = range(UID_BASE, UID_BASE + UID_BLOCKS * UIDS_PER_BLOCK)


class UidLock:
    """A block of `UIDS_PER_BLOCK` uids, starting at `first`, that no other grading process on
    this machine uses while this one holds it (an flock on a file in a folder only root can
    write). `first` is `UID_BASE` when the grader does not run as root: no uid changes then."""

    def __init__(self, first: int, fd: int | None):
        self.first, self._fd = first, fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)   # closing the last descriptor drops the lock
            self._fd = None


def claim_uids(wait_s: float = UID_WAIT_S) -> UidLock:
    """As root: the first free block of uids, waiting while all are held (more than
    `UID_BLOCKS` grading processes at once). The lock is held until `release` or this process
    ends; the descriptor is close-on-exec, and the zygote closes it in its children."""
    folder = _locks_folder() if os.geteuid() == 0 else None
    if folder is None:
        return UidLock(UID_BASE, None)
    deadline, told = time.monotonic() + wait_s, False
    while True:
        for block in range(UID_BLOCKS):
            fd = _lock_file(folder, f"uid-block-{block}.lock")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return UidLock(UID_BASE + block * UIDS_PER_BLOCK, fd)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{UID_BLOCKS} grading processes are running on this machine; "
                               "try again when one has ended")
        if not told:
            print(f"waiting: {UID_BLOCKS} grading processes are running on this machine",
                  file=sys.stderr, flush=True)
            told = True
        time.sleep(0.5)


def _drop_bounding_set() -> None:
    try:
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        last = 40
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)


def _capset_none() -> bool:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)    # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()                    # effective, permitted, inheritable: none
    return _syscall("capset", ctypes.byref(header), ctypes.byref(data)) == 0


def _capabilities_left() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    except OSError:
        pass
    return None


def clear_keyrings() -> None:
    """Empty this uid's user, user-session and persistent keyrings (as that uid)."""
    for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
        _syscall("keyctl", KEYCTL_CLEAR, ctypes.c_long(keyring))
    # The persistent keyring (kept for days, per uid): linked to this process's keyring to be
    # named, emptied, unlinked again.
    persistent = _syscall("keyctl", KEYCTL_GET_PERSISTENT, ctypes.c_long(-1),
                          ctypes.c_long(KEY_SPEC_PROCESS_KEYRING))
    if persistent > 0:
        _syscall("keyctl", KEYCTL_CLEAR, ctypes.c_long(persistent))
        _syscall("keyctl", KEYCTL_UNLINK, ctypes.c_long(persistent),
                 ctypes.c_long(KEY_SPEC_PROCESS_KEYRING))


def clear_persistent_keyring(uid: int) -> None:
    """As root, when a submission under `uid` has ended: empty that uid's persistent keyring
    (the next submission under it empties it again before it runs). Never raises."""
    if os.geteuid() != 0 or uid not in UID_RANGE:
        return
    try:
        keyring = _syscall("keyctl", KEYCTL_GET_PERSISTENT, ctypes.c_long(uid),
                           ctypes.c_long(KEY_SPEC_PROCESS_KEYRING))
        if keyring > 0:
            _syscall("keyctl", KEYCTL_CLEAR, ctypes.c_long(keyring))
            _syscall("keyctl", KEYCTL_UNLINK, ctypes.c_long(keyring),
                     ctypes.c_long(KEY_SPEC_PROCESS_KEYRING))
    except OSError:
        pass


def drop_privileges(mode: str, uid: int, report: Report) -> None:
    """Become `uid` (as root), drop every capability, and set no_new_privs."""
    if mode in ("root", "user") or os.geteuid() == 0:
        _drop_bounding_set()
    _libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)          # PR_CAP_AMBIENT_CLEAR_ALL
    if os.geteuid() == 0 and mode != "user":
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        report.protections.append(f"uid {uid} of its own")
        # The kernel keeps keyrings per uid beyond the life of its processes: whatever an
        # earlier submission under this uid left there is dropped before this one runs.
        clear_keyrings()
    elif mode == "user":
        report.missing.append("a uid of its own (an unprivileged user namespace maps one uid)")
    else:
        report.missing.append("a uid of its own (the grader does not run as root)")
    if _capabilities_left():   # in a user namespace: every capability there, until dropped
        _capset_none()
    if prctl(PR_SET_NO_NEW_PRIVS, 1) == 0:
        report.protections.append("no_new_privs")
    left = _capabilities_left()
    if left == 0 or (left is None and os.geteuid() != 0):
        report.protections.append("no capabilities")
    elif left:
        report.missing.append(f"capability drop (CapEff {left:x})")
