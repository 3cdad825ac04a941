"""Proof of the `parameters` graders: reference full marks, stub 0, alternatives full, zoo caught,
and check cells that carry their exercises' points."""
from __future__ import annotations

import pytest

from kit import (
    REPO, TESTS, assert_zoo_entry_caught, check_cells, exercise_points, failed, grade_proof,
    zoo_entries,
)

ASSIGNMENT = "parameters"
REFERENCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASED = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
ALTERNATIVES = sorted((TESTS / "alternatives" / ASSIGNMENT).glob("*.py"))
ZOO = zoo_entries(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Everything this module checks, graded in one engine run."""
    return grade_proof(ASSIGNMENT, tmp_path_factory.mktemp(ASSIGNMENT))


def test_reference_scores_full_marks(graded):
    result = graded["reference"]
    assert not failed(result), failed(result)
    assert result["score"] == result["max_score"] > 0


def test_released_stub_scores_zero_with_not_implemented(graded):
    result = graded["released"]
    assert result["score"] == 0
    outputs = [t["output"] for t in result["tests"]]
    assert all("Not implemented yet" in o for o in outputs), outputs
    assert not any("Traceback" in o for o in outputs)


def test_py_file_graded_like_the_notebook(graded):
    as_py, reference = graded["as_py"], graded["reference"]
    assert [(t["name"], t["status"], t["score"]) for t in as_py["tests"]] == \
           [(t["name"], t["status"], t["score"]) for t in reference["tests"]]


@pytest.mark.parametrize("alternative", [p.stem for p in ALTERNATIVES])
def test_alternative_solution_scores_full_marks(graded, alternative):
    result = graded[alternative]
    assert result["score"] == result["max_score"], failed(result)


def test_enough_alternatives_and_zoo_entries():
    assert len(ALTERNATIVES) >= 2
    assert len(ZOO) >= 12


@pytest.mark.parametrize("entry", ZOO, ids=lambda e: e.id)
def test_zoo_entry_is_caught_by_its_concept_check(graded, entry):
    assert_zoo_entry_caught(graded[f"zoo/{entry.id}"], entry)


def test_every_check_has_its_concept_tag_and_points(graded):
    for test in graded["reference"]["tests"]:
        assert test["tags"] and test["max_score"] > 0
        assert test["visibility"] in ("visible", "hidden")


def test_each_exercise_has_one_check_cell_worth_its_checks():
    points = exercise_points(ASSIGNMENT)
    cells = check_cells(REFERENCE)
    assert {e: c["points"] for e, c in cells.items()} == dict(points)
    assert all(c["assignment"] == ASSIGNMENT and "hidden=True" in c["source"]
               for c in cells.values())


def test_released_check_cells_keep_only_the_public_call():
    cells = check_cells(RELEASED)
    assert set(cells) == set(check_cells(REFERENCE))
    assert not any("hidden=True" in c["source"] for c in cells.values())
