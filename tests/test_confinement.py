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
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.learner_side import confine
from autograder.learner_side.confine import UID_BLOCKS, UID_RANGE, UIDS_PER_BLOCK
from kit import REPO, TESTS, code_cell_sources, code_notebook, percent_cells, total_points

REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"
STUB = REPO / "assignments" / "linear" / "linear.ipynb"
ROOT = os.geteuid() == 0
NOBODY = 65534
# uids of this test process's own (AUTOGRADER_UID_BASE, clear of the default 61000, of nobody and
# of the per-test blocks from 200_000 below), so that a process of them is one of its own
# submissions', whatever else grades on the machine meanwhile (another pytest-xdist worker).
# The uid-block locks and the course files' saved modes stay the machine's (AUTOGRADER_LOCKS).
OWN_UID_BASE = 120_000 + (os.getpid() % 16) * UID_BLOCKS * UIDS_PER_BLOCK
OWN_UIDS = range(OWN_UID_BASE, OWN_UID_BASE + UID_BLOCKS * UIDS_PER_BLOCK)


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
    assert reference["score"] == reference["max_score"] == total_points("linear")
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
                  "--time-limit", "30", env={"AUTOGRADER_NO_NAMESPACES": "1",
                                             "AUTOGRADER_UID_BASE": str(OWN_UID_BASE)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = {p.parent.name: json.loads(p.read_text())
               for p in (tmp_path / "out").glob("*/linear.json")}
    assert len(results) == 6
    for student, result in results.items():
        assert result["score"] == result["max_score"] == total_points("linear"), (student, result["output"])
        sandbox = result["extra_data"]["sandbox"]
        assert any(p.startswith("uid ") for p in sandbox["protections"]), sandbox
        assert any("namespaces" in m for m in sandbox["missing"]), sandbox
    assert "not available" in proc.stdout
    table = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    left = [line for line in table.splitlines()
            if line.split()[0].isdigit() and int(line.split()[0]) in OWN_UIDS]
    assert not left, left


@pytest.mark.skipif(not ROOT, reason="needs root (uids of its own)")
def test_grading_processes_running_at_once_never_share_a_uid(tmp_path, monkeypatch):
    monkeypatch.setattr(confine.locks, "LOCKS", str(tmp_path / "locks"))
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
    own = {"AUTOGRADER_NO_NAMESPACES": "1", "AUTOGRADER_UID_BASE": str(OWN_UID_BASE)}
    env = {**os.environ, **own}
    command = [sys.executable, "-m", "autograder", "grade", "--quiet", "--json"]
    slow_run = subprocess.Popen([*command, str(tmp_path / "slow.json"), str(slow)], cwd=REPO,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):   # until the slow learner process runs
            table = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True,
                                   text=True).stdout
            if any(line.split()[0].isdigit() and int(line.split()[0]) in OWN_UIDS
                   for line in table.splitlines()):
                break
            time.sleep(0.1)
        for _ in range(3):     # each quick grade ends its leftovers while the slow one sleeps
            quick_run = engine("grade", "--quiet", "--json", str(tmp_path / "quick.json"),
                               str(quick), env=own)
            assert quick_run.returncode == 0, quick_run.stdout + quick_run.stderr
            if slow_run.poll() is not None:
                break
        output, _ = slow_run.communicate(timeout=300)
    finally:
        slow_run.kill()
    result = json.loads((tmp_path / "slow.json").read_text())
    assert result["score"] == result["max_score"] == total_points("linear"), (output, result["output"])


# serial (pyproject.toml): with a private AUTOGRADER_LOCKS it protects and restores this course's
# files outside the machine's record of their modes, so no other grading process may run meanwhile.
@pytest.mark.serial
@pytest.mark.skipif(not ROOT, reason="needs root (without namespaces, file modes hide graders)")
def test_course_files_stay_protected_until_the_last_grading_process_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(confine.locks, "LOCKS", str(tmp_path / "locks"))
    folder = tmp_path / "results"
    folder.mkdir()
    folder.chmod(0o755)
    graders_mode = confine.permissions.GRADERS_DIR.stat().st_mode & 0o777
    one = confine.protect_course_files((str(folder),))
    two = confine.protect_course_files((str(folder),))
    try:
        assert folder.stat().st_mode & 0o777 == 0o750
        confine.restore_course_files(one)
        assert folder.stat().st_mode & 0o777 == 0o750, "another grading process still grades"
    finally:
        confine.restore_course_files(two)
    assert folder.stat().st_mode & 0o777 == 0o755, "the last one restores the modes"
    assert confine.permissions.GRADERS_DIR.stat().st_mode & 0o777 == graders_mode


