"""The proof every assignment's graders owe, written once.

A module `tests/test_<id>.py` sets `ASSIGNMENT = "<id>"` and imports these tests; the
`conftest.py` hook parametrizes `alternative` and `entry` from that module's assignment. Each
module grades everything in one engine run (the `graded` fixture) and then shows that the
reference scores full marks, the released stub scores 0 with "Not implemented yet", the same code
as a .py file gets the same verdicts, alternative solutions score full marks, every bug-zoo
entry is caught by the check for its concept, and each check cell carries its exercise's points.
"""
from __future__ import annotations

import re

import pytest

from kit import (REPO, TESTS, assert_zoo_entry_caught, check_cells, exercise_points, failed,
                 grade_proof, zoo_entries)


@pytest.fixture(scope="module")
def assignment(request) -> str:
    return request.module.ASSIGNMENT


@pytest.fixture(scope="module")
def graded(assignment, tmp_path_factory):
    """Everything the module checks, graded in one engine run."""
    return grade_proof(assignment, tmp_path_factory.mktemp(assignment))


@pytest.fixture(scope="module")
def graded_zh(assignment, tmp_path_factory):
    """The same submissions, graded with feedback in Chinese."""
    return grade_proof(assignment, tmp_path_factory.mktemp(f"{assignment}-zh"), jobs=2,
                       language="zh")


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


def test_alternative_solution_scores_full_marks(graded, alternative):
    result = graded[alternative.stem]
    assert result["score"] == result["max_score"], failed(result)


def test_zoo_entry_is_caught_by_its_concept_check(graded, entry):
    assert_zoo_entry_caught(graded[f"zoo/{entry.id}"], entry)


def test_one_mistake_costs_at_most_a_quarter_of_the_points(graded, entry):
    """A single misconception loses a proportionate share of the assignment; an entry that
    loses more than a quarter says why in a `Costs more:` line of its header."""
    result = graded[f"zoo/{entry.id}"]
    lost = result["max_score"] - result["score"]
    if lost > result["max_score"] / 4:
        assert entry.costs_more, (
            f"{entry.id} loses {lost:g} of {result['max_score']:g} points; failed: "
            f"{[t['name'] for t in result['tests'] if t['status'] != 'passed']}")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_class_report_reads_the_engine_results(graded, graded_zh, assignment, language):
    """The class report on this module's real results, in either language: the stub counts as
    never attempted, a zoo entry's failures as attempted, and its feedback is what the check
    observed."""
    from autograder.reports.classreport import Record, check_stats, render

    results = graded_zh if language == "zh" else graded
    stub = check_stats([Record("stub", assignment, results["released"])])
    assert all(c.not_attempted == c.graded == 1 and c.failed == 0 for c in stub), \
        [c.name for c in stub if c.failed]
    zoo = [Record(k, assignment, r) for k, r in results.items() if k.startswith("zoo/")]
    checks = check_stats(zoo)
    assert sum(c.failed for c in checks) >= len(zoo)
    assert all(c.not_attempted == 0 for c in checks), "zoo entries build on the reference"
    feedback = [text for c in checks for text in c.feedback]
    assert feedback and not any(text.startswith(("Check: ", "检查：")) for text in feedback)
    page = render(zoo, [], "proof")
    assert f'<html lang="{language}">' in page
    assert ("Most common failures" in page) == (language == "en")


# What English feedback is made of; Chinese feedback says the same in Chinese.
ENGLISH_LABELS = ("Check: ", "Observed: ", "Expected: ", "What to change: ", "Not implemented yet",
                  "Not checked: ")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_feedback_gives_the_same_scores(graded, graded_zh):
    """Every submission scores the same check by check in Chinese as in English, and every
    text a learner reads about a check is in Chinese."""
    assert set(graded_zh) == set(graded)
    for key, english in graded.items():
        chinese = graded_zh[key]
        assert [(t["name"], t["status"], t["score"]) for t in chinese["tests"]] == \
               [(t["name"], t["status"], t["score"]) for t in english["tests"]], key
        assert chinese["extra_data"]["language"] == "zh"
        for test in chinese["tests"]:
            text = test["output"]
            assert CJK.search(text), (key, test["name"], text[:300])
            labels = [label for label in ENGLISH_LABELS if label in text]
            assert not labels, (key, test["name"], labels, text[:300])
        assert CJK.search(chinese["output"]), chinese["output"]


def test_every_check_has_its_concept_tag_and_points(graded):
    for test in graded["reference"]["tests"]:
        assert test["tags"] and test["max_score"] > 0
        assert test["visibility"] in ("visible", "hidden")


def test_each_exercise_has_one_check_cell_worth_its_checks(assignment):
    reference = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    cells = check_cells(reference)
    assert {e: c["points"] for e, c in cells.items()} == dict(exercise_points(assignment))
    assert all(c["assignment"] == assignment and "hidden=True" in c["source"]
               for c in cells.values())


def test_released_check_cells_keep_only_the_public_call(assignment):
    reference = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    released = REPO / "assignments" / assignment / f"{assignment}.ipynb"
    cells = check_cells(released)
    assert set(cells) == set(check_cells(reference))
    assert not any("hidden=True" in c["source"] for c in cells.values())


def test_enough_alternatives_and_zoo_entries(assignment):
    assert len(sorted((TESTS / "alternatives" / assignment).glob("*.py"))) >= 2
    assert len(zoo_entries(assignment)) >= 12
