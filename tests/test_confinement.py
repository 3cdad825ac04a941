"""Confinement where the system allows less, and the grading process's own robustness.

* As an unprivileged user (a learner's laptop), grading still gives the right scores, and the
  result says which protections were missing.
* As root where namespaces are refused (a container such as Gradescope's), a uid of its own
  per submission still keeps classmates apart.
* Cleaning a scratch folder never raises, whatever the learner left in it.
* A batch whose grading process is killed loses no result: running it again resumes.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import confine
from autograder.confine import UID_RANGE
from kit import REPO, TESTS, code_cell_sources, code_notebook, percent_cells

REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"
STUB = REPO / "assignments" / "linear" / "linear.ipynb"
ROOT = os.geteuid() == 0
NOBODY = 65534


def engine(*args: str, env: dict | None = None, user: int | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, cwd=REPO, text=True, capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def open_folder():
    """A folder every user may write in (pytest's own tmp folders are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="kit-confinement-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def hostile_notebook(case: str, base: Path, target: Path) -> Path:
    return code_notebook(code_cell_sources(base) + percent_cells((TESTS / "hostile" / case).read_text()),
                         target)


# -- reduced protections -----------------------------------------------------------------------

@pytest.mark.skipif(not ROOT or shutil.which("setpriv") is None,
                    reason="needs root to become an unprivileged user (setpriv)")
@pytest.mark.parametrize("namespaces", [True, False], ids=["user-namespaces", "none"])
def test_an_unprivileged_user_grades_correctly_and_is_told_what_is_missing(open_folder, namespaces):
    folder = open_folder / "linear"
    folder.mkdir()
    shutil.copy2(REFERENCE, folder / "reference.ipynb")
    shutil.copy2(STUB, folder / "stub.ipynb")
    (open_folder / "out").mkdir()
    (open_folder / "out").chmod(0o777)
    env = {} if namespaces else {"AUTOGRADER_NO_NAMESPACES": "1"}
    proc = engine("grade", str(folder / "reference.ipynb"), str(folder / "stub.ipynb"), "--out",
                  str(open_folder / "out"), "--quiet", env=env, user=NOBODY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = {p.name: json.loads(p.read_text()) for p in (open_folder / "out").glob("*.json")}
    reference, stub = results["linear__reference.json"], results["linear__stub.json"]
    assert reference["score"] == reference["max_score"] == 33
    assert stub["score"] == 0
    sandbox = reference["extra_data"]["sandbox"]
    assert "no_new_privs" in sandbox["protections"]
    assert any("a uid of its own" in m for m in sandbox["missing"]), sandbox
    if not namespaces:
        assert any("namespaces" in m for m in sandbox["missing"]), sandbox
    elif "PID namespace" not in sandbox["protections"]:
        pytest.skip("this kernel refuses unprivileged user namespaces: " + str(sandbox))


@pytest.mark.skipif(not ROOT, reason="needs root (a uid of its own per submission)")
def test_without_namespaces_a_uid_of_its_own_keeps_classmates_apart(tmp_path):
    """What a container that refuses `unshare` gets (AUTOGRADER_NO_NAMESPACES=1 refuses them)."""
    submitted = tmp_path / "submitted"
    for number, case in enumerate(("kill_everything_blindly.py", "become_root.py",
                                   "background_processes.py")):
        hostile_notebook(case, REFERENCE, submitted / f"{number}-attacker" / "linear" / "linear.ipynb")
        honest = submitted / f"{number}-neighbour" / "linear"
        honest.mkdir(parents=True)
        shutil.copy2(REFERENCE, honest / "linear.ipynb")
    proc = engine("grade-all", str(submitted), "--out", str(tmp_path / "out"), "--jobs", "2",
                  "--time-limit", "30", env={"AUTOGRADER_NO_NAMESPACES": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = {p.parent.name: json.loads(p.read_text())
               for p in (tmp_path / "out").glob("*/linear.json")}
    assert len(results) == 6
    for student, result in results.items():
        assert result["score"] == result["max_score"] == 33, (student, result["output"])
        sandbox = result["extra_data"]["sandbox"]
        assert any(p.startswith("uid ") for p in sandbox["protections"]), sandbox
        assert any("namespaces" in m for m in sandbox["missing"]), sandbox
    assert "not available" in proc.stdout
    table = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    left = [line for line in table.splitlines()
            if line.split()[0].isdigit() and int(line.split()[0]) in UID_RANGE]
    assert not left, left


@pytest.mark.skipif(not ROOT, reason="needs root (uids of its own)")
def test_grading_processes_running_at_once_never_share_a_uid(tmp_path, monkeypatch):
    monkeypatch.setattr(confine, "LOCKS", str(tmp_path / "locks"))
    first, second = confine.claim_uids(), confine.claim_uids()
    try:
        assert first.first != second.first
        assert abs(first.first - second.first) >= confine.UIDS_PER_BLOCK
        assert {first.first, second.first} <= set(UID_RANGE)
        first.release()
        third = confine.claim_uids()
        assert third.first == first.first, "a released block is used again"
        third.release()
    finally:
        second.release()


@pytest.mark.skipif(not ROOT, reason="needs root (a uid of its own per submission)")
def test_one_grading_process_never_ends_another_ones_learner(tmp_path):
    """Without namespaces a submission's leftover processes are ended by signalling every
    process of its uid: with a second grading process running at the same time (a single grade
    during a class's), that must not reach the other process's learner."""
    slow = tmp_path / "slow" / "linear.ipynb"
    code_notebook(code_cell_sources(REFERENCE) + ["import time\ntime.sleep(12)"], slow)
    quick = tmp_path / "quick" / "linear.ipynb"
    quick.parent.mkdir()
    shutil.copy2(REFERENCE, quick)
    env = {**os.environ, "AUTOGRADER_NO_NAMESPACES": "1"}
    command = [sys.executable, "-m", "autograder", "grade", "--quiet", "--json"]
    slow_run = subprocess.Popen([*command, str(tmp_path / "slow.json"), str(slow)], cwd=REPO,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):   # until the slow learner process runs
            table = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True,
                                   text=True).stdout
            if any(line.split()[0].isdigit() and int(line.split()[0]) in UID_RANGE
                   for line in table.splitlines()):
                break
            time.sleep(0.1)
        for _ in range(3):     # each quick grade ends its leftovers while the slow one sleeps
            quick_run = engine("grade", "--quiet", "--json", str(tmp_path / "quick.json"),
                               str(quick), env={"AUTOGRADER_NO_NAMESPACES": "1"})
            assert quick_run.returncode == 0, quick_run.stdout + quick_run.stderr
            if slow_run.poll() is not None:
                break
        output, _ = slow_run.communicate(timeout=300)
    finally:
        slow_run.kill()
    result = json.loads((tmp_path / "slow.json").read_text())
    assert result["score"] == result["max_score"] == 33, (output, result["output"])


@pytest.mark.skipif(not ROOT, reason="needs root (without namespaces, file modes hide graders)")
def test_course_files_stay_protected_until_the_last_grading_process_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(confine, "LOCKS", str(tmp_path / "locks"))
    folder = tmp_path / "results"
    folder.mkdir()
    folder.chmod(0o755)
    graders_mode = confine.GRADERS_DIR.stat().st_mode & 0o777
    one = confine.protect_course_files((str(folder),))
    two = confine.protect_course_files((str(folder),))
    try:
        assert folder.stat().st_mode & 0o777 == 0o750
        confine.restore_course_files(one)
        assert folder.stat().st_mode & 0o777 == 0o750, "another grading process still grades"
    finally:
        confine.restore_course_files(two)
    assert folder.stat().st_mode & 0o777 == 0o755, "the last one restores the modes"
    assert confine.GRADERS_DIR.stat().st_mode & 0o777 == graders_mode


@pytest.mark.skipif(not ROOT, reason="needs root")
def test_without_a_locks_folder_a_grading_process_goes_its_own_way(tmp_path, monkeypatch):
    """A read-only /run (or a locks folder someone else owns) must not stop grading."""
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(confine, "LOCKS", str(tmp_path / "file" / "locks"))
    assert confine.claim_uids().first == confine.UID_BASE
    folder = tmp_path / "results"
    folder.mkdir()
    folder.chmod(0o755)
    protected = confine.protect_course_files((str(folder),))
    assert folder.stat().st_mode & 0o777 == 0o750
    confine.restore_course_files(protected)
    assert folder.stat().st_mode & 0o777 == 0o755
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o777)
    foreign.chmod(0o777)
    monkeypatch.setattr(confine, "LOCKS", str(foreign))
    assert confine.claim_uids().first == confine.UID_BASE, "a folder others can write is no lock"


# -- cleaning up -------------------------------------------------------------------------------

def test_a_scratch_folder_is_always_removed_and_links_are_never_followed(tmp_path):
    from autograder.confine import remove_tree

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    here = os.getcwd()
    try:
        os.chdir(scratch)
        for _ in range(1500):   # deeper than os.makedirs or shutil.rmtree can recurse
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    (scratch / "link").symlink_to(outside)
    (scratch / "file-link").symlink_to(outside / "keep.txt")
    (scratch / "locked").mkdir()
    (scratch / "locked" / "inner.txt").write_text("x")
    (scratch / "locked").chmod(0)
    (scratch / "d").chmod(0o500)
    if ROOT:
        (scratch / "foreign.txt").write_text("x")
        os.chown(scratch / "foreign.txt", 61050, 61050)
    remove_tree(str(scratch))
    assert not scratch.exists()
    assert (outside / "keep.txt").read_text() == "keep"
    remove_tree(str(scratch))   # already gone: still no error


# -- a batch never loses a result -----------------------------------------------------------------

def test_a_killed_batch_resumes_where_it_stopped(tmp_path):
    submitted = tmp_path / "submitted"
    for number in range(6):
        folder = submitted / f"student-{number}" / "linear"
        folder.mkdir(parents=True)
        shutil.copy2(REFERENCE if number % 2 == 0 else STUB, folder / "linear.ipynb")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade-all", str(submitted), "--out", str(out),
               "--jobs", "1"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(out.glob("*/linear.json"))) < 2:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done_before = len(list(out.glob("*/linear.json")))
    assert 2 <= done_before < 6, "the batch finished before it could be killed"
    assert not (out / "class.csv").exists()
    second = subprocess.run(command, cwd=REPO, text=True, capture_output=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"kept {done_before} current results" in second.stdout
    rows = (out / "class.csv").read_text().splitlines()
    assert len(rows) == 1 + 6
    for number in range(6):
        result = json.loads((out / f"student-{number}" / "linear.json").read_text())
        assert result["score"] == (33 if number % 2 == 0 else 0)
    assert not list(out.rglob("*.partial"))
    # A submission that changed is graded again; --fresh grades everything again.
    shutil.copy2(STUB, submitted / "student-0" / "linear" / "linear.ipynb")
    third = subprocess.run(command, cwd=REPO, text=True, capture_output=True, timeout=600)
    assert "graded 1 submissions, kept 5" in third.stdout
    assert json.loads((out / "student-0" / "linear.json").read_text())["score"] == 0
    fresh = subprocess.run(command + ["--fresh"], cwd=REPO, text=True, capture_output=True,
                           timeout=600)
    assert "graded 6 submissions" in fresh.stdout and "kept" not in fresh.stdout
