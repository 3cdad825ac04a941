"""`make grade` without traps (issue 24, item 4): it grades `assignments/` as the contract says
and `make grade-work` the learner's working copy `work/`, an untouched stub's zeros never
replace a result file that has points, a path that does not exist is an error (exit 2, see
test_engine), and the terminal report is grouped by exercise."""
from __future__ import annotations

import json
import shutil
import subprocess

from kit import REPO, run_engine

RELEASED = REPO / "assignments" / "linear" / "linear.ipynb"


def _result(names_scores: list[tuple[str, float]]) -> dict:
    tests = [{"name": n, "score": s, "max_score": 1.0, "status": "passed" if s else "failed",
              "output": "Check: it\nObserved: x" if not s else "it", "visibility": "visible",
              "tags": ["t"]} for n, s in names_scores]
    return {"score": sum(s for _n, s in names_scores), "max_score": float(len(tests)),
            "execution_time": 1.0, "output": "summary", "tests": tests}


def test_the_report_is_grouped_by_exercise_in_the_notebooks_order():
    from autograder.assignments import get
    from autograder.reports.report import format_report
    from autograder.judge_side.runner import manifest

    planned = manifest(get("linear"))
    exercises = list(dict.fromkeys(c.info.exercise for c in planned))
    assert len(exercises) >= 3
    # Results as the engine lists them: public checks of every exercise, then the hidden ones.
    public = [c for c in planned if c.info.visibility == "visible"]
    hidden = [c for c in planned if c.info.visibility == "hidden"]
    order = [c.name for c in public + hidden]
    result = _result([(n, float(i % 2)) for i, n in enumerate(order)])
    lines = format_report(result, "linear").splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("  -- ")]
    assert [lines[i].split(":")[0][5:] for i in headers] == exercises
    for start, end, exercise in zip(headers, [*headers[1:], len(lines)], exercises):
        block = "\n".join(lines[start:end])
        expected = [c.name for c in planned if c.info.exercise == exercise]
        shown = [n for n in order if f"  {n}  [" in block]
        assert sorted(shown) == sorted(expected), (exercise, shown)
        earned = sum(float(i % 2) for i, n in enumerate(order) if n in expected)
        assert lines[start] == f"  -- {exercise}: {earned:g} / {len(expected):g} points"
    assert "Total: summary" in lines[-1] or any("Total: summary" in line for line in lines)


def test_a_stubs_zeros_never_replace_points_but_worked_on_zeros_do(tmp_path):
    from autograder.assignments import get
    from autograder.reports.report import as_released, kept_earlier

    linear = get("linear")
    stub = tmp_path / "linear.ipynb"
    shutil.copy(RELEASED, stub)
    worked = tmp_path / "worked.ipynb"
    notebook = json.loads(RELEASED.read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code"
                and "NotImplementedError" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("raise NotImplementedError()", "pass")
    worked.write_text(json.dumps(notebook))
    assert as_released(stub, linear) and not as_released(worked, linear)
    assert not as_released(REPO / "solutions" / "linear" / "linear.ipynb", linear)

    earlier = tmp_path / "results" / "linear.json"
    earlier.parent.mkdir()
    zero = {"score": 0.0, "max_score": 33.0, "tests": []}
    earlier.write_text(json.dumps({"score": 21.0, "max_score": 33.0}))
    said = kept_earlier(zero, earlier, stub, linear)
    assert said and "21 / 33" in said and str(earlier) in said
    assert kept_earlier(zero, earlier, worked, linear) is None     # worked on: its 0 is news
    assert kept_earlier({**zero, "score": 1.0}, earlier, stub, linear) is None
    earlier.write_text(json.dumps({"score": 0.0, "max_score": 33.0}))
    assert kept_earlier(zero, earlier, stub, linear) is None        # nothing to keep
    assert kept_earlier(zero, tmp_path / "none.json", stub, linear) is None


def test_grading_an_untouched_copy_keeps_the_earlier_result(tmp_path):
    stub = tmp_path / "assignments" / "linear" / "linear.ipynb"
    stub.parent.mkdir(parents=True)
    shutil.copy(RELEASED, stub)
    out = tmp_path / "results"
    out.mkdir()
    earlier = '{"score": 21.0, "max_score": 33.0, "tests": []}\n'
    (out / "linear.json").write_text(earlier)
    proc = run_engine("grade", str(stub), "--out", str(out), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "linear.json").read_text() == earlier
    assert "keeps its earlier result (21 / 33 points)" in proc.stderr
    assert "== linear" in proc.stdout and "  -- parameters: 0 / " in proc.stdout
    # The same zeros go where there is nothing to keep.
    proc = run_engine("grade", str(stub), "--json", str(tmp_path / "fresh.json"), "--quiet",
                      timeout=600)
    assert proc.returncode == 0 and json.loads((tmp_path / "fresh.json").read_text())["score"] == 0


def _planned(cwd, target: str = "grade") -> str:
    proc = subprocess.run(["make", "-n", "-f", str(REPO / "Makefile"), target, "STAMP="],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_grade_grades_assignments_and_grade_work_the_working_copy(tmp_path):
    """The contract's `make grade` grades assignments/; with a working copy in work/ it says
    how to grade that (`make grade-work`), which does."""
    (tmp_path / "assignments" / "linear").mkdir(parents=True)
    shutil.copy(RELEASED, tmp_path / "assignments" / "linear")
    planned = _planned(tmp_path)
    assert "grade assignments/*/*.ipynb --out results" in planned
    (tmp_path / "work" / "linear").mkdir(parents=True)
    shutil.copy(RELEASED, tmp_path / "work" / "linear" / "linear (copy).ipynb")
    planned = _planned(tmp_path)
    assert "grade assignments/*/*.ipynb --out results" in planned
    assert "make grade-work" in planned
    planned = _planned(tmp_path, "grade-work")
    assert "grading the notebooks in work/" in planned
    assert "grade work/*/*.ipynb --out results" in planned


def test_make_grade_of_a_path_that_does_not_exist_fails_and_writes_nothing(tmp_path):
    proc = subprocess.run(["make", "-f", str(REPO / "Makefile"), "grade", "STAMP=",
                           f"PY={REPO / '.venv' / 'bin' / 'python'}", "NB=wrok/linear.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "does not exist" in proc.stderr and "FAIL" not in proc.stdout
    assert not (tmp_path / "results").exists()
