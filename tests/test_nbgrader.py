"""The instructor's semester with real nbgrader: release, autograde, feedback, export.

The slow tests run the Makefile's nbgrader targets in a scratch copy of the course (the
repository itself is never written to) on a few submissions per assignment: the reference
solution, the untouched released notebook, bug-zoo entries, and for `linear` a learner whose
code writes to stderr, one whose code crashes, and learners who forge their points in the
kernel (replacing `autograder.notebook.check`, claiming more than a cell is worth, printing a
fake report) or hand in a notebook nbgrader cannot read. nbgrader's recorded score (in the
gradebook, `grades.csv` and the feedback pages) must equal what `python -m autograder grade`
gives the same notebook: `make autograde` runs no kernel and writes the engine's scores into the
gradebook (tests/test_nbgrader_hostile.py attacks that path).
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from kit import (REPO, VENV, total_points, check_manifest, code_cell_sources, course_env, grade_files, make,
                 scratch_course,
                 source_assignments, submission_notebook, zoo_entries, zoo_sources)

ASSIGNMENTS = source_assignments()
TEST_CALL = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*(,\s*hidden\s*=\s*True)?""")
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)

# A learner whose `Linear.forward` writes to stderr every way a kernel can: print, warnings
# (their own and PyTorch's), a logging handler made in an earlier cell, and file descriptor 2.
NOISE = '''

import logging
import os
import sys
import warnings

logging.basicConfig()
print("defining Linear", file=sys.stderr)
warnings.warn("a warning while defining Linear")
_quiet_forward = Linear.forward


def _noisy_forward(self, x):
    print("forward called", file=sys.stderr)
    warnings.warn("a warning in forward")
    logging.warning("logged in forward")
    os.write(2, b"written to fd 2 in forward\\n")
    torch.tensor(x)  # PyTorch's UserWarning about copy-constructing a tensor
    return _quiet_forward(self, x)


Linear.forward = _noisy_forward
'''

# Learners who set their own points in the kernel. nbgrader alone would record what they claim.
FORGE = '''
import autograder.notebook as _notebook

_points = {"parameters": 6, "init": 5, "forward": 8, "extras": 6, "function": 8}
_notebook.check = lambda assignment, exercise, hidden=False: (
    0.0 if hidden else float(_points[exercise]))
'''
OVERCLAIM = FORGE.replace("float(_points[exercise])", "1000.0")
FAKE_REPORT = '''
print("  PASS     1/1  linear/weight_and_bias_are_parameters  [registration]")
print("parameters: 6 / 6 points on the public checks")
'''
BROKEN = '{"cells": [{"cell_type": "code", "source": "x = 1"'   # cut off: not valid JSON
FORGERS = ("forger", "overclaimer", "fake-report", "broken")
# What the forgers' own kernels left in their saved notebooks' test cells (no kernel runs under
# `make autograde`: these outputs are read, listed in discrepancies.csv, never recorded).
CLAIMS = {"forger": "worth", "overclaimer": "1000.0"}


def _claim_points(notebook: Path, claim: str) -> None:
    from autograder.course.submission import is_test_cell

    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and is_test_cell(cell):
            points = cell["metadata"]["nbgrader"]["points"] if claim == "worth" else claim
            cell["outputs"] = [{"output_type": "execute_result", "execution_count": 1,
                                "metadata": {}, "data": {"text/plain": f"{points}"}}]
    notebook.write_text(json.dumps(nb, indent=1) + "\n")


def reference(assignment: str) -> Path:
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"


def released(assignment: str) -> Path:
    return REPO / "assignments" / assignment / f"{assignment}.ipynb"


def graded_test_cells(notebook: Path) -> list[dict]:
    from autograder.course.submission import is_test_cell

    return [c for c in json.loads(notebook.read_text())["cells"]
            if c["cell_type"] == "code" and is_test_cell(c)]


def cell_exercises(source: str) -> list[tuple[str, str, bool]]:
    """(assignment, exercise, hidden) for every `check(...)` call of a test cell's source."""
    return [(a, e, bool(h)) for a, e, h in TEST_CALL.findall(source)]


