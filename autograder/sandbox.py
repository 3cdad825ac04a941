"""Run one submission and its checks in a forked child: scratch folder, time and memory limits.

The parent (which has already imported torch, so each child starts warm) forks; the child
moves into its own session and a scratch copy of the assignment's folder, runs the cells, then
the graders, and streams what happens to the parent over a private pipe as length-prefixed JSON
messages. Whatever the learner's code does (crash, hang, `sys.exit`, `os._exit`, flood the
output), the parent ends up with a `ChildReport`: the checks that finished, and if the child did
not finish, why.
"""
from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import Assignment
from autograder.submission import Cell
from autograder.warmup import warm_up

DEFAULT_TIME_LIMIT_S = 120.0
DEFAULT_MEMORY_LIMIT_MB = 4096
_HEADER = struct.Struct("!I")


@dataclass
class ChildReport:
    """What the parent learned from one child run."""

    checks: list[dict] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)
    finished: bool = False
    problem: str | None = None        # why the child stopped early, for the learner
    grader_error: str | None = None   # the kit's graders failed (not the learner's fault)
    seconds: float = 0.0


def _send(fd: int, message: dict) -> None:
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


def _child(fd: int, cells: list[Cell], assignment: Assignment, workdir: Path,
           output_path: Path, memory_limit_mb: int | None, threads: int | None) -> None:
    """Runs in the forked child; never returns."""
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        if memory_limit_mb:
            limit = _vm_size_bytes() + memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if threads:
            import torch

            torch.set_num_threads(threads)
        os.environ["MPLBACKEND"] = "Agg"
        os.environ["AUTOGRADER_ENGINE"] = "1"  # test cells left in a notebook do nothing
        os.chdir(workdir)
        sys.path.insert(0, str(workdir))

        # Imported before any learner code runs (integrity: grader-owned references).
        from autograder import checks  # noqa: F401
        from autograder.execution import new_namespace, run_cells
        from autograder.plugin import Submission
        from autograder.runner import GraderError, run_checks

        namespace = new_namespace()
        cell_errors = run_cells(cells, namespace,
                                on_cell=lambda c: _send(fd, {"type": "cell", "index": c.index}))
        _send(fd, {"type": "cell_errors", "errors": [e.__dict__ for e in cell_errors]})
        submission = Submission(namespace, cell_errors)
        try:
            run_checks(assignment, submission,
                       on_start=lambda name: _send(fd, {"type": "check_start", "name": name}),
                       on_result=lambda r: _send(fd, {"type": "check", "result": r}))
        except GraderError as exc:
            _send(fd, {"type": "grader_error", "message": str(exc)})
        _send(fd, {"type": "done"})
    except BaseException as exc:  # noqa: BLE001 - the child must always reach os._exit
        try:
            _send(fd, {"type": "child_error", "message": f"{type(exc).__name__}: {exc}"})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


class _Reader:
    """Reassembles length-prefixed messages from the child's pipe."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data: bytes) -> list[dict]:
        self.buffer += data
        messages = []
        while len(self.buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer)
            if len(self.buffer) < _HEADER.size + size:
                break
            body = self.buffer[_HEADER.size:_HEADER.size + size]
            self.buffer = self.buffer[_HEADER.size + size:]
            messages.append(json.loads(body))
        return messages


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _prepare_workdir(assignment: Assignment, root: Path) -> Path:
    workdir = root / assignment.id
    workdir.mkdir()
    for helper in assignment.helper_files():
        shutil.copy2(helper, workdir / helper.name)
    return workdir


def grade_in_child(cells: list[Cell], assignment: Assignment, *,
                   time_limit_s: float = DEFAULT_TIME_LIMIT_S,
                   memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
                   threads: int | None = None) -> ChildReport:
    """Grade `cells` in a forked child; `threads` sets the child's torch intra-op threads."""
    warm_up()
    report = ChildReport()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
        root = Path(tmp)
        workdir = _prepare_workdir(assignment, root)
        output_path = root / "output.txt"
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(write_fd, cells, assignment, workdir, output_path, memory_limit_mb, threads)
        os.close(write_fd)
        stage = "before running any code"
        reader = _Reader()
        waited = False
        deadline = start + time_limit_s
        try:
            while not report.finished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    report.problem = (f"time limit of {time_limit_s:g} s reached {stage}; the "
                                      "checks that had not run yet score 0. Look for an endless "
                                      "loop or a far too long computation there.")
                    break
                ready, _, _ = select.select([read_fd], [], [], min(remaining, 1.0))
                if not ready:
                    continue
                data = os.read(read_fd, 1 << 16)
                if not data:
                    _kill_group(pid)  # background processes it may have left
                    _, status = os.waitpid(pid, 0)
                    waited = True
                    report.problem = _early_exit(status, stage)
                    break
                for message in reader.feed(data):
                    kind = message["type"]
                    if kind == "cell":
                        stage = f"while running code cell {message['index']}"
                    elif kind == "cell_errors":
                        report.cell_errors = message["errors"]
                    elif kind == "check_start":
                        stage = f"during the check {message['name']}"
                    elif kind == "check":
                        report.checks.append(message["result"])
                    elif kind == "grader_error":
                        report.grader_error = message["message"]
                    elif kind == "child_error":
                        report.problem = f"the grading process failed {stage}: {message['message']}"
                    elif kind == "done":
                        report.finished = True
        finally:
            os.close(read_fd)
            _kill_group(pid)
            if not waited:
                os.waitpid(pid, 0)
    report.seconds = time.monotonic() - start
    return report


def _early_exit(status: int, stage: str) -> str:
    """Why the child's pipe closed before it said it was done."""
    if os.WIFSIGNALED(status):
        how = f"was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"exited with status {os.WEXITSTATUS(status)} (os._exit or a crash)"
    return (f"the grading process {how} {stage}; the checks that had not run yet score 0. "
            "Do not call os._exit or end the process in your notebook.")
