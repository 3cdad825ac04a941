"""Where learner processes come from: a warm process that never saw a submission.

The grading process imports torch and warms it up, then forks the zygote before it reads any
submission, result or hidden grader. Each learner process is forked from the zygote, so its
memory holds the warm libraries and nothing of the class: no classmate's notebook, no result,
no grader.

For each submission the zygote forks a supervisor, which

1. creates the namespaces (`confine.unshare`) and forks the learner process into them;
2. tells the grading process the learner's pid, then waits until the learner ends or the
   grading process asks it to stop, and kills the learner;
3. where there is no PID namespace, kills whatever the learner left behind;
4. reports how the learner ended, and exits.

The learner process confines itself (`confine.confine`), reports what took effect, closes that
channel, and only then runs the submission's cells and answers the judge (`server`).
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import time

import torch

from autograder.learner_side import confine
from autograder.assignments import COURSE_ROOT
from autograder.process import make_undumpable
# What the learner process runs, imported here: after confinement it may not see the folder
# these modules came from under the same path (a relative sys.path entry, say).
from autograder.learner_side.server import LearnerServer
from autograder.wire.protocol import Channel, Closed, ProtocolError

_MAX_CONTROL = 1 << 16


def _vm_size_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def close_all_but(*keep: int) -> None:
    """Close every descriptor above 2 but `keep` (in a freshly forked child)."""
    keep = sorted(set(keep))
    low = 3
    for fd in keep:
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, 1 << 16)


def _send(sock: socket.socket, message: dict) -> None:
    try:
        sock.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass


class Zygote:
    """The grading process's handle on the zygote."""

    def __init__(self):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            parent.close()
            _zygote_main(child)
        child.close()
        self.pid, self.control = pid, parent

    def spawn(self, plan: confine.Plan, learner_fd: int, report_fd: int) -> tuple[int, int]:
        """A supervisor for one submission; returns its (pid, pidfd)."""
        socket.send_fds(self.control, [json.dumps(plan.__dict__).encode()],
                        [learner_fd, report_fd])
        message, fds, _, _ = socket.recv_fds(self.control, _MAX_CONTROL, 1)
        if not message or len(fds) != 1:
            raise RuntimeError("the zygote did not start a learner process")
        return json.loads(message)["pid"], fds[0]

    def close(self) -> None:
        self.control.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


# What a learner process may know of the grading process's environment: nothing but this.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "KIT_DATA_DIR", "MPLBACKEND",
                    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED")


def forget_the_grader() -> None:
    """Drop the grading process's environment (tokens and secrets a CI or a course server may
    hold) and command line, from Python's copies and from the memory the kernel set up."""
    kept = {k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ}
    try:
        fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
        arg_start, arg_end, env_start, env_end = (int(f) for f in fields[45:49])
        import ctypes

        for start, end in ((arg_start, arg_end), (env_start, env_end)):
            if 0 < start < end:
                ctypes.memset(start, 0, end - start)
    except (OSError, ValueError, IndexError):
        pass
    os.environ.clear()
    os.environ.update(kept)
    import posix

    posix.environ.clear()
    posix.environ.update({k.encode(): v.encode() for k, v in kept.items()})
    sys.argv[:] = ["autograder-zygote"]
    sys.orig_argv[:] = ["autograder-zygote"]


def _zygote_main(control: socket.socket) -> None:
    try:
        make_undumpable()
        confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)   # it ends with the grader
        close_all_but(control.fileno())
        forget_the_grader()
        while True:
            while True:   # reap the supervisors that ended
                try:
                    if os.waitpid(-1, os.WNOHANG)[0] == 0:
                        break
                except ChildProcessError:
                    break
            message, fds, _, _ = socket.recv_fds(control, _MAX_CONTROL, 2)
            if not message:
                break
            plan = confine.Plan(**{k: tuple(v) if isinstance(v, list) else v
                                   for k, v in json.loads(message).items()})
            pid = os.fork()
            if pid == 0:
                control.close()
                _supervisor(plan, fds[0], fds[1])
            pidfd = os.pidfd_open(pid)
            socket.send_fds(control, [json.dumps({"pid": pid}).encode()], [pidfd])
            for fd in (*fds, pidfd):
                os.close(fd)
    except BaseException:  # noqa: BLE001 - a forked child must reach os._exit
        pass
    os._exit(0)


