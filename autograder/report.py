"""The readable report `make grade` prints: one line per check, feedback under each failure."""
from __future__ import annotations

import re
import textwrap

CELL_NAME = re.compile(r"\bcell \d+ \[\d+\]")


def _pts(x: float) -> str:
    return f"{x:g}"


def split_feedback(output: str) -> tuple[str, str]:
    """("Check: what it looks at", the rest) of a failed check's feedback."""
    head, _, rest = output.partition("\n")
    return (head, rest) if head.startswith("Check: ") else ("", output)


def format_check(test: dict, *, indent: int = 2, verbose_passed: bool = False,
                 same_as_above: bool = False) -> str:
    """One check: a PASS/FAIL line with its points, and the feedback under a failure."""
    mark = "PASS" if test["status"] == "passed" else "FAIL"
    points = f"{_pts(test['score'])}/{_pts(test['max_score'])}"
    lines = [f"{' ' * indent}{mark} {points:>7}  {test['name']}  [{', '.join(test['tags'])}]"]
    if test["status"] != "passed" or verbose_passed:
        output = test["output"].rstrip()
        if same_as_above:
            output = "\n".join(filter(None, [split_feedback(output)[0], "(same as above)"]))
        lines.append(textwrap.indent(output, " " * (indent + 16)))
    return "\n".join(lines)


def format_report(result: dict, title: str, *, verbose_passed: bool = False) -> str:
    lines = [f"== {title}: {_pts(result['score'])} / {_pts(result['max_score'])} points "
             f"({result['execution_time']:.1f} s)"]
    previous = None
    for test in result["tests"]:
        body = split_feedback(test["output"])[1] if test["status"] != "passed" else None
        lines.append(format_check(test, verbose_passed=verbose_passed,
                                  same_as_above=body is not None and body == previous))
        previous = body
    summary = result["output"].splitlines()
    lines.append(f"  Total: {summary[0]}")
    lines.extend(f"  {line}" for line in summary[1:])
    if any(CELL_NAME.search(t["output"]) for t in result["tests"]) or CELL_NAME.search(result["output"]):
        lines.append("  (cell 12 [7]: the 12th cell from the top of the notebook, text cells "
                     "included; [7]: the number JupyterLab showed beside it when it last ran)")
    return "\n".join(lines)
