"""Helpers shared by the kit's tests: grade submissions with the real engine, build zoo entries.

Grading goes through `python -m autograder grade` in a subprocess, once per batch of files, so
the tests exercise exactly what learners and instructors run, and torch is imported once per
batch rather than once per file.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import re
import shutil
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
    _log_verdicts(results, extra)
    return results


def _log_verdicts(results: dict[Path, dict], extra) -> None:
    """With KIT_VERDICT_LOG=FILE (set by .ci/loaded), every graded file's verdict (its score per
    check), keyed by where it lies below the test's own temporary folder, appended as JSON lines:
    runs on machines under different loads must log the same verdicts. Under pytest-xdist each
    worker appends its lines in one write under an exclusive lock, and the key leaves out the
    worker's folder (popen-gw0/), so a parallel run logs what a serial one does."""
    log = os.environ.get("KIT_VERDICT_LOG")
    if not log:
        return
    lines = []
    for path, result in results.items():
        key = re.sub(r"^.*/pytest-\d+/(popen-gw\d+/)?", "", str(path))
        key = re.sub(r"^([\w-]+?)\d*/", r"\1/", key)   # test_x0/ -> test_x/
        lines.append(json.dumps({"file": key, "options": list(extra), "verdict": {
            t["name"]: t["score"] for t in result.get("tests", [])},
            "score": result.get("score")}, sort_keys=True) + "\n")
    import fcntl

    with open(log, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write("".join(lines))
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _flag(args, name):
    return args[args.index(name) + 1] if name in args else None


def code_cell_sources(notebook: Path, *, exercises_only: bool = False) -> list[str]:
    """The sources of a notebook's code cells that are not graded test cells, in order.

    With `exercises_only`, only those before the notebook's last graded test cell: the exercises
    without the closing demonstration (for `freeze`, a full training run), which proves nothing
    about a zoo entry's misconception and would dominate its grading time.
    """
    from autograder.course.submission import is_test_cell

    code = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    if exercises_only:
        code = code[:max(i for i, c in enumerate(code) if is_test_cell(c))]
    return ["".join(c["source"]) for c in code if not is_test_cell(c)]


def notebook_code(notebook: Path, *, exercises_only: bool = False) -> str:
    """Those cells joined as a percent-format .py file (one `# %%` cell each)."""
    cells = code_cell_sources(notebook, exercises_only=exercises_only)
    return "".join(f"# %%\n{src}\n\n" for src in cells)


@dataclass(frozen=True)
class ZooEntry:
    """A wrong solution: its misconception, the checks that must catch it, a word the feedback uses."""

    path: Path
    misconception: str
    caught_by: tuple[str, ...]
    mentions: tuple[str, ...]
    costs_more: str = ""      # why this one mistake may cost more than a quarter of the points

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
            costs_more=fields.get("Costs more", ""),
        ))
    return entries


def compose_zoo_submission(entry: ZooEntry, reference: Path, folder: Path, *,
                           exercises_only: bool = False) -> Path:
    """The reference solution's code followed by the zoo entry's redefinitions, as one .py file.

    This is a learner who got everything right except the one misconception the entry encodes.
    With `exercises_only`, the reference's code stops at its last test cell (see code_cell_sources).
    """
    target = folder / entry.path.parent.name / entry.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    code = notebook_code(reference, exercises_only=exercises_only)
    target.write_text(code + "# %%\n" + entry.path.read_text())
    return target


# --- Submissions as notebooks, for nbgrader (which grades .ipynb files only) ---------------------

def submission_notebook(released: Path, sources: list[str], target: Path) -> Path:
    """The released notebook with its non-test code cells' sources replaced by `sources`.

    Cell ids, nbgrader metadata and the test cells stay as released, so nbgrader's autograde
    matches every cell with its gradebook entry, exactly as for a learner's saved notebook.
    """
    from autograder.course.submission import is_test_cell

    nb = json.loads(released.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and not is_test_cell(c)]
    assert len(code) == len(sources), (
        f"{released.name} has {len(code)} code cells outside the test cells, got {len(sources)}")
    for cell, source in zip(code, sources):
        cell["source"] = source
        cell["outputs"], cell["execution_count"] = [], None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1) + "\n")
    return target


def _top_level_names(statement: ast.stmt) -> set[str]:
    """The module-level names a statement (re)defines: `Linear` for `class Linear` or
    `Linear.forward = ...`."""
    if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return {statement.name}
    targets = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    names = set()
    for target in targets:
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names |= {e.id for e in target.elts if isinstance(e, ast.Name)}
    return names


