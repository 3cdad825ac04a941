"""Run submissions and their checks in forked children: scratch folder, time and memory limits.

The parent (which has imported torch and warmed it up, so each child starts warm) forks one
child per submission. The child moves into its own session and a scratch copy of the
assignment's folder; where it runs as root (course machines, CI, Gradescope) it also gets a
private view of the file system in which everything but that folder is read-only. It runs the
cells, then the graders, and streams what happens to the parent over a private pipe as
length-prefixed JSON messages.
Whatever the submitted code does (crash, hang, `sys.exit`, `os._exit`, flood the output, leave
processes behind), the parent ends up with a `ChildReport`: the checks that finished, and if the
child did not finish, why. `run_children` runs many at once for batch grading.
"""
from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import secrets
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import COURSE_ROOT, Assignment
from autograder.submission import Cell
from autograder.warmup import warm_up

DEFAULT_TIME_LIMIT_S = 120.0
DEFAULT_MEMORY_LIMIT_MB = 4096
_HEADER = struct.Struct("!I")
_MAX_MESSAGE = 1 << 20


@dataclass
class ChildReport:
    """What the parent learned from one child run."""

    checks: list[dict] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)
    finished: bool = False
    problem: str | None = None        # why the child stopped early, for the learner
    limit: str | None = None          # "time" or "memory" when a limit was hit
    tampering: list[str] = field(default_factory=list)
    grader_error: str | None = None   # the kit's graders failed (not the learner's fault)
    seconds: float = 0.0              # wall time of the whole child, fork to exit
    cells_seconds: float = 0.0        # of which running the submission's cells
    checks_seconds: float = 0.0       # of which inside the checks (learner code and graders)


@dataclass(frozen=True)
class Limits:
    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_mb: int | None = DEFAULT_MEMORY_LIMIT_MB
    threads: int | None = None        # torch intra-op threads in the child


# -- the child -------------------------------------------------------------------------------

def _send(fd: int, nonce: str, message: dict) -> None:
    message["nonce"] = nonce
    data = json.dumps(message).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
_LIVE_FILESYSTEMS = ("proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", "devtmpfs")


def isolate_filesystem(workdir: Path) -> bool:
    """Give this process a private view of the file system where only `workdir` is writable.

    Needs root (as on the course machines and in CI): a private mount namespace in which every
    mount is remounted read-only, except a bind mount of `workdir` and a fresh /dev/shm. Returns
    False, changing nothing, where that is not allowed (a learner's laptop): the submission
    then runs in its scratch folder without that protection.
    """
    if os.geteuid() != 0:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNS) != 0:
        return False
    if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        return False
    work = str(workdir).encode()
    if libc.mount(work, work, None, _MS_BIND, None) != 0:
        return False
    with open("/proc/self/mountinfo") as info:
        mounts = [(line.split()[4], line.split(" - ")[1].split()[0]) for line in info]
    for point, fstype in mounts:
        if point == str(workdir) or fstype in _LIVE_FILESYSTEMS or point.startswith(("/proc", "/sys", "/dev")):
            continue
        libc.mount(None, point.encode(), None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY, None)
    libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", 0, b"size=256m")
    return True


