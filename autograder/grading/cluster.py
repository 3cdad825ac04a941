"""Grade a class on a Dask cluster: `grade-all --scheduler ADDRESS`, the same verdicts as at home.

Nothing here is imported unless `--scheduler` (or AUTOGRADER_SCHEDULER) is given: without it,
grade-all grades on the local process pool and never imports dask.

The submitting side (this process, `grade_many`) reads the class, sends each submission to the
cluster as one task of plain data (the notebook's bytes and name, the assignment id, the limits,
the language, the kit it expects the worker to grade with) and writes every result itself, as
`batch` does at home: atomically, with its fingerprints, so that running the command again
grades only what is missing (`--resume` across a lost client, a lost scheduler). A result that
arrives twice is written once.

On a worker, the task (`grade_task`) first compares the worker's kit (the engine, the
assignment's graders and helpers, the translations: `batch.kit_fingerprint`, and torch's
version) with the one the client expects, and refuses the task, saying what differs, when they
are not the same: a stale worker never grades with old graders. The submitting side then sends
the task to the other workers; when none is left, the batch stops with the workers' reasons.

Learner code never runs in the Dask worker's own process (which holds the scheduler's
connection, its credentials, its threads). Each worker starts, once, a grading service: a fresh
interpreter (`python -m autograder.grading.cluster serve`) with the engine's warm `Session` and zygote,
the same confinement and the same judge as `grade-all` at home. The service first proves its
own set-up (each assignment's reference solution graded under the class's limits and language,
`grading.api.prove_setup`: the worker is another machine); a service whose proof fails refuses every
task of that assignment with the engine's words. A worker running several tasks at once
(`--nthreads`) has one service per task in flight.

A worker that dies mid-task has its submission graded elsewhere (the scheduler reassigns it); a
task whose service died is retried (`RETRIES`); a submission whose workers kept dying is not
graded (status error, graded again on the next run), never a learner's 0.

An assignment can declare the resources its grading needs (`autograder/graders/<id>/
resources.json`, e.g. `{"GPU": 1}`; or AUTOGRADER_CLUSTER_RESOURCES='{"<id>": {"GPU": 1}}'):
its tasks go only to workers that offer them (`dask worker --resources "GPU=1"`).

Plain TCP carries the submissions, the results and the scheduler's control of the workers
unencrypted and unauthenticated: a scheduler at a `tcp://` address that is not loopback is
refused unless `--insecure-scheduler`. Use `tls://` (dask's security settings) or a scheduler
bound to localhost reached through an SSH tunnel (README, "Beyond one machine").
"""
from __future__ import annotations

import atexit
import base64
import ipaddress
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from autograder import assignments, config
from autograder.config import CLUSTER_CONNECT_TIMEOUT_S as CONNECT_TIMEOUT_S
from autograder.config import CLUSTER_RESOURCES_FILE as RESOURCES_FILE
from autograder.config import CLUSTER_RETRIES as RETRIES
_SECURE_SCHEMES = ("tls", "wss")   # dask's encrypted, authenticated transports


class ClusterError(Exception):
    """The cluster cannot grade (the rest of) the class: the scheduler is unreachable or lost,
    or no worker is fit to grade; the message says why and what to do, for the instructor."""


# -- the scheduler's address ---------------------------------------------------------------------