def zoo_sources(entry: ZooEntry, reference: Path) -> list[str]:
    """The reference's code cells with the zoo entry's redefinitions placed where they belong.

    Each definition of the entry goes at the end of the cell that defines the same name in the
    reference, so it is in force before that exercise's test cell runs (as it is, under the
    engine, before any check runs). The entry's imports and its other statements go, in order,
    at the end of the first cell that receives a definition, so everything it needs exists.
    """
    sources = code_cell_sources(reference)
    defined_in = {}
    for index, source in enumerate(sources):
        for statement in ast.parse(source).body:
            for name in _top_level_names(statement):
                defined_in.setdefault(name, index)
    text = entry.path.read_text()
    lines = text.splitlines()
    statements = ast.parse(text).body
    placed: dict[int, list[str]] = {}
    targets = [min((defined_in[n] for n in _top_level_names(s) if n in defined_in), default=None)
               for s in statements]
    first = min((t for t in targets if t is not None), default=len(sources) - 1)
    for statement, target in zip(statements, targets):
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the entry's header docstring
        start = min([statement.lineno] + [d.lineno for d in
                                          getattr(statement, "decorator_list", [])])
        segment = "\n".join(lines[start - 1:statement.end_lineno])
        placed.setdefault(first if target is None else target, []).append(segment)
    return [source + "".join(f"\n\n{s}" for s in placed.get(i, [])) + ("\n" if i in placed else "")
            for i, source in enumerate(sources)]


# --- One assignment's proof, shared by the tests/test_<id>.py modules ----------------------------

def failed(result: dict) -> dict[str, dict]:
    """The result's tests that did not pass, by name."""
    return {t["name"]: t for t in result["tests"] if t["status"] != "passed"}


def grade_proof(assignment_id: str, tmp: Path, *, zoo_exercises_only: bool = False,
                jobs: int = 1, language: str | None = None) -> dict[str, dict]:
    """Grade, in one engine run, everything that proves an assignment's graders.

    Keys: "reference" (solutions/<id>/<id>.ipynb), "released" (a copy of assignments/<id>/<id>.ipynb),
    "as_py" (the reference's code cells as a .py file), each alternative's file stem, and
    "zoo/<entry id>" (the reference followed by the entry, see compose_zoo_submission; with
    `zoo_exercises_only`, the reference's code up to its last test cell). `jobs` submissions are
    graded at once (the engine's --jobs); `language` is the engine's --lang.
    """
    reference = REPO / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    as_py = tmp / "as_py" / assignment_id / "reference_as_py.py"
    as_py.parent.mkdir(parents=True)
    as_py.write_text(notebook_code(reference))
    released = tmp / "released" / assignment_id / "released.ipynb"
    released.parent.mkdir(parents=True)
    released.write_bytes((REPO / "assignments" / assignment_id / f"{assignment_id}.ipynb").read_bytes())
    alternatives = sorted((TESTS / "alternatives" / assignment_id).glob("*.py"))
    zoo = {e.id: compose_zoo_submission(e, reference, tmp / "zoo", exercises_only=zoo_exercises_only)
           for e in zoo_entries(assignment_id)}
    results = grade_files([reference, released, as_py, *alternatives, *zoo.values()], tmp / "results",
                          *(("--jobs", str(jobs)) if jobs > 1 else ()),
                          *(("--lang", language) if language else ()))
    return {"reference": results[reference], "released": results[released], "as_py": results[as_py],
            **{p.stem: results[p] for p in alternatives},
            **{f"zoo/{k}": results[v] for k, v in zoo.items()}}


def assert_zoo_entry_caught(result: dict, entry: ZooEntry) -> None:
    """Every check the entry names exists, fails, and words its feedback with one of its words."""
    fails = failed(result)
    names = {t["name"] for t in result["tests"]}
    for check in entry.caught_by:
        assert check in names, f"{entry.id} names a check that does not exist: {check}"
        assert check in fails, f"{entry.id} ({entry.misconception}) was not caught by {check}"
        output = fails[check]["output"]
        # The first check to report a root cause explains it; later ones refer back to it.
        assert any(word in output for word in entry.mentions) or "the same mistake as" in output, (
            f"{check}'s feedback for {entry.id} does not mention any of {entry.mentions}:\n{output}")
        assert "Observed" in output and "What to change" in output, output
    first = next(t for t in result["tests"] if t["status"] != "passed")
    assert any(word in first["output"] for word in entry.mentions), (
        f"the first failed check for {entry.id}, {first['name']}, does not name the mistake "
        f"({entry.mentions}):\n{first['output']}")
    assert result["score"] < result["max_score"]


_CHECK_CALL = re.compile(r'check\("(?P<assignment>[^"]+)", "(?P<exercise>[^"]+)"\)')


def check_cells(notebook: Path) -> dict[str, dict]:
    """The notebook's graded check cells by exercise: {"points": ..., "source": ...}."""
    from autograder.course.submission import is_test_cell

    cells = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code" and is_test_cell(cell):
            source = "".join(cell["source"])
            match = _CHECK_CALL.search(source)
            assert match, f"a graded cell of {notebook.name} calls no check(...):\n{source}"
            assert match["exercise"] not in cells, f"two check cells for {match['exercise']}"
            cells[match["exercise"]] = {"assignment": match["assignment"], "source": source,
                                        "points": cell["metadata"]["nbgrader"]["points"]}
    return cells


