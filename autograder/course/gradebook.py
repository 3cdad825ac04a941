"""nbgrader's gradebook, fed verdicts that learner code could not forge.

`nbgrader autograde` alone would run every submitted notebook in a kernel of the instructor's,
unconfined, and record what its test cells return: learner code can set its own points (or a
classmate's). In this course no kernel ever starts: nbgrader's autograde runs without its
`Execute` step (autograder/course/nbgrader_setup.py) and does only what needs no execution (students
and submissions, timestamps and late penalties, the graded cells restored from the source, the
autograded notebooks, every test cell worth 0 until the engine has graded it). Then
`python -m autograder gradebook` (`make autograde`'s second step), this module:

1. withholds every score of the submissions it is about to grade (each graded cell of each of
   them: no score, needs grading), so that nothing but the engine's verdict can stand, whatever
   an earlier run or another tool left in the gradebook;
2. grades the submitted notebooks with the engine afresh (`batch.grade_all(fresh=True)`: learner
   and judge processes in the sandbox; no result file on disk is believed, whoever wrote it);
3. writes the engine's points into nbgrader's gradebook for every graded cell, through
   nbgrader's own `Gradebook` API, all or nothing per assignment (one transaction; an assignment
   that cannot be written keeps its scores withheld and the command fails), creating the
   submission where nbgrader could not process the notebook at all, with nbgrader's late penalty
   recomputed on the engine's score;
4. puts the engine's report into each graded cell's output in the autograded notebook (made from
   the released notebook where nbgrader wrote none or the submission is malformed), so that
   `nbgrader generate_feedback` and the formgrader show it;
5. lists, in `autograded/discrepancies.csv`, every cell whose output in the submitted notebook
   (as the learner's own kernel left it) claims more than the engine gives, and in
   `autograded/unprocessed.csv` every submission nbgrader could not autograde or the engine could
   not grade.

`make feedback` and `make export` then show the engine's scores. nbgrader's `grades.csv` gives
0 both to a notebook that scored 0 and to one never submitted; `make export` also writes
`grades-status.csv` (see `write_status`), which tells them apart and says which submissions are
not graded.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments
from autograder.grading.batch import discover, grade_all
from autograder.i18n import _, use, valid
from autograder.course.nbgrader_setup import is_test_cell
from autograder.reports.report import format_check, unreadable_line
from autograder.judge_side.runner import manifest
from autograder.grading.session import Limits
from autograder.reports.spreadsheet import write_csv

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
    failures: list[tuple[str, str]] = field(default_factory=list)   # (assignment, why)
    not_graded: list[tuple[str, str, str]] = field(default_factory=list)  # (student, id, why)
    listed: bool = False   # each submission's line was printed as it was graded (`Lines`)

    @property
    def complete(self) -> bool:
        """Every submission's engine score is in the gradebook."""
        return not self.failures and not self.not_graded


def _nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata, or {} when the cell or its metadata is not what nbformat says
    (a learner's file can hold anything)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def _source_text(cell) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def graded_cells(notebook: dict) -> dict[str, tuple[str, float]]:
    """grade_id -> (exercise, points) for a source notebook's graded test cells."""
    cells = {}
    for cell in notebook.get("cells", []):
        meta = _nbgrader_meta(cell)
        if is_test_cell(cell):
            match = _CHECK_CALL.search(_source_text(cell))
            if match:
                cells[meta["grade_id"]] = (match.group(2), float(meta.get("points", 0)))
    return cells


def is_graded(result: dict) -> bool:
    """Whether the engine gave `result` a score (a grading error gives none)."""
    return (isinstance(result.get("score"), (int, float)) and result.get("status") != "error"
            and isinstance(result.get("tests"), list))


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
    summary = str(result.get("output", "")).splitlines()
    if len(summary) > 1:
        lines += ["", *summary[1:]]
    return [{"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"},
            {"output_type": "execute_result", "execution_count": None, "metadata": {},
             "data": {"text/plain": f"{points:g}"}}]


def claimed_points(cell, worth: float) -> float | None:
    """The points a test cell's saved outputs would give it under nbgrader (read, never run):
    what the learner's own kernel claimed. None when the cell has no output."""
    outputs = cell.get("outputs") if isinstance(cell, dict) else None
    if not isinstance(outputs, list) or not outputs:
        return None
    for output in outputs:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
            return 0.0
        if kind == "execute_result":
            data = output.get("data")
            text = data.get("text/plain") if isinstance(data, dict) else None
            text = "".join(t for t in text if isinstance(t, str)) if isinstance(text, list) else text
            try:
                return float(text)
            except (TypeError, ValueError):
                return worth
    return worth


def _read_notebook(path: Path) -> dict | None:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError, RecursionError):
        return None
    return notebook if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list) \
        else None


