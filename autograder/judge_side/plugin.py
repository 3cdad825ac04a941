"""The pytest plugin that turns one pytest run over a grader file into per-check results.

It provides the `submission` fixture (a `client.Learner`: what the learner's code defined, seen
through requests), keeps only the checks asked for (one exercise, one visibility), and words
every outcome for the learner: a `CheckFailed` as it is, an untouched stub as "not implemented
yet", an error raised by the learner's code with where it was raised. When the learner process
is gone, the run stops: the checks that did not run are reported by the grading process.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from autograder.judge_side.checks import CheckFailed, CheckInfo
from autograder.judge_side.evidence import LearnerError, LearnerGone
from autograder.i18n import _, translate
from autograder.wire.protocol import ProtocolError
from autograder.reports.report import (FAILED, NOT_IMPLEMENTED, NOT_IMPLEMENTED_YET, PASSED,
                                       SAME_MISTAKE_AS)


def check_name(assignment_id: str, function_name: str) -> str:
    """A check's stable result name: `linear/weight_is_parameter` for `test_weight_is_parameter`."""
    return f"{assignment_id}/{function_name.removeprefix('test_')}"


def describe(function) -> str:
    """The first paragraph of a check's docstring: what it looks at, in the learner's words
    (and language: see i18n.catalogue.docstring_description, which reads it the same way)."""
    doc = (function.__doc__ or "").strip()
    description = " ".join(doc.split("\n\n")[0].split())
    return translate(description) if description else ""


def check_line(description: str) -> str:
    """The first line of a failed check's feedback: what the check looks at."""
    return _("Check: {description}").format(description=description)


def source_line(learner, frame) -> str:
    """The line a frame points to, from the judge's own copy of the cells."""
    sources = getattr(learner, "sources", {})
    key = frame.cell if frame.cell is not None else frame.execution
    if key is None or key not in sources:
        return ""
    lines = sources[key].splitlines()
    return lines[frame.line - 1].strip()[:120] if 0 < frame.line <= len(lines) else ""


def _lowered(description: str) -> str:
    """A description continuing a sentence: its first letter lowered, unless it starts a name
    (`MLP(...)`, `TiedAutoencoder`, `LinearFunction`)."""
    first = description.split(" ", 1)[0]
    if not description.isascii() or any(c.isupper() for c in first[1:]) or "(" in first:
        return description   # a name, or a language without letter case
    return description[:1].lower() + description[1:]


def labelled(exc: BaseException | None, learner) -> BaseException | None:
    """`exc` with every frame in a notebook cell named as JupyterLab shows that cell ("cell 27
    [15]": its place among all cells, then its execution count), whoever parsed the evidence:
    a grader that parses an instrument's error itself does not know the labels."""
    labels = getattr(learner, "labels", None) or {}
    if isinstance(exc, LearnerError) and labels:
        frames = tuple(replace(f, label=labels[f.cell]) if f.cell in labels and not f.label
                       else f for f in exc.evidence.frames)
        exc.evidence = replace(exc.evidence, frames=frames)
    return exc


def untouched_stub(exc: BaseException | None) -> bool:
    """Whether `exc` is the learner's stub still raising NotImplementedError, which
    feedback_for words as NOT_IMPLEMENTED."""
    return (isinstance(exc, LearnerError) and exc.evidence.not_implemented
            and bool(exc.evidence.frames))


def feedback_for(exc: BaseException, description: str, learner=None) -> str:
    """The learner-facing text for a check that did not pass."""
    exc = labelled(exc, learner)
    if isinstance(exc, CheckFailed):
        return str(exc)
    if isinstance(exc, LearnerError):
        evidence = exc.evidence
        frame = evidence.frames[-1] if evidence.frames else None
        if untouched_stub(exc):
            where = frame.place_of_line()
            return _(NOT_IMPLEMENTED).format(function=frame.function, where=where)
        at = ""
        if frame is not None:
            line = source_line(learner, frame)
            at = (_("\n  at {place}: `{line}`") if line else _("\n  at {place}")).format(
                place=frame.place(), line=line)
        return CheckFailed(
            _("your code raised {error} while the grader was {action}{at}").format(
                error=evidence.error, action=exc.action, at=at),
            _("no error while the grader checks that {description}").format(
                description=_lowered(description)),
            _("run the same call in your notebook, read the traceback, and fix the line it "
              "points to.")).__str__()
    if isinstance(exc, ProtocolError):
        return CheckFailed(
            _("the process running your code answered with data the grader cannot read "
              "({detail}).").format(detail=str(exc)[:120]),
            _("plain values and tensors while the grader checks that {description}").format(
                description=_lowered(description)),
            _("return ordinary Python values and tensors from your code.")).__str__()
    error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    return CheckFailed(
        _("the check stopped with {error} while examining what your code produced.").format(
            error=error[:300]),
        description,
        _("compare what your code returns (types, shapes) with what the exercise asks "
          "for.")).__str__()


