"""Step 1: new namespaces, made by the supervising process before it forks the learner process:
PID, mount, network (loopback only), IPC and UTS; as root directly, else as an unprivileged
user inside a user namespace where the system allows one."""
from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
from pathlib import Path

from autograder import config
from autograder.learner_side.confine.identity import UID_BASE
from autograder.learner_side.confine.kernel import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
                                                    CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS,
                                                    PR_SET_DUMPABLE, _libc, prctl)
from autograder.learner_side.confine.report import Report

# Set by an instructor (or a test) to grade as if the system refused every namespace:
# what a container that forbids `unshare`, such as Gradescope's, gets.
REFUSE_ENV = config.NO_NAMESPACES_ENV


def namespaces_wanted() -> bool:
    """False when the instructor (or a test) asks to grade as if namespaces were refused."""
    return not config.namespaces_refused()


def unshare(report: Report, wanted: bool = True) -> str:
    """New namespaces for the children of this process. Returns "root", "user" (an unprivileged
    user namespace) or "none"."""
    if not wanted:
        report.missing.append(f"namespaces (refused: {REFUSE_ENV}=1)")
        return "none"
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if os.geteuid() == 0 and _libc.unshare(flags) == 0:
        return "root"
    uid, gid = os.getuid(), os.getgid()
    # Only a dumpable process owns its /proc files, uid_map included; the grading process made
    # itself undumpable, and this process inherited that.
    prctl(PR_SET_DUMPABLE, 1)
    try:
        if _libc.unshare(flags | CLONE_NEWUSER) == 0:
            try:
                Path("/proc/self/setgroups").write_text("deny")
                Path("/proc/self/uid_map").write_text(f"{UID_BASE} {uid} 1")
                Path("/proc/self/gid_map").write_text(f"{UID_BASE} {gid} 1")
                return "user"
            except OSError as exc:
                report.missing.append(f"user namespace (its uid map was refused: {exc.strerror})")
                return "none"
    finally:
        prctl(PR_SET_DUMPABLE, 0)
    report.missing.append(f"namespaces (unshare refused: {os.strerror(ctypes.get_errno())})")
    return "none"


def namespaces_available() -> bool:
    """Whether this process may create the namespaces (tried in a throwaway child)."""
    if not namespaces_wanted():
        return False
    pid = os.fork()
    if pid == 0:
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET
        ok = _libc.unshare(flags) == 0 or _libc.unshare(flags | CLONE_NEWUSER) == 0
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def loopback_up() -> None:
    """Bring up `lo` in the new network namespace: loopback is its only interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, request)[:18])[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))       # SIOCSIFFLAGS, IFF_UP
