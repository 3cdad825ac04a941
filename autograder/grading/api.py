"""Grade submissions: the Python API behind `python -m autograder grade` and `grade-all`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from autograder import assignments
from autograder.i18n import DEFAULT, use
from autograder.grading.result import build_result, error_result
from autograder.judge_side.runner import manifest
from autograder.grading.session import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Limits,
                                RunReport, Session)
from autograder.grading.selfcheck import (SetupFailed, proven, reference, remember,
                                  setup_key, verdict)
from autograder.course.submission import UnreadableSubmission, language_of, load_cells


def grade_many(submissions, limits: Limits, *, jobs: int = 1, on_result=None,
               hide: tuple[str, ...] = (), session: Session | None = None,
               all_cells: bool = False, language: str | None = None,
               prove: str | None = "always") -> None:
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

    First, unless `prove` is None, each assignment's reference solution is graded the same way
    (`selfcheck`): if one does not get full marks, `SetupFailed` is raised before any learner is
    graded. `prove="cached"` skips a set-up that proved itself before (`grade`).
    """
    submissions = list(submissions)
    if session is None:
        with Session(list({a.id: a for _, _, a in submissions}.values())) as own:
            grade_many(submissions, limits, jobs=jobs, on_result=on_result, hide=hide,
                       session=own, all_cells=all_cells, language=language, prove=prove)
        return
    if prove:
        prove_setup(session, [a for _, _, a in submissions], limits, jobs=jobs, hide=hide,
                    all_cells=all_cells, language=language, cached=prove == "cached")
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
        elif isinstance(outcome, RunReport) and not outcome.grader_error:
            result = build_result(checks, outcome, execution_time=outcome.seconds,
                                  secret_lines=secret_lines)
        else:
            # The engine's failure, not the learner's: no score, and the run says so. The
            # details are for the instructor's terminal only (they may quote grader source).
            why = outcome.grader_error if isinstance(outcome, RunReport) \
                else f"could not start grading: {outcome!r}"
            print(f"autograder: {path}: not graded: {why}", file=sys.stderr)
            result = error_result(checks, why, secret_lines=secret_lines,
                                  execution_time=getattr(outcome, "seconds", 0.0))
        return result

    def loader(path, assignment):
        released = assignment.released_dir / f"{assignment.id}.ipynb"
        return lambda: load_cells(path, None if all_cells or not released.exists() else released)

    session.run([(key, loader(path, assignment), assignment, languages[key])
                 for key, path, assignment in submissions],
                limits, max_parallel=jobs, on_done=finished, hide=hide)


def prove_setup(session: Session, wanted, limits: Limits, *, jobs: int = 1,
                hide: tuple[str, ...] = (), all_cells: bool = False,
                language: str | None = None, cached: bool = False) -> None:
    """Grade the reference solution of each assignment in `wanted` in `session`, as the class
    will be graded; raise `SetupFailed` unless each gets full marks. Assignments without a
    reference (the learner's kit) have nothing to prove against and are skipped."""
    todo, keys = [], {}
    for assignment in {a.id: a for a in wanted}.values():
        if not reference(assignment).is_file():
            continue
        keys[assignment.id] = setup_key(assignment, limits, language, hide)
        if not (cached and proven(keys[assignment.id])):
            todo.append(assignment)
    if not todo:
        return
    results: dict[str, dict] = {}
    grade_many([(a.id, reference(a), a) for a in todo], limits, jobs=jobs, hide=hide,
               session=session, all_cells=all_cells, language=language, prove=None,
               on_result=lambda key, _path, _assignment, result: results.__setitem__(key, result))
    failures = {}
    for assignment in todo:
        why = verdict(results.get(assignment.id, {"status": "error"}))
        if why is None:
            remember(keys[assignment.id])
        else:
            failures[assignment.id] = (
                f"the reference solution {reference(assignment)} under --time-limit "
                f"{limits.time_s:g} --memory-limit {limits.memory_mb or 0}: {why}")
    if failures:
        raise SetupFailed(failures)


def grade_file(path: Path, assignment: assignments.Assignment, *,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
               threads: int | None = None, prove: str | None = "always") -> dict:
    """Grade one file; returns its result (raises `SetupFailed` when the set-up fails its
    reference solution)."""
    start = time.monotonic()
    results = []
    grade_many([(0, path, assignment)], Limits(time_limit_s, memory_limit_mb, threads),
               on_result=lambda *args: results.append(args[-1]), prove=prove)
    result = results[0]
    result["execution_time"] = round(time.monotonic() - start, 3)
    return result
