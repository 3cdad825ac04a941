"""The hostile-submission corpus, graded as a class with `grade-all`.

Each case in tests/hostile/ sits in the class beside an honest neighbour (the reference
solution), graded two at a time so that every attacker runs beside someone. The test shows that
every case gets its expected result, no score is inflated, every neighbour keeps full marks,
`class.csv` is written, nothing outside the scratch folders changed (the repository, a sentinel
file, the system), no process of a submission survives, the network was out of reach, and no
result carries printed text, forged text, hidden grader source or a long encoded blob.

A case's file is either graded as it is (`.ipynb`), or appended as further cells to a base (the
reference solution's code cells, or the released stub's) in one notebook, so that "no score is
inflated" is measured against a known score. The cases are listed in CASES with their expected
outcome and what they attack: the boundary between learner code and judge (issue 9), the
confinement of the learner process (issue 10), or the engine's reading of files.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.learner_side.confine import UID_BLOCKS, UIDS_PER_BLOCK
from kit import REPO, TESTS, code_cell_sources, code_notebook, percent_cells

HOSTILE = TESTS / "hostile"
# Generous enough for the reference solution (graded first, to prove the set-up) and for a
# correct notebook with a 20 MB cell on a 2-core machine at load 8; the cases that loop forever
# cost this much each.
TIME_LIMIT_S = 30
MEMORY_LIMIT_MB = 1024
SENTINEL = Path("/tmp/kit-hostile-sentinel")
PWNED = [Path("/tmp/kit-pwned.txt"), Path("/etc/kit-pwned"),
         Path("/usr/kit-pwned")]
STRAY_MARKERS = ("sleep 7771", "sleep 7772", "sleep 7773", "sleep 7774", "sleep 7775",
                 "sleep 7776", "sleep 600")
SECRET = "s3cr3t-9f2a71"   # in the grading process's environment: must reach no result
# The corpus is graded under uids of its own (AUTOGRADER_UID_BASE, clear of the default 61000 and
# of nobody's 65534), so that a process of those uids left after the run is one of its
# submissions', whatever else grades on the machine meanwhile (another pytest-xdist worker, a
# second checkout's tests). The uid-block locks stay the machine's (AUTOGRADER_LOCKS unset).
# (test_confinement.py's own uids start at 120_000.)
UID_BASE = 100_000 + (os.getpid() % 4) * UID_BLOCKS * UIDS_PER_BLOCK
UID_RANGE = range(UID_BASE, UID_BASE + UID_BLOCKS * UIDS_PER_BLOCK)


@dataclass(frozen=True)
class Case:
    file: str                 # in tests/hostile/ (or a notebook that must not exist)
    base: str | None          # "reference", "stub" or None (graded as it is)
    expect: str               # "full", "zero", "below", or "any" (only its neighbour matters)
    attacks: str              # "input", "boundary" or "confinement"
    mentions: str = ""        # text the result's summary or a check's feedback must contain
    failed: str = ""          # a check that must fail
    assignment: str = "linear"
    most: float | None = None  # the highest score allowed: what the case's honest content earns
    # Static-scan rules its result's extra_data.flags must name (for the instructor), or () for
    # none; ordinary Python (`honest_*` cases) must be flagged for nobody.
    flagged: tuple[str, ...] | None = None

    @property
    def id(self) -> str:
        return Path(self.file).stem


CASES = [
    # Files the engine must read without trusting them.
    Case("truncated.ipynb", None, "zero", "input", "not valid notebook JSON"),
    Case("malformed_json.ipynb", None, "zero", "input", "not valid notebook JSON"),
    Case("empty.ipynb", None, "zero", "input", "is empty"),
    Case("not_a_notebook.ipynb", None, "zero", "input", "not a Jupyter notebook"),
    Case("nbformat_5.ipynb", None, "zero", "input", "format version 5"),
    Case("nbformat_3_reference.ipynb", None, "full", "input"),
    Case("does_not_exist.ipynb", None, "zero", "input", "does not exist"),
    # Learner code that misbehaves by accident or on purpose while it runs.
    Case("infinite_loop.py", "reference", "zero", "confinement", "time limit"),
    Case("infinite_loop_ignoring_signals.py", "reference", "zero", "confinement", "time limit"),
    Case("sys_exit_midway.py", "reference", "full", "confinement", "sys.exit()"),
    Case("os_exit.py", "reference", "zero", "confinement", "os._exit"),
    Case("memory_bomb.py", "reference", "full", "confinement", "memory limit"),
    Case("background_processes.py", "reference", "full", "confinement"),
    Case("output_flood.py", "reference", "full", "confinement"),
    Case("keyboard_interrupt.py", "reference", "full", "confinement", "KeyboardInterrupt"),
    # The boundary: nothing the learner process does reaches the checks or the verdict.
    Case("planted_conftest.py", "stub", "zero", "boundary"),
    Case("module_named_like_library.py", "stub", "zero", "boundary"),
    Case("patch_allclose.py", "stub", "zero", "boundary"),
    Case("torch_function_mode_left_on.py", "stub", "zero", "boundary"),
    Case("patch_torch_and_stdlib.py", "stub", "zero", "boundary"),
    Case("patch_pytest_runtest.py", "stub", "zero", "boundary"),
    Case("forge_frames_every_fd.py", "stub", "zero", "boundary"),
    Case("forged_error_answer.py", "stub", "zero", "boundary"),
    Case("answer_not_an_object.py", "reference", "zero", "boundary", "cannot read"),
    Case("lying_objects.py", "stub", "zero", "boundary"),
    Case("tensor_subclass_answers.py", "stub", "below", "boundary", failed="linear/forward_2d"),
    Case("function_ignores_inputs.py", "stub", "zero", "boundary"),
    Case("linear_hidden_from_the_watch.py", "reference", "below", "boundary",
         failed="linear/does_not_use_nn_linear"),
    Case("linear_through_aten.py", "reference", "below", "boundary",
         failed="linear/does_not_use_nn_linear"),
    Case("leak_hidden_graders.py", "stub", "zero", "boundary", "nothing found"),
    Case("leak_encoded_blob.py", "stub", "zero", "boundary", "long token removed"),
    Case("quotes_hidden_graders.py", "stub", "zero", "boundary"),
    # Reaching into the interpreter or the engine: every check rests on what the judge verified
    # itself, so these earn what their real behaviour earns (the stub's 0); the static scan names
    # the rule and the line for the instructor (extra_data.flags) and costs nothing by itself.
    Case("forge_messages.py", "stub", "zero", "boundary", flagged=("/proc",)),
    Case("forge_messages_then_exit.py", "stub", "zero", "boundary"),
    Case("forge_verdict_via_gc.py", "stub", "zero", "boundary", flagged=("gc",)),
    Case("patch_engine_modules.py", "stub", "zero", "boundary",
         flagged=("autograder", "sys.modules", "builtins")),
    Case("patch_engine_plugin.py", "stub", "zero", "boundary", flagged=("autograder",)),
    Case("plant_grader_modules.py", "stub", "zero", "boundary",
         flagged=("autograder", "sys.modules")),
    Case("rewrite_learner_reports.py", "stub", "zero", "boundary", flagged=("autograder",)),
    Case("settrace.py", "reference", "full", "boundary", flagged=("trace functions",)),
    # Confinement: a submission touches nothing but its scratch folder, processes and result.
    Case("destroy_files.py", "reference", "full", "confinement"),
    Case("kill_everything_blindly.py", "reference", "full", "confinement"),
    Case("write_into_other_processes.py", "reference", "full", "confinement",
         flagged=("/proc",)),
    Case("write_through_proc_root.py", "reference", "full", "confinement", flagged=("/proc",)),
    Case("deep_directory_tree.py", "reference", "full", "confinement"),
    Case("remount_and_write.py", "reference", "full", "confinement"),
    Case("refork_forever.py", "reference", "full", "confinement"),
    Case("reach_the_network.py", "reference", "full", "confinement"),
    Case("become_root.py", "reference", "full", "confinement"),
    Case("fill_the_disk.py", "reference", "full", "confinement"),
    Case("fork_bomb.py", "reference", "full", "confinement"),
    Case("read_classmates.py", "reference", "below", "confinement", "found: ",
         failed="linear/extra_repr"),
    Case("cpu_hog.py", "reference", "zero", "confinement", "time limit"),
    Case("memory_fanout.py", "reference", "any", "confinement"),
    Case("environment_leak.py", "reference", "below", "confinement",
         failed="linear/extra_repr"),
    # Found by a red-team review of the first version of the boundary.
    Case("meta_outputs.py", "reference", "below", "boundary", "meta device",
         failed="linear/forward_2d"),
    Case("forge_decoder_crash.py", "reference", "zero", "boundary", "cannot read"),
    Case("exec_encoded_payload.py", "stub", "zero", "boundary", flagged=("dynamic code",)),
    Case("benign_line_bypass.py", "stub", "zero", "boundary",
         flagged=("interpreter internals",)),
    Case("identity_freeze.py", "stub", "zero", "boundary", assignment="freeze"),
    # Against the course's language and the uid blocks (issue 14 and after): a forged
    # `metadata.kit.language` (a list holding a path and a format string) is ignored, the
    # feedback stays English; the folder where grading processes claim uids and keep the course
    # files' modes is out of reach.
    Case("language_metadata_forged.ipynb", None, "full", "input", "checks passed."),
    Case("hold_the_uid_locks.py", "reference", "full", "confinement"),
    # Size (issue 27): a correct notebook with one 20 MB cell is graded like any other; one over
    # the stated limit is told its size and the limit, never that it called os._exit.
    Case("large_cell.py", "reference", "full", "input"),
    Case("notebook_over_the_limit.py", "reference", "zero", "input", "the limit is 40 MB"),
    # Verified evidence: freeze (issue 19). fit's checks credit only steps the judge replayed
    # itself, and requires_grad is autograd's own flag: forged traces, a dispatch mode answering
    # aten::equal, a Parameter lying about requires_grad and records filled in through the
    # trace's hook closures earn no more than the honest code beneath them.
    Case("freeze_trace_says_frozen.py", "reference", "below", "boundary",
         failed="freeze/fit_keeps_the_backbone_frozen_first", assignment="freeze",
         most=28),
    Case("freeze_dispatch_mode_answers_equal.py", "reference", "below", "boundary",
         failed="freeze/fit_keeps_the_backbone_frozen_first", assignment="freeze",
         most=19),
    Case("freeze_parameter_lies_about_requires_grad.py", "reference", "below", "boundary",
         failed="freeze/freeze_turns_off_requires_grad", assignment="freeze",
         most=27),
    Case("freeze_forge_through_hook_closures.py", "stub", "zero", "boundary",
         assignment="freeze", most=0),
    # Instructor tools (issue 20): a notebook broken on purpose is told it is theirs (JSON
    # nested 20,000 levels deep; 1,000 raising cells whose report would be over a megabyte),
    # never "a problem in the kit"; a lone surrogate in a message is replaced, never a crash.
    Case("nested_too_deeply.ipynb", None, "zero", "input", "is nested too deeply to read"),
    Case("many_raising_cells.py", "stub", "zero", "input",
         "cells of your notebook raised an error; the first 20 were"),
    Case("lone_surrogate_message.py", "reference", "full", "input", "ValueError: bad \ufffd text"),
    Case("code_nested_too_deeply.py", "reference", "full", "input",
         "the cell is nested too deeply to read"),
    # Verified evidence: linear (issue 19). Every check earns from values the judge computed
    # itself; what the learner side reports can only take points away. nn.Linear under the
    # exercise's name (found by the judge's own reading of the class statement, the reported
    # bases, or the operator watch on every thread) earns none of the layer's checks: these
    # score at most the reference's LinearFunction (9 points); a weight autograd never trains
    # scores what the honestly frozen weight does (31); forged reports and a dispatch mode
    # answering aten::equal add nothing to a stub.
    Case("linear_subclass_of_nn_linear.py", "reference", "below", "boundary",
         "nn.Linear", failed="linear/forward_2d", most=9),
    Case("linear_nn_linear_on_a_worker_thread.py", "reference", "below", "boundary",
         "torch.nn.functional.linear", failed="linear/does_not_use_nn_linear", most=9),
    Case("linear_parameter_lies_about_requires_grad.py", "reference", "below", "boundary",
         failed="linear/parameters_are_leaves_that_require_grad", most=31),
    Case("linear_forge_reports_through_module_globals.py", "stub", "zero", "boundary", most=0),
    Case("linear_nn_linear_with_forged_reports.py", "reference", "below", "boundary",
         "nn.Linear", failed="linear/does_not_use_nn_linear", most=9),
    Case("linear_dispatch_mode_answers_equal.py", "stub", "zero", "boundary", most=0),
    # Verified evidence: parameters (issue 19). Every check earns from values the judge chose
    # and checked itself (load_state_dict round trips, outputs, an SGD step over nn.Module's
    # own registry); what the learner side says of its modules only explains a failure. Each
    # case is wrong code, then a lie about it in a later cell, and scores no more than the code
    # before the lie, its honest content (tests/test_parameters.py grades both, without the
    # static scan, and checks it check by check).
    Case("parameters_forged_registration_reports.py", "stub", "below", "boundary",
         failed="parameters/scale_weight_is_parameter", assignment="parameters"),
    Case("parameters_parameter_subclass_flags.py", "stub", "below", "boundary",
         failed="parameters/scale_optimizer_updates_weight", assignment="parameters"),
    Case("parameters_lying_parameters_method.py", "stub", "zero", "boundary",
         assignment="parameters"),
    # Judge confinement and per-uid state (issue 19)
    # Shapes on the meta device far over any bound (a 1.5 GiB weight, a 64 GiB one) fail the
    # checks that meet them, saying the size, without the judge allocating them
    # (tests/test_confinement.py measures its peak memory); a million progress events cost the
    # flooder its time limit, not the judge its CPU; state left in /tmp, /dev/shm, SysV IPC and
    # the persistent keyring reaches no later submission; the course's files (the git store,
    # hidden graders, solutions, autograded/, feedback/, dist/) are out of the learner's reach.
    Case("huge_described_shape.py", "reference", "below", "confinement", "elements",
         failed="linear/parameter_shapes"),
    Case("huge_meta_parameter.py", "reference", "below", "confinement", "elements",
         assignment="parameters"),
    Case("progress_event_flood.py", "reference", "zero", "confinement", "time limit"),
    Case("leave_state_behind.py", "reference", "any", "confinement"),
    Case("find_state_left_behind.py", "reference", "full", "confinement"),
    Case("read_course_store.py", "reference", "full", "confinement"),
]
# Verified evidence: freeze's last five checks (issue 19). Forged flags and a forged identity
# earn nothing the replayed steps do not see.
CASES += [
    Case("freeze_forged_flags_nothing_done.py", "reference", "below", "boundary",
         failed="freeze/freeze_reaches_every_layer", assignment="freeze",
         flagged=("autograder",)),
    Case("freeze_returns_a_copy_forged_same.py", "reference", "below", "boundary",
         failed="freeze/freeze_returns_the_module", assignment="freeze",
         flagged=("autograder",)),
]
# Ordinary Python the static scan once zeroed (issue 19): full marks, no flag.
CASES += [
    Case("honest_getattr_and_nn_layout.py", "reference", "full", "boundary", flagged=()),
    Case("honest_notebook_idiom_elsewhere.py", "reference", "full", "boundary", flagged=(),
         assignment="freeze"),
]
# What the placeholders of the size cases become (generated: the repository holds no 40 MB file).
PLACEHOLDERS = {"LARGE_CELL_PLACEHOLDER": 20 << 20, "OVER_LIMIT_PLACEHOLDER": 41 << 20}


def confinement_mode() -> str:
    """What the kernel lets the engine set up here: "root", "user" or "none"."""
    probe = ("import os, sys\nfrom autograder.learner_side import confine\n"
             "r, w = os.pipe()\npid = os.fork()\n"
             "if pid == 0:\n    os.write(w, confine.unshare(confine.Report(),\n"
             "        confine.namespaces_wanted()).encode()); os._exit(0)\n"
             "os.waitpid(pid, 0)\nprint(os.read(r, 10).decode())\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    return proc.stdout.strip() or "none"


MODE = confinement_mode()
# Cases that try to damage the machine or reach other processes: graded only where the engine
# can confine them with namespaces, never against a real checkout without that protection.
DESTRUCTIVE = {"destroy_files", "kill_everything_blindly", "write_into_other_processes",
               "write_through_proc_root", "remount_and_write", "refork_forever", "become_root",
               "fork_bomb", "read_classmates"}
ACTIVE = [c for c in CASES if MODE in ("root", "user") or c.id not in DESTRUCTIVE]
# While working on a few cases: HOSTILE_ONLY=case_a,case_b grades only those (and their
# neighbours); the other cases' tests are skipped. `make test` never sets it.
ONLY = {name for name in os.environ.get("HOSTILE_ONLY", "").split(",") if name}
if ONLY:
    ACTIVE = [c for c in ACTIVE if c.id in ONLY]
SKIP_REASON = ("the kernel refuses the namespaces this case needs (unshare as root, and "
               "unprivileged user namespaces): it is not run against an unconfined machine")


def fingerprint() -> dict[str, str]:
    """Hashes of every file of the course a submission could reach (outside .venv and .git)."""
    prints = {}
    for folder in ("autograder", "assignments", "solutions", "tests", "data", "constraints"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                prints[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in ("Makefile", "pyproject.toml", "nbgrader_config.py", "README.md"):
        if (REPO / name).exists():
            prints[name] = hashlib.sha256((REPO / name).read_bytes()).hexdigest()
    return prints


def base_cells(case: Case) -> list[str]:
    folder = "solutions" if case.base == "reference" else "assignments"
    return code_cell_sources(REPO / folder / case.assignment / f"{case.assignment}.ipynb")


def place(case: Case, student_dir: Path, listener_port: int) -> None:
    target = student_dir / case.assignment / f"{case.assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = HOSTILE / case.file
    if case.base is None:
        if source.exists():
            target.write_bytes(source.read_bytes())
        return
    code = source.read_text().replace("LISTENER_PORT = 0", f"LISTENER_PORT = {listener_port}")
    for placeholder, size in PLACEHOLDERS.items():
        code = code.replace(placeholder, "QUJD" * (size // 4))
    code_notebook(base_cells(case) + percent_cells(code), target)


class Listener:
    """A TCP port on the grading machine's loopback, recording whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.sock.accept()
                self.connections += 1
                connection.close()
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def survivors() -> list[str]:
    """Processes left from the run: the cases' markers, or anything of the sandbox uids."""
    table = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    left = []
    for line in table.splitlines():
        uid, _, args = line.strip().partition(" ")
        if any(m in args for m in STRAY_MARKERS) or (uid.isdigit() and int(uid) in UID_RANGE):
            left.append(line.strip())
    return left


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    submitted = tmp / "submitted"
    students = {}
    neighbours = {}
    listener = Listener()
    for number, case in enumerate(ACTIVE):
        student = f"{number:02d}-{case.id}"
        place(case, submitted / student, listener.port)
        neighbour = f"{student}-neighbour"
        reference = REPO / "solutions" / case.assignment / f"{case.assignment}.ipynb"
        (submitted / neighbour / case.assignment).mkdir(parents=True)
        shutil.copy2(reference, submitted / neighbour / case.assignment / reference.name)
        students[case.id], neighbours[case.id] = student, neighbour
    shutil.rmtree(SENTINEL, ignore_errors=True)
    SENTINEL.mkdir()
    (SENTINEL / "target.txt").write_text("intact")
    for path in PWNED:
        path.unlink(missing_ok=True)
    before = fingerprint()
    env = dict(os.environ, COURSE_SECRET_TOKEN=SECRET, AUTOGRADER_UID_BASE=str(UID_BASE))
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submitted),
                           "--out", str(tmp / "results"), "--jobs", "2",
                           "--time-limit", str(TIME_LIMIT_S), "--memory-limit",
                           str(MEMORY_LIMIT_MB)], cwd=REPO, text=True, capture_output=True,
                          timeout=1800, env=env)
    after = fingerprint()
    listener.close()

    def result(student, assignment):
        path = tmp / "results" / student / f"{assignment}.json"
        return json.loads(path.read_text()) if path.exists() else None

    rows = []
    if (tmp / "results" / "class.csv").exists():
        with open(tmp / "results" / "class.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
    return {"proc": proc, "before": before, "after": after, "rows": rows,
            "students": len(students) + len(neighbours), "connections": listener.connections,
            "results": {c.id: result(students[c.id], c.assignment) for c in ACTIVE},
            "neighbours": {c.id: result(neighbours[c.id], c.assignment) for c in ACTIVE},
            "survivors": survivors(),
            "sentinel": (SENTINEL / "target.txt").read_text() if (SENTINEL / "target.txt").exists()
            else None,
            "pwned": [str(p) for p in PWNED if p.exists()]}


def test_corpus_is_large_enough():
    if ONLY:
        pytest.skip("HOSTILE_ONLY is set")
    assert len(CASES) >= 55
    assert sum(c.attacks == "boundary" for c in CASES) >= 30
    assert sum(c.attacks == "confinement" for c in CASES) >= 20


def test_grade_all_finishes_and_writes_the_class_table(outcome):
    proc = outcome["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert len(outcome["rows"]) == outcome["students"], proc.stdout[-2000:]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_gets_its_expected_result(outcome, case):
    if case not in ACTIVE:
        pytest.skip("not in HOSTILE_ONLY" if ONLY else SKIP_REASON)
    result = outcome["results"][case.id]
    assert result is not None, f"no result written for {case.id}"
    assert result["max_score"] > 0 and len(result["tests"]) > 0
    score, top = result["score"], result["max_score"]
    if case.expect == "full":
        assert score == top, [t["output"] for t in result["tests"] if t["status"] != "passed"]
    elif case.expect == "zero":
        assert score == 0, [t["name"] for t in result["tests"] if t["status"] == "passed"]
    elif case.expect == "below":
        assert 0 <= score < top
    if case.most is not None:
        assert score <= case.most, [t["name"] for t in result["tests"] if t["status"] == "passed"]
    text = result["output"] + "\n".join(t["output"] for t in result["tests"])
    if case.mentions:
        assert case.mentions in text, text[:3000]
    if case.flagged is not None:
        rules = {f["rule"] for f in result.get("extra_data", {}).get("flags", [])}
        assert rules >= set(case.flagged) and (case.flagged or not rules), rules
    if case.failed:
        assert any(t["name"] == case.failed and t["status"] == "failed" for t in result["tests"])
    for test in result["tests"]:
        assert test["score"] in (0, test["max_score"])
        assert len(test["output"]) <= 4000


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_honest_neighbour_keeps_full_marks(outcome, case):
    if case not in ACTIVE:
        pytest.skip("not in HOSTILE_ONLY" if ONLY else SKIP_REASON)
    result = outcome["neighbours"][case.id]
    assert result is not None, f"no result for the neighbour of {case.id}"
    assert result["score"] == result["max_score"] > 0, (
        case.id, [t["output"] for t in result["tests"] if t["status"] != "passed"][:3])


def test_no_score_is_inflated(outcome):
    for case in ACTIVE:
        result = outcome["results"][case.id]
        if case.base == "stub":
            assert result["score"] == 0 or case.expect == "below", case.id


def test_printed_and_forged_text_never_reaches_a_result(outcome):
    for case_id in ("output_flood", "forge_messages", "forge_frames_every_fd",
                    "forged_error_answer", "write_into_other_processes"):
        if case_id in outcome["results"]:
            text = json.dumps(outcome["results"][case_id])
            for word in ("spam", "999", "forged", "sabotaged", "BBBBBBBBBB", "xxxxxxxxxx"):
                assert word not in text, (case_id, word)
    for case_id, result in outcome["neighbours"].items():
        assert "sabotaged" not in json.dumps(result), case_id


def test_the_grading_environment_never_reaches_a_result(outcome):
    for case_id, result in {**outcome["results"], **outcome["neighbours"]}.items():
        assert SECRET not in json.dumps(result), case_id


def test_hidden_grader_source_never_appears_in_a_result(outcome):
    hidden = (REPO / "autograder" / "graders" / "linear" / "hidden.py").read_text()
    distinctive = [line.strip() for line in hidden.splitlines() if len(line.strip()) >= 24]
    for case_id, result in outcome["results"].items():
        text = json.dumps(result)
        leaked = [line for line in distinctive if json.dumps(line)[1:-1] in text]
        assert not leaked, (case_id, leaked[:3])


def test_no_long_encoded_blob_reaches_a_result(outcome):
    blob = re.compile(r"[A-Za-z0-9+/=_\-]{100,}")
    for case_id, result in outcome["results"].items():
        assert not blob.search(json.dumps(result)), case_id


def test_nothing_outside_the_scratch_folders_changed(outcome):
    before, after = outcome["before"], outcome["after"]
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, changed
    assert outcome["sentinel"] == "intact"
    assert not outcome["pwned"], outcome["pwned"]


def test_no_process_of_a_submission_survives(outcome):
    assert not outcome["survivors"], outcome["survivors"]


def test_the_network_is_out_of_reach(outcome):
    if "reach_the_network" not in outcome["results"]:
        pytest.skip(SKIP_REASON)
    if MODE not in ("root", "user"):
        pytest.skip("no network namespace here (" + SKIP_REASON + ")")
    assert outcome["connections"] == 0


def test_every_result_says_which_confinement_it_had(outcome):
    for case_id, result in {**outcome["results"], **outcome["neighbours"]}.items():
        sandbox = result.get("extra_data", {}).get("sandbox") if result else None
        if result is None or sandbox is None:
            continue   # a notebook that could not be read never reached a learner process
        if MODE == "root":
            assert {"PID namespace", "no_new_privs", "no capabilities"} <= set(
                sandbox["protections"]), (case_id, sandbox)
            assert any(p.startswith("uid ") for p in sandbox["protections"]), sandbox
            assert not sandbox["missing"], (case_id, sandbox)
