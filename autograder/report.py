"""The readable report `make grade` prints: one line per check, feedback under each failure."""
from __future__ import annotations

import re
import textwrap

from autograder.i18n import N_, _, prefixes

# The feedback of a check whose stub still raises NotImplementedError, and of a check that never
# ran: the class report counts both as not attempted (see classreport), in any language.
NOT_IMPLEMENTED = N_(
    "Not implemented yet: `{function}` ({where}) still raises NotImplementedError.\n"
    "What to change: replace `raise NotImplementedError()` with your code, run the cell, then "
    "run this check again.")
NOT_CHECKED = N_("Not checked: {problem}")

# "cell 12 [7]" as feedback names a cell, in any language ("单元格 12 [7]").
CELL_NAME = re.compile(r"\S+ \d+ \[\d+\]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value):
    """`value` (a result, or any part of one) with every string valid Unicode: a lone
    surrogate (from a learner's message or a file's name) becomes U+FFFD, so that every
    writer (a terminal, a JSON file, an HTML page, a spreadsheet) takes it."""
    kind = type(value)
    if kind is str:
        return _SURROGATE.sub("\ufffd", value)
    if kind in (list, tuple):
        return [valid_text(v) for v in value]
    if kind is dict:
        return {valid_text(k): valid_text(v) for k, v in value.items()}
    return value


def _pts(x: float) -> str:
    return f"{x:g}"


def split_feedback(output: str) -> tuple[str, str]:
    """("Check: what it looks at", the rest) of a failed check's feedback (in any language)."""
    head, _newline, rest = output.partition("\n")
    return (head, rest) if head.startswith(prefixes("Check: {description}")) else ("", output)


def description_of(head: str) -> str:
    """The description in a "Check: ..." line (in any language)."""
    for prefix in prefixes("Check: {description}"):
        if head.startswith(prefix):
            return head[len(prefix):]
    return head


def format_check(test: dict, *, indent: int = 2, verbose_passed: bool = False,
                 same_as_above: bool = False) -> str:
    """One check: a PASS/FAIL line with its points, and the feedback under a failure."""
    mark = "PASS" if test["status"] == "passed" else "FAIL"
    points = f"{_pts(test['score'])}/{_pts(test['max_score'])}"
    lines = [f"{' ' * indent}{mark} {points:>7}  {test['name']}  [{', '.join(test['tags'])}]"]
    if test["status"] != "passed" or verbose_passed:
        output = test["output"].rstrip()
        if same_as_above:
            output = "\n".join(filter(None, [split_feedback(output)[0], _("(same as above)")]))
        lines.append(textwrap.indent(output, " " * (indent + 16)))
    return valid_text("\n".join(lines))


def format_report(result: dict, title: str, *, verbose_passed: bool = False) -> str:
    if result.get("status") == "error":   # the engine failed: no score to show
        return valid_text("\n".join([
            _("== {title}: not graded ({seconds:.1f} s)").format(
                title=title, seconds=result["execution_time"]),
            "  " + result["output"]]))
    lines = [_("== {title}: {score} / {max_score} points ({seconds:.1f} s)").format(
        title=title, score=_pts(result["score"]), max_score=_pts(result["max_score"]),
        seconds=result["execution_time"])]
    previous = None
    for test in result["tests"]:
        body = split_feedback(test["output"])[1] if test["status"] != "passed" else None
        lines.append(format_check(test, verbose_passed=verbose_passed,
                                  same_as_above=body is not None and body == previous))
        previous = body
    summary = result["output"].splitlines()
    lines.append("  " + _("Total: {summary}").format(summary=summary[0]))
    lines.extend(f"  {line}" for line in summary[1:])
    if any(CELL_NAME.search(t["output"]) for t in result["tests"]) or CELL_NAME.search(result["output"]):
        lines.append("  " + _("(cell 12 [7]: the 12th cell from the top of the notebook, text "
                              "cells included; [7]: the number JupyterLab showed beside it when "
                              "it last ran)"))
    return valid_text("\n".join(lines))
