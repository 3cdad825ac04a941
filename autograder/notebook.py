"""The graded test cells' entry point: run one exercise's checks on the learner's kernel namespace.

A test cell of a source notebook reads

    from autograder.notebook import check
    points = check("linear", "parameters")
    ### BEGIN HIDDEN TESTS
    points += check("linear", "parameters", hidden=True)
    ### END HIDDEN TESTS
    points

Under JupyterLab the learner sees a report of the public checks and their points. Under
nbgrader's autograde the cell's last value is the points earned, which nbgrader takes as the
cell's partial credit. Nothing is written to stderr (nbgrader gives 0 to a test cell that does),
and the value is always a float between 0 and the cell's points.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings

from autograder import assignments
from autograder.plugin import Submission
from autograder.report import format_check
from autograder.runner import run_checks

# Set by the engine in its sandbox, which runs the checks itself after the cells.
ENGINE_ENV = "AUTOGRADER_ENGINE"


def _learner_namespace() -> dict:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None:
        return shell.user_ns
    return vars(sys.modules["__main__"])


def check(assignment_id: str, exercise: str, hidden: bool = False) -> float:
    """Run the visible (or hidden) checks of one exercise; print them; return the points earned."""
    if os.environ.get(ENGINE_ENV) == "1":
        return 0.0
    assignment = assignments.get(assignment_id)
    visibility = "hidden" if hidden else "visible"
    stray = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(stray):
        warnings.simplefilter("ignore")
        results = run_checks(assignment, Submission(_learner_namespace()),
                             exercise=exercise, visibility=visibility)
    if not results and not hidden:
        print(f"(no public checks for {exercise})")
    for result in results:
        print(format_check(result))
    earned = float(sum(r["score"] for r in results))
    total = float(sum(r["max_score"] for r in results))
    label = "hidden checks" if hidden else "public checks"
    if results:
        print(f"{exercise}: {earned:g} / {total:g} points on the {label}")
    return earned
