"""Feedback teaches without handing over the answer: no public check's text quotes a line of
its own assignment's solution."""
from __future__ import annotations

import ast
import json
import re

import pytest

from kit import REPO

from autograder import assignments

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
ASSIGNMENTS = assignments.ids()


def solution_lines(assignment: str) -> set[str]:
    notebook = json.loads((REPO / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    lines = set()
    for cell in notebook["cells"]:
        for block in SOLUTION.findall("".join(cell["source"])):
            for line in block.splitlines():
                code = line.split("#")[0].strip()
                if len(code) >= 12:
                    lines.add(code)
    return lines


def feedback_texts(path) -> list[str]:
    """Every string a grader file spells out (adjacent literals joined, f-strings' text parts),
    but the checks' docstrings, which say what a check calls rather than how to write it."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.Module)) and node.body
                  and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    texts = []
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            texts.append("".join(v.value for v in node.values
                                 if isinstance(v, ast.Constant) and isinstance(v.value, str)))
    return texts


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_public_check_quotes_a_solution_line(assignment):
    lines = solution_lines(assignment)
    assert len(lines) >= 8
    texts = feedback_texts(REPO / "autograder" / "graders" / assignment / "public.py")
    quoted = sorted({line for line in lines for text in texts if line in text})
    assert not quoted, f"public checks of {assignment} quote solution lines: {quoted}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_checks_cover_every_concept_and_a_third_of_the_points(assignment):
    """What the learner can run while working shows every concept an exercise grades, and at
    least a third of its points."""
    from autograder.judge_side.runner import manifest

    exercises: dict[str, dict] = {}
    for planned in manifest(assignments.get(assignment)):
        info = planned.info
        entry = exercises.setdefault(info.exercise, {"points": 0.0, "public": 0.0, "tags": set(),
                                                     "public_tags": set()})
        entry["points"] += info.points
        entry["tags"] |= set(info.tags)
        if info.visibility == "visible":
            entry["public"] += info.points
            entry["public_tags"] |= set(info.tags)
    for exercise, entry in exercises.items():
        assert entry["tags"] <= entry["public_tags"], (
            f"{assignment}/{exercise}: no public check for {sorted(entry['tags'] - entry['public_tags'])}")
        assert 3 * entry["public"] >= entry["points"], (
            f"{assignment}/{exercise}: public checks carry {entry['public']:g} of {entry['points']:g} points")