# --- The source notebooks' test cells, read statically ------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_test_cell_is_worth_the_points_of_its_checks(assignment):
    planned = check_manifest(assignment)
    worth = {}
    for check in planned:
        worth[check["exercise"]] = worth.get(check["exercise"], 0) + check["points"]
    seen = []
    for cell in graded_test_cells(reference(assignment)):
        source = "".join(cell["source"])
        grade_id = cell["metadata"]["nbgrader"]["grade_id"]
        calls = cell_exercises(source)
        exercises = {e for _, e, _ in calls}
        assert len(exercises) == 1 and {a for a, _, _ in calls} == {assignment}, (
            f"{grade_id} must check one exercise of {assignment}: {calls}")
        (exercise,) = exercises
        hidden_part = "".join(HIDDEN_BLOCK.findall(source))
        public_calls = [c for c in cell_exercises(HIDDEN_BLOCK.sub("", source)) if not c[2]]
        assert public_calls, f"{grade_id}: the public check(...) call must be outside the hidden block"
        if any(c["exercise"] == exercise and c["visibility"] == "hidden" for c in planned):
            assert any(h for _, _, h in cell_exercises(hidden_part)), (
                f"{grade_id}: {exercise} has hidden checks, so the cell needs "
                "check(..., hidden=True) between the hidden-test markers")
        assert cell["metadata"]["nbgrader"]["points"] == pytest.approx(worth.get(exercise, 0)), (
            f"{grade_id} is worth {cell['metadata']['nbgrader']['points']} points in nbgrader but "
            f"the checks of {exercise} are worth {worth.get(exercise, 0)}")
        assert source.rstrip().endswith("points"), f"{grade_id} must end with the points earned"
        seen.append(exercise)
    assert sorted(seen) == sorted(worth), (
        f"every exercise needs exactly one test cell: cells check {seen}, the graders have {sorted(worth)}")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_has_no_solution_and_no_hidden_test(assignment):
    folder = REPO / "assignments" / assignment
    assert released(assignment).is_file(), f"run `make release`: {released(assignment)} is missing"
    for path in folder.rglob("*"):
        if path.is_file():
            assert path.name != "hidden.py"
            text = path.read_text(errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden=True"):
                assert marker not in text, f"{path.relative_to(REPO)} contains {marker!r}"


# --- The semester, run with nbgrader in a scratch course ------------------------------------------

def zoo_picks(assignment: str) -> list:
    """Up to two zoo entries: the first, and the first whose fix lives in another cell."""
    entries = zoo_entries(assignment)
    if not entries:
        return []

    def changed_cells(entry):
        base = code_cell_sources(reference(assignment))
        return {i for i, (a, b) in enumerate(zip(base, zoo_sources(entry, reference(assignment))))
                if a != b}

    first = entries[0]
    other = next((e for e in entries[1:] if changed_cells(e) != changed_cells(first)), None)
    return [first] + ([other] if other else [])


def submissions(assignment: str) -> dict[str, list[str] | None]:
    """Learner name -> the sources of the notebook's code cells (None: the released notebook)."""
    ref = code_cell_sources(reference(assignment))
    chosen = {"reference": ref, "stub": None}
    for entry in zoo_picks(assignment):
        chosen[f"zoo-{entry.id}"] = zoo_sources(entry, reference(assignment))
    if assignment == "linear":
        at = next(i for i, s in enumerate(ref) if "class Linear(" in s)
        chosen["noisy"] = ref[:at] + [ref[at] + NOISE] + ref[at + 1:]
        chosen["crash"] = ref[:at] + ['raise RuntimeError("a learner bug")\n' + ref[at]] + ref[at + 1:]
        stub = code_cell_sources(released(assignment))
        chosen["forger"] = [stub[0] + FORGE] + stub[1:]
        chosen["overclaimer"] = [stub[0] + OVERCLAIM] + stub[1:]
        chosen["fake-report"] = stub[:-1] + [stub[-1] + FAKE_REPORT]
        chosen["broken"] = BROKEN
    return chosen


CASES = [(a, learner) for a in ASSIGNMENTS for learner in submissions(a)]


@dataclass
class Semester:
    course: Path
    grades: dict[tuple[str, str], dict]     # (assignment, learner) -> grades.csv row
    engine: dict[tuple[str, str], dict]     # (assignment, learner) -> the engine's result
    autograde_log: str                      # what `make autograde` printed
    log: str                                # what autograde, feedback and export printed
    engine_copies: dict                     # (assignment, learner) -> the notebook the engine graded


@pytest.fixture(scope="module")
def semester(tmp_path_factory) -> Semester:
    """One semester: learners' notebooks in submitted/, then autograde, feedback, export."""
    tmp = tmp_path_factory.mktemp("semester")
    course = scratch_course(tmp / "course")
    engine_copies = {}
    for assignment, learner in CASES:
        target = course / "submitted" / learner / assignment / f"{assignment}.ipynb"
        sources = submissions(assignment)[learner]
        if sources is None:
            target.parent.mkdir(parents=True)
            shutil.copy2(released(assignment), target)
        elif isinstance(sources, str):
            target.parent.mkdir(parents=True)
            target.write_text(sources)
        else:
            submission_notebook(released(assignment), sources, target)
            if learner in CLAIMS:
                _claim_points(target, CLAIMS[learner])
        copy = tmp / "engine" / assignment / f"{learner}.ipynb"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, copy)
        engine_copies[assignment, learner] = copy
    autograde = make(course, "autograde")
    feedback = make(course, "feedback")
    export = make(course, "export")
    log = "".join(p.stdout + p.stderr for p in (autograde, feedback, export))
    with open(course / "grades.csv", newline="") as f:
        grades = {(row["assignment"], row["student_id"]): row for row in csv.DictReader(f)}
    results = grade_files(list(engine_copies.values()), tmp / "results")
    engine = {key: results[path] for key, path in engine_copies.items()}
    return Semester(course, grades, engine, autograde.stdout, log, engine_copies)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_reproduces_the_committed_assignments(semester, assignment):
    made, committed = semester.course / "assignments" / assignment, REPO / "assignments" / assignment
    def files(root):
        return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    assert files(made) == files(committed), "`make release` makes other files than are committed"
    for relative in files(made):
        assert (made / relative).read_bytes() == (committed / relative).read_bytes(), (
            f"assignments/{assignment}/{relative} differs from what `make release` produces; "
            "run `make release` and commit the result")


