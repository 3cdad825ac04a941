"""The grading set-up proves itself before it grades anyone: the reference solution first.

Every command that records learners' scores (`grade`, `grade-all`, `gradebook`, the Gradescope
bundle) first grades each assignment's reference solution (`solutions/<id>/<id>.ipynb`; the
Gradescope bundle carries it, graders-side only) in the same session, with the same limits,
language and hidden folders as the class. If the reference does not get full marks, the set-up
is broken (a limit too tight, a missing package, an environment the sandbox cannot read, a slow
machine against `--time-limit`) and nothing is graded: `SetupFailed` says which checks the
reference failed and why, in the engine's words, for the instructor.

`grade` remembers a set-up that proved itself (by the kit's fingerprint and the set-up), so
that `make grade` pays for the proof once; the class commands prove it every time.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from autograder import config
from autograder.assignments import PACKAGE_DIR, Assignment


class SetupFailed(Exception):
    """The reference solution did not get full marks under this set-up."""

    def __init__(self, failures: dict[str, str]):
        self.failures = failures
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = ["The grading set-up failed its own reference solution, so nothing was graded "
                 "or recorded (this is the set-up's problem, not any learner's):"]
        for assignment_id, why in self.failures.items():
            lines.append(f"  {assignment_id}: {why}")
        lines.append("Fix the set-up (limits, installed packages, the environment's paths) and "
                     "run the command again.")
        return "\n".join(lines)


def reference(assignment: Assignment) -> Path:
    return assignment.source_dir / f"{assignment.id}.ipynb"


def verdict(result: dict) -> str | None:
    """None when `result` is full marks; else what went wrong, for the instructor."""
    if result.get("status") == "error":
        return "not graded: " + str(result.get("extra_data", {}).get("not_graded", "engine error"))
    if result.get("score") == result.get("max_score") and all(
            t.get("status") == "passed" for t in result.get("tests", [])):
        return None
    failed = [t for t in result.get("tests", []) if t.get("status") != "passed"]
    parts = [f"scored {result.get('score', 0):g} / {result.get('max_score', 0):g}"]
    summary = str(result.get("output", "")).splitlines()
    stopped = [line for line in summary[1:] if line.strip()][:3]
    parts += stopped
    for test in failed[:5]:
        first = next((line for line in str(test.get("output", "")).splitlines()[1:]
                      if line.strip()), str(test.get("output", ""))[:200])
        parts.append(f"{test.get('name')}: {first.strip()[:200]}")
    if len(failed) > 5:
        parts.append(f"... and {len(failed) - 5} more failed checks")
    return "; ".join(parts)


# -- the cache of `grade` ------------------------------------------------------------------------

def _cache_dir() -> Path:
    return config.setup_proofs_dir()


def setup_key(assignment: Assignment, limits, language: str | None, hide) -> str:
    """What the proof depends on: the engine and graders, the reference, the helpers and data
    the learner process sees, the limits, the language, the interpreter and the confinement."""
    digest = hashlib.sha256()
    files = sorted(p for p in PACKAGE_DIR.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts)
    files += [reference(assignment), *assignment.helper_files()]
    for path in files:
        try:
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            digest.update(str(path).encode() + b"\0missing\0")
    digest.update(json.dumps([
        assignment.id, limits.time_s, limits.memory_mb, limits.threads, language, list(hide),
        sys.executable, os.geteuid(), config.namespaces_refused(),
    ]).encode())
    return digest.hexdigest()


def proven(key: str) -> bool:
    try:
        return (_cache_dir() / key).exists()
    except OSError:   # a cache this user cannot read (HOME of another user): prove again
        return False


def remember(key: str) -> None:
    try:
        folder = _cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).write_text("proved\n")
    except OSError:
        pass   # an unwritable cache only means proving again next time
