"""The grading set-up proves itself before it grades anyone (issue 21).

A set-up that fails the assignment's own reference solution (limits the reference cannot meet,
a missing helper file) grades nobody: the command exits non-zero, names the reference's failing
checks, and records no learner score. An environment reached through a symbolic link is a
working set-up. A submission the engine fails on is "not graded", never a learner's 0.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import REPO, scratch_course, total_points

REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"


def engine(*args: str, cwd: Path = REPO, python: str = sys.executable, cache: Path,
           timeout: float = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    env.pop("PYTHONPATH", None)
    return subprocess.run([python, "-m", "autograder", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=timeout, env=env)


def a_class(folder: Path, assignment: str = "linear", students: int = 2) -> Path:
    reference = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    for number in range(students):
        target = folder / f"student{number}" / assignment
        target.mkdir(parents=True)
        shutil.copy2(reference, target / reference.name)
    return folder


def assert_nothing_recorded(out: Path) -> None:
    assert not (out / "class.csv").exists()
    assert not list(out.rglob("*.json")), list(out.rglob("*.json"))


def test_reference_through_a_symlinked_environment_gets_full_marks(tmp_path):
    """The venv reached through a link (`/opt/envs/course -> ...`): the interpreter's own paths
    go through the link, and the learner's root holds it."""
    link = tmp_path / "envs" / "course"
    link.parent.mkdir()
    link.symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    proc = engine("grade", str(REFERENCE), "--json", str(tmp_path / "result.json"),
                  python=str(link / "bin" / "python"), cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["score"] == result["max_score"] > 0, result["output"]


def test_limits_the_reference_cannot_meet_grade_nobody(tmp_path):
    """`grade-all --time-limit` far too short: the reference is graded first, fails, and the
    command says which checks and why, exits non-zero, and writes no learner's score."""
    submitted = a_class(tmp_path / "submitted")
    out = tmp_path / "results"
    proc = engine("grade-all", str(submitted), "--out", str(out), "--jobs", "2",
                  "--time-limit", "0.01", cache=tmp_path / "cache")
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "failed its own reference solution" in proc.stderr
    assert "linear:" in proc.stderr and "time limit" in proc.stderr, proc.stderr[-2000:]
    assert "linear/" in proc.stderr   # a failing check named
    assert_nothing_recorded(out)


def test_grade_refuses_too_tight_limits_and_writes_no_result(tmp_path):
    proc = engine("grade", str(REFERENCE), "--json", str(tmp_path / "result.json"),
                  "--time-limit", "0.01", cache=tmp_path / "cache")
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "failed its own reference solution" in proc.stderr
    assert not (tmp_path / "result.json").exists()


def test_a_missing_helper_file_grades_nobody(tmp_path):
    """A course copy whose released `freeze` lacks `yolo.py`: every learner would fail the same
    way, so nobody is graded."""
    course = scratch_course(tmp_path / "course")
    (course / "assignments" / "freeze" / "yolo.py").unlink()
    submitted = a_class(tmp_path / "submitted", "freeze")
    out = tmp_path / "results"
    proc = engine("grade-all", str(submitted), "--out", str(out), "--jobs", "2",
                  cwd=course, cache=tmp_path / "cache")
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "freeze:" in proc.stderr and "yolo" in proc.stderr, proc.stderr[-2000:]
    assert_nothing_recorded(out)


def test_a_proved_set_up_is_remembered_by_grade(tmp_path):
    cache = tmp_path / "cache"
    first = engine("grade", str(REFERENCE), "--quiet", cache=cache)
    assert first.returncode == 0, first.stderr[-2000:]
    proofs = list((cache / "pytorch-exercise-kit" / "setup-proofs").iterdir())
    assert len(proofs) == 1
    second = engine("grade", str(REFERENCE), "--quiet", cache=cache)
    assert second.returncode == 0
    assert list((cache / "pytorch-exercise-kit" / "setup-proofs").iterdir()) == proofs
    # Other limits are another set-up, proved again.
    third = engine("grade", str(REFERENCE), "--quiet", "--time-limit", "300", cache=cache)
    assert third.returncode == 0
    assert len(list((cache / "pytorch-exercise-kit" / "setup-proofs").iterdir())) == 2


def test_an_engine_error_is_not_graded_rather_than_zero():
    """What the engine writes when it fails on a submission: no score, no test, the learner told
    it is not their notebook; the report and class.csv say "not graded"."""
    from autograder import assignments
    from autograder.reports.report import format_report
    from autograder.grading.result import error_result
    from autograder.judge_side.runner import manifest

    result = error_result(manifest(assignments.get("linear")), "the judge process ended")
    assert result["status"] == "error" and result["score"] is None and result["tests"] == []
    assert result["max_score"] == total_points("linear")
    assert "not in your notebook" in result["output"]
    assert result["extra_data"]["not_graded"] == "the judge process ended"
    assert "not graded" in format_report(result, "linear")


@pytest.mark.parametrize("case", ["no-namespaces"])
def test_the_proof_holds_without_namespaces(tmp_path, case):
    """Without namespaces (as on Gradescope) the reference proves the set-up the same way."""
    env_cache = tmp_path / "cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(env_cache), AUTOGRADER_NO_NAMESPACES="1")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(REFERENCE),
                           "--quiet"], cwd=REPO, text=True, capture_output=True, timeout=900,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{total_points('linear'):g} / {total_points('linear'):g}" in proc.stdout



