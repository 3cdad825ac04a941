"""Step 3: what the learner process may use. Resource limits (address space, processes, file
size, open files, CPU time, no core files, no message queues), and, as root, one cgroup per
controller for the whole submission (CPUs, memory, processes)."""
from __future__ import annotations

import os
import resource
import signal
import time
from pathlib import Path

from autograder.config import (CGROUP_PROCESSES, LEARNER_EXTRA_PROCESSES, LEARNER_FILE_SIZE_BYTES,
                               LEARNER_OPEN_FILES, LEARNER_PROCESSES)
from autograder.learner_side.confine.plan import Plan
from autograder.learner_side.confine.report import Report


def _user_processes(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def set_limits(plan: Plan, report: Report, *, own_uid: bool, vm_bytes: int) -> None:
    limits = [("file size", resource.RLIMIT_FSIZE, LEARNER_FILE_SIZE_BYTES),
              ("open files", resource.RLIMIT_NOFILE, LEARNER_OPEN_FILES),
              ("CPU time", resource.RLIMIT_CPU, plan.cpu_seconds),
              ("core files", resource.RLIMIT_CORE, 0),
              # No POSIX message queue can be created: one would outlive the submission.
              ("message queues", resource.RLIMIT_MSGQUEUE, 0)]
    if plan.memory_bytes:
        limits.insert(0, ("memory", resource.RLIMIT_AS, vm_bytes + plan.memory_bytes))
    # The process limit counts every process of the uid: with a uid of its own the submission
    # gets LEARNER_PROCESSES; sharing the grader's uid, LEARNER_EXTRA_PROCESSES on top of what
    # that user already runs.
    processes = (LEARNER_PROCESSES if own_uid
                 else _user_processes(os.getuid()) + LEARNER_EXTRA_PROCESSES)
    limits.append(("processes", resource.RLIMIT_NPROC, processes))
    applied = []
    for name, kind, value in limits:
        try:
            soft, hard = resource.getrlimit(kind)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (value, value))
            applied.append(name)
        except (ValueError, OSError):
            report.missing.append(f"the {name} limit")
    report.protections.append("limits: " + ", ".join(applied))


class Cgroups:
    """One cgroup per controller for a submission: its processes together get at most the CPUs
    it was given, its memory limit, and CGROUP_PROCESSES processes, however many it starts.
    cgroup v1 (a hierarchy per controller) and the unified v2 hierarchy where this process is at
    its root; needs root. Nothing is created where it is refused."""

    ROOT = Path("/sys/fs/cgroup")

    def __init__(self, paths: list[Path]):
        self.paths = paths

    @classmethod
    def create(cls, name: str, *, cpus: int, memory_bytes: int | None, processes: int = CGROUP_PROCESSES,
               wanted: bool = True) -> "Cgroups":
        if os.geteuid() != 0 or not wanted:
            return cls([])
        settings_v1 = {
            "cpu": {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": str(100000 * cpus)},
            "memory": {"memory.limit_in_bytes": str(memory_bytes)} if memory_bytes else {},
            "pids": {"pids.max": str(processes)},
        }
        current = {}
        try:
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                _, controllers, path = line.split(":", 2)
                for controller in controllers.split(","):
                    current[controller] = path
        except OSError:
            return cls([])
        paths = []
        unified = cls.ROOT / "cgroup.controllers"
        if unified.exists() and current.get("") == "/":
            available = unified.read_text().split()
            try:
                (cls.ROOT / "cgroup.subtree_control").write_text(
                    " ".join(f"+{c}" for c in ("cpu", "memory", "pids") if c in available))
                path = cls.ROOT / f"autograder-{name}"
                path.mkdir()
                paths.append(path)
                (path / "cpu.max").write_text(f"{100000 * cpus} 100000")
                if memory_bytes:
                    (path / "memory.max").write_text(str(memory_bytes))
                (path / "pids.max").write_text(str(processes))
            except OSError:
                pass
            return cls(paths)
        for controller, settings in settings_v1.items():
            base = cls.ROOT / controller
            if controller not in current or not base.is_dir():
                continue
            try:
                path = base / current[controller].lstrip("/") / f"autograder-{name}"
                path.mkdir()
                paths.append(path)
                for key, value in settings.items():
                    (path / key).write_text(value)
            except OSError:
                continue
        return cls(paths)

    def describe(self) -> str | None:
        """"cgroups (cpu, memory, pids)", or None when there are none."""
        names = sorted("cpu, memory, pids" if p.parent == self.ROOT else p.relative_to(self.ROOT).parts[0]
                       for p in self.paths)
        return f"cgroups ({', '.join(names)})" if self.paths else None

    def add(self, pid: int) -> None:
        for path in self.paths:
            try:
                (path / "cgroup.procs").write_text(str(pid))
            except OSError:
                pass

    def out_of_memory(self) -> bool:
        for path in self.paths:
            for name, marker in (("memory.failcnt", None), ("memory.events", "oom_kill")):
                try:
                    text = (path / name).read_text()
                except OSError:
                    continue
                if marker is None and text.strip() not in ("", "0"):
                    return True
                if marker and any(line.split()[0] == marker and line.split()[1] != "0"
                                  for line in text.splitlines() if line.strip()):
                    return True
        return False

    def end(self) -> None:
        """Kill every process left in the cgroups, then remove them. Never raises."""
        for _ in range(200):
            left = set()
            for path in self.paths:
                try:
                    left |= {int(p) for p in (path / "cgroup.procs").read_text().split()}
                except (OSError, ValueError):
                    pass
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)
        for path in self.paths:
            for _ in range(100):   # exiting processes leave a cgroup a moment after they die
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