# serial (pyproject.toml): with a private AUTOGRADER_LOCKS it protects and restores this course's
# files outside the machine's record of their modes, so no other grading process may run meanwhile.
@pytest.mark.serial
@pytest.mark.skipif(not ROOT, reason="needs root")
def test_without_a_locks_folder_a_grading_process_goes_its_own_way(tmp_path, monkeypatch):
    """A read-only /run (or a locks folder someone else owns) must not stop grading."""
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(confine.locks, "LOCKS", str(tmp_path / "file" / "locks"))
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
    monkeypatch.setattr(confine.locks, "LOCKS", str(foreign))
    assert confine.claim_uids().first == confine.UID_BASE, "a folder others can write is no lock"


# -- cleaning up -------------------------------------------------------------------------------

def test_a_scratch_folder_is_always_removed_and_links_are_never_followed(tmp_path):
    from autograder.learner_side.confine import remove_tree

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
        assert result["score"] == (total_points("linear") if number % 2 == 0 else 0)
    assert not list(out.rglob("*.partial"))
    # A submission that changed is graded again; --fresh grades everything again.
    shutil.copy2(STUB, submitted / "student-0" / "linear" / "linear.ipynb")
    third = subprocess.run(command, cwd=REPO, text=True, capture_output=True, timeout=600)
    assert "graded 1 submissions, kept 5" in third.stdout
    assert json.loads((out / "student-0" / "linear.json").read_text())["score"] == 0
    fresh = subprocess.run(command + ["--fresh"], cwd=REPO, text=True, capture_output=True,
                           timeout=600)
    assert "graded 6 submissions" in fresh.stdout and "kept" not in fresh.stdout


# -- the judge and per-uid state (issue 19) ------------------------------------------------------

# Grades notebooks one after another in one warm session (the engine's own API, as grade-all
# uses it) and prints, per notebook, what the result does not carry: the judge's CPU time and
# peak memory, and the grading process's own CPU time while it ran.
SESSION_SCRIPT = r"""
import json, resource, sys
from pathlib import Path
from autograder import assignments
from autograder.learner_side import confine
from autograder.grading.session import Limits, Session
from autograder.course.submission import load_cells

args = json.loads(sys.argv[1])
if args.get("fail_setup"):   # a grading machine whose sandboxes cannot be set up
    def refuse(*_a, **_k):
        raise OSError(28, "No space left on device")
    confine.confine = refuse
paths = [Path(p) for p in args["paths"]]
found = {}
with Session(list({a.id: a for a in map(assignments.for_submission, paths)}.values())) as session:
    for path in paths:
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        assignment = assignments.for_submission(path)
        session.run([(0, lambda: load_cells(path), assignment)],
                    Limits(args.get("time_limit", 30), 1024),
                    on_done=lambda key, report: found.__setitem__(str(path), report))
        after = resource.getrusage(resource.RUSAGE_SELF)
        report = found[str(path)]
        print(json.dumps({
            "path": str(path), "score": sum(c.get("score", 0) for c in report.checks),
            "failed": [c.get("output", "") for c in report.checks if c.get("status") != "passed"],
            "problem": report.problem, "setup_error": report.setup_error,
            "grader_error": report.grader_error, "judge_cpu": report.judge_cpu_seconds,
            "judge_peak_mb": report.judge_peak_mb,
            "grading_cpu": (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)}))
"""


