"""`make release-exchange`'s staged folder (autograder.course.exchange): what a learner fetching
one assignment gets, and that the engine in it finds the notebook and helpers beside it.

The round trip through nbgrader's exchange with an unprivileged learner is
tests/test_nbgrader_hostile.py::test_release_fetch_submit_collect_through_the_exchange.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autograder import assignments
from autograder.course import exchange
from kit import REPO, VENV, course_env, hidden_only_lines, leaked_lines

WITH_DATA = next(a.id for a in assignments.every() if a.uses_data)
WITHOUT_DATA = next(a.id for a in assignments.every() if not a.uses_data)


@pytest.mark.parametrize("assignment_id", sorted({WITH_DATA, WITHOUT_DATA}))
def test_the_staged_folder_carries_the_public_engine_of_its_assignment_only(assignment_id,
                                                                            tmp_path):
    assignment = assignments.get(assignment_id)
    folder = exchange.stage(assignment, tmp_path)
    assert folder == tmp_path / assignment_id
    assert (folder / f"{assignment_id}.ipynb").read_bytes() == \
        (REPO / "assignments" / assignment_id / f"{assignment_id}.ipynb").read_bytes()
    for helper in assignment.helpers:
        assert (folder / helper).is_file(), helper
    engine = folder / "autograder"
    assert (engine / "notebook.py").is_file()
    assert (engine / "released-beside.txt").read_text().strip() == assignment_id
    graders = {p.relative_to(engine / "graders").parts[0]
               for p in (engine / "graders").rglob("*") if p.is_file()
               and len(p.relative_to(engine / "graders").parts) > 1}
    assert graders == {assignment_id}, graders
    shipped = [p for p in folder.rglob("*") if p.is_file()]
    assert not [p for p in shipped if p.name == "hidden.py"]
    assert not (folder / "solutions").exists()
    secrets = hidden_only_lines(assignment_id)
    assert secrets, "the hidden graders have no distinctive line to look for"
    for path in shipped:
        leaked = leaked_lines(path, secrets)
        assert not leaked, (path, leaked[:2])
    if assignment.uses_data:
        data = [p for p in (folder / "data").rglob("*") if p.is_file()]
        assert data and not [p for p in data if p.suffix == ".py"], data
    else:
        assert not (folder / "data").exists()


def test_the_staged_engine_finds_the_notebook_and_helpers_beside_it(tmp_path):
    assignment = assignments.get(WITH_DATA)
    folder = exchange.stage(assignment, tmp_path)
    probe = ("import json; from autograder import assignments as a; x = a.get(%r); "
             "print(json.dumps([str(x.released_dir), [p.name for p in x.helper_files()], "
             "list(a.ids())]))" % WITH_DATA)
    done = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, ''); "
                           f"{probe}"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    released, helpers, ids = json.loads(done.stdout)
    assert released == str(folder)
    assert sorted(helpers) == sorted(assignment.helpers)
    assert ids == [WITH_DATA]


def test_make_release_exchange_needs_the_course_id():
    done = subprocess.run(["make", "--no-print-directory", "-o", str(VENV / ".installed"),
                           f"VENV={VENV}", "release-exchange"], cwd=REPO, text=True,
                          capture_output=True, timeout=120, env=course_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "COURSE=" in done.stderr