def check_address(address: str, insecure: bool = False) -> str:
    """`address` as dask takes it; raises ClusterError for a plain-TCP scheduler that is not on
    this machine's loopback, unless `insecure`. Host names other than `localhost` are not
    resolved: a name is not a loopback address, whatever it resolves to today."""
    text = address.strip()
    if not text:
        raise ClusterError("the scheduler address is empty")
    if "://" not in text:
        text = "tcp://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _SECURE_SCHEMES:
        return text
    if scheme not in ("tcp", "ws", "ucx", "inproc"):
        raise ClusterError(f"{address}: not a scheduler address dask knows (tls://HOST:PORT, "
                           "tcp://HOST:PORT)")
    host = parts.hostname or ""
    if _loopback(host) or scheme == "inproc" or insecure:
        return text
    raise ClusterError(
        f"{address} is a plain-{scheme.upper()} scheduler on another machine: submissions, results "
        "and the control of the workers would travel unencrypted, and anyone who can reach it "
        "could run code on the workers. Use tls:// (dask's security settings), or bind the "
        "scheduler to localhost and reach it through an SSH tunnel (README, \"Beyond one "
        "machine\"); or, on a network you trust, pass --insecure-scheduler.")


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- what a task needs and expects ---------------------------------------------------------------

def resources_of(assignment: assignments.Assignment) -> dict[str, float]:
    """The Dask worker resources one submission of `assignment` needs (none by default)."""
    wanted: dict = {}
    declared = assignment.grader_dir / RESOURCES_FILE
    if declared.is_file():
        wanted = json.loads(declared.read_text())
    override = config.cluster_resources()
    if override:
        wanted = json.loads(override).get(assignment.id, wanted)
    if not isinstance(wanted, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
            for k, v in wanted.items()):
        raise ClusterError(f"{assignment.id}: resources must map names to numbers, e.g. "
                           f"{{\"GPU\": 1}}; got {wanted!r}")
    return {k: float(v) for k, v in wanted.items()}


def kit_of(assignment: assignments.Assignment) -> dict[str, str]:
    """What a worker must have to grade `assignment` as this machine would: the kit's
    fingerprint (engine, graders, helpers, translations) and torch's version."""
    from autograder.grading.batch import kit_fingerprint

    return {"kit": kit_fingerprint(assignment), "torch": _version("torch")}


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _differences(expected: dict, ours: dict) -> list[str]:
    return [f"{name}: the client has {expected.get(name)}, this worker {ours.get(name)}"
            for name in sorted(set(expected) | set(ours)) if expected.get(name) != ours.get(name)]


# -- the submitting side -------------------------------------------------------------------------

@dataclass
class Stats:
    """What the cluster did: results per worker, refusals, duplicates dropped."""

    address: str = ""
    per_worker: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)   # worker -> why (said once)
    setup_refused: set[str] = field(default_factory=set)    # of which: its set-up's proof failed
    duplicates: int = 0
    resubmitted: int = 0

    def line(self) -> str:
        if not self.per_worker:
            return f"on the cluster at {self.address}: no submission graded there"
        counts = ", ".join(f"{w}: {n}" for w, n in sorted(self.per_worker.items()))
        text = f"on the cluster at {self.address}, {len(self.per_worker)} worker(s) ({counts})"
        if self.refused:
            text += f"; {len(self.refused)} worker(s) refused"
        return text


@dataclass
class Options:
    scheduler: str
    insecure: bool = False
    stats: Stats = field(default_factory=Stats)


def task_of(path: Path, assignment: assignments.Assignment, limits, *, all_cells: bool,
            language: str | None, hide: tuple[str, ...], expected: dict) -> dict:
    """One submission as a task: plain data only. A file that cannot be sent as it is (missing,
    not a file, over the size limit, unreadable) travels as the reason the engine gives for it,
    in the language its result will be in."""
    from autograder.i18n import DEFAULT, use
    from autograder.course.submission import MAX_SUBMISSION_MB, UnreadableSubmission, _load_cells, \
        language_of

    task = {"assignment": assignment.id, "name": os.fsencode(path.name), "data": None,
            "unreadable": None, "result_language": None,
            "limits": [limits.time_s, limits.memory_mb, limits.threads],
            "all_cells": bool(all_cells), "language": language, "hide": list(hide),
            "expected": expected}
    try:
        if path.is_file() and path.stat().st_size <= MAX_SUBMISSION_MB << 20:
            task["data"] = path.read_bytes()
            return task
    except OSError:
        pass
    task["result_language"] = language or language_of(path) or DEFAULT
    with use(task["result_language"]):
        try:
            _load_cells(path)
            task["unreadable"] = f"{path.name} could not be read"
        except UnreadableSubmission as exc:
            task["unreadable"] = str(exc)
    return task


