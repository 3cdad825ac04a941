"""Feedback names a notebook cell as the learner finds it in JupyterLab (issue 24): "cell 27 [42]",
its place among all the notebook's cells (text cells counted) and the execution count JupyterLab
shows beside it, never the engine's own count of code cells ("code cell 15"), whoever parsed the
error: the graders' API or a grader reading an instrument's answer itself (freeze's `fit`)."""
from __future__ import annotations

import json

from kit import REPO, code_cell_sources, grade_files, submission_notebook

BROKEN_FIT = ('def fit(model, dataset, **settings):\n'
              '    raise RuntimeError("fit is broken on purpose")\n')


def _fit_cell(nb: dict) -> tuple[int, int, dict]:
    """The place of the cell defining `fit` among all cells and among the code cells."""
    code = 0
    for place, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] == "code":
            code += 1
            if "def fit(" in "".join(cell["source"]):
                return place, code, cell
    raise AssertionError("no cell defines fit")


def test_an_error_in_fit_names_the_cell_as_jupyterlab_shows_it(tmp_path):
    released = REPO / "assignments" / "freeze" / "freeze.ipynb"
    sources = [BROKEN_FIT if "def fit(" in s else s
               for s in code_cell_sources(REPO / "solutions" / "freeze" / "freeze.ipynb")]
    target = submission_notebook(released, sources, tmp_path / "freeze.ipynb")
    nb = json.loads(target.read_text())
    place, code, cell = _fit_cell(nb)
    assert place != code, "the notebook has text cells before fit: the two numberings differ"
    cell["execution_count"] = 42
    target.write_text(json.dumps(nb, indent=1) + "\n")

    result = grade_files([target], tmp_path / "out")[target]
    about_fit = [t["output"] for t in result["tests"] if "fit is broken on purpose" in t["output"]]
    assert about_fit, [t["output"][:200] for t in result["tests"] if t["status"] != "passed"]
    roots = [text for text in about_fit if "the same mistake as" not in text]
    assert roots, about_fit
    for text in roots:
        assert f"cell {place} [42], line 2" in text, text
    for text in about_fit:
        assert f"code cell {code}" not in text, text


def test_evidence_parsed_without_labels_gets_them_from_the_learner():
    from autograder.judge_side.client import Evidence, LearnerError
    from autograder.judge_side.plugin import cause_of, feedback_for, labelled

    class Learner:
        labels = {15: "cell 27 [42]"}
        sources = {15: "def fit():\n    raise RuntimeError('boom')\n"}

    raw = {"type": "RuntimeError", "message": "boom",
           "frames": [{"line": 2, "function": "fit", "cell": 15}]}
    text = feedback_for(LearnerError(Evidence.parse(raw), "running your fit"), "fit trains",
                        Learner())
    assert "cell 27 [42], line 2, in fit" in text and "code cell 15" not in text, text
    assert "raise RuntimeError('boom')" in text, text
    # the same mistake, parsed with or without the labels, is one root cause
    assert cause_of(labelled(LearnerError(Evidence.parse(raw), "a"), Learner())) == \
        cause_of(LearnerError(Evidence.parse(raw, Learner.labels), "b"))