def _supervisor(plan: confine.Plan, learner_fd: int, report_fd: int) -> None:
    """Never returns. Starts the learner, stops it on request, cleans up, reports."""
    report_sock = socket.socket(fileno=report_fd)
    try:
        os.setsid()
        close_all_but(learner_fd, report_fd)
        report = confine.Report()
        vm_bytes = _vm_size_bytes()
        cgroups = confine.Cgroups.create(
            str(os.getpid()), cpus=plan.threads or 1, wanted=plan.namespaces,
            memory_bytes=(plan.memory_bytes + (plan.scratch_mb << 20)) if plan.memory_bytes else None)
        if cgroups.paths:
            report.protections.append(f"{cgroups.describe()}: {plan.threads or 1} CPU, "
                                      "memory and 256 processes for the whole submission")
        else:
            report.missing.append("per-submission cgroups (they need root, and a cgroup "
                                  "hierarchy this process may write)")
        mode = confine.unshare(report, plan.namespaces)
        confine.prctl(confine.PR_SET_CHILD_SUBREAPER, 1)
        # The grading process's TMPDIR, which holds the run folders (this process's was dropped).
        scratch_parent = (os.path.dirname(plan.run_dir),)
        if mode == "none":   # what an earlier grading process may have left under this uid
            confine.clear_uid_state(plan.uid, scratch_parent)
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(go_write)
            os.read(go_read, 1)   # wait until it is in its cgroups
            os.close(go_read)
            _learner(plan, mode, report, vm_bytes, learner_fd, report_sock)
        os.close(go_read)
        cgroups.add(pid)
        os.write(go_write, b"x")
        os.close(go_write)
        os.close(learner_fd)
        pidfd = os.pidfd_open(pid)
        _send(report_sock, {"pid": pid})
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(report_sock.fileno(), select.POLLIN)
        stopped = False
        while True:
            events = dict(poller.poll())
            if pidfd in events:
                break
            if report_sock.fileno() in events:   # the grading process says stop, or is gone
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                stopped = True
                poller.unregister(report_sock.fileno())
        _, status = os.waitpid(pid, 0)
        oom = cgroups.out_of_memory()
        cgroups.end()
        if mode == "none":
            _end_leftovers(plan)
            confine.clear_uid_state(plan.uid, scratch_parent)   # nothing reaches the next
        if mode != "user":
            confine.clear_persistent_keyring(plan.uid)
        if not stopped or oom:
            if os.WIFSIGNALED(status):
                ended = {"signal": os.WTERMSIG(status)}
            else:
                ended = {"status": os.WEXITSTATUS(status)}
            _send(report_sock, {"ended": {**ended, "oom": oom}})
    except BaseException as exc:  # noqa: BLE001 - must reach os._exit
        _send(report_sock, {"failed": f"{type(exc).__name__}: {exc}"[:500]})
    os._exit(0)


def _end_leftovers(plan: confine.Plan) -> None:
    """Without a PID namespace: end every process the learner left behind."""
    if os.geteuid() == 0:
        # Every process of the submission's own uid: kill(-1) as that uid reaches exactly
        # those, and fork waits while the kernel walks the process list.
        pid = os.fork()
        if pid == 0:
            try:
                uid = plan.uid
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                for _ in range(1000):
                    os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            os._exit(0)
        os.waitpid(pid, 0)
    # Orphans come to this process (a child subreaper): stop them all, then kill them, until
    # none is left (a stopped process cannot fork).
    for _ in range(100):
        found = _descendants()
        if not found:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for child in found:
                try:
                    os.kill(child, sig)
                except OSError:
                    pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(0.01)


def _descendants() -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    me, found, frontier = os.getpid(), [], [os.getpid()]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current and p != me]
        found += children
        frontier += children
    return found


def _learner(plan: confine.Plan, mode: str, report: confine.Report, vm_bytes: int,
             learner_fd: int, report_sock: socket.socket) -> None:
    """The learner process: confine, report, then serve the judge. Never returns."""
    try:
        confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        os.close(devnull)
        workdir = confine.confine(plan, mode, report, vm_bytes)
        confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)   # the uid change cleared it
        _send(report_sock, {"protections": report.protections, "missing": report.missing})
        report_sock.close()
    except BaseException as exc:  # noqa: BLE001 - any failure to confine is reported, then exit
        _send(report_sock, {"failed": f"{type(exc).__name__}: {exc}"[:500]})
        os._exit(70)
    try:
        _serve(workdir, learner_fd, plan)
    finally:
        os._exit(0)


def _serve(workdir: str, learner_fd: int, plan: confine.Plan) -> None:
    if plan.threads:
        torch.set_num_threads(plan.threads)
    data_dir = COURSE_ROOT / "data"
    if data_dir.is_dir():   # helper modules find the course's data from the scratch folder
        os.environ.setdefault("KIT_DATA_DIR", str(data_dir))
    os.environ.update({
        "MPLBACKEND": "Agg", "AUTOGRADER_ENGINE": "1",  # test cells left in notebooks do nothing
        "HOME": workdir, "IPYTHONDIR": f"{workdir}/.ipython",
        "MPLCONFIGDIR": f"{workdir}/.matplotlib", "TMPDIR": workdir,
    })
    sys.path.insert(0, workdir)
    server = LearnerServer()
    channel = Channel(socket.socket(fileno=learner_fd), keep_requires_grad=True,
                      long_text=True)   # the judge's requests carry the cells, of any size
    while True:
        try:
            request = channel.receive()
        except Closed:
            return
        answer = server.handle(request, emit=channel.send)
        try:
            channel.send(answer, server.ref)
        except ProtocolError as exc:
            channel.send({"error": {"type": "ResultTooLarge", "message": str(exc)[:200],
                                    "not_implemented": False, "frames": []}})
