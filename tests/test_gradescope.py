"""The Gradescope bundle: what it holds, and `run_autograder` run as Gradescope runs it.

The slow tests lay out a scratch `<tmp>/autograder/{source,submission,results}` as Gradescope
does, unzip the bundle into `source/`, and run `run_autograder` from there with this venv's
python (setup.sh's installs need the internet, so they are not run here).
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kit import REPO

from autograder import assignments
from autograder.course.gradescope import NoSubmission, build_bundle, bundle_files, find_submission

ASSIGNMENT = "linear"
REFERENCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASED = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build_bundle(assignments.get(ASSIGNMENT), tmp_path_factory.mktemp("dist"))


def unpack(bundle: Path, source: Path) -> None:
    """Unzip as Gradescope does, keeping the file modes stored in the zip."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, source))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)


def run_autograder(bundle: Path, tmp: Path, submitted: list[Path]) -> tuple[dict, str]:
    root = tmp / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    unpack(bundle, root / "source")
    for path in submitted:
        (root / "submission" / path.name).write_bytes(path.read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root / "source",
                          env=env, text=True, capture_output=True, timeout=600)
    assert proc.returncode == 0, f"run_autograder failed:\n{proc.stdout}\n{proc.stderr}"
    results = root / "results" / "results.json"
    assert results.exists(), f"no results.json written:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(results.read_text()), proc.stdout + proc.stderr


def assert_contract_format(result: dict) -> None:
    """The contract's result format (Gradescope's results.json schema), section 3."""
    assert {"score", "max_score", "execution_time", "output", "tests"} <= set(result)
    assert isinstance(result["execution_time"], (int, float))
    names = [t["name"] for t in result["tests"]]
    assert len(names) == len(set(names)), "check names must be unique"
    for test in result["tests"]:
        assert test["name"].startswith(f"{ASSIGNMENT}/")
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden")
        assert isinstance(test["tags"], list) and test["tags"]
        assert 0 <= test["score"] <= test["max_score"]
    assert result["score"] == sum(t["score"] for t in result["tests"])
    assert result["max_score"] == sum(t["max_score"] for t in result["tests"]) > 0


# -- what the bundle holds ---------------------------------------------------------------------

def test_bundle_holds_scripts_engine_every_grader_and_only_the_reference(bundle):
    with zipfile.ZipFile(bundle) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        run_script = archive.read("run_autograder").decode()
    for script in ("setup.sh", "run_autograder"):
        assert script in infos, f"{script} must sit at the zip's root"
        assert (infos[script].external_attr >> 16) & stat.S_IXUSR, f"{script} must be executable"
    for needed in ("autograder/course/gradescope.py", "autograder/graders/linear/public.py",
                   "autograder/graders/linear/hidden.py", "autograder/graders/linear/assignment.toml",
                   "pyproject.toml"):
        assert needed in infos
    assert any(n.startswith("constraints/") for n in infos)
    # The one notebook is the reference solution, graded first in every run to prove the set-up
    # (issue 21); the learner's sandbox hides solutions/ as it hides the graders.
    assert [n for n in infos if n.startswith("solutions/") or n.endswith(".ipynb")] == [
        f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"]
    assert "solutions" in run_script and "go-rwx" in run_script
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in infos if n.startswith("data/")], "linear needs no data/"
    assert "@ASSIGNMENT@" not in run_script
    assert f"AUTOGRADER_ASSIGNMENT:-{ASSIGNMENT}}}" in run_script, "the assignment is baked in"


def test_freeze_bundle_carries_the_data_but_not_its_scripts():
    if not (REPO / "data").is_dir():
        pytest.skip("no data/ folder in this checkout")
    names = bundle_files(assignments.get("freeze"))
    assert any(n.startswith("data/pretrained/") for n in names)
    assert any(n.startswith("data/helmet/") for n in names)
    assert not [n for n in names if n.startswith("data/") and n.endswith(".py")]


# -- which file gets graded --------------------------------------------------------------------

def test_finds_the_notebook_named_after_the_assignment_anywhere(tmp_path):
    for name in ("notes.ipynb", "deep/er/linear.ipynb", "other/linear.ipynb", "scratch.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert find_submission(tmp_path, assignments.get(ASSIGNMENT)) == tmp_path / "other/linear.ipynb"


def test_finds_the_only_notebook_whatever_its_name(tmp_path):
    (tmp_path / "my work (1).ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "linear-checkpoint.ipynb").write_text("{}")
    assert find_submission(tmp_path, assignments.get(ASSIGNMENT)) == tmp_path / "my work (1).ipynb"


def test_several_unnamed_notebooks_say_which_name_to_use(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    with pytest.raises(NoSubmission, match="linear.ipynb"):
        find_submission(tmp_path, assignments.get(ASSIGNMENT))


def test_an_empty_submission_asks_for_the_notebook(tmp_path):
    with pytest.raises(NoSubmission, match="linear.ipynb"):
        find_submission(tmp_path, assignments.get(ASSIGNMENT))


# -- run_autograder, as on Gradescope ----------------------------------------------------------

@pytest.mark.slow
def test_reference_solution_scores_full_marks(bundle, tmp_path):
    result, log = run_autograder(bundle, tmp_path, [REFERENCE])
    assert_contract_format(result)
    failed = [t["name"] for t in result["tests"] if t["status"] != "passed"]
    assert not failed, f"{failed}\n{log}"
    assert result["score"] == result["max_score"]
    # The bundle's own engine graded it, not the one this checkout has installed.
    where = subprocess.run([sys.executable, "-c", "import autograder; print(autograder.__file__)"],
                           cwd=tmp_path / "autograder" / "source", text=True, capture_output=True)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "autograder" / "source")


@pytest.mark.slow
def test_released_stub_scores_zero(bundle, tmp_path):
    result, _ = run_autograder(bundle, tmp_path, [RELEASED])
    assert_contract_format(result)
    assert result["score"] == 0
    assert all(t["status"] == "failed" for t in result["tests"])


@pytest.mark.slow
def test_empty_submission_scores_zero_with_the_reason(bundle, tmp_path):
    result, _ = run_autograder(bundle, tmp_path, [])
    assert_contract_format(result)
    assert result["score"] == 0
    assert "No notebook was found" in result["output"]
    assert "linear.ipynb" in result["output"]


def test_engine_that_cannot_start_still_leaves_a_result(bundle, tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    unpack(bundle, root / "source")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": "/nonexistent/python"}
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root / "source",
                          env=env, text=True, capture_output=True, timeout=60)
    assert proc.returncode == 0
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] is None and result["status"] == "error"
    assert "Not graded" in result["output"] and "tell your instructor" in result["output"]


@pytest.mark.slow
def test_limits_the_reference_cannot_meet_record_no_score(bundle, tmp_path, monkeypatch):
    """The bundle grades its reference first: under a time limit it cannot meet, the
    submission is "not graded" (no score), never a 0 the learner did not earn."""
    monkeypatch.setenv("AUTOGRADER_TIME_LIMIT", "0.01")
    result, log = run_autograder(bundle, tmp_path, [REFERENCE])
    assert result["status"] == "error" and result["score"] is None, result
    assert "Not graded" in result["output"]
    assert "failed its own reference solution" in log
