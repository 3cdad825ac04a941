"""Run an assignment's pytest graders against a submission, through a `client.Learner`.

Used by the judge process of the engine (the learner's code in another process) and by the
graded test cells of the notebooks (`autograder.notebook`, the learner's code in the same
kernel), so both give the same verdicts.

`manifest` reads which checks exist, with their points, from the grader files' source without
importing them: the grading process must not hold grader code it could pass on to the learner
processes it starts.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
from dataclasses import dataclass

import pytest

from autograder.assignments import GRADERS_DIR, Assignment
from autograder.judge_side.checks import CheckInfo
from autograder.judge_side.plugin import GraderPlugin, QuickFailureReports, check_name


class GraderError(RuntimeError):
    """The graders themselves could not run (a bug in the kit, not in the submission)."""


@dataclass(frozen=True)
class PlannedCheck:
    name: str
    info: CheckInfo


def _declaration(function: ast.FunctionDef) -> CheckInfo | None:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "check":
            fields = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
            return CheckInfo(fields["exercise"], float(fields["points"]), tuple(fields["tags"]),
                             fields["visibility"])
    return None


def manifest(assignment: Assignment) -> list[PlannedCheck]:
    """Every check of the assignment in the order pytest runs them (file, then definition)."""
    planned = []
    for path in assignment.grader_files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                info = _declaration(node)
                if info is not None:
                    planned.append(PlannedCheck(check_name(assignment.id, node.name), info))
    return planned


def run_checks(assignment: Assignment, learner, *, exercise: str | None = None,
               visibility: str | None = None, on_start=None, on_result=None,
               on_gone=None) -> list[dict]:
    """One pytest run over the assignment's grader files; returns one result dict per check."""
    plugin = GraderPlugin(assignment.id, learner, exercise=exercise, visibility=visibility,
                          on_start=on_start, on_result=on_result, on_gone=on_gone)
    args = [*map(str, assignment.grader_files), "-c", str(GRADERS_DIR / "pytest.ini"),
            "--rootdir", str(GRADERS_DIR), "-p", "no:terminal", "--capture=sys",
            # These two force several full garbage collections per run (0.5 s with torch loaded).
            "-p", "no:unraisableexception", "-p", "no:threadexception"]
    log = io.StringIO()
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            exit_code = pytest.main(args, plugins=[plugin, QuickFailureReports()])
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