def cause_of(exc: BaseException | None) -> str | None:
    """The root cause a failure names, if others may share it: a CheckFailed's declared cause,
    or the place an error in the learner's code came from (an untouched stub excepted: each
    check says it is not implemented yet)."""
    if isinstance(exc, CheckFailed):
        return exc.cause
    if isinstance(exc, LearnerError) and not exc.evidence.not_implemented:
        frame = exc.evidence.frames[-1].place() if exc.evidence.frames else ""
        return f"error:{exc.evidence.error}:{frame}"
    return None


class QuickFailureReports:
    """Failed checks' pytest reports without pytest's long traceback.

    pytest formats every failure as a long traceback with the repr of each argument of each frame:
    about 0.3 s per failed check with a model and its traces in scope, the largest cost of
    grading a wrong submission. Nobody reads it: GraderPlugin words the feedback from the
    exception itself. The report keeps a one-line summary instead.
    """

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        excinfo = call.excinfo
        if excinfo is None or isinstance(excinfo.value, (pytest.skip.Exception,
                                                         pytest.xfail.Exception)):
            return None   # pytest's own report: cheap when nothing failed
        sections = [(f"Captured {key} {when}", content)
                    for when, key, content in getattr(item, "_report_sections", ())]
        summary = f"{excinfo.typename}: {str(excinfo.value)[:500]}".rstrip(": ")
        return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
                                 "failed", summary, call.when, sections, call.duration,
                                 call.start, call.stop, user_properties=item.user_properties)


class GraderPlugin:
    """Registered for one pytest run; `results` holds one dict per check that ran."""

    def __init__(self, assignment_id: str, learner, *, exercise: str | None = None,
                 visibility: str | None = None, on_start=None, on_result=None, on_gone=None):
        self.assignment_id = assignment_id
        self._on_start = on_start      # called with a check's name before it runs
        self._on_result = on_result    # called with each result dict as soon as it exists
        self._on_gone = on_gone        # called (check name, reason) when the learner is gone
        self._learner = learner
        self.exercise = exercise
        self.visibility = visibility
        self.results: list[dict] = []
        self.collection_errors: list[str] = []
        self._causes: dict[str, str] = {}   # root cause -> the first check that reported it

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "check(info): a graded check, see autograder.judge_side.checks.check")

    @pytest.fixture(scope="session")
    def submission(self):
        return self._learner

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
        name = check_name(self.assignment_id, item.function.__name__)
        description = describe(item.function)
        exc = call.excinfo.value if call.excinfo is not None else None
        if isinstance(exc, LearnerGone):
            # The learner process ended or stopped making sense: nothing after this can run.
            item.session.shouldstop = "the learner process is gone"
            if self._on_gone is not None:
                self._on_gone(name, str(exc)[:200])
            return
        # The outcome as a fact (grading.result records it; see report.OUTCOMES), beside the
        # words: a failure is the check's own, the same mistake as an earlier check, or a stub.
        same_as = None
        if report.passed:
            status, score, output = "passed", info.points, description
            kind = PASSED
        else:
            cause = cause_of(labelled(exc, self._learner))
            first = self._causes.setdefault(cause, name) if cause else name
            kind = NOT_IMPLEMENTED_YET if untouched_stub(exc) else FAILED
            if first != name:
                kind, same_as = SAME_MISTAKE_AS, first
                output = _("Observed: the same mistake as {first}: {observed}\n"
                           "What to change: see {first}; fixing it fixes this check too.").format(
                    first=first, observed=getattr(exc, "observed", None) or exc)
            else:
                output = (feedback_for(exc, description, self._learner) if exc is not None
                          else str(report.longrepr))
            if description:
                output = f"{check_line(description)}\n{output}"
            status, score = "failed", 0.0
        result = {
            "name": name,
            "exercise": info.exercise,
            "score": score,
            "max_score": info.points,
            "status": status,
            "output": output,
            "visibility": info.visibility,
            "tags": list(info.tags),
            "outcome": kind,
        }
        if same_as is not None:
            result["same_as"] = same_as
        self.results.append(result)
        if self._on_result is not None:
            self._on_result(result)
