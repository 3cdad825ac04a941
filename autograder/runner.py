"""Run an assignment's pytest graders against a submission's namespace, in this process.

Used inside the sandboxed child by `make grade`, and inside the learner's kernel by the graded
test cells of the notebooks (`autograder.notebook`), so both give the same verdicts.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
from dataclasses import dataclass

import pytest

from autograder.assignments import GRADERS_DIR, Assignment
from autograder.checks import CheckInfo
from autograder.plugin import GraderPlugin, Submission, check_name


class GraderError(RuntimeError):
    """The graders themselves could not run (a bug in the kit, not in the submission)."""


@dataclass(frozen=True)
class PlannedCheck:
    name: str
    info: CheckInfo


def manifest(assignment: Assignment) -> list[PlannedCheck]:
    """Every check of the assignment in the order pytest runs them, read from the grader modules."""
    planned = []
    for path in assignment.grader_files:
        module = importlib.import_module(f"autograder.graders.{assignment.id}.{path.stem}")
        for name, obj in vars(module).items():
            info = getattr(obj, "__check__", None)
            if name.startswith("test_") and isinstance(info, CheckInfo):
                planned.append(PlannedCheck(check_name(assignment.id, name), info))
    return planned


def run_checks(assignment: Assignment, submission: Submission, *,
               exercise: str | None = None, visibility: str | None = None,
               on_start=None, on_result=None) -> list[dict]:
    """One pytest run over the assignment's grader files; returns one result dict per check."""
    plugin = GraderPlugin(assignment.id, submission, exercise=exercise, visibility=visibility,
                          on_start=on_start, on_result=on_result)
    args = [*map(str, assignment.grader_files), "-c", str(GRADERS_DIR / "pytest.ini"),
            "--rootdir", str(GRADERS_DIR), "-p", "no:terminal", "--capture=sys",
            # These two force several full garbage collections per run (0.5 s with torch loaded).
            "-p", "no:unraisableexception", "-p", "no:threadexception"]
    log = io.StringIO()
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            exit_code = pytest.main(args, plugins=[plugin])
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved
    if plugin.collection_errors or exit_code in (pytest.ExitCode.INTERNAL_ERROR,
                                                 pytest.ExitCode.USAGE_ERROR):
        details = "\n".join(plugin.collection_errors) or log.getvalue()
        raise GraderError(f"the graders of {assignment.id!r} could not run:\n{details}")
    return plugin.results
