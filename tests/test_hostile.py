"""The hostile-submission corpus: every case gets its expected result, no score is inflated,
the repository is unchanged afterwards, and no process is left running.

Each case is graded with the real engine in one batch (`grade --jobs 2`), with short limits.
Cases live in tests/hostile/; a case with a base is appended to that base's code (the reference
solution, or the released stub) so that "no score is inflated" is measured against a known
score.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kit import REPO, TESTS, notebook_code, run_engine

HOSTILE = TESTS / "hostile"
REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"
STUB = REPO / "assignments" / "linear" / "linear.ipynb"
TIME_LIMIT_S = 6
MEMORY_LIMIT_MB = 1024


@dataclass(frozen=True)
class Case:
    file: str                 # in tests/hostile/ (or a path that must not exist)
    base: str | None          # "reference", "stub" or None (graded as it is)
    expect: str               # "full", "zero" or "below"
    mentions: str = ""        # text the result's summary or a check's feedback must contain
    failed: str = ""          # a check that must fail

    @property
    def id(self) -> str:
        return Path(self.file).stem


CASES = [
    Case("truncated.ipynb", None, "zero", "not valid notebook JSON"),
    Case("malformed_json.ipynb", None, "zero", "not valid notebook JSON"),
    Case("empty.ipynb", None, "zero", "is empty"),
    Case("not_a_notebook.ipynb", None, "zero", "not a Jupyter notebook"),
    Case("nbformat_5.ipynb", None, "zero", "format version 5"),
    Case("nbformat_3_reference.ipynb", None, "full"),
    Case("does_not_exist.ipynb", None, "zero", "does not exist"),
    Case("infinite_loop.py", "reference", "zero", "time limit"),
    Case("infinite_loop_ignoring_signals.py", "reference", "zero", "time limit"),
    Case("sys_exit_midway.py", "reference", "full", "sys.exit()"),
    Case("os_exit.py", "reference", "zero", "os._exit"),
    Case("memory_bomb.py", "reference", "full", "memory limit"),
    Case("background_processes.py", "reference", "full"),
    Case("output_flood.py", "reference", "full"),
    Case("destroy_files.py", "reference", "full"),
    Case("keyboard_interrupt.py", "reference", "full", "KeyboardInterrupt"),
    Case("planted_conftest.py", "stub", "zero"),
    Case("module_named_like_library.py", "stub", "zero", "Tampering detected"),
    Case("patch_allclose.py", "stub", "zero", "Tampering detected"),
    Case("patch_engine_modules.py", "stub", "zero", "Tampering detected"),
    Case("torch_function_mode_left_on.py", "stub", "zero", "Tampering detected"),
    Case("settrace.py", "reference", "zero", "Tampering detected"),
    Case("forge_messages.py", "stub", "zero", "Tampering detected"),
    Case("forge_messages_then_exit.py", "stub", "zero", "Tampering detected"),
    Case("tensor_subclass_answers.py", "stub", "below", failed="linear/forward_2d"),
    Case("quotes_hidden_graders.py", "stub", "zero"),
]
STRAY_MARKERS = ("sleep 7771", "sleep 7772", "sleep 7773", "sleep 7774")
# Cases that try to damage the course: graded only where the engine can make the file system
# read-only around a submission (as root), never against a real checkout without that.
DESTRUCTIVE = {"destroy_files"}
_PROBE = """
import os, sys, tempfile, pathlib
from autograder.sandbox import isolate_filesystem
work = pathlib.Path(tempfile.mkdtemp())
pid = os.fork()
if pid == 0:
    ok = isolate_filesystem(work)
    try:
        open(sys.argv[1], "w").close()
        os._exit(1)
    except OSError:
        os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status))
