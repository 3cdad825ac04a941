"""Build the contract's result (Gradescope's results.json schema) from what the child reported."""
from __future__ import annotations

from autograder.judge_side.text import clean
from autograder.i18n import N_, _, language, translate
from autograder.reports.report import (
    FAILED, GRADING_ERROR, LIMIT_HIT, NOT_CHECKED, NOT_CREDITED, NOT_IMPLEMENTED_YET, PASSED,
    SAME_MISTAKE_AS, UNREADABLE, outcome, valid_text)
from autograder.judge_side.runner import PlannedCheck
from autograder.grading.session import RunReport
from autograder.config import MAX_CELL_ERRORS_SHOWN

TAMPERING = N_("Not credited: your code reaches into the interpreter or the grading engine (it "
               "uses {uses}). No exercise needs that, and such code could change what the "
               "grader sees of your classes. Remove it and submit again.")
# Whether the static scan's findings zero a submission (the old rule), or are only flags for the
# instructor (`extra_data.flags`, the class report) because every check rests on what the judge
# verified itself (issue 19).
SCAN_CREDITS_NOTHING = False
# UNREADABLE, the summary line of a submission that could not be read, is report.UNREADABLE.


def _uses(report: RunReport) -> str:
    """What the static scan found (static.ENGINE_REACH's labels), in the current language."""
    return _(", ").join(translate(use) for use in report.tampering)


def _points(x: float) -> str:
    return f"{x:g}"


def zero_test(planned: PlannedCheck, reason: str) -> dict:
    info = planned.info
    return {"name": planned.name, "score": 0.0, "max_score": info.points, "status": "failed",
            "output": reason, "visibility": info.visibility, "tags": list(info.tags)}


def redact(text: str, secret_lines: set[str]) -> str:
    """`text` without any line of hidden grader source, nor any long encoded blob (base64,
    hex) that could carry one."""
    for line in secret_lines:
        if line in text:
            text = text.replace(line, "[hidden grader text removed]")
    return clean(text, limit=len(text))


# The outcomes the judge may report for a check that ran and did not pass (plugin.GraderPlugin);
# anything else it says of a failure is FAILED.
_JUDGED_FAILURES = (FAILED, NOT_IMPLEMENTED_YET, SAME_MISTAKE_AS)


def _judged_outcome(test: dict, reported: dict, names: set[str]) -> dict:
    """The outcome of a check that ran: PASSED when it passed (as `_validated` holds it), else
    what the judge reported, held to what a failure that ran can be."""
    if test["status"] == "passed":
        return outcome(PASSED)
    kind = reported.get("outcome")
    same_as = reported.get("same_as")
    if kind not in _JUDGED_FAILURES or kind == SAME_MISTAKE_AS and (
            not isinstance(same_as, str) or same_as not in names or same_as == test["name"]):
        kind = FAILED
    return outcome(kind, same_as=same_as)


def _missing_outcome(report: RunReport | None, unreadable: str | None) -> dict:
    """The outcome of every check that never ran, for the reason build_result words."""
    if unreadable:
        return outcome(NOT_CREDITED)
    if report and report.grader_error:
        return outcome(GRADING_ERROR)
    if report and report.problem and report.limit:
        return outcome(LIMIT_HIT, limit=report.limit)
    return outcome(NOT_CREDITED)


def _validated(check: PlannedCheck, reported: dict, secret_lines: set[str]) -> dict:
    """What the child reported, held to the manifest: points, visibility and tags are the
    graders' own, a score is all or nothing, and feedback is plain bounded text."""
    info = check.info
    passed = reported.get("status") == "passed" and reported.get("score") == info.points
    output = redact(str(reported.get("output", ""))[:4000], secret_lines)
    return {"name": check.name, "score": info.points if passed else 0.0,
            "max_score": info.points, "status": "passed" if passed else "failed",
            "output": output, "visibility": info.visibility, "tags": list(info.tags)}


