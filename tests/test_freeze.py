"""Proof of the `freeze` graders: the shared tests of proof.py, plus what is particular to
`freeze`: its closing training run and its released helper module.

The zoo entries are graded on the reference's exercises only (its code up to the last check
cell): the closing demonstration trains the detector on the whole data set, which says nothing
about an entry's misconception and would dominate the run. The reference and its .py copy still
run the whole notebook.
"""
import pytest

from kit import REPO, grade_proof
from proof import *  # noqa: F403 - collected here for this module's assignment

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


def test_fit_plan_leaves_a_partial_last_batch_in_both_phases():
    """drop_last=True shows only if some epoch of the grader's fit run ends in a partial batch;
    a mean of the batch losses weighted by batch size differs from the plain mean only then."""
    from autograder.graders.freeze.common import FitPlan

    for plan in (FitPlan(), FitPlan(freeze_epochs=1, unfreeze_epochs=1)):
        assert plan.partial_batch(True) > 0 and plan.partial_batch(False) > 0, plan


def test_a_run_that_drops_each_partial_batch_is_told_from_a_short_run():
    """The epochs of a drop_last run are told by the items they served (so that its steps are
    counted in their own epochs); a run that serves as many items otherwise is not taken for one."""
    from autograder.graders.freeze.common import FitPlan, _epoch_sizes

    plan = FitPlan()
    assert (plan.images, plan.freeze_batch_size, plan.unfreeze_batch_size) == (14, 6, 4)
    served = [6, 12, 18, 24, 28, 32, 36]          # 2 full batches of 6 twice, 3 of 4
    order = [*range(12), *range(2, 14), *range(1, 13)]
    assert _epoch_sizes(plan, order, served) == ([12, 12, 12], True)
    # The same number of items, but a step in the middle of a batch: not drop_last.
    assert _epoch_sizes(plan, order, [6, 12, 18, 24, 27, 32, 36]) == ([14, 14, 14], False)
    # An item twice in one epoch: not one pass of a loader.
    assert _epoch_sizes(plan, [0, *range(11), *order[12:]], served)[1] is False
    # Every image in every epoch: the epochs as planned.
    full = [*range(14)] * 3
    assert _epoch_sizes(plan, full, [6, 12, 14, 20, 26, 28, 32, 36, 40, 42]) == ([14, 14, 14],
                                                                                 False)
