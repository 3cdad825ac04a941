"""Without namespaces, as root: file permissions keep other uids (the learners') out of the
course's private files (graders, solutions, tests, submissions, results) while grading lasts.
Grading processes on one machine share the saved modes (`locks`); the last one restores them."""
from __future__ import annotations

import fcntl
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import COURSE_ROOT, GRADERS_DIR
from autograder.config import COURSE_READABLE
from autograder.learner_side.confine.locks import _lock_file, _locks_folder
from autograder.learner_side.confine.mounts import _inside


@dataclass
class CourseFiles:
    """The course files' modes taken away while grading (`protect_course_files`)."""

    folder: str | None          # the locks folder, shared with other grading processes
    users: int | None = None    # this process's shared lock there
    modes: dict[str, int] = field(default_factory=dict)   # without a locks folder: to restore


def protect_course_files(extra: tuple[str, ...] = ()) -> CourseFiles:
    """As root without namespaces a learner process can read whatever other users can: take
    the permission of other users away from the graders, the solutions, the tests, and the
    folders of submissions and results, for as long as grading lasts. Grading processes on one
    machine share this: the modes to restore are kept in the locks folder, each process holds
    a shared lock while it grades, and the last one to end restores them
    (`restore_course_files`)."""
    protected = CourseFiles(_locks_folder())
    mutex = None
    if protected.folder is not None:
        mutex = _lock_file(protected.folder, "course-files.lock")
        fcntl.flock(mutex, fcntl.LOCK_EX)
        protected.users = _lock_file(protected.folder, "course-files.users")
        fcntl.flock(protected.users, fcntl.LOCK_SH)
    try:
        saved = _saved_modes(protected)
        # A folder of results not made yet (grade-all's --out) is made now, protected: results
        # written into it while grading stay out of later learners' reach.
        umask = os.umask(0o022)
        os.umask(umask)
        for folder in map(Path, extra):
            if not os.path.lexists(folder):
                try:
                    folder.mkdir(parents=True, mode=0o750)
                    saved.setdefault(str(folder.resolve()), 0o777 & ~umask)
                except OSError:
                    pass
        # The course root itself: other users may pass through it (to the engine, data/ and
        # the environment), not list it.
        for path, taken in [(COURSE_ROOT, 0o006), *((p, 0o007) for p in private_course_paths(extra))]:
            try:
                mode = path.stat().st_mode
                if (stat.S_ISDIR(mode) or stat.S_ISREG(mode)) and mode & taken:
                    saved.setdefault(str(path.resolve()), stat.S_IMODE(mode))
                    path.chmod(stat.S_IMODE(mode) & ~taken)
            except OSError:
                pass
        _keep_modes(protected, saved)
    finally:
        if mutex is not None:
            os.close(mutex)
    return protected


def private_course_paths(extra: tuple[str, ...] = ()) -> list[Path]:
    """Everything of the course other users lose their permissions on while grading without
    namespaces: the graders, and every entry of the course root but COURSE_READABLE (the git
    store, solutions, tests, submitted/, autograded/, feedback/, dist/, results/, the
    gradebook, grades.csv, ...), and `extra` (folders of submissions and results elsewhere).
    Symbolic links at the course root are left alone (changing a link's mode changes what it
    points to); what they point to is out of reach when it lies in a protected folder."""
    keep = set(COURSE_READABLE)
    for prefix in (sys.prefix, sys.exec_prefix):
        resolved = Path(prefix).resolve()
        if _inside(resolved, COURSE_ROOT.resolve()) and resolved != COURSE_ROOT.resolve():
            keep.add(resolved.relative_to(COURSE_ROOT.resolve()).parts[0])
    paths = [GRADERS_DIR, COURSE_ROOT / "solutions", COURSE_ROOT / "tests"]
    try:
        entries = sorted(os.scandir(COURSE_ROOT), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name in keep or entry.name.endswith(".egg-info") or entry.is_symlink():
            continue
        path = Path(entry.path)
        if path not in paths:
            paths.append(path)
    return paths + [Path(p) for p in extra]


def restore_course_files(protected: CourseFiles | None) -> None:
    """Give other users their permissions back, unless another grading process still grades."""
    if protected is None or (protected.folder is not None and protected.users is None):
        return   # nothing was protected, or this process has already let go
    mutex = None
    try:
        if protected.users is not None:
            mutex = _lock_file(protected.folder, "course-files.lock")
            fcntl.flock(mutex, fcntl.LOCK_EX)
            try:
                fcntl.flock(protected.users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return   # another grading process holds it: the last one restores
        for path, mode in _saved_modes(protected).items():
            try:
                os.chmod(path, mode)
            except OSError:
                pass
        _keep_modes(protected, {})
    finally:
        for fd in (protected.users, mutex):
            if fd is not None:
                os.close(fd)
        protected.users = None


def _saved_modes(protected: CourseFiles) -> dict[str, int]:
    if protected.folder is None:
        return dict(protected.modes)
    try:
        with open(os.path.join(protected.folder, "course-files.json")) as saved:
            modes = json.load(saved)
        return {str(k): int(v) for k, v in modes.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _keep_modes(protected: CourseFiles, modes: dict[str, int]) -> None:
    if protected.folder is None:
        protected.modes = dict(modes)
        return
    path = os.path.join(protected.folder, "course-files.json")
    with open(path + ".new", "w") as saved:
        json.dump(modes, saved)
    os.replace(path + ".new", path)
