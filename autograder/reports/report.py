"""The readable report `make grade` prints: one line per check, feedback under each failure."""
from __future__ import annotations

import re
import textwrap

from autograder.config import MAX_NOTEBOOK_BYTES
from autograder.i18n import N_, _, prefixes, use, valid

# The feedback of a check whose stub still raises NotImplementedError, and of a check that never
# ran: the class report counts both as not attempted (see classreport), in any language.
NOT_IMPLEMENTED = N_(
    "Not implemented yet: `{function}` ({where}) still raises NotImplementedError.\n"
    "What to change: replace `raise NotImplementedError()` with your code, run the cell, then "
    "run this check again.")
NOT_CHECKED = N_("Not checked: {problem}")
# The plugin's words for a failure through another check's root cause (see plugin.GraderPlugin).
SAME_MISTAKE = N_("Observed: the same mistake as {first}: {observed}\n"
                  "What to change: see {first}; fixing it fixes this check too.")
# The summary line of a submission that could not be read (grading.result writes it).
UNREADABLE = N_("The submission could not be read: {reason}")

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


# -- outcomes ------------------------------------------------------------------------------------
# What happened to each check, as a fact rather than a text: result["extra_data"]["outcomes"] maps
# each check's name to {"outcome": one of OUTCOMES} (grading.result writes it), with "same_as": the
# check whose mistake it is, for SAME_MISTAKE, and "limit": "time" or "memory", for LIMIT. Readers
# (the report, the class report, the gradebook, mutation analysis) use `outcome_of`, never the
# feedback's words, which depend on the language.
PASSED = "passed"
FAILED = "failed"                    # the learner's own mistake
NOT_IMPLEMENTED_YET = "not_implemented"   # the stub still raises NotImplementedError
NOT_CREDITED = "not_credited"        # never saw the learner's own code (not readable, grading
#                                      stopped before it, a process that ended, the scan's zero)
SAME_MISTAKE_AS = "same_mistake"     # failed through the mistake of the check named in same_as
LIMIT_HIT = "limit"                  # not run: the time or memory limit was reached first
GRADING_ERROR = "grading_error"      # not run: the kit's graders or sandbox failed
OUTCOMES = (PASSED, FAILED, NOT_IMPLEMENTED_YET, NOT_CREDITED, SAME_MISTAKE_AS, LIMIT_HIT,
            GRADING_ERROR)
# A check with one of these outcomes says nothing about a misconception (the class report counts
# it as not attempted).
NOT_ATTEMPTED = (NOT_IMPLEMENTED_YET, NOT_CREDITED, LIMIT_HIT, GRADING_ERROR)
LIMITS = ("time", "memory")
_CHECK_NAME = re.compile(r"[\w.-]{1,80}/[\w.-]{1,120}")


def outcome(kind: str, *, same_as: str | None = None, limit: str | None = None) -> dict:
    """One check's entry in extra_data.outcomes."""
    entry = {"outcome": kind}
    if kind == SAME_MISTAKE_AS and same_as:
        entry["same_as"] = same_as
    if kind == LIMIT_HIT and limit in LIMITS:
        entry["limit"] = limit
    return entry


def _extra(result: dict) -> dict:
    extra = result.get("extra_data") if isinstance(result, dict) else None
    return extra if isinstance(extra, dict) else {}


def outcome_of(result: dict, test: dict) -> dict:
    """`test`'s outcome ({"outcome", and "same_as" or "limit" where they apply}) in `result`:
    the one recorded in extra_data.outcomes; for a result written before outcomes were recorded
    (or one whose entry does not fit the test's status), the one its feedback's words give."""
    recorded = _extra(result).get("outcomes")
    entry = recorded.get(test.get("name")) if isinstance(recorded, dict) else None
    kind = entry.get("outcome") if isinstance(entry, dict) else None
    if kind in OUTCOMES and (kind == PASSED) == (test.get("status") == "passed"):
        same_as = entry.get("same_as")
        if kind != SAME_MISTAKE_AS or (isinstance(same_as, str) and same_as):
            return outcome(kind, same_as=same_as, limit=entry.get("limit"))
    return outcome_from_text(test)


def outcome_from_text(test: dict) -> dict:
    """FALLBACK for results written before outcomes were recorded (no extra_data.outcomes): the
    outcome that `test`'s feedback words, in any language the kit speaks. It cannot tell a limit
    or a grading error from another check that never ran: all three read as NOT_CREDITED (all are
    not attempted). Nothing else in the kit matches feedback text to learn an outcome."""
    if test.get("status") == "passed":
        return outcome(PASSED)
    text = split_feedback(str(test.get("output", "")))[1].strip()
    if text.startswith(prefixes(NOT_IMPLEMENTED)):
        return outcome(NOT_IMPLEMENTED_YET)
    if text.startswith(prefixes(NOT_CHECKED)):
        return outcome(NOT_CREDITED)
    for prefix in prefixes(SAME_MISTAKE):
        if prefix and text.startswith(prefix):
            found = _CHECK_NAME.match(text[len(prefix):])
            if found:
                return outcome(SAME_MISTAKE_AS, same_as=found.group())
    return outcome(FAILED)


