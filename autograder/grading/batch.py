"""Grade a whole class: nbgrader's `submitted/<student>/<assignment>/` layout, in parallel.

Writes `<out>/<student>/<assignment>.json` per submission (each file written whole, then renamed
into place) and `<out>/class.csv` (student, assignment, score, max_score, one column per check,
every cell spreadsheet-safe: see `spreadsheet`), showing progress on stderr.

Names are data. A student folder may be called anything the file system allows (unicode,
spaces, `...`, a leading `-`, 255 bytes, a newline, bytes that are not UTF-8); its results are
written under its own name, except where that name is one of the kit's own files in `<out>`
(`class.csv`, `class-report.html`, ...: see KIT_NAMES): the kit's file wins, and that student's
results go to `<out>/_kit-names/<student>/<assignment>.json` instead (class.csv and the class
report still name the student as the folder does). A result that cannot be written is said on
stderr for that learner; the batch goes on, and class.csv still has the learner's row.

A batch never loses a result. Every result records what it was computed from (the submission
file's hash and the kit's); run `grade-all` again on the same output folder and it keeps the
results that are still current and grades only the rest: the submissions that have no result
yet (a batch whose grading process was killed), that changed, or whose graders changed.
`--fresh` grades everything again.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import assignments
from autograder.reports.report import valid_text
from autograder.reports.spreadsheet import write_csv

if TYPE_CHECKING:   # annotations only: the session imports torch
    from autograder.grading import cluster
    from autograder.grading.session import Limits, Session

# The kit's own files in a results folder (grade-all's class table and its partial copy, the
# class report's default page), and the folder where students named like one are put.
KIT_FOLDER = "_kit-names"
KIT_NAMES = frozenset({"class.csv", "class.csv.partial", "class-report.html", KIT_FOLDER})


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """A name as one line of a terminal: valid text, control characters (a newline, a terminal
    escape sequence) shown as escapes."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], valid_text(text))


def result_folder(out: Path, student: str) -> Path:
    """Where a student's results go: `out/<student>/`, or `out/_kit-names/<student>/` for a
    name the kit uses itself (compared case-insensitively, for the file systems that do)."""
    if student.casefold() in {name.casefold() for name in KIT_NAMES}:
        return out / KIT_FOLDER / student
    return out / student


def student_of(parts: tuple[str, ...]) -> str:
    """The student of a result at `<folder parts>/<assignment>.json`, relative to the results
    folder: the inverse of `result_folder`."""
    if len(parts) == 2 and parts[0] == KIT_FOLDER:
        return parts[1]
    return "/".join(parts)


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: assignments.Assignment
    path: Path


def discover(submitted: Path) -> list[Submission]:
    """Every `<student>/<assignment>/` folder; its notebook is `<assignment>.ipynb`, else the
    only notebook there. A folder without one still yields a submission (it will score 0)."""
    found = []
    for student_dir in sorted(p for p in submitted.iterdir() if _is_dir(p)):
        try:
            folders = sorted(p for p in student_dir.iterdir() if _is_dir(p))
        except OSError as exc:   # a folder the grading user cannot list: this learner's only
            print(f"autograder: {printable(str(student_dir))}: cannot be read ({exc}); "
                  "no submission found there", file=sys.stderr)
            continue
        for folder in folders:
            if folder.name not in assignments.ids():
                continue
            path = folder / f"{folder.name}.ipynb"
            if not path.exists():
                notebooks = sorted(folder.glob("*.ipynb"))
                path = notebooks[0] if len(notebooks) == 1 else path
            found.append(Submission(student_dir.name, assignments.get(folder.name), path))
    return found


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:   # a name too long for a path, a loop of links
        return False


