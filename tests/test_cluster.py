"""grade-all on a Dask cluster (`--scheduler`): the same verdicts as on this machine.

A scheduler and two workers run as separate processes on loopback (`dask scheduler`, `dask
worker --no-nanny`), on free ports, torn down whatever happens. Everything runs from one
snapshot of the course (`scratch_course`): client and workers compare the kit's fingerprint, so
they must grade the same files while the checkout changes. One small class of `linear`
submissions (the reference, the released stub, one bug-zoo entry, a hostile case beside honest
neighbours, a folder without a notebook) is graded on this machine, then on the cluster; then
again with a worker killed mid-batch; then on a worker whose graders differ from this checkout's.
"""
from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit import (REPO, code_cell_sources, code_notebook, course_env, percent_cells,
                 scratch_course, submission_notebook, zoo_entries, zoo_sources)

ASSIGNMENT = "linear"
DASK = Path(sys.executable).with_name("dask")
LIMITS = ("--time-limit", "60", "--memory-limit", "1024")
START_TIMEOUT_S = 180      # a process of the cluster up, at machine load 8
BATCH_TIMEOUT_S = 900
# Timings, and the uid block each grading process claimed on its machine: everything else of a
# result is its verdict.
VARYING = {"execution_time"}
UID = re.compile(r"uid \d+ of its own")


def same_machine(text: str) -> str:
    return UID.sub("uid N of its own", text)


COURSE: list[Path] = []    # the snapshot the module's cluster and client grade with


def course_of(root: Path, **extra: str) -> dict:
    """The environment of a process that runs the kit from `root`."""
    return dict(course_env(), PYTHONPATH=str(root), **extra)


def engine(*args: str, env: dict | None = None, timeout: float = BATCH_TIMEOUT_S
           ) -> subprocess.CompletedProcess:
    root = COURSE[0] if COURSE else REPO
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=root, text=True,
                          capture_output=True, timeout=timeout, env=env or course_of(root))


