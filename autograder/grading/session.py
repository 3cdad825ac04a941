"""Grade submissions across the boundary: a learner process and a judge process for each.

The grading process (this module) imports torch once, warms it up and forks the zygote
(`zygote`), from which every learner process comes. Then, for each submission, `jobs` at a time:

    zygote -> supervisor -> learner process   confined (`confine`), runs the cells, answers
                                              requests about what they defined (`server`)
    grading process -> judge process          runs the checks and decides every score
                                              (`judge`), talking to the learner over a socket

The learner process has no channel to the grading process: results come only from the judge,
over a pipe the learner cannot reach. The grading process treats every message as untrusted
all the same (size-capped, schema-checked): whatever goes wrong with one submission becomes that
submission's result and never stops the batch. Whatever the submitted code does (crash, hang,
`sys.exit`, `os._exit`, fork, flood), the grading process ends up with a `RunReport`: the checks
that finished, and if grading stopped early, why.
"""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field

from autograder.learner_side import confine
from autograder.assignments import Assignment
from autograder.i18n import _, language, use
from autograder.judge_side.judge import judge_main, limit_judge
from autograder.process import make_undumpable
from autograder.wire.cells import Cell
from autograder.grading.warmup import warm_references, warm_up
from autograder.learner_side.zygote import Zygote, close_all_but
from autograder.config import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, JUDGE_MEMORY_BYTES,
                               JUDGE_PROCESSES)
from autograder.config import SESSION_MAX_MESSAGE as _MAX_MESSAGE
from autograder.config import SESSION_MAX_REPORT_BYTES as _MAX_REPORT_BYTES
from autograder.config import STOP_GRACE_S as _STOP_GRACE_S

_HEADER = struct.Struct("!I")


@dataclass
class RunReport:
    """What the grading process learned from one submission's run."""

    checks: list[dict] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)   # the first cells that raised
    cells_raised: int = 0             # how many cells raised in all
    finished: bool = False
    problem: str | None = None        # why grading stopped early, for the learner
    limit: str | None = None          # "time" or "memory" when a limit was hit
    grader_error: str | None = None   # the kit's graders or sandbox failed (not the learner's fault)
    # The learner's sandbox could not be set up (the grading machine's fault, never the
    # learner's: a full disk, a refused mount); also in grader_error. An engine error.
    setup_error: str | None = None
    tampering: list[str] = field(default_factory=list)   # what the code uses that reaches the engine
    # Where: {"rule", "where" (the cell as feedback names it), "line", "code"}, for the instructor.
    findings: list[dict] = field(default_factory=list)
    protections: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cells_run: int = 0                # code cells sent to the learner process
    seconds: float = 0.0              # wall time of the whole run
    cells_seconds: float = 0.0        # of which running the submission's cells
    checks_seconds: float = 0.0       # of which inside the checks
    judge_cpu_seconds: float | None = None   # the judge's own CPU time (user + system)
    judge_peak_mb: float | None = None       # its peak resident memory (ru_maxrss)


@dataclass(frozen=True)
class Limits:
    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_mb: int | None = DEFAULT_MEMORY_LIMIT_MB
    threads: int | None = None        # torch intra-op threads in the learner process


class MalformedMessage(Exception):
    pass


def _field(message: dict, key: str, kind):
    value = message.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise MalformedMessage(f"{key!r} is not a {getattr(kind, '__name__', kind)}")
    return value