class Progress:
    """A one-line progress bar on stderr (a line per submission when stderr is not a terminal)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.start = time.monotonic()
        self.tty = stream.isatty()

    def update(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        # A name may hold a newline or bytes that are not text: one line, whatever it is.
        label = printable(label)
        line = f"[{bar}] {self.done}/{self.total} graded, {elapsed:.0f} s  {label}"
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def write_class_csv(rows: list[tuple[Submission, dict]], target: Path) -> None:
    """One row per submission, written whole then renamed into place; every cell of learner
    data (the student's folder name above all) spreadsheet-safe."""
    checks = []
    for _, result in rows:
        for test in result["tests"]:
            if test["name"] not in checks:
                checks.append(test["name"])
    # A submission the engine failed on has no score: its score is empty and its note says
    # "not graded: <why>".
    write_csv(target, ["student", "assignment", "score", "max_score", *checks, "note"],
              [[sub.student, sub.assignment.id,
                "" if result.get("status") == "error" else result["score"], result["max_score"],
                *[scores.get(c, "") for c in checks], _note(result)]
               for sub, result in sorted(rows, key=lambda r: (r[0].student, r[0].assignment.id))
               for scores in [{t["name"]: t["score"] for t in result["tests"]}]])


def _note(result: dict) -> str:
    if result.get("status") != "error":
        return ""
    return "not graded: " + str(result.get("extra_data", {}).get("not_graded", "engine error"))


def kit_fingerprint(assignment: assignments.Assignment) -> str:
    """What a result depends on besides the submission: the engine, the assignment's graders,
    its helper files and the translations of the feedback."""
    digest = hashlib.sha256()
    files = sorted(p for p in assignments.PACKAGE_DIR.rglob("*.py")
                   if "graders" not in p.relative_to(assignments.PACKAGE_DIR).parts)
    files += sorted(assignment.grader_dir.glob("*.py")) + assignment.helper_files()
    files += sorted((assignments.PACKAGE_DIR / "i18n" / "locale").rglob("*.mo"))
    for path in files:
        digest.update(str(path.relative_to(assignments.COURSE_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def submission_fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


def _current(target: Path, fingerprint: dict) -> dict | None:
    """The result already at `target`, if it was computed from the same submission and kit."""
    try:
        result = json.loads(target.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict) or not isinstance(result.get("tests"), list):
        return None
    if result.get("extra_data", {}).get("grading") != fingerprint:
        return None
    if result.get("status") == "error":
        return None   # the engine failed on it last time: grade it again
    return result


def write_result(result: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(valid_text(result), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, target)


def sandbox_summary(rows: list[tuple[Submission, dict]]) -> str:
    """Which confinement the learner processes had, over the whole batch."""
    protections, missing = set(), set()
    for _, result in rows:
        sandbox = result.get("extra_data", {}).get("sandbox", {})
        protections.update(sandbox.get("protections", []))
        missing.update(sandbox.get("missing", []))
    if not protections and not missing:
        return "sandbox: no submission ran"
    text = "sandbox: " + "; ".join(sorted(protections))
    return text + (" | not available: " + "; ".join(sorted(missing)) if missing else "")


def grade_all(submitted: Path, out: Path, *, jobs: int, limits: "Limits", progress: bool = True,
              fresh: bool = False, all_cells: bool = False, language: str | None = None,
              cluster: "cluster.Options | None" = None, on_graded=None
              ) -> tuple[list[tuple[Submission, dict]], int]:
    """Grade every submission without a current result; returns all rows and how many were
    kept from an earlier run.

    The session (and its zygote) starts before anything of the class is read: no learner
    process can find the roster or a classmate's earlier result in the memory it inherits.

    With `cluster` (`autograder.grading.cluster.Options`), the submissions are graded on that Dask
    cluster instead (no learner code runs here, so no session starts); results are written
    here all the same. `on_graded(submission, result)` is called as each one is graded.
    """
    if cluster is not None:
        return _grade_all(None, submitted, out, jobs=jobs, limits=limits, progress=progress,
                          fresh=fresh, all_cells=all_cells, language=language, cluster=cluster,
                          on_graded=on_graded)
    from autograder.grading.session import Session   # torch: only when grading

    with Session(assignments.every(),
                 protect=(str(submitted), str(out))) as session:
        return _grade_all(session, submitted, out, jobs=jobs, limits=limits, progress=progress,
                          fresh=fresh, all_cells=all_cells, language=language,
                          on_graded=on_graded)


def _grade_all(session: "Session", submitted: Path, out: Path, *, jobs: int, limits: "Limits",
               progress: bool, fresh: bool, all_cells: bool, language: str | None,
               cluster=None, on_graded=None) -> tuple[list[tuple[Submission, dict]], int]:
    if cluster is None:
        from autograder.grading.api import grade_many
    else:
        from autograder.grading import cluster as scale_out

    submissions = discover(submitted)
    out.mkdir(parents=True, exist_ok=True)
    kits = {a.id: kit_fingerprint(a) for a in {s.assignment for s in submissions}}
    rows: list[tuple[Submission, dict]] = []
    todo = []
    for sub in submissions:
        fingerprint = {"submission": submission_fingerprint(sub.path),
                       "kit": kits[sub.assignment.id], "all_cells": all_cells,
                       "language": language}
        kept = None if fresh else _current(
            result_folder(out, sub.student) / f"{sub.assignment.id}.json", fingerprint)
        if kept is not None:
            rows.append((sub, kept))
        else:
            todo.append((sub, fingerprint))
    bar = Progress(len(todo)) if progress and todo else None

    def on_result(key, path, assignment, result):
        sub, fingerprint = todo[key]
        result.setdefault("extra_data", {})["grading"] = fingerprint
        target = result_folder(out, sub.student) / f"{assignment.id}.json"
        try:
            write_result(result, target)
        except (OSError, ValueError) as exc:   # this learner's result only: the batch goes on
            print(f"autograder: {printable(str(target))}: the result could not be written "
                  f"({printable(str(exc))}); its score is in class.csv", file=sys.stderr)
        rows.append((sub, result))
        if on_graded is not None:
            on_graded(sub, result)
        if bar:
            score = "not graded" if result.get("status") == "error" else f"{result['score']:g}"
            bar.update(f"{sub.student}/{assignment.id}: {score}/{result['max_score']:g}")

    if todo and cluster is not None:
        scale_out.grade_many([(i, sub.path, sub.assignment) for i, (sub, _) in enumerate(todo)],
                             limits, options=cluster, on_result=on_result, all_cells=all_cells,
                             hide=(str(submitted.resolve()), str(out.resolve())),
                             language=language)
    elif todo:
        grade_many([(i, sub.path, sub.assignment) for i, (sub, _) in enumerate(todo)], limits,
                   jobs=jobs, on_result=on_result, session=session, all_cells=all_cells,
                   hide=(str(submitted.resolve()), str(out.resolve())), language=language)
    write_class_csv(rows, out / "class.csv")
    return rows, len(submissions) - len(todo)
