import sys
from pathlib import Path

# The kit's tests import their helpers as `kit` (and the shared proof as `proof`).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import TESTS, zoo_entries


def pytest_generate_tests(metafunc):
    """`alternative` and `entry` come from the assignment named by the test module."""
    assignment = getattr(metafunc.module, "ASSIGNMENT", None)
    if assignment is None:
        return
    if "alternative" in metafunc.fixturenames:
        paths = sorted((TESTS / "alternatives" / assignment).glob("*.py"))
        metafunc.parametrize("alternative", paths, ids=[p.stem for p in paths])
    if "entry" in metafunc.fixturenames:
        entries = zoo_entries(assignment)
        metafunc.parametrize("entry", entries, ids=[e.id for e in entries])


# Under pytest-xdist (`make test`: --dist loadfile --no-loadscope-reorder) each worker is given
# the next test file when it has almost finished its last, in collection order. The files that
# take longest come first, so that no worker starts a long one when the others are nearly done;
# files not named keep their order, after these.
LONGEST_FIRST = (
    # Measured 2026-12-04, seconds of test time per file in one -n 2 run at load 10-17 (the
    # machine shared): freeze 879, hostile 513, nbgrader 386, confinement 264, nbgrader_hostile
    # 248, cluster 202, parameters 185, setup_proof 168, linear 151, i18n 125; the rest under 90.
    "test_freeze.py", "test_hostile.py", "test_nbgrader.py", "test_confinement.py",
    "test_nbgrader_hostile.py", "test_cluster.py", "test_parameters.py", "test_setup_proof.py",
    "test_linear.py", "test_i18n.py", "test_instructor_tools.py", "test_mutants.py",
    "test_gradescope.py", "test_engine.py", "test_student_kit.py", "test_lab.py",
    "test_grade_command.py", "test_outcomes.py",
)


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):   # a plain run keeps pytest's order
        return
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