def _kill_and_reap(pid: int):
    """Returns the child's resource usage (None when it was reaped elsewhere)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        return os.wait4(pid, 0)[2]
    except ChildProcessError:
        return None


class SubmissionRun:
    """One submission: a learner process (via the zygote) and a judge, started on construction,
    fed by `pump_*`, ended by `finish`."""

    def __init__(self, cells: list[Cell], assignment: Assignment, limits: Limits,
                 zygote: Zygote, slot: int, hide: tuple[str, ...] = (),
                 first_uid: int = confine.UID_BASE, run_dir: str | None = None):
        self.language = language()   # of every text about this submission, judge's included
        self.limits = limits
        self.slot = slot
        self.report = RunReport(cells_run=len(cells))
        self.stage = _("before running any code")
        self.done = False
        self._checks: dict[str, dict] = {}
        self._phase = "cells"
        self._judge_buffer = b""
        self._report_buffer = b""
        self._learner_end = None
        self._gone = None
        # Cells exactly as released (the kit's own): until a cell of the learner's starts, no
        # learner code has run, and a learner process that fails is the engine's failure.
        kit_cells = assignment.released_cells()   # read once: the judge, forked below, too
        self._learner_cells = {c.index for c in cells if c.source.strip() not in kit_cells}
        self._learner_code_started = False
        self._start = time.monotonic()
        self.run_dir = run_dir or stage(assignment)
        plan = confine.Plan(
            run_dir=self.run_dir, assignment=assignment.id,
            helper_files=tuple(str(p) for p in assignment.helper_files()),
            uid=first_uid + slot,
            memory_bytes=limits.memory_mb * (1 << 20) if limits.memory_mb else None,
            cpu_seconds=int(limits.time_s) + 5, threads=limits.threads or 1, hide=hide,
            namespaces=confine.namespaces_wanted())
        learner_end, judge_end = socket.socketpair()
        self.report_sock, supervisor_end = socket.socketpair()
        try:
            self.supervisor_pid, self.supervisor_fd = zygote.spawn(
                plan, learner_end.fileno(), supervisor_end.fileno())
        finally:
            learner_end.close()
            supervisor_end.close()
        read_fd, write_fd = os.pipe()
        # The judge's own control groups (1 CPU, its memory, its processes), where there are
        # any: what the learner side makes it do is accounted there, not to the grading process.
        self._judge_cgroups = confine.Cgroups.create(
            f"judge-{os.getpid()}-{slot}-{time.monotonic_ns()}", cpus=1,
            memory_bytes=JUDGE_MEMORY_BYTES, processes=JUDGE_PROCESSES,
            wanted=confine.namespaces_wanted())
        sys.stdout.flush()
        sys.stderr.flush()
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            os.close(go_write)
            os.read(go_read, 1)   # in its cgroups before it reads a byte of the learner's
            close_all_but(judge_end.fileno(), write_fd)
            limit_judge(int(limits.time_s * 2) + 10)
            judge_main(judge_end, write_fd, cells, assignment, self.language, kit_cells)
        os.close(go_read)
        self._judge_cgroups.add(pid)
        os.write(go_write, b"x")
        os.close(go_write)
        os.close(write_fd)
        judge_end.close()
        self.judge_pid, self.judge_fd = pid, read_fd

    @property
    def deadline(self) -> float:
        return self._start + self.limits.time_s

    def fds(self) -> list[int]:
        fds = [] if self.done else [self.judge_fd]
        if self.report_sock is not None:
            fds.append(self.report_sock.fileno())
        return fds

    # -- the judge's messages --------------------------------------------------------------------
    def pump_judge(self) -> None:
        try:
            data = os.read(self.judge_fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            self._judge_ended()
            return
        self._judge_buffer += data
        while len(self._judge_buffer) >= _HEADER.size and not self.done:
            (size,) = _HEADER.unpack_from(self._judge_buffer)
            if size > _MAX_MESSAGE:
                self._kit_failure("the judge sent an oversized message")
                return
            if len(self._judge_buffer) < _HEADER.size + size:
                break
            body = self._judge_buffer[_HEADER.size:_HEADER.size + size]
            self._judge_buffer = self._judge_buffer[_HEADER.size + size:]
            try:
                message = json.loads(body)
                if not isinstance(message, dict):
                    raise MalformedMessage("not an object")
                self._handle(message)
            except (ValueError, MalformedMessage, KeyError, TypeError) as exc:
                self._kit_failure(f"the judge sent a malformed message ({exc})")

    def _handle(self, message: dict) -> None:
        kind = _field(message, "type", str)
        if kind == "cell":
            if message.get("index") in self._learner_cells:
                self._learner_code_started = True
            name = message.get("name")
            self.stage = _("while running {cell}").format(
                cell=name[:40] if isinstance(name, str)
                else _("code cell {number}").format(number=_field(message, "index", int)))
        elif kind == "cells_done" and self._phase == "cells":
            self._phase = "checks"
            self._learner_code_started = self._learner_code_started or bool(self._learner_cells)
            errors = _field(message, "errors", list)
            for error in errors:
                if not (isinstance(error, dict) and isinstance(error.get("where"), str)
                        and isinstance(error.get("error"), str)):
                    raise MalformedMessage("a malformed cell error")
            self.report.cell_errors = [{"where": e["where"][:500], "error": e["error"][:500]}
                                       for e in errors]
            raised = message.get("raised")
            self.report.cells_raised = raised if type(raised) is int else len(errors)
            self.report.cells_seconds = float(_field(message, "seconds", (int, float)))
            self.stage = _("before the first check")
        elif kind == "check_start":
            self.stage = _("during the check {check}").format(
                check=_field(message, "name", str)[:100])
        elif kind == "check" and self._phase == "checks":
            result = _field(message, "result", dict)
            name = _field(result, "name", str)
            _field(result, "score", (int, float))
            if name not in self._checks or result["score"] < self._checks[name]["score"]:
                self._checks[name] = result
            self.report.checks_seconds = float(_field(message, "seconds", (int, float)))
        elif kind == "learner_gone":
            check = message.get("check")
            self._gone = (check if isinstance(check, str) else None,
                          str(message.get("reason", ""))[:200])
        elif kind == "tampering":
            self.report.tampering = [str(u)[:80] for u in _field(message, "uses", list)][:30]
            self.report.findings = [
                {"rule": str(f.get("rule"))[:80], "where": str(f.get("where"))[:60],
                 "line": f.get("line") if type(f.get("line")) is int else 0,
                 "code": str(f.get("code"))[:120]}
                for f in message.get("findings", []) if isinstance(f, dict)][:30]
        elif kind == "grader_error":
            self.report.grader_error = str(message.get("message", ""))[:4000]
        elif kind == "done":
            self.report.finished = True
            self.finish()
        elif kind not in ("cells_done", "check"):
            raise MalformedMessage(f"unknown message type {kind[:40]!r}")

    def _judge_ended(self) -> None:
        """The judge exited without saying done: it found the learner gone, or crashed."""
        if not self.report.finished and not self._gone and not self.report.grader_error:
            self.report.grader_error = "the judge process ended unexpectedly"
        self.finish()

    # -- the supervisor's messages (trusted: sent before any learner code runs) -----------------
    def pump_report(self) -> None:
        try:
            data = self.report_sock.recv(1 << 14)
        except OSError:
            data = b""
        if not data or len(self._report_buffer) + len(data) > _MAX_REPORT_BYTES:
            self.report_sock.close()
            self.report_sock = None
            return
        self._report_buffer += data
        *lines, self._report_buffer = self._report_buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("protections"), list):
                self.report.protections = [str(p)[:200] for p in message["protections"]][:20]
                self.report.missing = [str(p)[:200] for p in message.get("missing", [])][:20]
            elif isinstance(message.get("ended"), dict):
                self._learner_end = message["ended"]
                if message["ended"].get("oom") is True:
                    self.report.limit = self.report.limit or "memory"
                    self.report.problem = self.report.problem or _(
                        "the memory limit of {limit} MB for the whole submission was reached "
                        "{stage}, and the kernel ended the process; the checks that had not run "
                        "yet score 0. Allocate smaller tensors, and fewer processes.").format(
                            limit=self.limits.memory_mb, stage=self.stage)
            elif isinstance(message.get("failed"), str):
                self.report.setup_error = message["failed"][:500]
                self.report.grader_error = ("the learner process could not be confined: "
                                            + message["failed"][:500])

    # -- ending ----------------------------------------------------------------------------------
    def time_out(self) -> None:
        self.report.limit = "time"
        self._stop(_("the time limit of {limit:g} s was reached {stage}; the checks that had not "
                     "run yet score 0. Look there for an endless loop or a far too long "
                     "computation.").format(limit=self.limits.time_s, stage=self.stage))

    def _kit_failure(self, what: str) -> None:
        self.report.grader_error = what
        self.finish()

    def _stop(self, problem: str) -> None:
        if self.report.problem is None:
            self.report.problem = problem
        self.finish()

    def finish(self) -> None:
        """End both processes, collect how the learner ended, clean up. Never raises."""
        if self.done:
            return
        self.done = True
        try:
            os.close(self.judge_fd)
        except OSError:
            pass
        usage = _kill_and_reap(self.judge_pid)
        self._judge_cgroups.end()
        if usage is not None:
            self.report.judge_cpu_seconds = usage.ru_utime + usage.ru_stime
            self.report.judge_peak_mb = usage.ru_maxrss / 1024
        with use(self.language):
            self._stop_learner()
            if self.report.setup_error is not None:
                # Never the learner's doing: not told to stop calling os._exit.
                self.report.problem = _(
                    "the grading machine could not set up the sandbox your code runs in (a "
                    "problem on the grading side, not in your code); your notebook was not "
                    "graded, and your instructor can grade it again.")
            elif (self._gone is not None and not self._learner_code_started
                  and self.report.problem is None and self.report.grader_error is None):
                # Nothing of the learner's ran: the kit's own start-up or cells failed (an
                # environment the learner process cannot read, a missing package).
                self.report.grader_error = (
                    "the learner process failed before any of the learner's code ran ("
                    + (self._gone[1] or "it ended") + f", {self.stage})")
            elif self._gone is not None and self.report.problem is None:
                self.report.problem = self._describe_gone()
            self.report.checks = list(self._checks.values())
            self.report.seconds = time.monotonic() - self._start
            _note_memory_limit(self.report, self.limits)
        confine.remove_tree(self.run_dir)

    def _stop_learner(self) -> None:
        """Ask the supervisor to end the learner, read what it reports, wait for it to exit."""
        if self.report_sock is not None:
            try:
                self.report_sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        deadline = time.monotonic() + _STOP_GRACE_S
        while self.report_sock is not None and time.monotonic() < deadline:
            ready, _writable, _errors = select.select([self.report_sock], [], [], deadline - time.monotonic())
            if ready:
                self.pump_report()
        ready, _writable, _errors = select.select([self.supervisor_fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            signal.pidfd_send_signal(self.supervisor_fd, signal.SIGKILL)
        os.close(self.supervisor_fd)
        if self.report_sock is not None:
            self.report_sock.close()
            self.report_sock = None

    def _describe_gone(self) -> str:
        check, reason = self._gone
        during = _("during the check {check}").format(check=check) if check else self.stage
        if reason and "closed the connection" not in reason:
            # The judge stopped because of what it received; how the learner process ended
            # afterwards (it may have exited when the judge did) is not the story.
            return _("the process running your code answered with data the grader cannot read "
                     "({detail}) {during}; the checks that had not run yet score 0. Return "
                     "ordinary values and tensors, and do not write to descriptors your code did "
                     "not open.").format(detail=reason[:120], during=during)
        end = self._learner_end or {}
        if isinstance(end.get("signal"), int):
            try:
                name = signal.Signals(end["signal"]).name
            except ValueError:
                name = str(end["signal"])
            how = _("was killed by signal {signal}").format(signal=name)
        elif isinstance(end.get("status"), int):
            how = _("exited with status {status} (os._exit or a crash)").format(
                status=end["status"])
        else:
            how = _("stopped answering")
        return _("the process running your code {how} {during}; the checks that had not run yet "
                 "score 0. Do not call os._exit or end the process in your notebook.").format(
                     how=how, during=during)


def _note_memory_limit(report: RunReport, limits: Limits) -> None:
    """Say so when an error is the memory limit at work."""
    signs = ("MemoryError", "can't allocate memory", "DefaultCPUAllocator", "Cannot allocate memory")
    texts = [e["error"] for e in report.cell_errors] + [str(c.get("output", "")) for c in report.checks]
    if limits.memory_mb and any(s in t for t in texts for s in signs):
        report.limit = report.limit or "memory"
        note = _("the memory limit of {limit} MB was reached (see the error above); allocate "
                 "smaller tensors").format(limit=limits.memory_mb)
        report.problem = report.problem or note


def stage(assignment: Assignment) -> str:
    """A submission's run folder (and, where the learner will have no mount namespace, its
    scratch folder with the helper files), made before it starts: `Session.run` stages every
    submission's before the first learner code runs, so that one that fills the file system
    cannot leave a classmate's set-up without room (a set-up that fails even so is the grading
    machine's error, `RunReport.setup_error`)."""
    run_dir = tempfile.mkdtemp(prefix="autograder-")
    try:
        os.chmod(run_dir, 0o711)
        if not confine.namespaces_wanted() or not _NAMESPACES[0]:
            confine.stage_run_dir(run_dir, assignment.id,
                                  tuple(str(p) for p in assignment.helper_files()))
    except BaseException:
        confine.remove_tree(run_dir)
        raise
    return run_dir