def _valid_notebook(notebook: dict) -> bool:
    """Whether nbformat (and so generate_feedback and the formgrader) can read `notebook`."""
    import nbformat

    try:
        nbformat.validate(nbformat.from_dict(json.loads(json.dumps(notebook))))
    except Exception:  # noqa: BLE001 - any way of being invalid
        return False
    return True


def _engine_notebook(target: Path, submitted: Path, released: Path, cells: dict) -> dict:
    """The notebook that gets the engine's reports: nbgrader's autograded one; where nbgrader wrote
    none, the submitted one with its outputs cleared and the graded cells' code as released; the
    released notebook itself when the submission cannot be read or is not a valid notebook."""
    released_nb = _read_notebook(released) or {"cells": [], "metadata": {}, "nbformat": 4,
                                               "nbformat_minor": 5}
    notebook = _read_notebook(target)
    if notebook is not None and _valid_notebook(notebook):
        return notebook
    as_released = {_nbgrader_meta(c).get("grade_id"): c for c in released_nb["cells"]}
    notebook = _read_notebook(submitted)
    if notebook is not None:
        rebuilt = []
        for cell in notebook["cells"]:
            grade_id = _nbgrader_meta(cell).get("grade_id")
            if grade_id in cells and grade_id in as_released:
                cell = {**cell, "source": as_released[grade_id]["source"]}
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell = {**cell, "outputs": [], "execution_count": None}
            rebuilt.append(cell)
        notebook = {**notebook, "cells": rebuilt}
        if _valid_notebook(notebook):
            return notebook
    return json.loads(json.dumps(released_nb))


def _write_outputs(target: Path, submitted: Path, released: Path, result: dict, cells: dict,
                   exercise_of: dict, points: dict) -> None:
    """Give every graded cell of the autograded notebook `target` the engine's report as its
    output (see `_engine_notebook` for where it comes from)."""
    notebook = _engine_notebook(target, submitted, released, cells)
    for cell in notebook["cells"]:
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if grade_id in cells and cell.get("cell_type") == "code":
            exercise, worth = cells[grade_id]
            cell["outputs"] = engine_output(result, exercise, exercise_of,
                                            points.get(exercise, 0.0), worth)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    partial.replace(target)


def _gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


def withhold(course: Path, pairs) -> None:
    """Clear every score of the submissions `pairs` ((student, assignment)) the gradebook knows:
    no points, needs grading. The engine's verdict then replaces them, or nothing does."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gradebook:
        for student, assignment_id in sorted(pairs):
            try:
                submission = gradebook.find_submission(assignment_id, student)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = None
                for grade in notebook.grades:
                    grade.auto_score = None
                    grade.needs_manual_grade = True
        gradebook.db.commit()


def _late_penalties(course: Path):
    """nbgrader's late-penalty step as the course configures it (its plugin), to apply to the
    engine's scores (nbgrader computed it on the withheld ones)."""
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    except Exception:  # noqa: BLE001 - a course without a readable config: nbgrader's default
        config = None
    step = AssignLatePenalties(config=config) if config is not None else AssignLatePenalties()
    step.init_plugin()
    return step


@dataclass
class _Plan:
    """What the overlay will write for one submission, computed before anything is written."""

    student: str
    result: dict
    graded: bool
    points: dict
    claimed: dict


def _plan(course: Path, student: str, assignment_id: str, result: dict, cells: dict,
          exercise_of: dict) -> _Plan:
    graded = is_graded(result)
    points = cell_points(result, exercise_of) if graded else {}
    claimed = {}
    submitted = _read_notebook(course / "submitted" / student / assignment_id /
                               f"{assignment_id}.ipynb")
    for cell in (submitted or {}).get("cells", []):
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if is_test_cell(cell) and grade_id in cells and grade_id not in claimed:
            kernel = claimed_points(cell, cells[grade_id][1])
            if kernel is not None:
                claimed[grade_id] = kernel
    return _Plan(student, result, graded, points, claimed)


