"""The course's nbgrader, set up so that it never runs a learner's code (`nbgrader_config.py`).

`nbgrader autograde` normally executes every submitted notebook in a kernel of the instructor's
own (root on course machines), with the whole course and machine in reach, and records whatever
points that kernel's test cells return: learner code can set its own points, or a classmate's.
The kit's `autograde` keeps nbgrader for what needs no execution (the student and submission
records, timestamps and late penalties, the graded cells restored from the source, the
autograded notebooks and the gradebook's structure) and replaces nbgrader's `Execute`
preprocessor with `EngineGrades`: no kernel starts, every graded test cell gets an output worth 0
points that says the engine grades it. `python -m autograder gradebook` (autograder/course/gradebook.py)
then grades the same notebooks in the engine's sandbox and writes its scores into the gradebook.

This module is imported by every nbgrader command: it must stay light (no torch, no engine).
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

from autograder.i18n import N_, _, notebook_language, use

NOT_GRADED_YET = N_("Not graded yet: the kit's engine grades this cell in its sandbox "
                    "(python -m autograder gradebook, the second step of make autograde) and "
                    "writes its report here.")


def is_test_cell(cell) -> bool:
    """A graded code cell that is not a solution: one whose points nbgrader reads from outputs."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return (isinstance(meta, dict) and cell.get("cell_type") == "code" and bool(meta.get("grade"))
            and not meta.get("solution"))


def not_graded_outputs() -> list[dict]:
    """A test cell's outputs before the engine's verdict: worth 0 to nbgrader's `SaveAutoGrades`."""
    from nbformat.v4 import new_output

    return [new_output("stream", name="stdout", text=_(NOT_GRADED_YET) + "\n"),
            new_output("execute_result", data={"text/plain": "0"}, execution_count=None)]


class EngineGrades(Preprocessor):
    """In place of nbgrader's `Execute`: nothing runs; every test cell is worth 0 until the engine
    has graded the notebook (nbgrader's `ClearOutput` has already removed the learner's outputs)."""

    enabled = True

    def preprocess(self, nb, resources):
        with use(notebook_language(nb)):
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            cell.outputs = not_graded_outputs()
        return cell, resources


def configure(c) -> None:
    """nbgrader's autograde without a kernel (c: the nbgrader config)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)

    # nbgrader's own list (converters/autograde.py) with Execute replaced.
    c.Autograde.autograde_preprocessors = [EngineGrades, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                           CheckCellMetadata]