_NAMESPACES = [True]   # whether learner processes get namespaces here (`Session` finds out)


# -- the grading process ---------------------------------------------------------------------------

def _set_child_subreaper() -> None:
    """Processes left behind (even after setsid) become our children to end."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def reap_strays(keep: set[int] = frozenset()) -> None:
    """Kill and reap every child of this process except `keep`."""
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
            _kill_and_reap(int(entry))


class Session:
    """A warm grading process with its zygote; `run` grades submissions `jobs` at a time."""

    def __init__(self, assignments: list[Assignment], protect: tuple[str, ...] = ()):
        warm_up(assignments)
        _set_child_subreaper()
        make_undumpable()
        self.uids = confine.claim_uids()
        self._protected = None
        _NAMESPACES[0] = confine.namespaces_available()
        if os.geteuid() == 0 and not _NAMESPACES[0]:
            # No mount namespace will hide the graders: file permissions must, while grading.
            self._protected = confine.protect_course_files(protect)
        self.zygote = Zygote()

    def close(self) -> None:
        self.zygote.close()
        self.uids.release()
        confine.restore_course_files(self._protected)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, jobs, limits: Limits, *, max_parallel: int = 1, on_done=None,
            hide: tuple[str, ...] = ()) -> None:
        """Run `jobs`, each `(key, load_cells, assignment)` or `(key, load_cells, assignment,
        language)`; `load_cells()` gives the cells (it is called just before the submission
        starts); every text about the submission is in its language (default: the current
        one). `on_done(key, report)` is called as each run ends, in completion order;
        `on_done(key, exception)` when the cells could not be loaded or the run could not
        start."""
        pending = list(jobs)
        max_parallel = min(max_parallel, confine.UIDS_PER_BLOCK)
        # Every submission's run folder, before any of their code runs (see `stage`).
        staged: dict[int, str] = {}
        for index, job in enumerate(pending):
            try:
                staged[index] = stage(job[2])
            except OSError:
                pass   # made when the submission starts, or its failure is the engine's
        pending = [(index, job) for index, job in enumerate(pending)]
        try:
            self._run_all(pending, staged, limits, max_parallel, on_done, hide)
        finally:
            for run_dir in staged.values():   # of submissions that never started
                confine.remove_tree(run_dir)

    def _run_all(self, pending, staged, limits, max_parallel, on_done, hide) -> None:
        running: dict[int, tuple[object, SubmissionRun]] = {}
        while pending or running:
            while pending and len(running) < max_parallel:
                index, (key, load, assignment, *rest) = pending.pop(0)
                run_dir = staged.pop(index, None)
                # A distinct uid per submission running at once: the lowest slot not in use.
                slot = min(set(range(max_parallel)) - {r.slot for _, r in running.values()})
                # After the zygote's fork, before this assignment's first judge: the references
                # every judge of the assignment would compute (judge_side.references).
                warm_references(assignment)
                try:
                    with use(rest[0] if rest else None):
                        run = SubmissionRun(load(), assignment, limits, self.zygote, slot, hide,
                                            self.uids.first, run_dir)
                except Exception as exc:  # noqa: BLE001 - this submission's problem only
                    if run_dir is not None:
                        confine.remove_tree(run_dir)
                    on_done(key, exc)
                    continue
                running[id(run)] = (key, run)
            watched = {}
            for _key, run in running.values():
                for fd in run.fds():
                    watched[fd] = run
            soonest = min((r.deadline for _, r in running.values()), default=time.monotonic())
            timeout = max(0.0, min(soonest - time.monotonic(), 1.0))
            ready = select.select(list(watched), [], [], timeout)[0] if watched else []
            for fd in ready:
                run = watched[fd]
                try:
                    with use(run.language):
                        if fd == run.judge_fd and not run.done:
                            run.pump_judge()
                        elif run.report_sock is not None and fd == run.report_sock.fileno():
                            run.pump_report()
                except Exception as exc:  # noqa: BLE001 - never the batch's problem
                    run._kit_failure(f"the grading process failed on this submission: {exc!r}")
            now = time.monotonic()
            for ident, (key, run) in list(running.items()):
                if not run.done and now >= run.deadline:
                    with use(run.language):
                        run.time_out()
                if run.done:
                    del running[ident]
                    reap_strays(keep={self.zygote.pid} | {r.judge_pid for _, r in running.values()})
                    on_done(key, run.report)