def _child(fd: int, nonce: str, cells: list[Cell], assignment: Assignment, workdir: Path,
           limits: Limits) -> None:
    """Runs in the forked child; never returns.

    `nonce` is a fresh random value per child: the parent drops (and reports as tampering) any
    message without it, such as one that submitted code writes to the pipe. Code that inspects
    the engine's frames could still find it: this raises the bar, it is not a proof.
    """
    def send(message: dict) -> None:
        _send(fd, nonce, message)

    try:
        os.setsid()
        # Nothing inherited from the parent stays open but our own pipe: not the pipes of the
        # other submissions being graded at the same time.
        os.closerange(3, fd)
        os.closerange(fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        # What submitted code prints goes nowhere: it can neither flood a disk nor reach a result.
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        os.close(devnull)
        if limits.memory_mb:
            limit = _vm_size_bytes() + limits.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        import torch

        if limits.threads:
            torch.set_num_threads(limits.threads)
        data_dir = COURSE_ROOT / "data"
        if data_dir.is_dir():  # helper modules find the course's data from the scratch folder
            os.environ.setdefault("KIT_DATA_DIR", str(data_dir))
        os.environ.update({
            "MPLBACKEND": "Agg", "AUTOGRADER_ENGINE": "1",  # test cells left in notebooks do nothing
            "HOME": str(workdir), "IPYTHONDIR": str(workdir / ".ipython"),
            "MPLCONFIGDIR": str(workdir / ".matplotlib"), "TMPDIR": str(workdir),
        })
        isolate_filesystem(workdir)
        os.chdir(workdir)  # after isolating: the cwd must be the writable bind mount
        sys.path.insert(0, str(workdir))

        from autograder import checks  # noqa: F401 - grader-owned references, taken now
        from autograder.execution import new_namespace, run_cells
        from autograder.integrity import Snapshot
        from autograder.plugin import Submission
        from autograder.runner import GraderError, run_checks

        helpers = [importlib.import_module(p.stem) for p in sorted(workdir.glob("*.py"))]
        snapshot = Snapshot(helpers)
        namespace = new_namespace()
        started = time.perf_counter()
        cell_errors = run_cells(cells, namespace,
                                on_cell=lambda c: send({"type": "cell", "index": c.index}))
        cells_seconds = time.perf_counter() - started
        tampering = snapshot.changes()
        snapshot.restore()
        send({"type": "cells_done", "errors": [e.__dict__ for e in cell_errors],
                   "seconds": cells_seconds})
        submission = Submission(namespace, cell_errors)
        in_checks = [0.0, 0.0]  # [start of the current check, total]

        def on_start(name):
            in_checks[0] = time.perf_counter()
            send({"type": "check_start", "name": name})

        def on_result(result):
            in_checks[1] += time.perf_counter() - in_checks[0]
            send({"type": "check", "result": result, "seconds": in_checks[1]})

        try:
            run_checks(assignment, submission, on_start=on_start, on_result=on_result)
        except GraderError as exc:
            send({"type": "grader_error", "message": str(exc)})
        tampering += [c for c in snapshot.changes() if c not in tampering]
        if tampering:
            send({"type": "tampering", "changes": tampering})
        send({"type": "done"})
    except BaseException as exc:  # noqa: BLE001 - the child must always reach os._exit
        try:
            send({"type": "child_error", "message": f"{type(exc).__name__}: {exc}"[:500]})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


# -- the parent ------------------------------------------------------------------------------

def _set_child_subreaper() -> None:
    """Processes a submission leaves behind (even after setsid) become our children to end."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def reap_strays(keep: set[int] = frozenset()) -> None:
    """Kill and reap every child of this process except `keep` (running sandboxes)."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in keep:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = stat.read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if ppid == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


class ChildRun:
    """One submission's child: started on construction, fed by `pump`, closed by `close`."""

    def __init__(self, cells: list[Cell], assignment: Assignment, limits: Limits):
        self.limits = limits
        self.report = ChildReport()
        self.stage = "before running any code"
        self._buffer = b""
        self._checks: dict[str, dict] = {}
        self._phase = "cells"
        self._start = time.monotonic()
        self._tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        root = Path(self._tmp.name)
        workdir = root / assignment.id
        workdir.mkdir()
        for helper in assignment.helper_files():
            shutil.copy2(helper, workdir / helper.name)
        read_fd, write_fd = os.pipe()
        self._nonce = secrets.token_hex(16)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(write_fd, self._nonce, cells, assignment, workdir, limits)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.done = False

    @property
    def deadline(self) -> float:
        return self._start + self.limits.time_s

    def pump(self) -> None:
        """Read what the child sent; on EOF, finish."""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            self._finish_early()
            return
        self._buffer += data
        while len(self._buffer) >= _HEADER.size and not self.done:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > _MAX_MESSAGE:
                self._stop(f"the grading process sent garbage {self.stage}")
                return
            if len(self._buffer) < _HEADER.size + size:
                break
            body = self._buffer[_HEADER.size:_HEADER.size + size]
            self._buffer = self._buffer[_HEADER.size + size:]
            try:
                self._handle(json.loads(body))
            except (ValueError, KeyError, TypeError):
                self._stop(f"the grading process sent garbage {self.stage}")

    def _handle(self, message: dict) -> None:
        if message.get("nonce") != self._nonce:
            note = "a message not sent by the grader reached the grading channel"
            if note not in self.report.tampering:
                self.report.tampering.append(note)
            return
        kind = message["type"]
        if kind == "cell":
            self.stage = f"while running code cell {int(message['index'])}"
        elif kind == "cells_done" and self._phase == "cells":
            self._phase = "checks"
            self.report.cell_errors = list(message["errors"])
            self.report.cells_seconds = float(message.get("seconds", 0.0))
        elif kind == "check_start":
            self.stage = f"during the check {message['name']}"
        elif kind == "check" and self._phase == "checks":
            result = message["result"]
            name = result["name"]
            # A check reported twice keeps its lower score: a forged message cannot raise it.
            if name not in self._checks or result["score"] < self._checks[name]["score"]:
                self._checks[name] = result
            self.report.checks_seconds = float(message.get("seconds", 0.0))
        elif kind == "grader_error":
            self.report.grader_error = str(message["message"])
        elif kind == "tampering":
            self.report.tampering += [str(c) for c in message["changes"]]
        elif kind == "child_error":
            self._stop(f"the grading process failed {self.stage}: {message['message']}")
        elif kind == "done":
            self.report.finished = True
            self._close()

    def _finish_early(self) -> None:
        _kill_group(self.pid)
        _, status = os.waitpid(self.pid, 0)
        self._reaped = True
        if os.WIFSIGNALED(status):
            how = f"was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            how = f"exited with status {os.WEXITSTATUS(status)} (os._exit or a crash)"
        self._stop(f"the grading process {how} {self.stage}; the checks that had not run yet "
                   "score 0. Do not call os._exit or end the process in your notebook.")

    def time_out(self) -> None:
        self.report.limit = "time"
        self._stop(f"the time limit of {self.limits.time_s:g} s was reached {self.stage}; the "
                   "checks that had not run yet score 0. Look there for an endless loop or a "
                   "far too long computation.")

    def _stop(self, problem: str) -> None:
        if self.report.problem is None:
            self.report.problem = problem
        self._close()

    def _close(self) -> None:
        if self.done:
            return
        self.done = True
        os.close(self.fd)
        _kill_group(self.pid)
        if not getattr(self, "_reaped", False):
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        self.report.checks = list(self._checks.values())
        self.report.seconds = time.monotonic() - self._start
        _note_memory_limit(self.report, self.limits)
        self._tmp.cleanup()


def _note_memory_limit(report: ChildReport, limits: Limits) -> None:
    """Say so when an error is the memory limit at work."""
    signs = ("MemoryError", "can't allocate memory", "DefaultCPUAllocator", "Cannot allocate memory")
    texts = [e["error"] for e in report.cell_errors] + [c["output"] for c in report.checks]
    if limits.memory_mb and any(s in t for t in texts for s in signs):
        report.limit = report.limit or "memory"
        note = (f"the memory limit of {limits.memory_mb} MB was reached (see the error above); "
                "allocate smaller tensors")
        report.problem = report.problem or note


def run_children(jobs, limits: Limits, max_parallel: int = 1, on_done=None) -> None:
    """Run `jobs` (each `(key, cells, assignment)`) at most `max_parallel` at a time.

    `on_done(key, report)` is called as each child finishes, in completion order.
    """
    pending = list(jobs)
    warm_up(list({assignment.id: assignment for _, _, assignment in pending}.values()))
    _set_child_subreaper()
    running: dict[int, tuple[object, ChildRun]] = {}
    while pending or running:
        while pending and len(running) < max_parallel:
            key, cells, assignment = pending.pop(0)
            run = ChildRun(cells, assignment, limits)
            running[run.fd] = (key, run)
        timeout = max(0.0, min(run.deadline for _, run in running.values()) - time.monotonic())
        ready, _, _ = select.select(list(running), [], [], min(timeout, 1.0))
        for fd in ready:
            running[fd][1].pump()
        now = time.monotonic()
        for fd, (key, run) in list(running.items()):
            if not run.done and now >= run.deadline:
                run.time_out()
            if run.done:
                del running[fd]
                reap_strays(keep={r.pid for _, r in running.values()})
                if on_done is not None:
                    on_done(key, run.report)

