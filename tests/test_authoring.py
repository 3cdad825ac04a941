"""An instructor's own assignment (autograder/course/authoring.py, docs/authoring.md): in a scratch
copy of the course, `make new-assignment A=example` writes a scaffold the registry finds, and
`make check-assignment A=example` runs its whole proof and lists exactly what the skeleton still
lacks; ids that are taken or invalid are refused. The scratch graded run (nbgrader's release, one
engine run, the skeleton's mutants) takes about a minute and a half on an idle 2-core machine."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from kit import REPO, VENV, course_env, scratch_course

from autograder.course import authoring
from autograder.i18n.catalogue import read_po

# What check-assignment needs of the kit's tests and tools besides the course (kit.COURSE_PARTS).
PROOF_PARTS = ("tests/kit.py", "tests/proof.py", "tests/conftest.py", "tests/test_feedback.py",
               "tests/zoo", "tests/alternatives", "mutation", "kit/scaffold")


def make(course: Path, *args: str) -> subprocess.CompletedProcess:
    """`make ARGS` in the scratch course on this environment (see kit.make), whatever its exit."""
    return subprocess.run(["make", "--no-print-directory", "-o", str(VENV / ".installed"),
                           f"VENV={VENV}", *args], cwd=course, text=True, capture_output=True,
                          timeout=1800, env=course_env())


def missing(stdout: str) -> list[tuple[str, str]]:
    """check-assignment's list: `  - kind: what` lines."""
    return [tuple(line[4:].split(": ", 1)) for line in stdout.splitlines()
            if line.startswith("  - ")]


@pytest.mark.parametrize("assignment_id, said", [
    ("linear", "already an assignment"), ("Batch-Norm", "not a valid assignment id"),
    ("class", "reserved"), ("", "not a valid assignment id"), ("common", "reserved"),
])
def test_a_taken_or_invalid_id_is_refused_saying_why(assignment_id, said):
    assert said in authoring.refusal(assignment_id)
    assert authoring.refusal("batchnorm_new") is None


def test_the_scaffold_module_imports_no_torch():
    proc = subprocess.run([str(VENV / "bin" / "python"), "-c",
                           "import sys, autograder.course.authoring; "
                           "print('torch' in sys.modules)"],
                          cwd=REPO, text=True, capture_output=True, timeout=120, env=course_env())
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stderr


def test_the_example_answer_is_not_in_the_package_learners_receive():
    """The scaffold's reference answer and hidden check are kit/scaffold/'s: the learner's kit and
    the Gradescope bundles ship autograder/, and an instructor may keep the example."""
    answer = (REPO / "kit" / "scaffold" / "exercise.py.tmpl").read_text()
    hidden = (REPO / "kit" / "scaffold" / "hidden.py.tmpl").read_text()
    lines = {line.strip() for line in (answer + hidden).splitlines() if len(line.strip()) >= 24}
    lines -= {line.strip() for line in hidden.splitlines() if line.strip().startswith(
        ("from ", "import ", "@check", "\"\"\""))}
    assert len(lines) >= 8
    shipped = "\n".join(p.read_text() for p in (REPO / "autograder").rglob("*.py"))
    assert not sorted(line for line in lines if line in shipped)


@pytest.mark.slow
def test_new_assignment_then_its_proof_lists_what_the_skeleton_lacks(tmp_path):
    course = scratch_course(tmp_path / "course")
    try:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in PROOF_PARTS:
            source, target = REPO / part, course / part
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=ignore)
            else:
                shutil.copy2(source, target)
        before = {p.relative_to(course) for p in course.rglob("*") if p.is_file()}

        created = make(course, "new-assignment", "A=example", "TITLE=An example")
        assert created.returncode == 0, created.stdout + created.stderr
        for refused, why in (("example", "already an assignment"),
                             ("Example!", "not a valid assignment id")):
            again = make(course, "new-assignment", f"A={refused}")
            assert again.returncode != 0 and why in again.stderr, again.stdout + again.stderr

        # Exactly the scaffold's files are new, and nothing that existed was edited.
        after = {p.relative_to(course) for p in course.rglob("*") if p.is_file()}
        new = {p for p in after - before if "__pycache__" not in p.parts}
        assert new == {p.relative_to(course) for p in authoring.parts("example", course).values()}
        registry = subprocess.run([str(VENV / "bin" / "python"), "-m", "autograder.assignments",
                                   "list"], cwd=course, text=True, capture_output=True,
                                  env=course_env(), timeout=120)
        assert registry.stdout.split()[-1] == "example", registry.stdout + registry.stderr

        proof = make(course, "check-assignment", "A=example", "JOBS=2")
        assert proof.returncode != 0, proof.stdout + proof.stderr
        found = missing(proof.stdout)
        kinds = Counter(kind for kind, _what in found)
        messages = read_po(course / "autograder/i18n/locale/zh/example.po")
        untranslated_messages = sum(1 for text in messages.values() if not text)
        notebook = json.loads((course / "solutions/example/example.ipynb").read_text())
        prose = [c for c in notebook["cells"] if c["cell_type"] == "markdown"
                 or "\"\"\"" in "".join(c["source"])]
        # The skeleton's reference scores full marks, its stub zero, its checks quote no solution
        # line and keep a third of the points public, its zoo entry is caught: what it lacks is
        # what only its author can add.
        assert kinds == Counter({
            "title": 1,                                    # no zh title in assignment.toml
            "notebook translation": len(prose),            # every prose cell, untranslated
            "message translation": untranslated_messages,  # the checks' new messages
            "zoo": 1,                                      # 1 entry of the 12 needed
            "alternatives": 1,                             # none of the 2 needed
            "uncaught check": 1,                           # no zoo entry for the hidden check
            "mutant": 1,                                   # the two __init__ lines swapped
        }), proof.stdout
        assert untranslated_messages >= 3 and len(prose) == 5
        what = dict((kind, what) for kind, what in found if kind != "message translation")
        assert "no zh title" in what["title"]
        assert "example/affine_broadcasts_over_leading_dimensions" in what["uncaught check"]
        assert "swap" in what["mutant"] and "mutation/equivalent/example.txt" in what["mutant"]
        assert f"{proof.stdout.count('  - ')} missing" in proof.stdout
    finally:
        shutil.rmtree(course)
    assert not course.exists()
