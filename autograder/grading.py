"""Grade one submission file: the Python API behind `python -m autograder grade`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from autograder import assignments
from autograder.result import build_result
from autograder.runner import manifest
from autograder.sandbox import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, grade_in_child
from autograder.submission import UnreadableSubmission, load_cells


def grade_file(path: Path, assignment: assignments.Assignment, *,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
               threads: int | None = None) -> dict:
    """Always returns a result: an unreadable or misbehaving submission scores 0 with the reason."""
    start = time.monotonic()
    planned = manifest(assignment)
    try:
        cells = load_cells(path)
    except UnreadableSubmission as exc:
        return build_result(planned, None, unreadable=str(exc),
                            execution_time=time.monotonic() - start)
    report = grade_in_child(cells, assignment, time_limit_s=time_limit_s,
                            memory_limit_mb=memory_limit_mb, threads=threads)
    if report.grader_error:
        # For the instructor's terminal only: it may quote grader source, so never in a result.
        print(f"autograder: {path}: {report.grader_error}", file=sys.stderr)
    return build_result(planned, report, execution_time=time.monotonic() - start)