def limit_of(result: dict) -> str | None:
    """The limit ("time" or "memory") that stopped grading `result`, if one did: recorded in
    extra_data.limit; for a result written before, FALLBACK: its summary's words (the time limit
    only, in English, as mutation analysis read it)."""
    extra = _extra(result)
    if "outcomes" in extra:
        return extra.get("limit") if extra.get("limit") in LIMITS else None
    return "time" if "time limit" in str(result.get("output", "")) else None


def unreadable_line(result: dict) -> str | None:
    """The summary line saying why the submission could not be read, if it could not: built
    from extra_data.unreadable; for a result written before, FALLBACK: the summary's line that
    starts as UNREADABLE does in some language."""
    extra = _extra(result)
    if "outcomes" in extra:
        reason = extra.get("unreadable")
        if not isinstance(reason, str):
            return None
        with use(valid(extra.get("language"))):
            return _(UNREADABLE).format(reason=reason)
    lines = [line for line in str(result.get("output", "")).splitlines()
             if line.startswith(prefixes(UNREADABLE))]
    return lines[0] if lines else None


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


def exercises_of(assignment_id: str) -> dict[str, str]:
    """check name -> its exercise, in the order the graders define them (read from their
    source: see runner.manifest); empty for an assignment this kit does not know."""
    from autograder import assignments
    from autograder.judge_side.runner import manifest

    try:
        return {c.name: c.info.exercise for c in manifest(assignments.get(assignment_id))}
    except (KeyError, ValueError, OSError, SyntaxError, assignments.UnknownAssignment):
        return {}


def by_exercise(tests: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """The checks grouped by exercise, the exercises in the order the notebook has them (the
    graders'), each exercise's checks in their order, public before hidden. Checks of no known
    exercise come last, under None."""
    ids = {str(t.get("name", "")).split("/", 1)[0] for t in tests}
    exercises = exercises_of(ids.pop()) if len(ids) == 1 else {}
    if not exercises:
        return [(None, list(tests))] if tests else []
    order = list(dict.fromkeys(exercises.values()))
    groups: dict[str | None, list[dict]] = {}
    for test in tests:
        groups.setdefault(exercises.get(test.get("name")), []).append(test)
    return [(e, groups[e]) for e in [*order, None] if e in groups]


def as_released(submission, assignment) -> bool:
    """Whether the notebook `submission` (a Path) is still exactly as released: every code cell
    one of the released notebook's (`assignment.released_cells()`, in every language), as a
    learner's copy is before they write anything."""
    import json

    released = assignment.released_cells()
    try:
        if submission.suffix != ".ipynb" or not released or \
                submission.stat().st_size > MAX_NOTEBOOK_BYTES:
            return False
        cells = json.loads(submission.read_text(encoding="utf-8")).get("cells")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, AttributeError):
        return False
    if not isinstance(cells, list):
        return False
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if not isinstance(source, str):
            return False
        sources.append(source.strip())
    return bool(sources) and all(s in released or not s for s in sources)


def kept_earlier(result: dict, target, submission, assignment) -> str | None:
    """Why `result` must not replace the result file `target`, if it must not: it gives no
    point to a notebook still exactly as released (see as_released: an untouched stub), and
    `target` holds a result with points (the learner's earlier work, e.g. `make grade` of
    assignments/ after work/ was graded). Any other result replaces the file: a notebook
    that was worked on and scores 0 is told so."""
    import json

    if result.get("status") == "error" or result.get("score") != 0:
        return None
    try:
        earlier = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    score = earlier.get("score") if isinstance(earlier, dict) else None
    if type(score) not in (int, float) or not score > 0 or not as_released(submission, assignment):
        return None
    maximum = earlier.get("max_score", 0)
    return _("{file} keeps its earlier result ({score} / {max_score} points): this notebook is "
             "still as released (every check says not implemented yet), so its zeros do not "
             "replace it. Delete {file} to record them anyway.").format(
        file=target, score=_pts(score),
        max_score=_pts(maximum) if type(maximum) in (int, float) else "?")


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
    for exercise, tests in by_exercise(result["tests"]):
        if exercise is not None:
            lines.append("  " + _("-- {exercise}: {earned} / {total} points").format(
                exercise=exercise, earned=_pts(sum(t["score"] for t in tests)),
                total=_pts(sum(t["max_score"] for t in tests))))
        for test in tests:
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
