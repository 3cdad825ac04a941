"""The learner's kit (`make student-kit`): what it holds, what it never holds, and that it grades.

The kit is built into a scratch folder through the Makefile. Its `make grade` runs on this
environment (no second venv): the kit's Makefile with VENV pointing here, in the kit's folder,
so `python -m autograder` is the kit's own copy of the engine, with the public checks only.
"""
from __future__ import annotations

import io
import json
import re
import tokenize
import zipfile
from pathlib import Path

import pytest

from kit import REPO, VENV, check_manifest, code_cell_sources, make, submission_notebook

RELEASED = sorted(p.parent.name for p in (REPO / "assignments").glob("*/*.ipynb")
                  if p.stem == p.parent.name)
WITH_SOURCE = [a for a in RELEASED if (REPO / "solutions" / a / f"{a}.ipynb").is_file()]
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    make(REPO, "student-kit", DIST=str(out))
    return out


@pytest.fixture(scope="module")
def kit(dist) -> Path:
    return dist / "student-kit"


def files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def texts(root: Path):
    for relative in files(root):
        data = (root / relative).read_bytes()
        if b"\0" not in data[:4096]:
            yield relative, data.decode("utf-8", errors="replace")


def test_kit_holds_what_a_learner_needs(kit, dist):
    for name in ("README.md", "Makefile", "pyproject.toml"):
        assert (kit / name).is_file(), f"the kit has no {name}"
    makefile = (kit / "Makefile").read_text()
    for target in ("setup", "lab", "grade"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"the kit's Makefile has no {target}"
    assert files(kit / "constraints") == files(REPO / "constraints")
    assert files(kit / "assignments") == files(REPO / "assignments")
    for relative in files(REPO / "assignments"):
        assert (kit / "assignments" / relative).read_bytes() == \
               (REPO / "assignments" / relative).read_bytes(), f"{relative} differs from the release"
    data = [p for p in files(REPO / "data") if p.suffix != ".py" and "__pycache__" not in p.parts]
    assert data and set(data) <= set(files(kit / "data")), "the kit lacks data files"
    assert not any(p.suffix == ".py" for p in files(kit / "data")), "data scripts are instructor-only"
    for assignment in RELEASED:
        assert (kit / "autograder" / "graders" / assignment / "public.py").is_file()
        assert (kit / "autograder" / "graders" / assignment / "assignment.toml").is_file()
    with zipfile.ZipFile(dist / "student-kit.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"student-kit/{p.as_posix()}" for p in files(kit))


def test_kit_has_no_hidden_grader(kit, dist):
    assert not (kit / "tests").exists() and not (kit / "solutions").exists()
    for relative in files(kit):
        assert relative.name != "hidden.py", f"{relative} is a hidden grader"
        if "graders" in relative.parts and len(relative.parts) > 3:
            if len(relative.parts) > 4:   # in a grader folder's folder: only common/'s modules
                assert relative.parts[3] == "common" and relative.suffix == ".py", relative
            else:
                assert relative.name in ("__init__.py", "public.py", "common.py",
                                         "assignment.toml"), relative
    hidden_names = {c["name"].split("/", 1)[1] for a in WITH_SOURCE
                    for c in check_manifest(a) if c["visibility"] == "hidden"}
    for relative, text in texts(kit):
        found = sorted(n for n in hidden_names if f"test_{n}" in text)
        assert not found, f"{relative} names hidden checks: {found}"
    with zipfile.ZipFile(dist / "student-kit.zip") as archive:
        assert not any(name.endswith("/hidden.py") for name in archive.namelist())


def test_kit_translations_hold_no_hidden_check_text(kit):
    """The kit's catalogue translates the messages of the files it ships, and no other: a hidden
    check's description or feedback (which says what it checks) never reaches it."""
    import gettext

    from autograder.i18n import catalogue

    assert not list((kit / "autograder" / "i18n" / "locale").rglob("*.po"))
    hidden = {m for a in WITH_SOURCE
              for m, _line in catalogue.extract(REPO / "autograder" / "graders" / a / "hidden.py")}
    shipped = {m for path in (kit / "autograder").rglob("*.py") for m, _line in catalogue.extract(path)}
    only_hidden = hidden - shipped
    assert only_hidden, "the hidden graders have messages of their own"
    catalogue = gettext.translation("kit", kit / "autograder" / "i18n" / "locale", ["zh"])
    leaked = [m for m in only_hidden if catalogue.gettext(m) != m]
    assert not leaked, leaked[:3]
    assert all(catalogue.gettext(m) != m for m in shipped), "every shipped message is translated"


def _solution_lines() -> dict[str, set[str]]:
    """Per assignment, the distinctive lines written between the solution markers, less those the
    released notebook shows anyway (hints in its text)."""
    lines = {}
    for assignment in WITH_SOURCE:
        nb = json.loads((REPO / "solutions" / assignment / f"{assignment}.ipynb").read_text())
        source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        shown = json.loads((REPO / "assignments" / assignment / f"{assignment}.ipynb").read_text())
        hints = "\n".join("".join(c["source"]) for c in shown["cells"])
        lines[assignment] = {line.strip() for block in SOLUTION_BLOCK.findall(source)
                             for line in block.splitlines()
                             if len(line.strip()) >= 30 and not line.strip().startswith("#")
                             and line.strip() not in hints}
    return lines


def code_only(text: str) -> str:
    """Python source without its string literals: a check's feedback may quote the line to
    write (the learner reads it in the check's report anyway); its code must not be a solution."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return tokenize.untokenize((tok.type, '""' if tok.type == tokenize.STRING else tok.string)
                               for tok in tokens)


def test_kit_has_no_solution_code(kit):
    solution = _solution_lines()
    for relative, text in texts(kit):
        if relative.suffix == ".py":
            text = code_only(text)
        for marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
            assert marker not in text, f"{relative} contains {marker!r}"
        for assignment, lines in solution.items():
            found = sorted(line for line in lines if line in text)
            assert not found, f"{relative} contains solution code of {assignment}: {found[:5]}"


@pytest.mark.parametrize("assignment", WITH_SOURCE)
def test_make_grade_in_the_kit_grades_a_filled_in_notebook_on_public_checks(kit, assignment):
    released = kit / "assignments" / assignment / f"{assignment}.ipynb"
    filled = submission_notebook(
        released, code_cell_sources(REPO / "solutions" / assignment / f"{assignment}.ipynb"),
        kit / "handed-in" / f"{assignment}.ipynb")
    proc = make(kit, "grade", NB=str(filled.relative_to(kit)), PY=str(VENV / "bin" / "python"))
    result = json.loads((kit / "results" / f"{assignment}.json").read_text())
    public = sorted(c["name"] for c in check_manifest(assignment) if c["visibility"] == "visible")
    assert sorted(t["name"] for t in result["tests"]) == public, (
        f"the kit should grade on exactly the public checks:\n{proc.stdout}")
    assert all(t["visibility"] == "visible" for t in result["tests"])
    assert result["score"] == result["max_score"] > 0, proc.stdout


def test_make_lab_works_on_a_copy_and_a_new_release_keeps_the_learners_work(kit, tmp_path):
    """issue 24, item 5: `make lab` opens work/, made from assignments/ (files dated now, not
    the zip's date); a new release unpacked over the kit replaces assignments/ only, and `make
    work` adds what is new without replacing any file of the learner's."""
    import os
    import shutil
    import subprocess
    import time

    learner = tmp_path / "student-kit"
    shutil.copytree(kit, learner, ignore=shutil.ignore_patterns("data", "autograder"))
    old = time.time() - 6 * 365 * 86400     # as `unzip` leaves the zip's dates
    for path in (learner / "assignments").rglob("*"):
        os.utime(path, (old, old))
    released = files(learner / "assignments")

    def planned(target):
        proc = subprocess.run(["make", "-n", "--no-print-directory", target, "STAMP="],
                              cwd=learner, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "grade \"assignments\"/*/*.ipynb" in planned("grade")   # nothing of the learner's yet
    proc = make(learner, "work")
    assert files(learner / "work") == released, proc.stdout
    for relative in released:
        copy = learner / "work" / relative
        assert copy.read_bytes() == (learner / "assignments" / relative).read_bytes()
        assert copy.stat().st_mtime > time.time() - 3600, f"{relative} is dated from the zip"
    assert '--notebook-dir="work"' in planned("lab")
    assert "grade \"work\"/*/*.ipynb" in planned("grade")

    # The learner works; then the next release is unpacked over the folder.
    notebook = learner / "work" / RELEASED[0] / f"{RELEASED[0]}.ipynb"
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError()", "pass", 1))
    mine = notebook.read_bytes()
    shutil.rmtree(learner / "assignments")
    shutil.copytree(kit / "assignments", learner / "assignments")
    changed = learner / "assignments" / RELEASED[0] / f"{RELEASED[0]}.ipynb"
    changed.write_text(changed.read_text() + "\n")           # the release changed it too
    (learner / "assignments" / "next").mkdir()
    (learner / "assignments" / "next" / "next.ipynb").write_text("{}")
    proc = make(learner, "work")
    assert notebook.read_bytes() == mine, "the new release overwrote the learner's work"
    assert (learner / "work" / "next" / "next.ipynb").read_text() == "{}"
    assert "copied assignments/next/next.ipynb to work/next/next.ipynb" in proc.stdout
    assert proc.stdout.count("copied") == 1, proc.stdout
