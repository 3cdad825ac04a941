"""nbgrader's gradebook, fed verdicts that learner code could not forge.

Under `nbgrader autograde` the check cells run in the learner's own kernel, so learner code can
set its own points. `make autograde` therefore runs nbgrader first (timestamps, late penalties,
the autograded notebooks, the gradebook's structure), then this module:

1. grades the same submitted notebooks with the engine (`batch.grade_all`: learner and judge
   processes, resuming where an earlier run stopped);
2. writes the engine's points into nbgrader's gradebook for every graded cell, through
   nbgrader's own `Gradebook` API, creating the submission where nbgrader could not process the
   notebook at all;
3. puts the engine's feedback into each graded cell's output in the autograded notebook (and
   writes one where nbgrader wrote none), so that `nbgrader generate_feedback` shows it;
4. lists, in `autograded/discrepancies.csv`, every cell where the kernel had claimed more than
   the engine gives, and in `autograded/unprocessed.csv` every submission nbgrader could not
   autograde.

`make feedback` and `make export` then show the engine's scores. nbgrader's `grades.csv` gives
0 both to a notebook that scored 0 and to one never submitted; `make export` also writes
`grades-status.csv` (see `write_status`), which tells them apart.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments
from autograder.batch import discover, grade_all
from autograder.i18n import _, prefixes, use, valid
from autograder.report import format_check
from autograder.result import UNREADABLE
from autograder.runner import manifest
from autograder.sandbox import Limits

_CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']""")
DISCREPANCIES = ("student", "assignment", "cell", "kernel_points", "engine_points")
UNPROCESSED = ("student", "assignment", "reason")
STATUS = ("assignment", "student_id", "status", "score", "max_score", "timestamp")
SUBMITTED, NOT_SUBMITTED = "submitted", "not submitted"
NOT_GRADED = "submitted, not graded (run make autograde)"


@dataclass
class Overlay:
    """What `apply` did, for the summary `make autograde` prints."""

    scores: list[tuple[str, str, float, float]] = field(default_factory=list)
    discrepancies: list[tuple] = field(default_factory=list)
    unprocessed: list[tuple] = field(default_factory=list)


def graded_cells(notebook: dict) -> dict[str, tuple[str, float]]:
    """grade_id -> (exercise, points) for a source notebook's graded test cells."""
    cells = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            match = _CHECK_CALL.search("".join(cell.get("source", "")))
            if match:
                cells[meta["grade_id"]] = (match.group(2), float(meta.get("points", 0)))
    return cells


def cell_points(result: dict, exercise_of: dict[str, str]) -> dict[str, float]:
    """The engine's points per exercise."""
    points: dict[str, float] = {}
    for test in result["tests"]:
        exercise = exercise_of.get(test["name"])
        points[exercise] = points.get(exercise, 0.0) + float(test["score"])
    return points


def engine_output(result: dict, exercise: str, exercise_of: dict[str, str], points: float,
                  worth: float) -> list[dict]:
    """A graded cell's outputs as the feedback page will show them: the engine's report."""
    lines = [format_check(t) for t in result["tests"] if exercise_of.get(t["name"]) == exercise]
    lines.append(_("{exercise}: {points:g} / {worth:g} points, graded by the engine").format(
        exercise=exercise, points=points, worth=worth))
    summary = result["output"].splitlines()
    if len(summary) > 1:
        lines += ["", *summary[1:]]
    return [{"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"},
            {"output_type": "execute_result", "execution_count": None, "metadata": {},
             "data": {"text/plain": f"{points:g}"}}]


def _read_notebook(path: Path) -> dict | None:
    try:
        notebook = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return notebook if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list) \
        else None


def _write_outputs(target: Path, submitted: Path, released: Path, result: dict, cells: dict,
                   exercise_of: dict, points: dict) -> None:
    """Give every graded cell of `target` the engine's report as its output. `target` is
    nbgrader's autograded notebook; where nbgrader wrote none, it is made from the submitted
    notebook (or the released one, if the submission cannot be read), with the graded cells'
    code as released."""
    released_nb = _read_notebook(released) or {"cells": []}
    notebook = _read_notebook(target)
    if notebook is None:
        notebook = _read_notebook(submitted) or released_nb
        as_released = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c
                       for c in released_nb["cells"]}
        notebook["cells"] = [
            {**cell, "source": as_released[cell["metadata"]["nbgrader"]["grade_id"]]["source"]}
            if isinstance(cell, dict) and cell.get("metadata", {}).get("nbgrader", {})
            .get("grade_id") in cells and cell["metadata"]["nbgrader"]["grade_id"] in as_released
            else cell
            for cell in notebook["cells"]]
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") \
            if isinstance(cell, dict) else None
        if grade_id in cells and cell.get("cell_type") == "code":
            exercise, worth = cells[grade_id]
            cell["outputs"] = engine_output(result, exercise, exercise_of,
                                            points.get(exercise, 0.0), worth)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1) + "\n")