def _cell_points(notebook: Path) -> dict[str, tuple[float, list[str]]]:
    """grade_id -> (the points the test cell's output gave nbgrader, the exercises it checks)."""
    from nbformat import reads
    from nbgrader.utils import determine_grade

    nb = reads(notebook.read_text(), as_version=4)
    points = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            earned, _ = determine_grade(cell)
            points[meta["grade_id"]] = (earned, sorted({e for _, e, _ in cell_exercises(cell.source)}))
    return points


@pytest.mark.slow
@pytest.mark.parametrize("assignment, learner", CASES)
def test_nbgrader_records_the_engine_score(semester, assignment, learner):
    row = semester.grades[assignment, learner]
    result = semester.engine[assignment, learner]
    autograded = semester.course / "autograded" / learner / assignment / f"{assignment}.ipynb"
    exercise_of = {c["name"]: c["exercise"] for c in check_manifest(assignment)}
    by_exercise = {}
    for test in result["tests"]:
        exercise = exercise_of[test["name"]]
        by_exercise[exercise] = by_exercise.get(exercise, 0) + test["score"]
    cells = {grade_id: (earned, sum(by_exercise.get(e, 0) for e in exercises))
             for grade_id, (earned, exercises) in _cell_points(autograded).items()}
    detail = "\n".join(f"  {g}: nbgrader {n:g}, engine {e:g}" for g, (n, e) in cells.items())
    assert float(row["max_score"]) == pytest.approx(result["max_score"])
    assert float(row["raw_score"]) == pytest.approx(result["score"]), (
        f"{learner}/{assignment}: nbgrader recorded {row['raw_score']}, the engine gave "
        f"{result['score']}; per test cell:\n{detail}")
    assert all(n == pytest.approx(e) for n, e in cells.values()), detail


@pytest.mark.slow
def test_reference_full_and_stub_zero_under_nbgrader(semester):
    for assignment in ASSIGNMENTS:
        row = semester.grades[assignment, "reference"]
        assert float(row["raw_score"]) == float(row["max_score"]) > 0, row
        assert float(semester.grades[assignment, "stub"]["raw_score"]) == 0