def grade_many(submissions, limits, *, options: Options, on_result, all_cells: bool = False,
               hide: tuple[str, ...] = (), language: str | None = None) -> None:
    """Grade `(key, path, assignment)` triples on the cluster; `on_result(key, path, assignment,
    result)` as each result arrives, once per key, in this thread (as `grading.api.grade_many`)."""
    address = check_address(options.scheduler, options.insecure)
    stats = options.stats
    stats.address = address
    try:
        from distributed import Client, as_completed
    except ImportError as exc:   # the kit's dependencies include it; an older venv may not
        raise ClusterError(f"grading on a cluster needs dask.distributed ({exc}); run make "
                           "setup") from None
    submissions = list(submissions)
    by_key = {key: (path, assignment) for key, path, assignment in submissions}
    chosen = {a.id: a for _k, _p, a in submissions}
    expected = {a_id: kit_of(a) for a_id, a in chosen.items()}
    needs = {a_id: resources_of(a) for a_id, a in chosen.items()}
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - refused, timed out, TLS settings missing
        raise ClusterError(f"cannot reach the scheduler at {address}: {type(exc).__name__}: "
                           f"{exc} (for tls://, dask's TLS settings: README, \"Beyond one "
                           "machine\")") from None
    try:
        _warn_unmet(client, needs)
        tasks = {key: task_of(path, assignment, limits, all_cells=all_cells, language=language,
                              hide=hide, expected=expected[assignment.id])
                 for key, path, assignment in submissions}
        run = _Batch(client, tasks, needs, stats)
        pending = as_completed([run.submit(key) for key in tasks], loop=client.loop)
        setup_failures: dict[str, str] = {}
        for future in pending:
            key = run.key_of[future.key]
            path, assignment = by_key[key]
            reply = run.outcome(future, key, path, assignment)
            if reply is None:        # lost with the scheduler: not graded now, nor recorded
                continue
            if "refused" in reply:
                worker = reply.get("worker", "?")
                if worker not in stats.refused:
                    stats.refused[worker] = reply["refused"]
                    print(f"autograder: worker {worker} refuses to grade: {reply['refused']}",
                          file=sys.stderr)
                if reply.get("failures"):
                    stats.setup_refused.add(worker)
                    for a_id, why in reply["failures"].items():
                        setup_failures[f"{a_id} on {worker}"] = why
                replacement = run.resubmit(key)
                if replacement is None:
                    client.cancel(list(run.futures.values()))
                    _no_worker_left(stats, setup_failures, len(tasks) - len(run.done))
                pending.add(replacement)
                continue
            if key in run.done:      # the same result twice (a task run again): written once
                stats.duplicates += 1
                continue
            run.done.add(key)
            worker = reply.get("worker", "?")
            stats.per_worker[worker] = stats.per_worker.get(worker, 0) + 1
            on_result(key, path, assignment, reply["result"])
        if run.lost:
            raise ClusterError(
                f"lost the scheduler at {address} with {len(tasks) - len(run.done)} "
                f"submission(s) not graded (the {len(run.done)} graded are written); run the "
                "same command again to grade only the rest")
    finally:
        client.close()


