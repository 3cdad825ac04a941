"""Proof of the `freeze` graders: the shared tests of proof.py, plus what is particular to
`freeze`: its closing training run and its released helper module.

The zoo entries are graded on the reference's exercises only (its code up to the last check
cell): the closing demonstration trains the detector on the whole data set, which says nothing
about an entry's misconception and would dominate the run. The reference and its .py copy still
run the whole notebook.
"""
import pytest

from kit import REPO, grade_proof
from proof import *  # noqa: F401,F403 - collected here for this module's assignment

ASSIGNMENT = "freeze"
SOURCE_DIR = REPO / "solutions" / ASSIGNMENT


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Everything the module checks, graded in one engine run, two submissions at a time."""
    return grade_proof(ASSIGNMENT, tmp_path_factory.mktemp(ASSIGNMENT), zoo_exercises_only=True,
                       jobs=2)


def test_reference_notebook_runs_without_a_cell_error(graded):
    """The demonstrations, the training run on the helmet data included, raise nothing."""
    assert "raised an error" not in graded["reference"]["output"], graded["reference"]["output"]


def test_source_folder_holds_only_the_notebook_and_its_helper():
    """nbgrader releases every other file of solutions/freeze/ beside the learner's notebook."""
    assert sorted(p.name for p in SOURCE_DIR.iterdir() if p.name != "__pycache__") == \
           ["freeze.ipynb", "yolo.py"]


def test_released_helper_is_the_source_helper():
    released = REPO / "assignments" / ASSIGNMENT / "yolo.py"
    assert released.read_bytes() == (SOURCE_DIR / "yolo.py").read_bytes(), (
        "assignments/freeze/yolo.py is out of date: run `make release`")