@pytest.mark.slow
@pytest.mark.skipif("linear" not in ASSIGNMENTS, reason="uses the linear assignment's Linear")
def test_stderr_costs_nothing_and_a_learner_crash_scores_zero(semester):
    noisy = semester.course / "autograded" / "noisy" / "linear" / "linear.ipynb"
    nb = json.loads(noisy.read_text())
    stderr_in = {("test" if c["metadata"].get("nbgrader", {}).get("grade") else "other")
                 for c in nb["cells"] if c["cell_type"] == "code"
                 for o in c.get("outputs", []) if o.get("name") == "stderr"}
    # No kernel runs under make autograde (the learner's outputs are cleared): no test cell has
    # stderr, which nbgrader would score 0; the engine discards stderr while its checks run.
    assert "test" not in stderr_in, f"stderr outputs found in: {stderr_in}"
    row = semester.grades["linear", "noisy"]
    assert float(row["raw_score"]) == float(row["max_score"]), row
    crash = semester.course / "autograded" / "crash" / "linear" / "linear.ipynb"
    points = _cell_points(crash)
    # The crash is in the cell defining `Linear`: every test cell about it scores 0.
    linear_cells = {g: p for g, (p, exercises) in points.items() if "function" not in exercises}
    assert linear_cells and all(p == 0 for p in linear_cells.values()), points
    assert 0 < float(semester.grades["linear", "crash"]["raw_score"]) < float(row["max_score"])


def _hidden_grader_code(assignment: str) -> list[str]:
    """Lines of code of the hidden grader file (not its feedback strings, which learners see)."""
    hidden = REPO / "autograder" / "graders" / assignment / "hidden.py"
    if not hidden.exists():
        return []
    notebook = reference(assignment).read_text()  # lines a notebook shares are no secret
    lines = [line.strip() for line in hidden.read_text().splitlines()]
    return [line for line in lines if len(line) >= 25 and not line.startswith("#")
            and '"' not in line and "'" not in line and json.dumps(line)[1:-1] not in notebook]


@pytest.mark.slow
@pytest.mark.parametrize("assignment, learner", CASES)
def test_feedback_per_learner_without_hidden_grader_code(semester, assignment, learner):
    page = semester.course / "feedback" / learner / assignment / f"{assignment}.html"
    assert page.is_file(), f"no feedback for {learner}: {page}"
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    leaked = [line for line in _hidden_grader_code(assignment) if line in text]
    assert not leaked, f"the feedback shows hidden grader code: {leaked[:5]}"
    assert "Score" in text or "score" in text


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_passes_on_the_solution(semester, assignment):
    import subprocess

    proc = subprocess.run(
        [str(VENV / "bin" / "nbgrader"), "validate", f"solutions/{assignment}/{assignment}.ipynb"],
        cwd=semester.course, text=True, capture_output=True, timeout=900, env=course_env())
    assert proc.returncode == 0 and "Success! Your notebook passes all the tests." in proc.stdout, (
        f"{proc.stdout}\n{proc.stderr}")


def _cell_exercises_in_order(assignment: str) -> list[tuple[str, str]]:
    """(grade_id, exercise) of the source notebook's graded cells, in the notebook's order."""
    cells = []
    for cell in graded_test_cells(reference(assignment)):
        exercises = sorted({e for _, e, _ in cell_exercises("".join(cell["source"]))})
        cells.append((cell["metadata"]["nbgrader"]["grade_id"], exercises[0]))
    return cells


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
@pytest.mark.skipif("linear" not in ASSIGNMENTS, reason="the forgers forge linear's points")
def test_forged_points_never_reach_the_gradebook(semester):
    for learner in FORGERS:
        row = semester.grades["linear", learner]
        assert float(row["raw_score"]) == semester.engine["linear", learner]["score"] == 0, learner
    assert float(semester.grades["linear", "reference"]["raw_score"]) == total_points("linear")
    flagged = {(r["student"], r["cell"]) for r in _csv(semester.course / "autograded" /
                                                       "discrepancies.csv")}
    # The points the forgers' saved outputs claim (nothing runs them) are listed, not recorded.
    assert {learner for learner, _ in flagged} == set(CLAIMS), flagged
    assert len(flagged) == 5 * len(CLAIMS) and all(
        float(r["kernel_points"]) > float(r["engine_points"])
        for r in _csv(semester.course / "autograded" / "discrepancies.csv"))
    # nbgrader processes every readable notebook (it runs none, so no kernel can claim more than
    # a cell is worth); the one it cannot read is graded by the engine alone.
    unprocessed = {r["student"] for r in _csv(semester.course / "autograded" / "unprocessed.csv")}
    assert unprocessed == {"broken"}, unprocessed
    assert "Scores in the gradebook (from the engine)" in semester.autograde_log


