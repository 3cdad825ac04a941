"""Without namespaces, as root: what a submission under a uid left behind outside its scratch
folder (SysV IPC objects, files in the world-writable folders) is removed before the next one
under that uid runs."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from autograder.config import SHARED_FOLDERS
from autograder.learner_side.confine.identity import UID_RANGE
from autograder.learner_side.confine.kernel import IPC_RMID, _libc
from autograder.learner_side.confine.scratch import remove_tree


def clear_uid_state(uid: int, folders: tuple[str, ...] = ()) -> None:
    """Without namespaces, as root, with no process of `uid` left: remove what a submission
    under `uid` left behind outside its scratch folder for the next one under that uid: SysV
    shared memory, semaphores and message queues (no IPC namespace), and files and folders in
    the world-writable folders (no private /tmp; `folders` adds the grading process's TMPDIR,
    where the run folders are). Never raises; only for the submissions' own
    uids (never the grading user's files)."""
    if os.geteuid() != 0 or uid not in UID_RANGE:
        return
    for kind, remove in (("shm", lambda i: _libc.shmctl(i, IPC_RMID, None)),
                         ("sem", lambda i: _libc.semctl(i, 0, IPC_RMID, 0)),
                         ("msg", lambda i: _libc.msgctl(i, IPC_RMID, None))):
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
            columns = header.split()
            ident, owners = columns[1], [columns.index(c) for c in ("uid", "cuid")]
            for row in rows:
                fields = row.split()
                if any(int(fields[i]) == uid for i in owners):
                    remove(int(fields[columns.index(ident)]))
        except (OSError, ValueError, IndexError):
            pass
    seen: set[tuple[int, int]] = set()
    for folder in (*SHARED_FOLDERS, *folders):
        _clear_owned(folder, uid, seen, depth=0)


def _clear_owned(folder: str, uid: int, seen: set, depth: int) -> None:
    """Remove what `uid` owns in `folder`, and look inside the world-writable folders there
    (the only others `uid` could write in); symbolic links are never followed."""
    try:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or (info.st_dev, info.st_ino) in seen or depth > 32:
            return
        seen.add((info.st_dev, info.st_ino))
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            found = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if found.st_uid == uid:
            if stat.S_ISDIR(found.st_mode):
                remove_tree(entry.path)
            else:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
        elif stat.S_ISDIR(found.st_mode) and found.st_mode & 0o002:
            _clear_owned(entry.path, uid, seen, depth + 1)
