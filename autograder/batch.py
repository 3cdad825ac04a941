"""Grade a whole class: nbgrader's `submitted/<student>/<assignment>/` layout, in parallel.

Writes `<out>/<student>/<assignment>.json` per submission (each file written whole, then renamed
into place) and `<out>/class.csv` (student, assignment, score, max_score, one column per check),
showing progress on stderr.

A batch never loses a result. Every result records what it was computed from (the submission
file's hash and the kit's); run `grade-all` again on the same output folder and it keeps the
results that are still current and grades only the rest: the submissions that have no result
yet (a batch whose grading process was killed), that changed, or whose graders changed.
`--fresh` grades everything again.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import assignments
from autograder.grading import grade_many
from autograder.sandbox import Limits, Session


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: assignments.Assignment
    path: Path


def discover(submitted: Path) -> list[Submission]:
    """Every `<student>/<assignment>/` folder; its notebook is `<assignment>.ipynb`, else the
    only notebook there. A folder without one still yields a submission (it will score 0)."""
    found = []
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()):
        for folder in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            if folder.name not in assignments.ASSIGNMENT_IDS:
                continue
            path = folder / f"{folder.name}.ipynb"
            if not path.exists():
                notebooks = sorted(folder.glob("*.ipynb"))
                path = notebooks[0] if len(notebooks) == 1 else path
            found.append(Submission(student_dir.name, assignments.get(folder.name), path))
    return found


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
        line = f"[{bar}] {self.done}/{self.total} graded, {elapsed:.0f} s  {label}"
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def write_class_csv(rows: list[tuple[Submission, dict]], target: Path) -> None:
    checks = []
    for _, result in rows:
        for test in result["tests"]:
            if test["name"] not in checks:
                checks.append(test["name"])
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "score", "max_score", *checks])
        for sub, result in sorted(rows, key=lambda r: (r[0].student, r[0].assignment.id)):
            scores = {t["name"]: t["score"] for t in result["tests"]}
            writer.writerow([sub.student, sub.assignment.id, result["score"], result["max_score"],
                             *[scores.get(c, "") for c in checks]])
    partial.replace(target)


def kit_fingerprint(assignment: assignments.Assignment) -> str:
    """What a result depends on besides the submission: the engine, the assignment's graders,
    its helper files and the translations of the feedback."""
    digest = hashlib.sha256()
    files = sorted(p for p in assignments.PACKAGE_DIR.rglob("*.py")
                   if "graders" not in p.relative_to(assignments.PACKAGE_DIR).parts)
    files += sorted(assignment.grader_dir.glob("*.py")) + assignment.helper_files()
    files += sorted((assignments.PACKAGE_DIR / "locale").rglob("*.mo"))
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
    return result


def write_result(result: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(result, indent=2) + "\n")
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


def grade_all(submitted: Path, out: Path, *, jobs: int, limits: Limits, progress: bool = True,
              fresh: bool = False, all_cells: bool = False, language: str | None = None
              ) -> tuple[list[tuple[Submission, dict]], int]:
    """Grade every submission without a current result; returns all rows and how many were
    kept from an earlier run.

    The session (and its zygote) starts before anything of the class is read: no learner
    process can find the roster or a classmate's earlier result in the memory it inherits.
    """
    with Session([assignments.get(a) for a in assignments.ASSIGNMENT_IDS],
                 protect=(str(submitted), str(out))) as session:
        return _grade_all(session, submitted, out, jobs=jobs, limits=limits, progress=progress,
                          fresh=fresh, all_cells=all_cells, language=language)


def _grade_all(session: Session, submitted: Path, out: Path, *, jobs: int, limits: Limits,
               progress: bool, fresh: bool, all_cells: bool, language: str | None
               ) -> tuple[list[tuple[Submission, dict]], int]:
    submissions = discover(submitted)
    out.mkdir(parents=True, exist_ok=True)
    kits = {a.id: kit_fingerprint(a) for a in {s.assignment for s in submissions}}
    rows: list[tuple[Submission, dict]] = []
    todo = []
    for sub in submissions:
        fingerprint = {"submission": submission_fingerprint(sub.path),
                       "kit": kits[sub.assignment.id], "all_cells": all_cells,
                       "language": language}
        kept = None if fresh else _current(out / sub.student / f"{sub.assignment.id}.json",
                                           fingerprint)
        if kept is not None:
            rows.append((sub, kept))
        else:
            todo.append((sub, fingerprint))
    bar = Progress(len(todo)) if progress and todo else None

    def on_result(key, path, assignment, result):
        sub, fingerprint = todo[key]
        result.setdefault("extra_data", {})["grading"] = fingerprint
        write_result(result, out / sub.student / f"{assignment.id}.json")
        rows.append((sub, result))
        if bar:
            bar.update(f"{sub.student}/{assignment.id}: {result['score']:g}/{result['max_score']:g}")

    if todo:
        grade_many([(i, sub.path, sub.assignment) for i, (sub, _) in enumerate(todo)], limits,
                   jobs=jobs, on_result=on_result, session=session, all_cells=all_cells,
                   hide=(str(submitted.resolve()), str(out.resolve())), language=language)
    write_class_csv(rows, out / "class.csv")
    return rows, len(submissions) - len(todo)