class _Batch:
    """The class's tasks on the cluster: each submission's current future, and where it may
    go (every worker but those that refused)."""

    def __init__(self, client, tasks: dict, needs: dict, stats: Stats):
        self.client, self.tasks, self.needs, self.stats = client, tasks, needs, stats
        self.futures: dict[object, object] = {}    # submission key -> current future
        self.key_of: dict[str, object] = {}        # dask key -> submission key
        self.attempts: dict[object, int] = {}
        self.done: set = set()
        self.lost = False
        self.token = f"{os.getpid()}-{time.time_ns()}"

    def submit(self, key, workers=None):
        attempt = self.attempts[key] = self.attempts.get(key, 0) + 1
        dask_key = f"autograder-{self.token}-{key}-{attempt}"
        task = self.tasks[key]
        future = self.client.submit(grade_task, task, key=dask_key, pure=False,
                                    retries=RETRIES, workers=workers,
                                    allow_other_workers=False,
                                    resources=self.needs[task["assignment"]] or None)
        self.futures[key] = future
        self.key_of[dask_key] = key
        return future

    def resubmit(self, key):
        """The same task to the workers that have not refused and offer what it needs; None
        when there are none."""
        needs = self.needs[self.tasks[key]["assignment"]]
        workers = [address for address, info in
                   self.client.scheduler_info(n_workers=-1).get("workers", {}).items()
                   if address not in self.stats.refused and _offers(info, needs)]
        if not workers:
            return None
        self.stats.resubmitted += 1
        return self.submit(key, workers=workers)

    def outcome(self, future, key, path, assignment) -> dict | None:
        """The task's reply, or an engine-error result for a task that failed; None when the
        scheduler was lost (the submission stays ungraded, for the next run)."""
        from concurrent.futures import CancelledError

        try:
            reply = future.result()
        except CancelledError:
            self.lost = True
            return None
        except Exception as exc:  # noqa: BLE001 - this submission's failure only
            if _scheduler_lost(self.client):
                self.lost = True
                return None
            from autograder.grading.batch import printable

            why = _failure(exc)
            print(f"autograder: {printable(str(path))}: not graded on the cluster: {why}",
                  file=sys.stderr)
            return {"worker": "none", "result": _error_result(assignment, self.tasks[key], why)}
        if not isinstance(reply, dict) or not ("result" in reply or "refused" in reply):
            return {"worker": "?", "result": _error_result(
                assignment, self.tasks[key], "the worker sent no result")}
        return reply


def _offers(worker_info: dict, needs: dict[str, float]) -> bool:
    offered = worker_info.get("resources", {}) or {}
    return all(offered.get(name, 0) >= amount for name, amount in needs.items())


def _scheduler_lost(client) -> bool:
    return getattr(client, "status", "running") not in ("running", "connecting")


