"""Helpers shared by the kit's tests: grade submissions with the real engine, build zoo entries.

Grading goes through `python -m autograder grade` in a subprocess, once per batch of files, so
the tests exercise exactly what learners and instructors run, and torch is imported once per
batch rather than once per file.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"


def run_engine(*args: str, cwd: Path = REPO, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=timeout)


def grade_files(paths: list[Path], out: Path, *extra: str) -> dict[Path, dict]:
    """Grade `paths` in one engine run; returns each path's result (as written with --out)."""
    proc = run_engine("grade", *map(str, paths), "--out", str(out), "--quiet", *extra)
    assert proc.returncode == 0, f"engine failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    results = {}
    for path in paths:
        from autograder.assignments import for_submission
        from autograder.cli import result_name

        assignment = for_submission(path, _flag(extra, "--assignment"))
        results[path] = json.loads((out / result_name(path, assignment)).read_text())
    return results


def _flag(args, name):
    return args[args.index(name) + 1] if name in args else None


def notebook_code(notebook: Path) -> str:
    """The code cells of a notebook joined as a percent-format .py (graded test cells left out)."""
    from autograder.submission import is_test_cell

    nb = json.loads(notebook.read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]
             if c["cell_type"] == "code" and not is_test_cell(c)]
    return "".join(f"# %%\n{src}\n\n" for src in cells)


@dataclass(frozen=True)
class ZooEntry:
    """A wrong solution: its misconception, the checks that must catch it, a word the feedback uses."""

    path: Path
    misconception: str
    caught_by: tuple[str, ...]
    mentions: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.path.stem


def zoo_entries(assignment_id: str) -> list[ZooEntry]:
    entries = []
    for path in sorted((TESTS / "zoo" / assignment_id).glob("*.py")):
        header = path.read_text().split('"""')[1]
        fields = dict(re.findall(r"^(\w[\w ]*):\s*(.+)$", header, re.MULTILINE))
        entries.append(ZooEntry(
            path=path,
            misconception=fields["Misconception"],
            caught_by=tuple(n.strip() for n in fields["Caught by"].split(",")),
            mentions=tuple(m.strip() for m in fields["Mentions"].split(",")),
        ))
    return entries


def compose_zoo_submission(entry: ZooEntry, reference: Path, folder: Path) -> Path:
    """The reference solution's code followed by the zoo entry's redefinitions, as one .py file.

    This is a learner who got everything right except the one misconception the entry encodes.
    """
    target = folder / entry.path.parent.name / entry.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(notebook_code(reference) + "# %%\n" + entry.path.read_text())
    return target
