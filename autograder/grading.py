"""Grade submissions: the Python API behind `python -m autograder grade` and `grade-all`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from autograder import assignments
from autograder.result import build_result
from autograder.runner import manifest
from autograder.sandbox import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Limits,
                                run_children)
from autograder.submission import UnreadableSubmission, load_cells


def grade_many(submissions, limits: Limits, *, jobs: int = 1, on_result=None) -> None:
    """Grade `(key, path, assignment)` triples, `jobs` at a time.

    `on_result(key, path, assignment, result)` is called as each result is ready. Every
    submission gets a result: an unreadable one scores 0 with the reason, without a child.
    """
    plans: dict[str, tuple] = {}  # per assignment, read once: (manifest, hidden source lines)

    def plan(assignment):
        if assignment.id not in plans:
            plans[assignment.id] = (manifest(assignment), assignment.hidden_source_lines())
        return plans[assignment.id]

    runnable = []
    for key, path, assignment in submissions:
        try:
            cells = load_cells(path)
        except UnreadableSubmission as exc:
            result = build_result(plan(assignment)[0], None, unreadable=str(exc))
            on_result(key, path, assignment, result)
            continue
        runnable.append((key, path, assignment, cells))
    by_key = {key: (path, assignment) for key, path, assignment, _ in runnable}

    def finished(key, report):
        path, assignment = by_key[key]
        if report.grader_error:
            # For the instructor's terminal only: it may quote grader source, so never in a result.
            print(f"autograder: {path}: {report.grader_error}", file=sys.stderr)
        checks, secret_lines = plan(assignment)
        result = build_result(checks, report, execution_time=report.seconds,
                              secret_lines=secret_lines)
        on_result(key, path, assignment, result)

    run_children([(key, cells, assignment) for key, _, assignment, cells in runnable],
                 limits, max_parallel=jobs, on_done=finished)


def grade_file(path: Path, assignment: assignments.Assignment, *,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
               threads: int | None = None) -> dict:
    """Grade one file; always returns a result."""
    start = time.monotonic()
    results = []
    grade_many([(0, path, assignment)], Limits(time_limit_s, memory_limit_mb, threads),
               on_result=lambda *args: results.append(args[-1]))
    result = results[0]
    result["execution_time"] = round(time.monotonic() - start, 3)
    return result
