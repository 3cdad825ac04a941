"""The pytest plugin that turns one pytest run over a grader file into per-check results.

It provides the `submission` fixture (what the learner's code defined), keeps only the checks
asked for (one exercise, one visibility), and words every outcome for the learner: a
`CheckFailed` as it is, an untouched stub as "not implemented yet", any other exception raised
by the learner's code with where it was raised.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path

import pytest

from autograder.checks import CheckFailed, CheckInfo

_ENGINE_DIR = str(Path(__file__).resolve().parent)
_SITE_PACKAGES = str(Path(pytest.__file__).resolve().parent.parent)
_STDLIB_DIR = os.path.dirname(os.__file__)


class MissingName(CheckFailed):
    """The submission does not define a name a check needs."""


class Submission:
    """Attribute access to what the learner's code defined (its `__main__` namespace)."""

    def __init__(self, namespace: dict, cell_errors=()):
        self._namespace = namespace
        self._cell_errors = list(cell_errors)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._namespace[name]
        except KeyError:
            pass
        hint = "Run the cell that defines it."
        if self._cell_errors:
            first = self._cell_errors[0]
            hint = (f"A cell raised an error before it could be defined: {first.where}: "
                    f"{first.error}. Fix that cell first.")
        raise MissingName(f"`{name}` is not defined", f"your notebook to define `{name}`", hint)


def check_name(assignment_id: str, function_name: str) -> str:
    """A check's stable result name: `linear/weight_is_parameter` for `test_weight_is_parameter`."""
    return f"{assignment_id}/{function_name.removeprefix('test_')}"


def describe(function) -> str:
    """The first paragraph of a check's docstring: what it looks at, in the learner's words."""
    doc = (function.__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _is_learner_frame(filename: str) -> bool:
    if filename.startswith("<cell "):
        return True
    if filename.startswith("<") or filename.startswith(_ENGINE_DIR):
        return False
    return not (filename.startswith(_SITE_PACKAGES) or filename.startswith(_STDLIB_DIR))


def _place(frame: traceback.FrameSummary) -> str:
    if frame.filename.startswith("<cell "):
        where = f"code cell {frame.filename[6:-1]}, line {frame.lineno}"
    else:
        where = f"{os.path.basename(frame.filename)}, line {frame.lineno}"
    if frame.name != "<module>":
        where += f", in {frame.name}"
    return where + (f": `{frame.line.strip()}`" if frame.line else "")


def _qualname(exc: BaseException, frame: traceback.FrameSummary) -> str:
    """`Linear.__init__` for the frame, when the traceback still knows its code object."""
    for tb_frame, lineno in traceback.walk_tb(exc.__traceback__):
        code = tb_frame.f_code
        if code.co_filename == frame.filename and lineno == frame.lineno:
            return getattr(code, "co_qualname", code.co_name)
    return frame.name


def feedback_for(exc: BaseException, description: str) -> str:
    """The learner-facing text for a check that did not pass."""
    if isinstance(exc, CheckFailed):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if _is_learner_frame(f.filename)]
    if isinstance(exc, NotImplementedError) and learner:
        frame = learner[-1]
        where = (f"code cell {frame.filename[6:-1]}" if frame.filename.startswith("<cell ")
                 else os.path.basename(frame.filename))
        return (f"Not implemented yet: `{_qualname(exc, frame)}` ({where}, line {frame.lineno}) "
                "still raises NotImplementedError.\n"
                "What to change: replace `raise NotImplementedError()` with your code, run the "
                "cell, then run this check again.")
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if learner:
        return (f"Observed: your code raised {error}\n"
                f"  at {_place(learner[-1])}\n"
                f"Expected: no error while the grader checks that {description[:1].lower()}{description[1:]}\n"
                "What to change: run the same call in your notebook, read the traceback, and fix "
                "the line it points to.")
    return (f"Observed: the check stopped with {error} while examining what your code produced.\n"
            f"Expected: {description}\n"
            "What to change: compare what your code returns (types, shapes) with what the "
            "exercise asks for.")


class GraderPlugin:
    """Registered for one pytest run; `results` holds one dict per check that ran."""

    def __init__(self, assignment_id: str, submission: Submission, *,
                 exercise: str | None = None, visibility: str | None = None,
                 on_start=None, on_result=None):
        self.assignment_id = assignment_id
        self._on_start = on_start      # called with a check's name before it runs
        self._on_result = on_result    # called with each result dict as soon as it exists
        self._submission = submission
        self.exercise = exercise
        self.visibility = visibility
        self.results: list[dict] = []
        self.collection_errors: list[str] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "check(info): a graded check, see autograder.checks.check")

    @pytest.fixture(scope="session")
    def submission(self):
        return self._submission

    def _info(self, item) -> CheckInfo:
        marker = item.get_closest_marker("check")
        if marker is None or not marker.args or not isinstance(marker.args[0], CheckInfo):
            raise pytest.UsageError(f"{item.nodeid} has no @check(...) declaration")
        return marker.args[0]

    def pytest_collection_modifyitems(self, config, items):
        keep, drop = [], []
        for item in items:
            info = self._info(item)
            wanted = ((self.exercise is None or info.exercise == self.exercise)
                      and (self.visibility is None or info.visibility == self.visibility))
            (keep if wanted else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(str(report.longrepr))

    def pytest_runtest_setup(self, item):
        if self._on_start is not None:
            self._on_start(check_name(self.assignment_id, item.function.__name__))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self._record(item, call, report)
        return report

    def _record(self, item, call, report) -> None:
        info = self._info(item)
        description = describe(item.function)
        if report.passed:
            status, score, output = "passed", info.points, description
        else:
            exc = call.excinfo.value if call.excinfo is not None else None
            output = feedback_for(exc, description) if exc is not None else str(report.longrepr)
            if description:
                output = f"Check: {description}\n{output}"
            status, score = "failed", 0.0
        result = {
            "name": check_name(self.assignment_id, item.function.__name__),
            "exercise": info.exercise,
            "score": score,
            "max_score": info.points,
            "status": status,
            "output": output,
            "visibility": info.visibility,
            "tags": list(info.tags),
        }
        self.results.append(result)
        if self._on_result is not None:
            self._on_result(result)