def apply(course: Path, results: dict[tuple[str, str], dict]) -> Overlay:
    """Write the engine's `results` ((student, assignment) -> result) into the gradebook and
    the autograded notebooks of the nbgrader course at `course`."""
    from nbgrader.api import Gradebook, MissingEntry

    overlay = Overlay()
    sources = {}
    for student, assignment_id in sorted(results):
        if assignment_id not in sources:
            assignment = assignments.get(assignment_id)
            source = json.loads((assignment.source_dir / f"{assignment_id}.ipynb").read_text())
            exercise_of = {c.name: c.info.exercise for c in manifest(assignment)}
            sources[assignment_id] = (graded_cells(source), exercise_of)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for (student, assignment_id), result in sorted(results.items()):
            cells, exercise_of = sources[assignment_id]
            points = cell_points(result, exercise_of)
            gradebook.update_or_create_student(student)
            try:
                gradebook.find_submission(assignment_id, student)
                processed = (course / "autograded" / student / assignment_id /
                             f"{assignment_id}.ipynb").exists()
            except MissingEntry:
                gradebook.add_submission(assignment_id, student)
                processed = False
            if not processed:
                unreadable = [line for line in result["output"].splitlines()
                              if line.startswith(prefixes(UNREADABLE))]
                overlay.unprocessed.append((
                    student, assignment_id,
                    f"nbgrader autograde failed; graded by the engine: "
                    f"{result['score']:g} / {result['max_score']:g}"
                    + (f" ({unreadable[0][:160]})" if unreadable else "")))
            for grade_id, (exercise, _worth) in cells.items():
                grade = gradebook.find_grade(grade_id, assignment_id, assignment_id, student)
                engine = points.get(exercise, 0.0)
                kernel = grade.auto_score if processed else None
                if kernel is not None and kernel > engine + 1e-9:
                    overlay.discrepancies.append((student, assignment_id, grade_id, kernel, engine))
                grade.auto_score = engine
                grade.needs_manual_grade = False
            gradebook.db.commit()
            overlay.scores.append((student, assignment_id, result["score"], result["max_score"]))
            name = f"{assignment_id}.ipynb"
            with use(valid(result.get("extra_data", {}).get("language"))):
                _write_outputs(course / "autograded" / student / assignment_id / name,
                               course / "submitted" / student / assignment_id / name,
                               course / "assignments" / assignment_id / name,
                               result, cells, exercise_of, points)
    _write_csv(course / "autograded" / "discrepancies.csv", DISCREPANCIES, overlay.discrepancies)
    _write_csv(course / "autograded" / "unprocessed.csv", UNPROCESSED, overlay.unprocessed)
    return overlay


def _write_csv(target: Path, header: tuple, rows: list) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def trusted_autograde(course: Path, *, jobs: int, limits: Limits,
                      only: list[str] | None = None, language: str | None = None) -> Overlay:
    """Grade `course/submitted` with the engine, then overlay the gradebook (see the module).
    Feedback is in `language`, by default each notebook's own (its release's)."""
    submitted = course / "submitted"
    subs = [s for s in discover(submitted) if not only or s.assignment.id in only]
    rows, _kept = grade_all(submitted, course / "results" / "gradebook", jobs=jobs,
                            limits=limits, progress=True, language=language)
    chosen = {(s.student, s.assignment.id) for s in subs}
    return apply(course, {(sub.student, sub.assignment.id): result for sub, result in rows
                          if (sub.student, sub.assignment.id) in chosen})


def summary(overlay: Overlay) -> str:
    lines = ["Scores in the gradebook (from the engine):"]
    for student, assignment_id, score, top in overlay.scores:
        lines.append(f"  {student:<24} {assignment_id:<12} {score:g} / {top:g}")
    if overlay.discrepancies:
        lines.append(f"{len(overlay.discrepancies)} cells where the kernel claimed more than the "
                     "engine gives: see autograded/discrepancies.csv")
    if overlay.unprocessed:
        lines.append(f"{len(overlay.unprocessed)} submissions nbgrader could not autograde, graded "
                     "by the engine only: see autograded/unprocessed.csv")
    return "\n".join(lines)


def status_rows(course: Path) -> list[tuple]:
    """One row per assignment and learner the gradebook knows (nbgrader export's rows): whether
    the learner submitted it, and the score the gradebook holds (empty when never submitted)."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for student in sorted(gradebook.students, key=lambda s: s.id):
                folder = course / "submitted" / student.id / assignment.name
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    status = NOT_GRADED if any(folder.glob("*.ipynb")) else NOT_SUBMITTED
                    rows.append((assignment.name, student.id, status, "",
                                 f"{assignment.max_score:g}", ""))
                    continue
                stamp = submission.timestamp.isoformat(sep=" ") if submission.timestamp else ""
                rows.append((assignment.name, student.id, SUBMITTED, f"{submission.score:g}",
                             f"{submission.max_score:g}", stamp))
    return rows


def write_status(course: Path, target: Path) -> list[tuple]:
    """`grades-status.csv`: nbgrader's grades with "submitted" / "not submitted" spelled out."""
    rows = status_rows(course)
    _write_csv(target, STATUS, rows)
    return rows
