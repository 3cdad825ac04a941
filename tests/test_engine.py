"""The engine's command line and result format, as the contract states them."""
from __future__ import annotations

import json

import pytest

from kit import REPO, run_engine

REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"
TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility", "tags"}


def test_unknown_assignment_is_a_command_line_error(tmp_path):
    stray = tmp_path / "homework.ipynb"
    stray.write_text("{}")
    proc = run_engine("grade", str(stray))
    assert proc.returncode == 2
    assert "--assignment" in proc.stderr


def test_bad_arguments_exit_2():
    assert run_engine("grade").returncode == 2
    assert run_engine("grade", "a.ipynb", "b.ipynb", "--json", "x.json",
                      "--assignment", "linear").returncode == 2
    assert run_engine("frobnicate").returncode == 2


@pytest.fixture(scope="module")
def magic_notebook_result(tmp_path_factory):
    """A notebook using IPython magics and shell escapes, graded with --json."""
    tmp = tmp_path_factory.mktemp("magics")
    nb = json.loads(REFERENCE.read_text())
    extra = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": ["%matplotlib inline\n", "%config InlineBackend.figure_format = 'svg'\n",
                        "!pip install something-that-does-not-exist\n",
                        "import matplotlib.pyplot as plt\n", "plt.plot([1, 2, 3]); plt.show()\n"]}
    nb["cells"].insert(1, extra)
    path = tmp / "my_homework.ipynb"
    path.write_text(json.dumps(nb))
    out = tmp / "result.json"
    proc = run_engine("grade", str(path), "--assignment", "linear", "--json", str(out))
    return proc, json.loads(out.read_text())


def test_magics_are_harmless_and_assignment_flag_is_used(magic_notebook_result):
    proc, result = magic_notebook_result
    assert proc.returncode == 0
    assert result["score"] == result["max_score"] > 0, result["output"]
    assert "linear (" in proc.stdout and "PASS" in proc.stdout


def test_result_follows_the_contract(magic_notebook_result):
    _, result = magic_notebook_result
    assert set(result) >= {"score", "max_score", "execution_time", "output", "tests"}
    assert isinstance(result["execution_time"], (int, float)) and result["execution_time"] > 0
    names = [t["name"] for t in result["tests"]]
    assert len(names) == len(set(names))
    for test in result["tests"]:
        assert set(test) == TEST_FIELDS
        assert test["name"].startswith("linear/")
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden")
        assert isinstance(test["tags"], list) and test["tags"]
    assert result["score"] == sum(t["score"] for t in result["tests"])


def test_unreadable_submission_still_writes_a_result(tmp_path):
    out = tmp_path / "r.json"
    (tmp_path / "linear.ipynb").write_text("not json")
    proc = run_engine("grade", str(tmp_path / "linear.ipynb"), "--json", str(out))
    assert proc.returncode == 0
    result = json.loads(out.read_text())
    assert result["score"] == 0 and "not valid notebook JSON" in result["output"]


def test_a_path_that_does_not_exist_is_a_command_line_error(tmp_path):
    """Contract, section 2: exit 2, no result written, so a typo never overwrites one."""
    earlier = tmp_path / "results" / "linear.json"
    earlier.parent.mkdir()
    earlier.write_text('{"score": 12}')
    proc = run_engine("grade", str(tmp_path / "wrok" / "linear.ipynb"), "--out",
                      str(tmp_path / "results"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "FAIL" not in proc.stdout
    assert earlier.read_text() == '{"score": 12}'
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["linear.json"]


def test_closing_cells_as_released_are_skipped_and_edited_ones_run(tmp_path):
    """The instructor's cells after the last graded cell run only when the learner changed one:
    marked here by a trailing cell that raises."""
    from autograder.course.submission import is_test_cell

    nb = json.loads(REFERENCE.read_text())
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    marked = [i for i in code if nb["cells"][i]["metadata"].get("nbgrader")]
    trailing = [i for i in code if i > marked[-1]]
    assert trailing and not any(is_test_cell(nb["cells"][i]) for i in trailing)
    unchanged = tmp_path / "unchanged" / "linear.ipynb"
    unchanged.parent.mkdir()
    unchanged.write_text(json.dumps(nb))
    edited_nb = json.loads(json.dumps(nb))
    edited_nb["cells"][trailing[-1]]["source"] += "\nraise RuntimeError('edited trailing cell ran')\n"
    edited = tmp_path / "edited" / "linear.ipynb"
    edited.parent.mkdir()
    edited.write_text(json.dumps(edited_nb))
    results = {}
    for name, path, extra in (("skipped", unchanged, ()), ("edited", edited, ()),
                              ("all", unchanged, ("--all-cells",))):
        out = tmp_path / f"{name}.json"
        proc = run_engine("grade", str(path), "--json", str(out), "--quiet", *extra)
        assert proc.returncode == 0, proc.stderr
        results[name] = json.loads(out.read_text())
    assert "edited trailing cell ran" in results["edited"]["output"]
    ran = {k: r["extra_data"]["cells_run"] for k, r in results.items()}
    assert ran["skipped"] == ran["all"] - len(trailing) and ran["edited"] == ran["all"], ran
    verdicts = {k: [(t["name"], t["status"]) for t in r["tests"]] for k, r in results.items()}
    assert verdicts["skipped"] == verdicts["all"] == verdicts["edited"]