# --- Running the kit's Makefile and nbgrader in a scratch copy of the course ---------------------

# The environment the tests run in; the Makefile's targets get it as VENV, and its setup stamp is
# taken as up to date (`make -o`), so no test ever installs anything.
VENV = Path(sys.prefix)
# What nbgrader needs of the course: its configuration, the sources, the releases, the data the
# notebooks read, and the engine the test cells import (nbgrader_config.py puts the course root
# on the kernels' path).
COURSE_PARTS = ("nbgrader_config.py", "Makefile", "solutions", "assignments", "data", "autograder",
                "translations")


def source_assignments() -> list[str]:
    """The assignments (autograder.assignments, in course order) that have a source notebook,
    `solutions/<id>/<id>.ipynb`."""
    from autograder import assignments

    return [a for a in assignments.ids() if (REPO / "solutions" / a / f"{a}.ipynb").is_file()]


def make(cwd: Path, *targets: str, timeout: float = 1800, **variables: str
         ) -> subprocess.CompletedProcess:
    """`make TARGET... NAME=value...` in `cwd`, on this environment, without reinstalling it."""
    command = ["make", "--no-print-directory", "-o", str(VENV / ".installed"), f"VENV={VENV}",
               *targets, *(f"{name}={value}" for name, value in variables.items())]
    proc = subprocess.run(command, cwd=cwd, text=True, capture_output=True, timeout=timeout,
                          env=course_env())
    assert proc.returncode == 0, f"{' '.join(command)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def course_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def scratch_course(target: Path) -> Path:
    """A copy of the course (see COURSE_PARTS) where nbgrader may write its gradebook and folders."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target


@functools.cache
def total_points(assignment_id: str) -> float:
    """The assignment's full marks, from its graders (tests never hard-code them)."""
    return sum(exercise_points(assignment_id).values())


def exercise_points(assignment_id: str) -> dict[str, float]:
    """Points per exercise (public plus hidden checks), read from the graders in a subprocess
    (importing them here would apply the engine's `check` marker inside the kit's own run)."""
    script = ("import collections, json, sys\n"
              "from autograder import assignments\n"
              "from autograder.judge_side.runner import manifest\n"
              "points = collections.defaultdict(float)\n"
              "for planned in manifest(assignments.get(sys.argv[1])):\n"
              "    points[planned.info.exercise] += planned.info.points\n"
              "print(json.dumps(points))\n")
    proc = subprocess.run([sys.executable, "-c", script, assignment_id], cwd=REPO, text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


_MANIFEST_SCRIPT = """
import json, sys
from autograder import assignments
from autograder.judge_side.runner import manifest
print(json.dumps({a: [dict(name=c.name, exercise=c.info.exercise, points=c.info.points,
                           visibility=c.info.visibility)
                      for c in manifest(assignments.get(a))] for a in sys.argv[1:]}))
"""


@functools.lru_cache(maxsize=None)
def check_manifest(assignment: str, root: Path = REPO) -> tuple[dict, ...]:
    """The checks of an assignment (name, exercise, points, visibility) as the engine at `root`
    plans them. Read in a subprocess: the grader modules apply the graders' own pytest markers,
    which the kit's test session (--strict-markers) does not register."""
    proc = subprocess.run([sys.executable, "-c", _MANIFEST_SCRIPT, assignment], cwd=root,
                          text=True, capture_output=True, timeout=300, env=course_env())
    assert proc.returncode == 0, proc.stderr
    return tuple(json.loads(proc.stdout)[assignment])


def code_notebook(sources: list[str], target: Path) -> Path:
    """A plain notebook (nbformat 4) whose code cells hold `sources`, as a learner could save."""
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": source} for source in sources]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1) + "\n")
    return target


def percent_cells(text: str) -> list[str]:
    """A `.py` file's cells, split at its `# %%` markers, as the engine splits them."""
    from autograder.course.submission import py_cells

    return [cell.source for cell in py_cells(text)]


def hidden_only_lines(assignment: str) -> set[str]:
    """The distinctive lines of an assignment's hidden graders that no other engine file has:
    finding one of them in a file that learners get means a hidden grader leaked."""
    from autograder.assignments import PACKAGE_DIR, get

    elsewhere = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        if path.name != "hidden.py":
            elsewhere.update(line.strip() for line in path.read_text().splitlines())
    return get(assignment).hidden_source_lines() - elsewhere


def leaked_lines(path: Path, secrets: set[str]) -> list[str]:
    """The lines of `secrets` that `path` holds as lines of its own (a notebook: of its cells)."""
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        text = "\n".join("".join(c.get("source", "")) for c in cells)
    return sorted(secrets & {line.strip() for line in text.splitlines()})