"""


def filesystem_isolation_available() -> bool:
    """Whether a child can be confined (a write outside its folder fails), tried for real."""
    target = REPO / "tests" / ".isolation-probe"
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(target)], cwd=REPO,
                          capture_output=True, timeout=120)
    target.unlink(missing_ok=True)
    return proc.returncode == 0


ISOLATED = filesystem_isolation_available()
ACTIVE = [c for c in CASES if ISOLATED or c.id not in DESTRUCTIVE]


def _fingerprint() -> dict[str, str]:
    """Hashes of every file of the course the engine could reach (outside .venv and .git)."""
    prints = {}
    for folder in ("autograder", "assignments", "solutions", "tests", "data", "constraints"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                prints[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in ("Makefile", "pyproject.toml", "nbgrader_config.py", "README.md"):
        if (REPO / name).exists():
            prints[name] = hashlib.sha256((REPO / name).read_bytes()).hexdigest()
    return prints


def _submission(case: Case, folder: Path) -> Path:
    target = folder / "linear" / (case.id + (".py" if case.base else Path(case.file).suffix))
    target.parent.mkdir(parents=True, exist_ok=True)
    source = HOSTILE / case.file
    if case.base is None:
        if source.exists():
            target.write_bytes(source.read_bytes())
        return target
    base = notebook_code(REFERENCE if case.base == "reference" else STUB)
    target.write_text(base + "# %%\n" + source.read_text())
    return target


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    before = _fingerprint()
    paths = {case.id: _submission(case, tmp / "submissions") for case in ACTIVE}
    proc = run_engine("grade", *map(str, paths.values()), "--out", str(tmp / "results"),
                      "--quiet", "--jobs", "2", "--time-limit", str(TIME_LIMIT_S),
                      "--memory-limit", str(MEMORY_LIMIT_MB))
    after = _fingerprint()
    results = {}
    for case_id in paths:
        target = tmp / "results" / f"linear__{case_id}.json"
        results[case_id] = json.loads(target.read_text()) if target.exists() else None
    strays = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return {"proc": proc, "results": results, "before": before, "after": after,
            "strays": [m for m in STRAY_MARKERS if m in strays],
            "reference_max": None}


def test_engine_exits_cleanly(outcome):
    proc = outcome["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_gets_its_expected_result(outcome, case):
    if case not in ACTIVE:
        pytest.skip("the engine cannot make the file system read-only here (not root)")
    result = outcome["results"][case.id]
    assert result is not None, f"no result written for {case.id}"
    assert result["max_score"] > 0 and len(result["tests"]) > 0
    score, top = result["score"], result["max_score"]
    if case.expect == "full":
        assert score == top, [t["output"] for t in result["tests"] if t["status"] != "passed"]
    elif case.expect == "zero":
        assert score == 0, [t["name"] for t in result["tests"] if t["status"] == "passed"]
    else:
        assert 0 <= score < top
    text = result["output"] + "\n".join(t["output"] for t in result["tests"])
    if case.mentions:
        assert case.mentions in text, text[:2000]
    if case.failed:
        assert any(t["name"] == case.failed and t["status"] == "failed" for t in result["tests"])
    for test in result["tests"]:
        assert test["score"] in (0, test["max_score"])
        assert len(test["output"]) <= 4000


def test_no_score_is_inflated(outcome):
    for case in ACTIVE:
        result = outcome["results"][case.id]
        if case.base == "stub":
            assert result["score"] == 0 or case.expect == "below", case.id


def test_printed_text_never_reaches_a_result(outcome):
    result = outcome["results"]["output_flood"]
    assert "spam" not in json.dumps(result) and "999" not in json.dumps(result)
    forged = outcome["results"]["forge_messages"]
    assert "forged" not in json.dumps(forged)


def test_hidden_grader_source_never_appears_in_a_result(outcome):
    hidden = (REPO / "autograder" / "graders" / "linear" / "hidden.py").read_text()
    distinctive = [line.strip() for line in hidden.splitlines() if len(line.strip()) >= 24]
    for case_id, result in outcome["results"].items():
        text = json.dumps(result)
        leaked = [line for line in distinctive if json.dumps(line)[1:-1] in text]
        assert not leaked, (case_id, leaked[:3])


def test_repository_is_unchanged(outcome):
    before, after = outcome["before"], outcome["after"]
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, changed
    assert not Path("/tmp/autograder-pwned.txt").exists()


def test_no_process_is_left_running(outcome):
    assert not outcome["strays"], outcome["strays"]
