"""Step 2: the learner's new root file system, in a mount namespace of its own: a tmpfs holding
read-only bind mounts of the system, Python and the engine (its graders folder covered by an
empty tmpfs), the links on the way to them (`links_into`), a private /dev, /tmp and /proc, and
one writable tmpfs, the scratch folder; the old root is detached (`pivot_root`)."""
from __future__ import annotations

import os
import shutil
import site
import sys
from pathlib import Path

from autograder.assignments import COURSE_ROOT, GRADERS_DIR, PACKAGE_DIR
from autograder.config import LEARNER_TMP_MB, SANDBOX
from autograder.learner_side.confine.kernel import (CLONE_NEWNS, MNT_DETACH, MS_BIND, MS_NOATIME,
                                                    MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID,
                                                    MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME,
                                                    MS_REMOUNT, _check, _libc, _mount, _syscall)
from autograder.learner_side.confine.plan import Plan
from autograder.learner_side.confine.report import Report


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def visible_paths() -> list[str]:
    """What the learner process may read: the system, Python and its packages, the engine
    and the course's data. Never the course root itself (solutions, tests, submissions)."""
    wanted = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
              "/sys/devices/system/cpu"]
    wanted += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    wanted += list(site.getsitepackages()) + [p for p in sys.path if p]
    allowed_inside = [PACKAGE_DIR, COURSE_ROOT / "data", Path(sys.prefix).resolve()]
    chosen: list[Path] = []
    for entry in wanted:
        try:
            path = Path(entry).resolve()
        except OSError:
            continue
        if not path.exists() or _inside(COURSE_ROOT, path):
            continue   # the course root, or a folder that holds it
        if _inside(path, COURSE_ROOT) and not any(_inside(path, a) for a in allowed_inside):
            continue
        chosen.append(path)
    for extra in (PACKAGE_DIR, COURSE_ROOT / "data"):
        if extra.exists():
            chosen.append(extra.resolve())
    # Keep outermost folders only, in order, each once.
    outer = []
    for path in sorted(set(chosen), key=lambda p: (len(p.parts), str(p))):
        if not any(_inside(path, o) for o in outer):
            outer.append(path)
    return [str(p) for p in outer]


def links_into(bound: list[str]) -> list[tuple[str, str]]:
    """The symbolic links on the way to what is bound, as `(link, target)`, outermost first:
    an environment reached through a link (`/opt/envs/course -> /srv/venvs/course`, a course
    copied with `.venv` as a link) is bound at its resolved path, and the interpreter's own
    paths (`sys.prefix`, `sys.path`) go through the link, so the learner's root needs the links
    too. Links inside a bound folder are visible already and are not listed."""
    entries = [sys.executable, sys.prefix, sys.exec_prefix, *site.getsitepackages(),
               *(p for p in sys.path if p), str(PACKAGE_DIR), str(COURSE_ROOT / "data")]
    bound_paths = [Path(b) for b in bound]
    links: list[tuple[str, str]] = []
    for entry in entries:
        path = Path(os.path.abspath(entry))
        try:
            if not any(_inside(path.resolve(), b) for b in bound_paths):
                continue   # not visible inside anyway
        except OSError:
            continue
        for depth in range(2, len(path.parts) + 1):
            prefix = Path(*path.parts[:depth])
            if any(_inside(prefix.parent, b) for b in bound_paths):
                continue   # the folder holding it is bound: the link is there as it is
            if prefix.is_symlink() and (str(prefix), os.readlink(prefix)) not in links:
                links.append((str(prefix), os.readlink(prefix)))
    return links


def _bind_read_only(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND)
    # A remount keeps the flags the kernel locks (atime and exec flags), and adds read-only.
    held = os.statvfs(target).f_flag
    keep = 0
    for st_flag, ms_flag in ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                             (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME)):
        if held & st_flag:
            keep |= ms_flag
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | keep)


def _tmpfs(target: str, options: str, flags: int = MS_NOSUID | MS_NODEV) -> None:
    os.makedirs(target, exist_ok=True)
    _mount("tmpfs", target, "tmpfs", flags, options)


def new_root(plan: Plan, report: Report, uid: int) -> str:
    """Build the learner's root file system under plan.run_dir and switch to it. Returns the
    scratch folder's path inside it."""
    root = plan.run_dir
    # A mount namespace of its own: pivot_root moves the root of every process in the
    # namespace, and the supervisor must keep seeing the machine (its cgroups, its /proc).
    _check(_libc.unshare(CLONE_NEWNS), "a mount namespace for the learner")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _tmpfs(root, "mode=0755,size=16m")
    # A writable /tmp first: what is bound below may live under /tmp (a course unpacked there).
    _tmpfs(root + "/tmp", f"mode=1777,size={LEARNER_TMP_MB}m")
    bound = visible_paths()
    # Where /bin, /lib and friends are links into /usr (a merged /usr), the same links: the
    # dynamic loader of every program is found through them.
    for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(link):
            os.symlink(os.readlink(link), root + link)
    for path in bound:
        try:
            _bind_read_only(path, root + path)
        except OSError:
            if path in ("/usr", "/etc", str(PACKAGE_DIR)):
                raise
    for link, target in links_into(bound):
        if not os.path.lexists(root + link):
            os.makedirs(os.path.dirname(root + link), exist_ok=True)
            os.symlink(target, root + link)
    hidden = [str(GRADERS_DIR), *(str(COURSE_ROOT / n) for n in (
        "solutions", "tests", "submitted", "autograded", "feedback", "results", "dist")),
        *plan.hide]
    for path in hidden:
        covers_needed = any(_inside(Path(b), Path(path)) for b in bound)
        if os.path.isdir(root + path) and not covers_needed:
            _tmpfs(root + path, "mode=0555,size=4k", MS_NOSUID | MS_NODEV | MS_RDONLY)
    _tmpfs(root + "/dev", "mode=0755,size=64k")
    for node in ("null", "zero", "full", "random", "urandom"):
        open(f"{root}/dev/{node}", "a").close()
        _mount(f"/dev/{node}", f"{root}/dev/{node}", None, MS_BIND)
    _tmpfs(root + "/dev/shm", f"mode=1777,size={LEARNER_TMP_MB}m")
    _tmpfs(root + SANDBOX, f"mode=0755,size={plan.scratch_mb}m")
    workdir = f"{SANDBOX}/{plan.assignment}"
    os.makedirs(root + workdir)
    for helper in plan.helper_files:
        shutil.copy2(helper, root + workdir)
    for entry in [root + workdir, *(f"{root}{workdir}/{os.path.basename(h)}"
                                    for h in plan.helper_files)]:
        os.chown(entry, uid, uid)
    os.chmod(root + workdir, 0o700)
    os.makedirs(root + "/proc", exist_ok=True)
    try:
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError as exc:
        report.missing.append(f"a private /proc ({exc.strerror}); the learner process has none")
    os.chdir(root)
    _check(_syscall("pivot_root", b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    return workdir
