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


# Under pytest-xdist (`make test`: --dist loadfile), each worker is given the next test file when
# it has almost finished its last, in collection order. The files that take longest come first,
# so that no worker starts a long one when the others are nearly done (seconds on an idle 2-core
# machine, measured with `pytest --durations`; files not named keep their order, after these).
LONGEST_FIRST = (
    "test_nbgrader.py", "test_hostile.py", "test_freeze.py", "test_nbgrader_hostile.py",
    "test_cluster.py", "test_confinement.py", "test_parameters.py", "test_linear.py",
    "test_mutants.py", "test_setup_proof.py", "test_student_kit.py", "test_gradescope.py",
    "test_instructor_tools.py", "test_i18n.py", "test_lab.py", "test_outcomes.py",
)


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):   # a plain run keeps pytest's order
        return
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