CRASHING_CHECK = '''

@check(exercise="forward", points=1, tags=["shapes"], visibility="visible")
def test_zz_crashes_the_judge_on_a_marked_notebook(submission):
    """A check of the test course only: the judge process dies on a notebook that holds the
    marker (an engine failure the learner did not cause)."""
    import os as _os

    if any("MARKER-crash-the-judge" in source for source in submission.sources.values()):
        _os._exit(1)
'''


def test_an_engine_failure_records_no_score(tmp_path):
    """A course whose judge crashes on one notebook: that learner is "not graded" (no score in
    the result or class.csv, a note saying why), the classmate keeps full marks, the command
    exits 1."""
    import csv

    from kit import code_cell_sources, code_notebook

    course = scratch_course(tmp_path / "course")
    public = course / "autograder" / "graders" / "linear" / "public.py"
    public.write_text(public.read_text() + CRASHING_CHECK)
    submitted = a_class(tmp_path / "submitted", students=1)
    code_notebook(code_cell_sources(REFERENCE) + ["# MARKER-crash-the-judge\n"],
                  submitted / "marked" / "linear" / "linear.ipynb")
    out = tmp_path / "results"
    proc = engine("grade-all", str(submitted), "--out", str(out), "--jobs", "2",
                  cwd=course, cache=tmp_path / "cache")
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    marked = json.loads((out / "marked" / "linear.json").read_text())
    assert marked["status"] == "error" and marked["score"] is None and marked["tests"] == []
    honest = json.loads((out / "student0" / "linear.json").read_text())
    assert honest["score"] == honest["max_score"] > 0
    with open(out / "class.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["marked"]["score"] == "" and rows["marked"]["note"].startswith("not graded: ")
    assert rows["student0"]["score"] == str(honest["score"]) and rows["student0"]["note"] == ""


@pytest.mark.slow
def test_a_failed_proof_leaves_the_gradebook_and_grades_status_without_a_score(tmp_path):
    """The nbgrader path: the submission recorded by `nbgrader autograde`, then the engine's
    `gradebook` under limits its own reference cannot meet. It exits 3 and writes no score: every
    graded cell of nbgrader's gradebook stays without an automatic score, and
    `grades-status.csv` leaves the learner's score empty and says "not graded"."""
    import csv

    from kit import VENV, course_env

    course = scratch_course(tmp_path / "course")
    target = course / "submitted" / "alice" / "linear" / "linear.ipynb"
    target.parent.mkdir(parents=True)
    shutil.copy2(REFERENCE, target)
    env = dict(course_env(), XDG_CACHE_HOME=str(tmp_path / "cache"))
    nbgrader = str(VENV / "bin" / "nbgrader")
    for step in (["generate_assignment", "linear", "--force"],
                 ["autograde", "linear", "--force", "--create"]):
        proc = subprocess.run([nbgrader, *step, "--log-level=ERROR"], cwd=course, env=env,
                              text=True, capture_output=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-2000:]
    proc = subprocess.run([str(VENV / "bin" / "python"), "-m", "autograder", "gradebook",
                           "--jobs", "1", "--time-limit", "0.01"], cwd=course, env=env,
                          text=True, capture_output=True, timeout=900)
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "failed its own reference solution" in proc.stderr
    assert "linear:" in proc.stderr and "time limit" in proc.stderr, proc.stderr[-2000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        submission = book.find_submission("linear", "alice")
        graded = [grade for notebook in submission.notebooks for grade in notebook.grades
                  if grade.auto_score is not None or grade.manual_score is not None]
        assert not graded, [(g.name, g.auto_score, g.manual_score) for g in graded]
    proc = subprocess.run([str(VENV / "bin" / "python"), "-m", "autograder", "grades-status",
                           "--out", str(tmp_path / "status.csv")], cwd=course, env=env,
                          text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(tmp_path / "status.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_id"], r["score"]) for r in rows] == [("alice", "")], rows
    assert "not graded" in rows[0]["status"], rows
