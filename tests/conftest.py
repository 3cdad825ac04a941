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