def _record(course: Path, assignment_id: str, plans: list[_Plan], cells: dict, late,
            overlay: Overlay) -> None:
    """Write one assignment's engine scores in one transaction (rolled back if any fails)."""
    from nbgrader.api import MissingEntry

    rows = {"scores": [], "discrepancies": [], "unprocessed": [], "not_graded": []}
    with _gradebook(course) as gradebook:
        # First the structure (nbgrader's API commits as it creates): students, and submissions
        # where nbgrader could not process the notebook; a new submission holds no score.
        processed = {}
        for plan in plans:
            gradebook.update_or_create_student(plan.student)
            try:
                gradebook.find_submission(assignment_id, plan.student)
                processed[plan.student] = (course / "autograded" / plan.student / assignment_id
                                           / f"{assignment_id}.ipynb").exists()
            except MissingEntry:
                gradebook.add_submission(assignment_id, plan.student)
                processed[plan.student] = False
        # Then every score, in one transaction: nothing below commits until all are set.
        try:
            for plan in plans:
                student, result = plan.student, plan.result
                submission = gradebook.find_submission(assignment_id, student)
                output = str(result.get("output", ""))
                if not plan.graded:
                    extra = result.get("extra_data")
                    why = str((extra.get("not_graded") if isinstance(extra, dict) else None)
                              or (output.splitlines() or ["no result"])[0])[:160]
                    rows["not_graded"].append((student, assignment_id, why))
                    rows["unprocessed"].append((student, assignment_id,
                                                f"not graded by the engine: {why}"))
                elif not processed[student]:
                    unreadable = unreadable_line(result)
                    rows["unprocessed"].append((
                        student, assignment_id,
                        f"nbgrader autograde failed; graded by the engine: "
                        f"{result['score']:g} / {result['max_score']:g}"
                        + (f" ({unreadable[:160]})" if unreadable else "")))
                for grade_id, (exercise, _worth) in cells.items():
                    grade = gradebook.find_grade(grade_id, assignment_id, assignment_id, student)
                    if not plan.graded:
                        grade.auto_score, grade.needs_manual_grade = None, True
                        continue
                    engine = plan.points.get(exercise, 0.0)
                    kernel = plan.claimed.get(grade_id)
                    if kernel is not None and kernel > engine + 1e-9:
                        rows["discrepancies"].append((student, assignment_id, grade_id, kernel,
                                                      engine))
                    grade.auto_score = engine
                    grade.needs_manual_grade = False
                notebook = gradebook.find_submission_notebook(assignment_id, assignment_id,
                                                              student)
                notebook.late_submission_penalty = None
                if plan.graded and submission.total_seconds_late > 0:
                    total = sum(plan.points.get(e, 0.0) for e, _w in cells.values())
                    penalty = late.plugin_inst.late_submission_penalty(
                        student, total, submission.total_seconds_late)
                    if penalty is not None:
                        notebook.late_submission_penalty = min(max(penalty, 0.0), total)
                if plan.graded:
                    rows["scores"].append((student, assignment_id, result["score"],
                                           result["max_score"]))
            gradebook.db.commit()
        except BaseException:
            gradebook.db.rollback()
            raise
    for name, found in rows.items():
        getattr(overlay, name).extend(found)


