"""The readable report `make grade` prints: one line per check, feedback under each failure."""
from __future__ import annotations

import textwrap


def _pts(x: float) -> str:
    return f"{x:g}"


def format_check(test: dict, *, indent: int = 2, verbose_passed: bool = False) -> str:
    """One check: a PASS/FAIL line with its points, and the feedback under a failure."""
    mark = "PASS" if test["status"] == "passed" else "FAIL"
    points = f"{_pts(test['score'])}/{_pts(test['max_score'])}"
    lines = [f"{' ' * indent}{mark} {points:>7}  {test['name']}  [{', '.join(test['tags'])}]"]
    if test["status"] != "passed" or verbose_passed:
        lines.append(textwrap.indent(test["output"].rstrip(), " " * (indent + 16)))
    return "\n".join(lines)


def format_report(result: dict, title: str, *, verbose_passed: bool = False) -> str:
    lines = [f"== {title}: {_pts(result['score'])} / {_pts(result['max_score'])} points "
             f"({result['execution_time']:.1f} s)"]
    lines.extend(format_check(t, verbose_passed=verbose_passed) for t in result["tests"])
    summary = result["output"].splitlines()
    lines.append(f"  Total: {summary[0]}")
    lines.extend(f"  {line}" for line in summary[1:])
    return "\n".join(lines)
