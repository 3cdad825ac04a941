"""Grade submissions: the Python API behind `python -m autograder grade` and `grade-all`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from autograder import assignments
from autograder.i18n import DEFAULT, use
from autograder.result import build_result
from autograder.runner import manifest
from autograder.sandbox import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Limits,
                                RunReport, Session)
from autograder.submission import UnreadableSubmission, language_of, load_cells


def grade_many(submissions, limits: Limits, *, jobs: int = 1, on_result=None,
               hide: tuple[str, ...] = (), session: Session | None = None,
               all_cells: bool = False, language: str | None = None) -> None:
    """Grade `(key, path, assignment)` triples, `jobs` at a time.

    `on_result(key, path, assignment, result)` is called as each result is ready. Every
    submission gets a result: an unreadable one scores 0 with the reason.

    The zygote that every learner process comes from is started before this process reads
    any submission or grader (see `zygote`): submissions are read one by one, as they start.
    Pass a `session` started earlier still (grade-all starts one before it looks at the class).

    A notebook's closing cells that are exactly as released (the instructor's demonstrations
    after the last graded cell) are not run, unless `all_cells`: no check depends on them.

    Feedback is in `language`; by default in the language the notebook was released in (its
    metadata), else English.
    """
    submissions = list(submissions)
    if session is None:
        with Session(list({a.id: a for _, _, a in submissions}.values())) as own:
            grade_many(submissions, limits, jobs=jobs, on_result=on_result, hide=hide,
                       session=own, all_cells=all_cells, language=language)
        return
    plans: dict[str, tuple] = {}  # per assignment, read once: (manifest, hidden source lines)

    def plan(assignment):
        if assignment.id not in plans:
            plans[assignment.id] = (manifest(assignment), assignment.hidden_source_lines())
        return plans[assignment.id]

    by_key = {key: (path, assignment) for key, path, assignment in submissions}
    languages = {key: language or language_of(path) or DEFAULT for key, path, _a in submissions}

    def finished(key, outcome):
        with use(languages[key]):
            result = _result(key, outcome)
        on_result(key, *by_key[key], result)

    def _result(key, outcome) -> dict:
        path, assignment = by_key[key]
        checks, secret_lines = plan(assignment)
        if isinstance(outcome, UnreadableSubmission):
            result = build_result(checks, None, unreadable=str(outcome))
        elif isinstance(outcome, RunReport):
            if outcome.grader_error:
                # For the instructor's terminal only: it may quote grader source, never in
                # a result.
                print(f"autograder: {path}: {outcome.grader_error}", file=sys.stderr)
            result = build_result(checks, outcome, execution_time=outcome.seconds,
                                  secret_lines=secret_lines)
        else:
            print(f"autograder: {path}: could not start grading: {outcome!r}", file=sys.stderr)
            failed = RunReport(grader_error=repr(outcome))
            result = build_result(checks, failed, secret_lines=secret_lines)
        return result

    def loader(path, assignment):
        released = assignment.released_dir / f"{assignment.id}.ipynb"
        return lambda: load_cells(path, None if all_cells or not released.exists() else released)

    session.run([(key, loader(path, assignment), assignment, languages[key])
                 for key, path, assignment in submissions],
                limits, max_parallel=jobs, on_done=finished, hide=hide)


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