def apply(course: Path, results: dict[tuple[str, str], dict]) -> Overlay:
    """Write the engine's `results` ((student, assignment) -> result) into the gradebook and
    the autograded notebooks of the nbgrader course at `course`: all or nothing per assignment.
    An assignment that fails is named in `Overlay.failures` and keeps its scores withheld."""
    overlay = Overlay()
    by_assignment: dict[str, list[tuple[str, dict]]] = {}
    for (student, assignment_id), result in sorted(results.items()):
        by_assignment.setdefault(assignment_id, []).append((student, result))
    late = _late_penalties(course)
    for assignment_id, items in sorted(by_assignment.items()):
        try:
            assignment = assignments.get(assignment_id)
            source = json.loads((assignment.source_dir / f"{assignment_id}.ipynb").read_text())
            exercise_of = {c.name: c.info.exercise for c in manifest(assignment)}
            cells = graded_cells(source)
            plans = [_plan(course, student, assignment_id, result, cells, exercise_of)
                     for student, result in items]
            _record(course, assignment_id, plans, cells, late, overlay)
        except Exception as exc:  # noqa: BLE001 - reported; the assignment stays withheld
            overlay.failures.append((assignment_id, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        name = f"{assignment_id}.ipynb"
        for plan in plans:
            if not plan.graded:
                continue
            try:
                with use(valid(plan.result.get("extra_data", {}).get("language"))):
                    _write_outputs(course / "autograded" / plan.student / assignment_id / name,
                                   course / "submitted" / plan.student / assignment_id / name,
                                   course / "assignments" / assignment_id / name,
                                   plan.result, cells, exercise_of, plan.points)
            except Exception as exc:  # noqa: BLE001 - the score is recorded; the page is not
                overlay.failures.append((assignment_id, f"{plan.student}: the autograded "
                                         f"notebook could not be written: {exc}"[:300]))
    write_csv(course / "autograded" / "discrepancies.csv", DISCREPANCIES, overlay.discrepancies)
    write_csv(course / "autograded" / "unprocessed.csv", UNPROCESSED, overlay.unprocessed)
    return overlay


_NBGRADER_FAILED = re.compile(r"error processing assignment '([^']*)' for student '([^']*)'")
_METADATA_KEYS = ("grade", "solution", "points", "locked", "task")


def nbgrader_log(course: Path, assignment_id: str) -> Path:
    """Where `make autograde` keeps what nbgrader printed for one assignment (its tracebacks)."""
    return course / "autograded" / f"nbgrader-{assignment_id}.log"


def nbgrader_failures(course: Path, assignment_id: str) -> set[str]:
    """The learners whose notebook of `assignment_id` nbgrader could not process, from its log."""
    try:
        text = nbgrader_log(course, assignment_id).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {student for name, student in _NBGRADER_FAILED.findall(text) if name == assignment_id}


def ignored_claims(submitted: dict | None, source: dict, engine: dict[str, float] | None
                   ) -> str | None:
    """What a submitted notebook claims that nothing in this course believes, in one line: the
    saved outputs of test cells that claim more points than the engine gave (`engine`: its
    points per exercise; None when it gave none), and nbgrader metadata changed from the
    source's (points, grade and solution flags, graded cells the source does not have). The
    gradebook's points come from the source's cells and the engine's verdict only. None when
    the notebook claims nothing of the kind."""
    if not isinstance(submitted, dict) or not isinstance(submitted.get("cells"), list):
        return None
    cells = graded_cells(source)
    ours = {}
    for cell in source.get("cells", []):
        meta = _nbgrader_meta(cell)
        if meta.get("grade_id") is not None:
            ours[meta["grade_id"]] = meta
    claimed, claims, changed, seen = 0.0, 0, set(), set()
    for cell in submitted["cells"]:
        meta = _nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not meta:
            continue
        if not isinstance(grade_id, str) or grade_id not in ours:
            if meta.get("grade") or meta.get("points"):
                changed.add("a graded cell the release does not have")
            continue
        changed.update(key for key in _METADATA_KEYS
                       if key in meta and meta.get(key) != ours[grade_id].get(key))
        if grade_id in cells and grade_id not in seen and is_test_cell(cell):
            seen.add(grade_id)
            exercise, worth = cells[grade_id]
            kernel = claimed_points(cell, worth)
            given = (engine or {}).get(exercise, 0.0)
            if kernel is not None and kernel > given + 1e-9:
                claimed, claims = claimed + kernel, claims + 1
    parts = []
    if claims:
        parts.append(f"the saved outputs of {claims} test cell{'s' * (claims != 1)}, which "
                     f"claim {claimed:g} points")
    if changed:
        parts.append(f"nbgrader metadata changed from the release ({', '.join(sorted(changed))})")
    if not parts:
        return None
    return f"ignored {'; '.join(parts)}: the score is the engine's"


class Lines:
    """`make autograde`'s progress: a line per submission as the engine grades it (who, which,
    the score or why it was not graded, the seconds it took), and a line for what a forging
    notebook claimed and the course ignored."""

    def __init__(self, course: Path, total: int, stream=None):
        import sys

        self.course, self.total, self.done = course, total, 0
        self.stream = stream or sys.stdout
        self._sources: dict[str, tuple[dict, dict]] = {}
        self._failed: dict[str, set[str]] = {}

    def _source(self, assignment_id: str) -> tuple[dict, dict]:
        if assignment_id not in self._sources:
            assignment = assignments.get(assignment_id)
            source = json.loads((assignment.source_dir / f"{assignment_id}.ipynb").read_text())
            self._sources[assignment_id] = (source, {c.name: c.info.exercise
                                                     for c in manifest(assignment)})
        return self._sources[assignment_id]

    def __call__(self, sub, result: dict) -> None:
        from autograder.grading.batch import printable

        self.done += 1
        student, assignment_id = printable(sub.student)[:40], sub.assignment.id
        seconds = result.get("execution_time")
        seconds = f"{seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
        if is_graded(result):
            verdict = f"{result['score']:g} / {result['max_score']:g}"
        else:
            extra = result.get("extra_data")
            why = (extra.get("not_graded") if isinstance(extra, dict) else None) or \
                (str(result.get("output", "")).splitlines() or ["no result"])[0]
            verdict = "not graded: " + printable(str(why))[:120]
        failed = self._failed.setdefault(assignment_id,
                                         nbgrader_failures(self.course, assignment_id))
        note = ""
        if sub.student in failed:
            note = (f"  (nbgrader could not process it, see autograded/nbgrader-"
                    f"{assignment_id}.log; graded by the engine alone)")
        lines = [f"  [{self.done}/{self.total}] {student:<20} {assignment_id:<12} {verdict}"
                 f"  {seconds}{note}".rstrip()]
        try:
            source, exercise_of = self._source(assignment_id)
            engine = cell_points(result, exercise_of) if is_graded(result) else None
            ignored = ignored_claims(_read_notebook(sub.path), source, engine)
        except Exception as exc:  # noqa: BLE001 - the progress line must not stop the grading
            ignored = f"(its claims could not be read: {type(exc).__name__})"
        if ignored:   # a forger: one line, whatever its notebook holds
            lines.append(f"  {'':<{len(str(self.total)) * 2 + 3}} {student:<20} "
                         f"{assignment_id:<12} {printable(ignored)[:300]}")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()


def trusted_autograde(course: Path, *, jobs: int, limits: Limits,
                      only: list[str] | None = None, language: str | None = None,
                      progress: bool = True) -> Overlay:
    """Withhold, grade `course/submitted` with the engine afresh, then overlay the gradebook (see
    the module). Feedback is in `language`, by default each notebook's own (its release's).
    With `progress`, a line per submission as it is graded (`Lines`)."""
    submitted = course / "submitted"
    subs = [s for s in discover(submitted) if not only or s.assignment.id in only]
    chosen = {(s.student, s.assignment.id) for s in subs}
    withhold(course, chosen)
    lines = Lines(course, len(subs)) if progress else None

    def on_graded(sub, result):
        if lines is not None and (sub.student, sub.assignment.id) in chosen:
            lines(sub, result)

    rows, _kept = grade_all(submitted, course / "results" / "gradebook", jobs=jobs,
                            limits=limits, progress=False, language=language, fresh=True,
                            on_graded=on_graded)
    overlay = apply(course, {(sub.student, sub.assignment.id): result for sub, result in rows
                             if (sub.student, sub.assignment.id) in chosen})
    overlay.listed = lines is not None
    return overlay


def summary(overlay: Overlay) -> str:
    if overlay.listed:   # each score is on its line above
        lines = [f"Scores in the gradebook (from the engine): {len(overlay.scores)} submissions, "
                 "as listed above"]
    else:
        lines = ["Scores in the gradebook (from the engine):"]
        for student, assignment_id, score, top in overlay.scores:
            lines.append(f"  {student:<24} {assignment_id:<12} {score:g} / {top:g}")
    if overlay.discrepancies:
        lines.append(f"{len(overlay.discrepancies)} cells whose output in the submitted notebook "
                     "(the learner's own kernel) claims more than the engine gives: see "
                     "autograded/discrepancies.csv")
    if overlay.unprocessed:
        lines.append(f"{len(overlay.unprocessed)} submissions nbgrader could not autograde or the "
                     "engine could not grade: see autograded/unprocessed.csv")
    for student, assignment_id, why in overlay.not_graded:
        lines.append(f"NOT GRADED: {student}/{assignment_id}: {why} (no score in the gradebook)")
    for assignment_id, why in overlay.failures:
        lines.append(f"FAILED: {assignment_id}: {why}; the gradebook holds no score for its "
                     "submissions graded in this run (fix the cause and run make autograde again)")
    return "\n".join(lines)


def status_rows(course: Path) -> list[tuple]:
    """One row per assignment and learner the gradebook knows (nbgrader export's rows): whether
    the learner submitted it, and the score the gradebook holds (empty when never submitted, or
    when it is not graded: a submission whose scores `make autograde` withheld)."""
    from nbgrader.api import MissingEntry

    rows = []
    with _gradebook(course) as gradebook:
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
                if any(grade.auto_score is None and grade.manual_score is None
                       for notebook in submission.notebooks for grade in notebook.grades):
                    rows.append((assignment.name, student.id, NOT_GRADED, "",
                                 f"{submission.max_score:g}", stamp))
                    continue
                rows.append((assignment.name, student.id, SUBMITTED, f"{submission.score:g}",
                             f"{submission.max_score:g}", stamp))
    return rows


def write_status(course: Path, target: Path) -> list[tuple]:
    """`grades-status.csv`: nbgrader's grades with "submitted" / "not submitted" spelled out."""
    rows = status_rows(course)
    write_csv(target, STATUS, rows)
    return rows
