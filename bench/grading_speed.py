"""Benchmark: grade the same class with `grade-all` and with `nbgrader autograde`, in one run.

    python bench/grading_speed.py [--per-assignment N] [--jobs J]      (or: make bench)

Builds a scratch copy of the course, places submissions in nbgrader's layout (for each
assignment: the reference solution and bug-zoo entries, as notebooks a learner could have
saved), then times, on the same machine in the same run:

1. `nbgrader autograde` of every assignment (one kernel per notebook, one after another);
2. `python -m autograder grade-all --jobs J` (torch imported once; per notebook, a confined
   learner process and a judge process, both forked warm), and the same with `--all-cells`
   (the instructor's closing cells, which no check depends on, run too);

3. `grade-all --scheduler` on a local Dask scheduler with two workers (`dask scheduler`,
   `dask worker --nthreads 1`, loopback): the cluster path's wall time and its overhead per
   submission against the local pool (`--no-cluster` skips it);

and prints both times, their ratio, and the engine's own overhead per submission (the time a
submission takes beyond running its cells and the checks), measured in-process.
Nothing in the repository is written.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from kit import (code_cell_sources, course_env, scratch_course, source_assignments,  # noqa: E402
                 submission_notebook, zoo_entries, zoo_sources)


def place_submissions(course: Path, per_assignment: int, only: list[str] | None
                      ) -> dict[str, list[Path]]:
    placed = {}
    for assignment in source_assignments():
        if only and assignment not in only:
            continue
        reference = REPO / "solutions" / assignment / f"{assignment}.ipynb"
        released = REPO / "assignments" / assignment / f"{assignment}.ipynb"
        if not released.exists():
            continue
        variants = [("reference", code_cell_sources(reference))]
        variants += [(f"zoo-{e.id}", zoo_sources(e, reference)) for e in zoo_entries(assignment)]
        placed[assignment] = []
        for student, sources in variants[:per_assignment]:
            target = course / "submitted" / f"{assignment}-{student}" / assignment / f"{assignment}.ipynb"
            placed[assignment].append(submission_notebook(released, sources, target))
    return placed


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=course_env(), text=True, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed


def cluster_seconds(course: Path, jobs: int) -> float:
    """grade-all --scheduler through a scheduler and `jobs` workers on loopback, started first
    (each worker's grading service starts, and proves its set-up, during the timed run)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = dict(course_env(), PYTHONPATH=str(course))
    logs = course / "cluster-logs"
    logs.mkdir()
    procs = []

    def start(name, command):
        with open(logs / f"{name}.log", "wb") as log:
            procs.append(subprocess.Popen(command, cwd=course, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                            "--no-dashboard"])
        for number in range(jobs):
            start(f"worker-{number}", [dask, "worker", address, "--nthreads", "1", "--no-nanny",
                                       "--memory-limit", "0", "--host", "127.0.0.1",
                                       "--local-directory", str(logs / f"worker-{number}")])
        deadline = time.monotonic() + 180
        while sum("Registered to:" in (logs / f"worker-{n}.log").read_text(errors="replace")
                  for n in range(jobs)) < jobs:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                sys.exit("the benchmark's Dask cluster did not start; see " + str(logs))
            time.sleep(0.5)
        return timed([sys.executable, "-m", "autograder", "grade-all", "submitted", "--out",
                      "results-cluster", "--scheduler", address], course)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def child_reports(paths: list[Path]) -> tuple[list[tuple[Path, object]], dict]:
    """Each submission graded (learner and judge processes), one at a time, with its timings;
    and the one-off start: importing the engine and torch, the warm-up and the zygote (the
    Session), then each assignment's references (computed once per class)."""
    start = time.perf_counter()
    from autograder import assignments
    from autograder.grading.session import Limits, Session
    from autograder.grading.warmup import warm_references
    from autograder.course.submission import load_cells
    imported = time.perf_counter()

    chosen = {p.parent.name: assignments.get(p.parent.name) for p in paths}
    jobs = [(p, (lambda p=p: load_cells(p, REPO / "assignments" / p.parent.name /
                                        f"{p.parent.name}.ipynb")), chosen[p.parent.name])
            for p in paths]
    reports = []
    started = {"import": imported - start}
    with Session(list(chosen.values())) as session:
        started["warm-up and zygote"] = time.perf_counter() - imported
        for assignment in dict.fromkeys(chosen.values()):
            before = time.perf_counter()
            warm_references(assignment)
            started[f"references of {assignment.id}"] = time.perf_counter() - before
        session.run(jobs, Limits(threads=1),
                    on_done=lambda path, report: reports.append((path, report)))
    return reports, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-assignment", type=int, default=12, metavar="N",
                        help="submissions per assignment: the reference, then zoo entries")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, metavar="J")
    parser.add_argument("--only", nargs="+", metavar="ID", help="only these assignments")
    parser.add_argument("--no-cluster", action="store_true",
                        help="skip grade-all --scheduler on a local two-worker Dask cluster")
    args = parser.parse_args()
    python = sys.executable
    nbgrader = str(Path(python).parent / "nbgrader")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        # The course's nbgrader runs no kernel (autograder/course/nbgrader_setup.py); the benchmark
        # measures stock nbgrader autograde, which does: its own preprocessors, Execute included.
        with open(course / "nbgrader_config.py", "a") as config:
            config.write("\nfrom nbgrader.converters import Autograde as _Autograde\n"
                         "c.Autograde.autograde_preprocessors = "
                         "_Autograde.class_traits()['autograde_preprocessors'].default()\n")
        placed = place_submissions(course, args.per_assignment, args.only)
        total = sum(len(v) for v in placed.values())
        counts = ", ".join(f"{a} {len(v)}" for a, v in placed.items())
        print(f"{total} submissions ({counts}); {os.cpu_count()} CPUs; jobs={args.jobs}", flush=True)
        for assignment in placed:  # nbgrader needs the assignment in its gradebook first
            timed([nbgrader, "generate_assignment", assignment, "--force", "--log-level=ERROR"],
                  course)

        engine = timed([python, "-m", "autograder", "grade-all", "submitted", "--out",
                        "results", "--jobs", str(args.jobs)], course)
        print(f"grade-all --jobs {args.jobs}:  {engine:7.1f} s  ({engine / total:.2f} s per "
              "submission, torch import included)", flush=True)
        everything = timed([python, "-m", "autograder", "grade-all", "submitted", "--out",
                            "results-all-cells", "--jobs", str(args.jobs), "--all-cells"], course)
        print(f"grade-all --all-cells: {everything:5.1f} s  (the closing demonstrations run too)",
              flush=True)
        if not args.no_cluster:
            cluster = cluster_seconds(course, 2)
            print(f"grade-all --scheduler (local Dask scheduler, 2 workers): {cluster:5.1f} s  "
                  f"({(cluster - engine) / total:+.2f} s per submission against the local pool "
                  f"of {args.jobs})", flush=True)

        per_assignment = {}
        for assignment in placed:
            per_assignment[assignment] = timed([nbgrader, "autograde", assignment, "--create",
                                                "--force", "--log-level=ERROR"], course)
        nbgrader_s = sum(per_assignment.values())
        print(f"nbgrader autograde:  {nbgrader_s:7.1f} s  ({nbgrader_s / total:.2f} s per "
              "submission; " + ", ".join(f"{a} {t / len(placed[a]):.2f} s"
                                         for a, t in per_assignment.items()) + ")", flush=True)
        print(f"ratio:               {nbgrader_s / engine:7.1f}x faster with grade-all "
              f"({nbgrader_s / everything:.1f}x with --all-cells)")

        os.chdir(course)
        reports, started = child_reports([p for paths in placed.values() for p in paths])
        print("one-off start (jobs=1, in-process): " + ", ".join(
            f"{what} {seconds:.2f} s" for what, seconds in started.items())
            + f"; total {sum(started.values()):.2f} s")
        for assignment, paths in placed.items():
            mine = [r for p, r in reports if p in paths]
            judge = [r.judge_cpu_seconds for r in mine if r.judge_cpu_seconds is not None]
            print(f"  one submission, {assignment}: {statistics.mean(r.seconds for r in mine):.2f} s "
                  f"(its cells {statistics.mean(r.cells_seconds for r in mine):.2f} s, checks "
                  f"{statistics.mean(r.checks_seconds for r in mine):.2f} s"
                  + (f", the judge's CPU {statistics.mean(judge):.2f} s" if judge else "") + ")")
        overhead = [r.seconds - r.cells_seconds - r.checks_seconds for _, r in reports]
        print(f"engine overhead per submission beyond its cells and checks (jobs=1): "
              f"mean {statistics.mean(overhead):.3f} s, max {max(overhead):.3f} s")


if __name__ == "__main__":
    main()