def _failure(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return ("the workers grading it died, each time it was tried (dask's "
                "distributed.scheduler.allowed-failures)")
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _error_result(assignment, task: dict, why: str) -> dict:
    """Not graded: the engine's failure, never a learner's 0 (as `grading.api.grade_many` words it)."""
    from autograder.i18n import DEFAULT, use
    from autograder.grading.result import error_result
    from autograder.judge_side.runner import manifest

    with use(task.get("language") or task.get("result_language") or DEFAULT):
        return error_result(manifest(assignment), why, secret_lines=assignment.hidden_source_lines())


def _warn_unmet(client, needs: dict) -> None:
    """Say so when no worker (yet) offers what an assignment needs: its tasks wait for one."""
    wanted = {a_id: res for a_id, res in needs.items() if res}
    if not wanted:
        return
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    for a_id, res in wanted.items():
        if not any(_offers(info, res) for info in workers.values()):
            shown = ", ".join(f"{name}={amount:g}" for name, amount in res.items())
            print(f"autograder: {a_id} needs workers with {shown}; none has joined yet, so its "
                  "submissions wait for one (dask worker --resources ...)", file=sys.stderr)


def _no_worker_left(stats: Stats, setup_failures: dict, left: int):
    reasons = "; ".join(f"{w}: {why}" for w, why in stats.refused.items())
    if setup_failures and set(stats.refused) <= stats.setup_refused:
        from autograder.grading.selfcheck import SetupFailed

        raise SetupFailed(setup_failures)
    raise ClusterError(
        f"no worker of the cluster at {stats.address} is fit to grade the {left} submission(s) "
        f"left ({reasons}). Start the workers from the same commit as this checkout (git pull; "
        "make setup; then restart them) and run the same command again: it grades only what "
        "is missing.")


# -- the worker's side ---------------------------------------------------------------------------

def grade_task(task: dict) -> dict:
    """Run in a Dask worker: refuse a kit that differs, else grade in this worker's service."""
    try:
        from distributed import get_worker

        worker = get_worker()
        address, scratch = worker.address, worker.local_directory
    except (ImportError, ValueError):
        address, scratch = "local", None
    assignment = assignments.get(task["assignment"])
    ours = kit_of(assignment)
    differences = _differences(task["expected"], ours)
    if differences:
        return {"worker": address, "refused": (
            f"its kit differs from the client's for {assignment.id} ("
            + "; ".join(differences) + "): a stale worker must not grade with other graders. "
            "Update it to the client's commit (git pull; make setup) and restart it.")}
    service = _POOL.take(scratch, ours["kit"], assignment.id)
    try:
        reply = service.ask(task)
    except BaseException:
        _POOL.discard(service)
        raise
    _POOL.give_back(service)
    if "error" in reply:   # the engine failed on this task in the service: dask retries it
        raise RuntimeError(f"the grading service on {address} failed: {reply['error']}")
    reply["worker"] = address
    return reply


class ServiceLost(RuntimeError):
    """The worker's grading service ended or stopped answering (the task is retried)."""


class _Service:
    """One grading service: `python -m autograder.grading.cluster serve`, a fresh interpreter with the
    engine's warm Session, spoken to over its stdin and stdout in JSON lines."""

    def __init__(self, scratch: str | None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(assignments.COURSE_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(
                os.pathsep) if p])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.grading.cluster", "serve", *([scratch] if scratch else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(assignments.COURSE_ROOT),
            env=env, close_fds=True)
        self._buffer = b""
        hello = self._read(deadline=time.monotonic() + 600)
        self.kits = hello.get("kits", {})

    def ask(self, task: dict) -> dict:
        message = dict(task, name=base64.b64encode(task["name"]).decode(),
                       data=None if task["data"] is None
                       else base64.b64encode(task["data"]).decode())
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise ServiceLost(f"the worker's grading service is gone ({exc})") from None
        # Its own limits end every submission; this only catches a service that hangs. A first
        # task of an assignment also proves the set-up (one more submission's time).
        time_s = float(task["limits"][0] or 120)
        return self._read(deadline=time.monotonic() + 3 * time_s + 300)

    def _read(self, deadline: float) -> dict:
        out = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([out], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                self.close()
                raise ServiceLost("the worker's grading service stopped answering")
            chunk = os.read(out, 1 << 20)
            if not chunk:
                self.close()
                raise ServiceLost(f"the worker's grading service ended (status "
                                  f"{self.proc.wait()})")
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()   # the service ends its Session and exits
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class _Pool:
    """This worker's idle services; one more is started for each task run at the same time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.idle: list[_Service] = []
        self.every: list[_Service] = []
        atexit.register(self.close)

    def take(self, scratch, kit: str, assignment_id: str) -> _Service:
        with self.lock:
            while self.idle:
                service = self.idle.pop()
                if service.proc.poll() is None and service.kits.get(assignment_id) == kit:
                    return service
                self._end(service)   # the kit changed on disk under it: start afresh
        service = _Service(scratch)
        with self.lock:
            self.every.append(service)
        if service.kits.get(assignment_id) != kit:
            self.discard(service)
            raise ServiceLost("the kit changed while the grading service started")
        return service

    def give_back(self, service: _Service) -> None:
        with self.lock:
            self.idle.append(service)

    def discard(self, service: _Service) -> None:
        with self.lock:
            self._end(service)

    def _end(self, service: _Service) -> None:
        if service in self.every:
            self.every.remove(service)
        service.close()

    def close(self) -> None:
        with self.lock:
            for service in list(self.every):
                self._end(service)
            self.idle.clear()


_POOL = _Pool()


# -- the grading service (a process of its own, on the worker's machine) -------------------------

def serve(scratch: str | None = None) -> int:
    """Read tasks from stdin, one JSON object a line; answer each with one line on stdout."""
    # The tasks and the answers travel on descriptors above 2, which every process forked from
    # here closes (the zygote, the judges: `zygote.close_all_but`); 0 and 1, which they keep,
    # become /dev/null and the worker's log: nothing printed lands among the answers, and no
    # process of a submission can read the next task (a classmate's notebook).
    tasks = os.fdopen(os.dup(0), "rb")
    channel = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(128 + signal.SIGTERM))
    from autograder.grading.batch import kit_fingerprint
    from autograder.grading.session import Session

    every = assignments.every()
    jobs_root = tempfile.mkdtemp(prefix="autograder-cluster-")
    own = tuple(p for p in (jobs_root, scratch) if p)
    try:
        # The session (and its zygote) starts before any submission is read, as at home.
        with Session(every, protect=own) as session:
            kits = {a.id: kit_fingerprint(a) for a in every}
            _send(channel, {"ready": True, "kits": kits})
            proofs: dict[tuple, dict | None] = {}
            for line in tasks:
                try:
                    task = json.loads(line)
                    reply = _serve_one(session, task, proofs, jobs_root, own)
                except Exception as exc:  # noqa: BLE001 - this task's failure, said as such
                    reply = {"error": f"{type(exc).__name__}: {exc}"[:1000]}
                _send(channel, reply)
    finally:
        shutil.rmtree(jobs_root, ignore_errors=True)
    return 0


def _send(channel, message: dict) -> None:
    channel.write(json.dumps(message).encode() + b"\n")
    channel.flush()


def _serve_one(session, task: dict, proofs: dict, jobs_root: str, own: tuple) -> dict:
    from autograder.grading.api import SetupFailed, grade_many, prove_setup
    from autograder.i18n import use
    from autograder.grading.result import build_result
    from autograder.judge_side.runner import manifest
    from autograder.grading.session import Limits

    assignment = assignments.get(task["assignment"])
    time_s, memory_mb, threads = task["limits"]
    limits = Limits(float(time_s), memory_mb, threads)
    language = task["language"]
    all_cells = bool(task["all_cells"])
    hide = (*own, *(str(p) for p in task["hide"]))
    proof = (assignment.id, time_s, memory_mb, threads, language, all_cells)
    if proof not in proofs:
        try:
            prove_setup(session, [assignment], limits, hide=hide, all_cells=all_cells,
                        language=language)
            proofs[proof] = None
        except SetupFailed as exc:
            proofs[proof] = exc.failures
    if proofs[proof] is not None:
        return {"refused": "its set-up failed the reference solution: " + "; ".join(
            f"{a_id}: {why}" for a_id, why in proofs[proof].items()),
            "failures": proofs[proof]}
    if task["unreadable"] is not None:
        with use(task["result_language"]):
            return {"result": build_result(manifest(assignment), None,
                                           unreadable=str(task["unreadable"]))}
    folder = Path(tempfile.mkdtemp(dir=jobs_root))
    try:
        path = folder / os.fsdecode(base64.b64decode(task["name"]))
        path.write_bytes(base64.b64decode(task["data"]))
        results = []
        grade_many([(0, path, assignment)], limits, jobs=1, session=session, hide=hide,
                   all_cells=all_cells, language=language, prove=None,
                   on_result=lambda *args: results.append(args[-1]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"result": results[0]}


if __name__ == "__main__":
    if sys.argv[1:2] != ["serve"]:
        sys.exit("usage: python -m autograder.grading.cluster serve [SCRATCH]  (started by grade_task "
                 "on a Dask worker)")
    sys.exit(serve(*sys.argv[2:3]))
