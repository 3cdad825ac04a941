"""Proof of the `linear` graders: reference full marks, stub 0, alternatives full, zoo caught."""
from __future__ import annotations

import pytest

from kit import REPO, TESTS, compose_zoo_submission, grade_files, notebook_code, zoo_entries

ASSIGNMENT = "linear"
REFERENCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASED = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
ALTERNATIVES = sorted((TESTS / "alternatives" / ASSIGNMENT).glob("*.py"))
ZOO = zoo_entries(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Everything this module checks, graded in one engine run."""
    tmp = tmp_path_factory.mktemp(ASSIGNMENT)
    as_py = tmp / "as_py" / ASSIGNMENT / "reference_as_py.py"
    as_py.parent.mkdir(parents=True)
    as_py.write_text(notebook_code(REFERENCE))
    released = tmp / "released" / ASSIGNMENT / "released.ipynb"
    released.parent.mkdir(parents=True)
    released.write_bytes(RELEASED.read_bytes())
    zoo = {entry.id: compose_zoo_submission(entry, REFERENCE, tmp / "zoo") for entry in ZOO}
    paths = [REFERENCE, released, as_py, *ALTERNATIVES, *zoo.values()]
    results = grade_files(paths, tmp / "results")
    return {"reference": results[REFERENCE], "released": results[released],
            "as_py": results[as_py], **{p.stem: results[p] for p in ALTERNATIVES},
            **{f"zoo/{k}": results[v] for k, v in zoo.items()}}


def failed(result: dict) -> dict[str, dict]:
    return {t["name"]: t for t in result["tests"] if t["status"] != "passed"}


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
    result = graded[f"zoo/{entry.id}"]
    fails = failed(result)
    names = {t["name"] for t in result["tests"]}
    for check in entry.caught_by:
        assert check in names, f"{entry.id} names a check that does not exist: {check}"
        assert check in fails, f"{entry.id} ({entry.misconception}) was not caught by {check}"
        output = fails[check]["output"]
        assert any(word in output for word in entry.mentions), (
            f"{check}'s feedback for {entry.id} does not mention any of {entry.mentions}:\n{output}")
        assert "Observed" in output and "What to change" in output, output
    assert result["score"] < result["max_score"]


def test_every_check_has_its_concept_tag_and_points(graded):
    for test in graded["reference"]["tests"]:
        assert test["tags"] and test["max_score"] > 0
        assert test["visibility"] in ("visible", "hidden")