def grade_in_session(paths: list[Path], env: dict | None = None, **options) -> dict[str, dict]:
    proc = subprocess.run([sys.executable, "-c", SESSION_SCRIPT,
                           json.dumps({"paths": [str(p) for p in paths], **options})],
                          cwd=REPO, text=True, capture_output=True, timeout=600,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {Path(row["path"]).parent.name: row for row in rows}


def case_notebook(case: str, assignment: str, folder: Path, extra: str = "") -> Path:
    base = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    text = (TESTS / "hostile" / f"{case}.py").read_text() if case else ""
    return code_notebook(code_cell_sources(base) + percent_cells(text + extra),
                         folder / (case or "reference") / f"{assignment}.ipynb")


def test_the_judge_stays_small_whatever_shape_is_described(tmp_path):
    """A weight of 12288 x 32768 on the meta device costs the learner nothing; a grader that drew
    values of its shape made the judge allocate 3.4 GB. Every shape is bounded before a grader
    sees it: the checks that meet one fail, saying so, and the judge's peak memory stays that of
    an honest submission's judge."""
    huge = case_notebook("huge_described_shape", "linear", tmp_path)
    scale = case_notebook("huge_meta_parameter", "parameters", tmp_path)
    honest = case_notebook("", "linear", tmp_path)
    rows = grade_in_session([honest, huge, scale])
    reference, attack, meta = rows["reference"], rows["huge_described_shape"], rows["huge_meta_parameter"]
    assert reference["score"] > 0 and not reference["failed"], reference
    assert reference["judge_peak_mb"] and attack["judge_peak_mb"], "the judge's usage is measured"
    for row in (attack, meta):
        assert row["problem"] is None and row["grader_error"] is None, row
        assert row["failed"] and any("(12288, 32768)" in f or "(1048576, 16384)" in f
                                     for f in row["failed"]), row["failed"][:2]
        assert all("elements" in f for f in row["failed"] if "came back" in f)
    # Measured: about 400 MB for every judge here (forked from the warm grading process), and
    # 3469 MB for the huge shape before shapes were bounded.
    assert attack["judge_peak_mb"] <= reference["judge_peak_mb"] + 150, (attack, reference)
    assert meta["judge_peak_mb"] <= reference["judge_peak_mb"] + 150, (meta, reference)
    assert attack["score"] < reference["score"] and meta["score"] > 0


def test_a_flood_of_progress_events_costs_the_learner_not_the_judge(tmp_path):
    """A million well-formed progress events, written by hand on the learner's socket, cost
    5 CPU s in the judge and 2.8 in the grading process in a 20 s run. The judge passes on one
    event per cell and paces the rest: the flood runs into the time limit (its own loss), and
    the CPU spent outside the learner process stays that of a submission that sleeps as long."""
    flood = case_notebook("progress_event_flood", "linear", tmp_path)
    idle = case_notebook("", "linear", tmp_path / "idle", extra="\nimport time\ntime.sleep(30)\n")
    rows = grade_in_session([idle, flood], time_limit=8)
    idle_row, flood_row = rows["reference"], rows["progress_event_flood"]
    for row in (idle_row, flood_row):
        assert row["problem"] and "time limit" in row["problem"], row
    last = len(json.loads(flood.read_text())["cells"])   # the flooding cell, as the judge saw it
    assert f"cell {last}" in flood_row["problem"], flood_row["problem"]
    assert flood_row["judge_cpu"] <= idle_row["judge_cpu"] + 1.0, (flood_row, idle_row)
    assert flood_row["grading_cpu"] <= idle_row["grading_cpu"] + 0.5, (flood_row, idle_row)


def test_a_sandbox_that_cannot_be_set_up_is_the_engines_error_not_the_learners(tmp_path):
    """A grading machine that cannot set up a learner's sandbox (here: every set-up refused with
    a full disk) grades nobody, and tells nobody to stop calling os._exit."""
    row = grade_in_session([case_notebook("", "linear", tmp_path)], fail_setup=True)["reference"]
    assert row["setup_error"] and "No space left on device" in row["setup_error"], row
    assert row["grader_error"], "mapped by the result to the engine's error, not a learner's 0"
    assert "grading side" in row["problem"] and "os._exit" not in row["problem"], row


def _key_in_persistent_keyring(uid: int) -> bool:
    """As root: whether `uid`'s persistent keyring holds the key leave_state_behind.py adds."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    keyring = libc.syscall(250, 22, ctypes.c_long(uid), ctypes.c_long(-2))   # GET_PERSISTENT
    if keyring <= 0:
        pytest.skip("no persistent keyrings on this kernel")
    return libc.syscall(250, 10, ctypes.c_long(keyring), b"user", b"kit-left-behind",
                        ctypes.c_long(0)) > 0                                  # KEYCTL_SEARCH


def _sysv_left(uid: int) -> list[str]:
    left = []
    for kind in ("shm", "sem", "msg"):
        header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        column = header.split().index("uid")
        left += [f"{kind} {row.split()[1]}" for row in rows if int(row.split()[column]) == uid]
    return left


def _remove_sysv(uid: int) -> None:
    for entry in _sysv_left(uid):
        kind, ident = entry.split()
        subprocess.run(["ipcrm", {"shm": "-m", "sem": "-s", "msg": "-q"}[kind], ident],
                       capture_output=True)


# serial (pyproject.toml): with a private AUTOGRADER_LOCKS it protects and restores this course's
# files outside the machine's record of their modes, so no other grading process may run meanwhile.
@pytest.mark.serial
@pytest.mark.skipif(not ROOT or shutil.which("setpriv") is None,
                    reason="needs root (a uid of its own per submission) and setpriv")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="keyctl's number is x86_64's")
@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "none"])
def test_nothing_of_one_submission_reaches_the_next_under_its_uid(tmp_path, open_folder,
                                                                  namespaces):
    """What one submission leaves in the kernel's per-uid state (its persistent keyring; without
    namespaces also SysV IPC and files in /tmp, /var/tmp and /dev/shm) is gone when the next one
    graded under its uid starts. The state is planted by leave_state_behind.py run as that uid,
    and looked at from outside, as root."""
    base = 200_000 + (os.getpid() % 1000) * 16 * 256   # a uid block no other grading process uses
    env = {"AUTOGRADER_UID_BASE": str(base), "AUTOGRADER_LOCKS": str(tmp_path / "locks")}
    if not namespaces:
        env["AUTOGRADER_NO_NAMESPACES"] = "1"
    uid = base   # the first slot of the first block
    planted = open_folder / "plant.py"
    planted.write_text((TESTS / "hostile" / "leave_state_behind.py").read_text())
    planted.chmod(0o644)
    files = [Path(p) for p in ("/tmp/kit-left-behind", "/dev/shm/kit-left-behind",
                               "/var/tmp/kit-left-behind")]
    try:
        for path in files:
            path.unlink(missing_ok=True)
        for option in ("-M", "-S", "-Q"):   # the planted objects' key, left by an aborted run
            subprocess.run(["ipcrm", option, "0x4b170019"], capture_output=True)
        subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                        sys.executable, "-I", str(planted)], check=True, timeout=120, cwd="/")
        assert _key_in_persistent_keyring(uid), "the key was planted (the test can fail)"
        assert len(_sysv_left(uid)) == 3 and all(p.exists() for p in files[:2])
        rows = grade_in_session([case_notebook("find_state_left_behind", "linear", tmp_path)], env)
        row = rows["find_state_left_behind"]
        assert row["score"] > 0 and not row["failed"], row["failed"][:2]
        assert not _key_in_persistent_keyring(uid), "the persistent keyring was emptied"
        if not namespaces:
            assert not _sysv_left(uid), _sysv_left(uid)
            assert not [p for p in files if p.exists()]
        # Planted by a graded submission: gone as soon as it has ended.
        grade_in_session([case_notebook("leave_state_behind", "linear", tmp_path)], env)
        assert not _key_in_persistent_keyring(uid), "emptied when the submission ended"
        if not namespaces:
            assert not _sysv_left(uid) and not [p for p in files if p.exists()]
    finally:
        _remove_sysv(uid)
        for path in files:
            path.unlink(missing_ok=True)


FILL_AND_HOLD = r"""
# Fill the scratch folder's file system, then keep grabbing every block that is freed; leave a
# file in the folder above the scratch folders (TMPDIR, which every user may write in).
import os, time
with open(os.path.join(os.path.dirname(os.path.dirname(os.getcwd())), "left-behind"), "w") as f:
    f.write("for the next submission under this uid")