def build_class(submitted: Path, root: Path) -> dict[str, str]:
    """The class, from the course at `root`; returns each student's kind."""
    reference = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released = root / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    def place(student: str, sources: list[str] | None = None, copy: Path | None = None):
        target = submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        if copy is not None:
            shutil.copy2(copy, target)
        elif sources is not None:
            code_notebook(sources, target)

    entry = zoo_entries(ASSIGNMENT)[0]
    hostile = {name: (REPO / "tests" / "hostile" / f"{name}.py").read_text()
               for name in ("os_exit", "output_flood")}
    place("ada-reference", copy=reference)
    place("bob-stub", copy=released)
    submission_notebook(released, zoo_sources(entry, reference),
                        submitted / "cy-zoo" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    # The hostile corpus's class cases, each beside honest neighbours.
    place("dan-os-exit", sources=code_cell_sources(reference) + percent_cells(hostile["os_exit"]))
    place("dee-output-flood",
          sources=code_cell_sources(reference) + percent_cells(hostile["output_flood"]))
    place("eve-neighbour", copy=reference)
    (submitted / "fay-no-notebook" / ASSIGNMENT).mkdir(parents=True)
    return {"ada-reference": "full", "bob-stub": "zero", "cy-zoo": "below",
            "dan-os-exit": "zero", "dee-output-flood": "full", "eve-neighbour": "full",
            "fay-no-notebook": "zero"}


CLASS_SIZE = 7


def verdicts(out: Path) -> dict[str, dict]:
    results = {}
    for path in sorted(out.glob(f"*/{ASSIGNMENT}.json")):
        result = json.loads(same_machine(path.read_text()))
        results[path.parent.name] = {k: v for k, v in result.items() if k not in VARYING}
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A scheduler and workers on loopback, each a process (group) of its own."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self._start("scheduler", [str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(self.port), "--no-dashboard"])
        self._wait_for(lambda: self._listening(), "the scheduler")

    def _start(self, name: str, command: list[str], cwd: Path | None = None,
               env: dict | None = None):
        log = open(self.tmp / f"{name}.log", "wb")
        cwd = cwd or COURSE[0]
        self.procs[name] = subprocess.Popen(command, cwd=cwd, env=env or course_of(cwd),
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        log.close()

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def _listening(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def _wait_for(self, ready, what: str, name: str = "scheduler") -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            dead = [n for n in {"scheduler", name} if self.procs[n].poll() is not None]
            assert not dead, f"{dead} ended:\n" + "\n".join(self.log(n)[-2000:] for n in dead)
            assert time.monotonic() < deadline, f"{what} did not start in {START_TIMEOUT_S} s"
            time.sleep(0.5)

    def add_worker(self, name: str, *extra: str, cwd: Path | None = None,
                   env: dict | None = None):
        self._start(name, [str(DASK), "worker", self.address, "--no-nanny", "--nthreads", "1",
                           "--memory-limit", "0", "--name", name, "--host", "127.0.0.1",
                           "--no-dashboard", "--local-directory", str(self.tmp / name),
                           *extra], cwd=cwd, env=env)
        self._wait_for(lambda: "Registered to:" in self.log(name), f"worker {name}", name)

    def address_of(self, name: str) -> str:
        found = re.search(r"Start worker at:\s+(tcp://\S+)", self.log(name))
        assert found, self.log(name)[-2000:]
        return found.group(1)

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def close(self) -> None:
        """The workers first (each ends its grading services), then the scheduler: a worker
        told to close by the scheduler and by a signal at once may hang in dask."""
        workers = [p for n, p in self.procs.items() if n != "scheduler"]
        for group in (workers, [self.procs["scheduler"]]):
            for proc in group:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            for proc in group:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    COURSE[:] = [scratch_course(tmp / "course")]
    submitted = tmp / "submitted"
    kinds = build_class(submitted, COURSE[0])
    cluster = Cluster(tmp)
    try:
        # The workers start (and prove their set-up) while this machine grades the class.
        cluster.add_worker("gpu-worker", "--resources", "GPU=1")
        cluster.add_worker("plain-worker")
        local = engine("grade-all", str(submitted), "--out", str(tmp / "local"), "--jobs", "2",
                       *LIMITS)
        remote = engine("grade-all", str(submitted), "--out", str(tmp / "cluster"),
                        "--scheduler", cluster.address, *LIMITS)
        yield {"tmp": tmp, "submitted": submitted, "kinds": kinds, "cluster": cluster,
               "local": local, "remote": remote}
    finally:
        cluster.close()


def test_the_cluster_gives_the_verdicts_of_this_machine(graded):
    local, remote = graded["local"], graded["remote"]
    assert local.returncode == 0, local.stdout + local.stderr
    assert remote.returncode == 0, remote.stdout + remote.stderr + graded["cluster"].log(
        "gpu-worker")[-3000:]
    here, there = verdicts(graded["tmp"] / "local"), verdicts(graded["tmp"] / "cluster")
    assert set(here) == set(graded["kinds"]) == set(there) and len(there) == CLASS_SIZE
    for student, kind in graded["kinds"].items():
        assert there[student] == here[student], student
        score, top = there[student]["score"], there[student]["max_score"]
        assert {"full": score == top, "zero": score == 0, "below": 0 < score < top}[kind], (
            student, score)
    assert "os._exit" in there["dan-os-exit"]["output"]
    assert "does not exist" in there["fay-no-notebook"]["output"]
    assert (graded["tmp"] / "cluster" / "class.csv").read_text() == \
        (graded["tmp"] / "local" / "class.csv").read_text()


def test_confinement_is_active_on_the_workers(graded):
    remote = graded["remote"]
    for student, result in verdicts(graded["tmp"] / "cluster").items():
        if student == "fay-no-notebook":
            continue   # nothing ran
        sandbox = result["extra_data"]["sandbox"]
        assert sandbox["protections"], student
        assert any("uid" in p or "namespace" in p for p in sandbox["protections"]), sandbox
    def summary(proc):
        lines = [line for line in proc.stdout.splitlines() if line.startswith("sandbox: ")]
        assert len(lines) == 1, proc.stdout
        return sorted(set(same_machine(lines[0]).split("; ")))

    assert summary(remote) == summary(graded["local"]) != ["sandbox: no submission ran"]


def test_the_final_line_counts_each_workers_results(graded):
    final = graded["remote"].stdout.splitlines()[0]
    assert final.startswith(f"graded {CLASS_SIZE} submissions on the cluster at "
                            + graded["cluster"].address)
    counts = dict(re.findall(r"(tcp://[\d.:]+): (\d+)", final))
    assert sum(map(int, counts.values())) == CLASS_SIZE, final
    assert set(counts) <= {graded["cluster"].address_of(w) for w in ("gpu-worker", "plain-worker")}


def children(pid: int, marker: str = "") -> list[int]:
    table = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True,
                           text=True).stdout
    return [int(line.split()[0]) for line in table.splitlines() if marker in line]


def test_no_learner_code_runs_in_the_workers_processes(graded):
    """Each worker's grading service is a process of its own (a fresh interpreter), a child of
    the worker; the learner processes come from its zygote."""
    cluster = graded["cluster"]
    for name in ("gpu-worker", "plain-worker"):
        services = children(cluster.procs[name].pid, "autograder.grading.cluster serve")
        assert len(services) == 1, name
        # The tasks' pipe is on a descriptor the processes forked from the service close; the
        # standard input they keep is /dev/null.
        assert os.readlink(f"/proc/{services[0]}/fd/0") == "/dev/null"


def test_results_already_current_are_kept(graded):
    again = engine("grade-all", str(graded["submitted"]), "--out",
                   str(graded["tmp"] / "cluster"), "--scheduler", graded["cluster"].address,
                   *LIMITS)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"graded 0 submissions, kept {CLASS_SIZE} current "
                                   "results"), again.stdout


def test_an_assignment_that_needs_a_gpu_goes_to_the_gpu_worker(graded):
    env = course_of(COURSE[0], AUTOGRADER_CLUSTER_RESOURCES=json.dumps({ASSIGNMENT: {"GPU": 1}}))
    out = graded["tmp"] / "routed"
    proc = engine("grade-all", str(graded["submitted"]), "--out", str(out), "--scheduler",
                  graded["cluster"].address, *LIMITS, env=env)
    assert proc.returncode == 0, proc.stderr
    gpu = graded["cluster"].address_of("gpu-worker")
    assert f"1 worker(s) ({gpu}: {CLASS_SIZE})" in proc.stdout.splitlines()[0], proc.stdout
    assert verdicts(out) == verdicts(graded["tmp"] / "local")


def test_a_worker_whose_set_up_fails_its_proof_refuses_in_the_engines_words(graded, tmp_path):
    """Each worker proves its own set-up (another machine): under a time limit the reference
    cannot meet, every worker refuses, and the batch stops as at home (exit 3, nothing
    recorded), saying why in the engine's words."""
    out = tmp_path / "out"
    proc = engine("grade-all", str(graded["submitted"]), "--out", str(out), "--scheduler",
                  graded["cluster"].address, "--time-limit", "0.01", timeout=300)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "refuses to grade: its set-up failed the reference solution" in proc.stderr
    assert "The grading set-up failed its own reference solution" in proc.stderr
    assert "linear:" in proc.stderr and "time limit" in proc.stderr, proc.stderr
    assert not list(out.glob("*/*.json")) and not (out / "class.csv").exists()


def test_a_worker_killed_mid_batch_loses_nothing(graded):
    cluster, out = graded["cluster"], graded["tmp"] / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all",
                             str(graded["submitted"]), "--out", str(out), "--scheduler",
                             cluster.address, *LIMITS], cwd=COURSE[0], env=course_of(COURSE[0]),
                            text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Kill the plain worker while it grades a submission: its grading service has a judge
        # process besides its zygote.
        worker = cluster.procs["plain-worker"].pid
        deadline = time.monotonic() + BATCH_TIMEOUT_S
        while proc.poll() is None and not any(
                len(children(service)) >= 2
                for service in children(worker, "autograder.grading.cluster serve")):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        in_flight = proc.poll() is None
        cluster.kill("plain-worker")
        stdout, stderr = proc.communicate(timeout=BATCH_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert in_flight, "the batch ended before the plain worker graded anything"
    assert proc.returncode == 0, stdout + stderr
    assert verdicts(out) == verdicts(graded["tmp"] / "local")
    # One progress line per submission: each result arrived and was written once.
    bar = [line for line in stderr.splitlines() if " graded, " in line]
    assert len(bar) == CLASS_SIZE, stderr
    assert bar[-1].split("] ")[1].startswith(f"{CLASS_SIZE}/{CLASS_SIZE} graded"), stderr
    rows = (out / "class.csv").read_text().splitlines()
    assert len(rows) == 1 + CLASS_SIZE


def test_a_worker_with_other_graders_refuses(graded, tmp_path):
    """A worker started from a checkout whose hidden graders differ by one comment: it refuses
    every task, saying why, and nothing is recorded from it."""
    stale = tmp_path / "stale-course"
    shutil.copytree(COURSE[0], stale, ignore=shutil.ignore_patterns("__pycache__", "data"))
    (stale / "data").symlink_to(COURSE[0] / "data")
    with open(stale / "autograder" / "graders" / ASSIGNMENT / "hidden.py", "a") as handle:
        handle.write("\n# a grader edited after this worker was started\n")
    cluster = graded["cluster"]
    cluster.add_worker("stale-worker", "--resources", "STALE=1", cwd=stale)
    out = tmp_path / "out"
    # Only the stale worker offers STALE: every task reaches it.
    proc = engine("grade-all", str(graded["submitted"]), "--out", str(out), "--scheduler",
                  cluster.address, *LIMITS, timeout=300,
                  env=course_of(COURSE[0], AUTOGRADER_CLUSTER_RESOURCES=json.dumps(
                      {ASSIGNMENT: {"STALE": 1}})))
    stale_address = cluster.address_of("stale-worker")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert f"worker {stale_address} refuses to grade: its kit differs from the client's for " \
           f"{ASSIGNMENT} (kit: the client has " in proc.stderr, proc.stderr
    assert "no worker of the cluster" in proc.stderr and "git pull" in proc.stderr
    assert not list(out.glob("*/*.json")) and not (out / "class.csv").exists()
    # It started no grading service: it refused before any learner code could run there.
    children = subprocess.run(["ps", "-o", "args=", "--ppid", str(cluster.procs["stale-worker"].pid)],
                              capture_output=True, text=True).stdout
    assert "autograder.grading.cluster serve" not in children
    cluster.kill("stale-worker")


@pytest.mark.parametrize("address", ["tcp://10.1.2.3:8786", "192.0.2.7:8786",
                                     "tcp://scheduler.example.org:8786"])
def test_a_plain_tcp_scheduler_elsewhere_is_refused(address, tmp_path):
    (tmp_path / "submitted").mkdir()
    proc = engine("grade-all", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"),
                  "--scheduler", address, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "--insecure-scheduler" in proc.stderr and "tls://" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_addresses_that_are_accepted():
    from autograder.grading.cluster import ClusterError, check_address

    assert check_address("tls://scheduler.example.org:8786") == "tls://scheduler.example.org:8786"
    assert check_address("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert check_address("tcp://localhost:8786") == "tcp://localhost:8786"
    assert check_address("tcp://[::1]:8786") == "tcp://[::1]:8786"
    assert check_address("tcp://10.1.2.3:8786", insecure=True) == "tcp://10.1.2.3:8786"
    with pytest.raises(ClusterError):
        check_address("tcp://127.0.0.1.example.org:8786")
    assert ipaddress.ip_address("127.0.0.1").is_loopback


def test_without_a_scheduler_dask_is_never_imported(tmp_path):
    """The local path imports nothing of dask (checked on a class with nothing to grade)."""
    (tmp_path / "submitted").mkdir()
    code = ("import sys; from autograder.cli import main; rc = main(['grade-all', sys.argv[1], "
            "'--out', sys.argv[2]]); "
            "print('dask' if any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules)"
            " else 'none', rc)")
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_SCHEDULER"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "submitted"),
                           str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.stdout.split()[-2:] == ["none", "0"], proc.stdout + proc.stderr


def test_a_result_arriving_twice_is_written_once(tmp_path, monkeypatch):
    """The submitting side writes each submission's result once, whatever the cluster sends."""
    from autograder import assignments
    from autograder.grading import cluster

    class Future:
        def __init__(self, key, reply):
            self.key, self.reply = key, reply

        def result(self):
            return self.reply

    result = {"score": 1.0, "max_score": 1.0, "tests": [], "output": ""}
    sent = []

    class Client:
        status, loop = "running", None

        def __init__(self, *args, **kwargs):
            pass

        def submit(self, fn, task, key, **kwargs):
            sent.append(key)
            return Future(key, {"worker": "tcp://127.0.0.1:1", "result": dict(result)})

        def scheduler_info(self, **kwargs):
            return {"workers": {}}

        def cancel(self, futures):
            pass

        def close(self):
            pass

    def twice(futures, **_options):
        for future in list(futures):
            yield future
            yield future   # the same task's result again

    import distributed

    monkeypatch.setattr(distributed, "Client", Client)
    monkeypatch.setattr(distributed, "as_completed", twice)
    path = tmp_path / "linear.ipynb"
    path.write_text("{}")
    written = []
    options = cluster.Options("tcp://127.0.0.1:1")
    cluster.grade_many([(0, path, assignments.get(ASSIGNMENT))], _Limits(), options=options,
                       on_result=lambda *args: written.append(args[0]))
    assert written == [0] and len(sent) == 1
    assert options.stats.duplicates == 1 and options.stats.per_worker == {"tcp://127.0.0.1:1": 1}


class _Limits:
    time_s, memory_mb, threads = 60.0, 1024, 1
