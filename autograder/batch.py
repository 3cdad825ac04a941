"""Grade a whole class: nbgrader's `submitted/<student>/<assignment>/` layout, in parallel.

Writes `<out>/<student>/<assignment>.json` per submission and `<out>/class.csv` (student,
assignment, score, max_score, one column per check), showing progress on stderr.
"""
from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import assignments
from autograder.grading import grade_many
from autograder.sandbox import Limits


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
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "score", "max_score", *checks])
        for sub, result in sorted(rows, key=lambda r: (r[0].student, r[0].assignment.id)):
            scores = {t["name"]: t["score"] for t in result["tests"]}
            writer.writerow([sub.student, sub.assignment.id, result["score"], result["max_score"],
                             *[scores.get(c, "") for c in checks]])


def grade_all(submitted: Path, out: Path, *, jobs: int, limits: Limits,
              progress: bool = True) -> list[tuple[Submission, dict]]:
    submissions = discover(submitted)
    bar = Progress(len(submissions)) if progress else None
    rows: list[tuple[Submission, dict]] = []

    def on_result(sub, path, assignment, result):
        target = out / sub.student / f"{assignment.id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(result, indent=2) + "\n")
        rows.append((sub, result))
        if bar:
            bar.update(f"{sub.student}/{assignment.id}: {result['score']:g}/{result['max_score']:g}")

    out.mkdir(parents=True, exist_ok=True)
    grade_many([(s, s.path, s.assignment) for s in submissions], limits, jobs=jobs,
               on_result=on_result)
    write_class_csv(rows, out / "class.csv")
    return rows