end = time.monotonic() + 30
number = 0
while time.monotonic() < end:
    try:
        with open(f"fill-{number}.bin", "wb") as handle:
            handle.write(b"\0" * (1 << 20))
        number += 1
    except OSError:
        time.sleep(0.001)
"""


@pytest.mark.skipif(not ROOT, reason="needs root (a uid of its own per submission, a tmpfs)")
def test_without_namespaces_a_full_disk_never_stops_a_classmate(tmp_path, open_folder):
    """Without namespaces (Gradescope's containers) every scratch folder lies on TMPDIR's file
    system: a submission that fills it and grabs every freed block must leave its classmates'
    set-up room (every submission's scratch folder and helper files are made before any learner
    code runs). Here TMPDIR is a 48 MB tmpfs; the classmates are `freeze` notebooks (a helper
    module, `yolo.py`, is copied into each scratch folder)."""
    scratch = open_folder / "scratch"   # on the way to it, every folder lets the learner pass
    scratch.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=1777", "tmpfs",
                              str(scratch)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + mounted.stderr)
    try:
        submitted = tmp_path / "submitted"
        code_notebook(code_cell_sources(REFERENCE) + [FILL_AND_HOLD],
                      submitted / "0-filler" / "linear" / "linear.ipynb")
        freeze = REPO / "solutions" / "freeze" / "freeze.ipynb"
        for number in range(1, 5):
            folder = submitted / f"{number}-classmate" / "freeze"
            folder.mkdir(parents=True)
            shutil.copy2(freeze, folder / "freeze.ipynb")
        proc = engine("grade-all", str(submitted), "--out", str(tmp_path / "out"), "--jobs", "2",
                      "--time-limit", "20", env={"AUTOGRADER_NO_NAMESPACES": "1",
                                                 "TMPDIR": str(scratch)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for number in range(1, 5):
            result = json.loads((tmp_path / "out" / f"{number}-classmate" / "freeze.json").read_text())
            assert result["score"] == result["max_score"] == total_points("freeze"), (result["output"], proc.stderr)
        assert not list(scratch.glob("autograder-*")), "every scratch folder is removed"
        assert not (scratch / "left-behind").exists(), "what a submission left in TMPDIR too"
    finally:
        subprocess.run(["umount", "-l", str(scratch)], capture_output=True)


@pytest.mark.skipif(not ROOT or shutil.which("setpriv") is None,
                    reason="needs root (without namespaces, file modes hide the course) and setpriv")
def test_without_namespaces_the_learner_uid_reads_nothing_of_the_course_but_what_it_needs(
        tmp_path, open_folder, monkeypatch):
    """A course with everything an instructor's machine holds: the learner's uid may read the
    engine, data/ and the released assignments, and nothing else (the git store, solutions,
    hidden graders, tests, submitted/, autograded/, feedback/, dist/ bundles, the gradebook),
    until the modes are restored."""
    course = open_folder / "course"
    readable = ["autograder/__init__.py", "data/helmets.txt", "assignments/linear/linear.ipynb"]
    private = [".git/HEAD", ".git/objects/ab/cdef", "solutions/linear/linear.ipynb",
               "autograder/graders/linear/hidden.py", "tests/kit.py", "submitted/a/linear.ipynb",
               "autograded/a/linear/linear.ipynb", "feedback/a/linear/linear.html",
               "dist/gradescope/linear.zip", "results/class.csv", "gradebook.db", "grades.csv",
               "Makefile"]
    for relative in readable + private:
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        (course / relative).write_text("x")
    for path in [course, *course.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    open_folder.chmod(0o755)
    monkeypatch.setattr(confine.permissions, "COURSE_ROOT", course)
    monkeypatch.setattr(confine.permissions, "GRADERS_DIR", course / "autograder" / "graders")
    monkeypatch.setattr(confine.locks, "LOCKS", str(tmp_path / "locks"))
    probe = ("import json, os, sys\nok = []\nfor p in sys.argv[1:]:\n    try:\n"
             "        open(p).read(); ok.append(p)\n    except OSError:\n        pass\n"
             "print(json.dumps(ok))")

    def readable_by_learner() -> set[str]:
        proc = subprocess.run(["setpriv", "--reuid=3999999", "--regid=3999999", "--clear-groups",
                               sys.executable, "-I", "-c", probe,
                               *(str(course / r) for r in readable + private)],
                              capture_output=True, text=True, timeout=120, cwd="/")
        assert proc.returncode == 0, proc.stderr
        return {str(Path(p).relative_to(course)) for p in json.loads(proc.stdout)}

    assert readable_by_learner() == set(readable + private), "the probe can read (it can fail)"
    protected = confine.protect_course_files()
    try:
        assert readable_by_learner() == set(readable)
    finally:
        confine.restore_course_files(protected)
    assert readable_by_learner() == set(readable + private), "modes restored"


@pytest.mark.skipif(not ROOT, reason="needs root (without namespaces, file modes hide the course)")
def test_without_namespaces_a_submission_reads_nothing_of_the_course(tmp_path):
    """The whole engine, as root with namespaces refused: read_course_store.py looks for the git
    store, the hidden graders, the solutions and the course's folders from its scratch folder,
    and must find nothing (what it finds reaches its feedback)."""
    notebook = case_notebook("read_course_store", "linear", tmp_path)
    proc = engine("grade", str(notebook), "--json", str(tmp_path / "result.json"), "--quiet",
                  env={"AUTOGRADER_NO_NAMESPACES": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["score"] == result["max_score"] > 0, [
        t["output"] for t in result["tests"] if t["status"] != "passed"]
    assert any("namespaces" in m for m in result["extra_data"]["sandbox"]["missing"])


def test_sizes_from_the_learner_side_are_bounded_before_anything_is_allocated():
    """The decoder and the graders' API, on forged messages: a meta tensor of any size arrives
    as its shape only, a described shape over the bound fails the check (a CheckFailed saying
    the size, never a crash), and lists and headers are bounded."""
    from autograder.judge_side import client
    from autograder.wire import protocol
    from autograder.judge_side.checks import CheckFailed

    def message(value, blobs=()):
        header = json.dumps({"v": value, "b": [len(b) for b in blobs]}).encode()
        return header + b"".join(blobs), len(header)

    huge = [1 << 20, 1 << 20]
    decoded = protocol.decode(*message({"$t": [-1, "float32", huge, "meta", False]}))
    assert isinstance(decoded, protocol.Oversized) and decoded.shape == tuple(huge)
    learner = client.Learner(None)
    with pytest.raises(client.OversizedTensor) as failed:
        client._plain({"value": decoded}, learner)
    assert "(1048576, 1048576)" in failed.value.observed and isinstance(failed.value, CheckFailed)
    small_meta = protocol.decode(*message({"$t": [-1, "float32", [2, 3], "meta", False]}))
    assert client._plain(small_meta, learner).shape == (2, 3)

    def tensor_info(shape, ident=1):
        return {"id": ident, "type": "Parameter", "shape": shape, "dtype": "float32",
                "device": "cpu", "requires_grad": True, "is_leaf": True, "is_parameter": True,
                "has_grad": False}

    with pytest.raises(client.OversizedTensor):
        client.TensorInfo.parse(tensor_info([12288, 32768]))
    assert client.TensorInfo.parse(tensor_info([2, 3])).shape == (2, 3)
    with pytest.raises(protocol.ProtocolError):
        client.TensorInfo.parse(tensor_info([-1, 3]))

    def module(parameters):
        return {"kind": "module", "id": 1, "type": "M", "mro": [], "training": True,
                "parameters": parameters, "none_parameters": [], "buffers": [], "modules": [],
                "attributes": {}, "state_dict": []}

    bound = client.MAX_SHAPE_ELEMENTS
    with pytest.raises(CheckFailed, match="elements together"):   # each in bounds, not all
        client.ModuleInfo.parse(module([[f"p{i}", tensor_info([bound], i)] for i in range(5)]))
    with pytest.raises(protocol.ProtocolError, match="entries"):
        client.ModuleInfo.parse(module([[f"p{i}", tensor_info([1], i)]
                                        for i in range(client.MAX_ITEMS + 1)]))
    long_header = message(["x" * 1000] * (protocol.MAX_HEADER // 1000 + 1))
    with pytest.raises(protocol.ProtocolError, match="header"):
        protocol.decode(*long_header)
    assert len(protocol.decode(*long_header, long_text=True)) > 8000   # the learner side's cells


# serial (pyproject.toml): with a private AUTOGRADER_LOCKS it protects and restores this course's
# files outside the machine's record of their modes, so no other grading process may run meanwhile.
@pytest.mark.serial
@pytest.mark.skipif(not ROOT, reason="needs root (without namespaces, file modes hide the course)")
def test_a_results_folder_not_made_yet_is_protected_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(confine.locks, "LOCKS", str(tmp_path / "locks"))
    out = tmp_path / "class" / "results"
    protected = confine.protect_course_files((str(out),))
    try:
        assert out.is_dir() and out.stat().st_mode & 0o007 == 0, "others cannot read results"
    finally:
        confine.restore_course_files(protected)
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask(), "then as any new folder"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