@pytest.mark.slow
@pytest.mark.parametrize("assignment, learner", CASES)
def test_feedback_pages_show_the_engine_score(semester, assignment, learner):
    page = semester.course / "feedback" / learner / assignment / f"{assignment}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    scores = [float(m.group(1)) for m in re.finditer(r"Score:\s*([\d.]+)\s*/\s*[\d.]+", text)]
    assert scores, text[:500]
    result = semester.engine[assignment, learner]
    assert scores[0] == result["score"], (scores, result["score"])
    exercise_of = {c["name"]: c["exercise"] for c in check_manifest(assignment)}
    engine_cells = [sum(t["score"] for t in result["tests"] if exercise_of[t["name"]] == exercise)
                    for _, exercise in _cell_exercises_in_order(assignment)]
    # The page lists the cells' scores in its summary, then again at each cell.
    assert scores[1:] and len(scores[1:]) % len(engine_cells) == 0, scores
    assert scores[1:] == engine_cells * (len(scores[1:]) // len(engine_cells)), (scores, engine_cells)
    if learner in FORGERS:
        assert "graded by the engine" in text


@pytest.mark.slow
def test_closing_cells_skipped_or_run_the_verdicts_are_the_same(semester, tmp_path):
    """The engine skips the instructor's closing cells when they are as released; running every
    cell (--all-cells) gives the same verdicts on the same notebooks."""
    keys = list(semester.engine_copies)
    paths = [semester.engine_copies[k] for k in keys]
    everything = grade_files(paths, tmp_path / "all", "--all-cells")
    for key, path in zip(keys, paths):
        skipped = [(t["name"], t["status"], t["score"]) for t in semester.engine[key]["tests"]]
        ran = [(t["name"], t["status"], t["score"]) for t in everything[path]["tests"]]
        assert skipped == ran, key
    readable = [k for k in keys if "cells_run" in semester.engine[k].get("extra_data", {})]
    assert any(semester.engine[k]["extra_data"]["cells_run"]
               < everything[semester.engine_copies[k]]["extra_data"]["cells_run"] for k in readable)


# Known-harmless lines nbgrader and its kernels print on every run (filtered: see nbgrader_config).
HARMLESS_NOISE = ("SAWarning", "not in session", "TCP without encryption",
                  "Removing existing assignment")


@pytest.mark.slow
def test_the_semester_prints_scores_not_noise(semester):
    noisy = [line for line in semester.log.splitlines() if any(n in line for n in HARMLESS_NOISE)]
    assert not noisy, noisy[:5]
    assert "Scores in the gradebook (from the engine)" in semester.autograde_log
    full = f"{total_points('linear'):g}"
    assert re.search(rf"reference\s+linear\s+{full} / {full}", semester.autograde_log), \
        semester.autograde_log


@pytest.mark.slow
def test_grades_status_tells_not_submitted_from_zero(semester):
    rows = {(r["assignment"], r["student_id"]): r for r in _csv(semester.course / "grades-status.csv")}
    assert set(rows) == set(semester.grades), "one row per row of nbgrader's grades.csv"
    # "noisy" submitted linear only; nbgrader's grades.csv gives the others 0 all the same.
    others = [a for a in ASSIGNMENTS if a != "linear"]
    for assignment in others:
        assert float(semester.grades[assignment, "noisy"]["score"]) == 0
        assert rows[assignment, "noisy"]["status"] == "not submitted"
        assert rows[assignment, "noisy"]["score"] == ""
    stub = rows["linear", "stub"]
    assert (stub["status"], float(stub["score"])) == ("submitted", 0), stub
    assert (rows["linear", "reference"]["status"], float(rows["linear", "reference"]["score"])) \
        == ("submitted", total_points("linear"))
    submitted = {key for key, _ in semester.engine.items()}
    assert {k for k, r in rows.items() if r["status"] == "submitted"} == submitted


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_pages_read_offline(semester, assignment):
    """No script from the internet; math drawn as MathML; lines wrap instead of running off."""
    page = (semester.course / "feedback" / "reference" / assignment / f"{assignment}.html").read_text()
    assert not re.search(r"<script[^>]+src=[\"']https?:", page), "a script loads from the internet"
    assert not re.search(r"<link[^>]+href=[\"']https?:", page), "a stylesheet loads from the internet"
    markdown = re.findall(r'<div class="[^"]*text_cell_render[^"]*">(.*?)</div>', page, re.S)
    assert markdown
    raw_math = [m for m in markdown if re.search(r"\$[^$\s][^$]*\$", m)]
    assert not raw_math, raw_math[0][:300]
    source = json.loads(reference(assignment).read_text())
    if any("$" in "".join(c["source"]) for c in source["cells"] if c["cell_type"] == "markdown"):
        assert "<math" in page
    assert re.search(r"div\.output_area pre[^{]*\{[^}]*white-space:\s*pre-wrap", page)


# --- The semester in Chinese: `make release LANG=zh`, the same learners' code, the same scores -----

ZH_LEARNERS = ("reference", "stub", "forger")


def zh_cases() -> list[tuple[str, str]]:
    """Per assignment the reference, the stub and the first zoo entry; the forger in linear."""
    cases = []
    for assignment in ASSIGNMENTS:
        chosen = submissions(assignment)
        zoo = [name for name in chosen if name.startswith("zoo-")][:1]
        cases += [(assignment, name) for name in (*ZH_LEARNERS, *zoo) if name in chosen]
    return cases


@dataclass
class ChineseSemester:
    course: Path
    grades: dict[tuple[str, str], dict]
    log: str


@pytest.fixture(scope="module")
def semester_zh(tmp_path_factory) -> ChineseSemester:
    tmp = tmp_path_factory.mktemp("semester-zh")
    course = scratch_course(tmp / "course")
    log = make(course, "release", LANG="zh").stdout
    for assignment, learner in zh_cases():
        zh_released = course / "assignments" / assignment / f"{assignment}.ipynb"
        target = course / "submitted" / learner / assignment / f"{assignment}.ipynb"
        sources = submissions(assignment)[learner]
        target.parent.mkdir(parents=True)
        if sources is None:
            shutil.copy2(zh_released, target)
        else:
            submission_notebook(zh_released, sources, target)
    # No LANG from here on: the course's language is the one it was released in.
    for step in ("autograde", "feedback", "export"):
        proc = make(course, step)
        log += proc.stdout + proc.stderr
    with open(course / "grades.csv", newline="") as f:
        grades = {(row["assignment"], row["student_id"]): row for row in csv.DictReader(f)}
    return ChineseSemester(course, grades, log)


def _structure(notebook: dict) -> list[tuple]:
    """Each cell's id, type and nbgrader metadata (grade id, points, locks), less the checksum:
    that is a hash of the cell's text, which is in the release's language."""
    return [(c.get("id"), c["cell_type"],
             json.dumps({k: v for k, v in c.get("metadata", {}).get("nbgrader", {}).items()
                         if k != "checksum"}, sort_keys=True))
            for c in notebook["cells"]]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_in_chinese_keeps_cells_grade_ids_and_points(semester_zh, assignment):
    chinese = json.loads((semester_zh.course / "assignments" / assignment /
                          f"{assignment}.ipynb").read_text())
    english = json.loads(released(assignment).read_text())
    assert chinese["metadata"]["kit"] == {"language": "zh"}
    assert _structure(chinese) == _structure(english)
    markdown = [c for c in chinese["cells"] if c["cell_type"] == "markdown"]
    assert markdown and all(re.search(r"[\u4e00-\u9fff]", "".join(c["source"])) for c in markdown)
    assert f"release {assignment} (zh)" in semester_zh.log, "the course stayed in Chinese"


@pytest.mark.slow
@pytest.mark.parametrize("assignment, learner", zh_cases())
def test_the_semester_in_chinese_gives_the_same_scores(semester, semester_zh, assignment, learner):
    english, chinese = semester.grades[assignment, learner], semester_zh.grades[assignment, learner]
    for column in ("raw_score", "score", "max_score"):
        assert float(chinese[column]) == float(english[column]), (column, chinese, english)
    page = (semester_zh.course / "feedback" / learner / assignment / f"{assignment}.html")
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    assert "由评分引擎评定" in text, "the engine's report in the graded cells is in Chinese"
    assert "graded by the engine" not in text
