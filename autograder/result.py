"""Build the contract's result (Gradescope's results.json schema) from what the child reported."""
from __future__ import annotations

from autograder.runner import PlannedCheck
from autograder.sandbox import ChildReport

RESULT_TEST_FIELDS = ("name", "score", "max_score", "status", "output", "visibility", "tags")


def _points(x: float) -> str:
    return f"{x:g}"


def zero_test(planned: PlannedCheck, reason: str) -> dict:
    info = planned.info
    return {"name": planned.name, "score": 0.0, "max_score": info.points, "status": "failed",
            "output": reason, "visibility": info.visibility, "tags": list(info.tags)}


def build_result(planned: list[PlannedCheck], report: ChildReport | None, *,
                 unreadable: str | None = None, execution_time: float = 0.0) -> dict:
    """One test per planned check, in the graders' order; checks that never ran score 0."""
    ran = {r["name"]: r for r in (report.checks if report else [])}
    if unreadable:
        missing_reason = f"Not checked: the submission could not be read ({unreadable})."
    elif report and report.grader_error:
        missing_reason = ("Not checked: the graders could not run. This is a problem in the kit, "
                          "not in your code; please tell your instructor.")
    elif report and report.problem:
        missing_reason = f"Not checked: {report.problem}"
    else:
        missing_reason = "Not checked: the grading process stopped before this check."
    tests = []
    for check in planned:
        if check.name in ran:
            tests.append({k: ran[check.name][k] for k in RESULT_TEST_FIELDS})
        else:
            tests.append(zero_test(check, missing_reason))
    score = sum(t["score"] for t in tests)
    max_score = sum(t["max_score"] for t in tests)
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": round(execution_time, 3),
        "output": _summary(tests, score, max_score, report, unreadable),
        "tests": tests,
    }


def _summary(tests, score, max_score, report, unreadable) -> str:
    passed = sum(t["status"] == "passed" for t in tests)
    lines = [f"{_points(score)} / {_points(max_score)} points; {passed} of {len(tests)} checks passed."]
    if unreadable:
        lines.append(f"The submission could not be read: {unreadable}")
    if report is not None:
        for error in report.cell_errors:
            lines.append(f"A cell raised an error: {error['where']}: {error['error']}")
        if report.problem:
            lines.append(f"Grading stopped early: {report.problem}")
        if report.grader_error:
            lines.append("The graders could not run (a problem in the kit, not your code).")
    return "\n".join(lines)