def build_result(planned: list[PlannedCheck], report: RunReport | None, *,
                 unreadable: str | None = None, execution_time: float = 0.0,
                 secret_lines: set[str] = frozenset()) -> dict:
    """One test per planned check, in the graders' order; checks that never ran score 0."""
    ran = {r.get("name"): r for r in (report.checks if report else [])}
    if unreadable:
        missing_reason = _("Not checked: the submission could not be read ({reason}).").format(
            reason=unreadable)
    elif report and report.grader_error:
        missing_reason = _("Not checked: the graders could not run. This is a problem in the "
                           "kit, not in your code; please tell your instructor.")
    elif report and report.problem:
        missing_reason = _(NOT_CHECKED).format(problem=report.problem)
    else:
        missing_reason = _("Not checked: the grading process stopped before this check.")
    tests, outcomes = [], {}
    names = {check.name for check in planned}
    for check in planned:
        if report and report.tampering and SCAN_CREDITS_NOTHING:
            tests.append(zero_test(check, _(TAMPERING).format(uses=_uses(report))))
            outcomes[check.name] = outcome(NOT_CREDITED)
        elif check.name in ran:
            tests.append(_validated(check, ran[check.name], secret_lines))
            outcomes[check.name] = _judged_outcome(tests[-1], ran[check.name], names)
        else:
            tests.append(zero_test(check, missing_reason))
            outcomes[check.name] = _missing_outcome(report, unreadable)
    score = sum(t["score"] for t in tests)
    max_score = sum(t["max_score"] for t in tests)
    result = {
        "score": score,
        "max_score": max_score,
        "execution_time": round(execution_time, 3),
        "output": redact(_summary(tests, score, max_score, report, unreadable), secret_lines),
        "tests": tests,
    }
    # The language of its feedback; which confinement was in force, and how many code cells ran
    # (Gradescope keeps extra_data).
    # Each check's outcome as a fact (report.outcome_of reads it, in any language), the limit
    # that stopped grading and why the submission could not be read, if either happened.
    result["extra_data"] = {"language": language(), "outcomes": outcomes}
    if unreadable:
        result["extra_data"]["unreadable"] = unreadable
    if report is not None and report.limit and report.problem:
        result["extra_data"]["limit"] = report.limit
    if report is not None:
        result["extra_data"]["cells_run"] = report.cells_run
        if report.protections or report.missing:
            result["extra_data"]["sandbox"] = {"protections": list(report.protections),
                                               "missing": list(report.missing)}
        if report.findings:
            # For the instructor: where the code reaches into the interpreter or the engine
            # (the rule, the cell, the line). It earns nothing and costs nothing by itself.
            result["extra_data"]["flags"] = [dict(f) for f in report.findings]
    return valid_text(result)


def _summary(tests, score, max_score, report, unreadable) -> str:
    passed = sum(t["status"] == "passed" for t in tests)
    lines = [_("{score} / {max_score} points; {passed} of {checks} checks passed.").format(
        score=_points(score), max_score=_points(max_score), passed=passed, checks=len(tests))]
    if unreadable:
        lines.append(_(UNREADABLE).format(reason=unreadable))
    if report is not None:
        shown = report.cell_errors[:MAX_CELL_ERRORS_SHOWN]
        if report.cells_raised > len(shown):
            lines.append(_("{raised} cells of your notebook raised an error; the first {shown} "
                           "were:").format(raised=report.cells_raised, shown=len(shown)))
        for error in shown:
            lines.append(_("A cell raised an error: {where}: {error}").format(
                where=error["where"], error=error["error"]))
        if report.problem:
            lines.append(_("Grading stopped early: {problem}").format(problem=report.problem))
        if report.grader_error:
            lines.append(_("The graders could not run (a problem in the kit, not your code)."))
        if report.tampering and SCAN_CREDITS_NOTHING:
            lines.append(_(TAMPERING).format(uses=_uses(report)))
    return "\n".join(lines)


# The summary of a submission the engine failed on (an engine error, not the learner's).
NOT_GRADED = N_("Not graded: the grading engine failed on this submission. This is a problem "
                "on the grading side, not in your notebook; your instructor has been told and "
                "can grade it again.")


def error_result(planned: list[PlannedCheck], why: str, *, execution_time: float = 0.0,
                 secret_lines: set[str] = frozenset()) -> dict:
    """The result of a submission the engine could not grade: status "error" and no score
    (`score` is null, no test is listed), never a 0 the learner earned. `extra_data.not_graded`
    says why, for the instructor (shortened, hidden grader text removed)."""
    result = {
        "score": None,
        "max_score": sum(check.info.points for check in planned),
        "status": "error",
        "execution_time": round(execution_time, 3),
        "output": _(NOT_GRADED),
        "tests": [],
        "extra_data": {"language": language(), "status": "error", "outcomes": {},
                       "not_graded": redact(clean(why, limit=300), secret_lines)},
    }
    return valid_text(result)
