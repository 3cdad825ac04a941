"""Release through nbgrader's exchange (a JupyterHub course, or several users on one machine).

Learners who `nbgrader fetch_assignment` get one folder per assignment, nothing else: the
check cells' `from autograder.notebook import check` needs the engine in that folder. So the
exchange does not release `assignments/<id>/` itself but a staged copy of it:

    build/exchange/<id>/
        <id>.ipynb, helper modules      as in assignments/<id>/ (made by `make release`)
        data/                           the course's data files, where the assignment uses them
        autograder/                     the engine and this assignment's public checks only,
                                        with `released-beside.txt` naming the assignment

The hidden graders, the other assignments' graders, the solutions and the data's generator
scripts never go in (the same rules as the learner's kit, autograder.course.studentkit). What a
learner submits back holds that `autograder/` folder too: the engine grades with the
instructor's own copy and never imports anything a submission carries.

    python -m autograder.course.exchange release --course ID [--exchange DIR] [--assignment A]

runs `nbgrader release_assignment` for each assignment (all by default) from the staged copy,
with the course id and exchange root given (`make release-exchange COURSE=ID`).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import assignments
from autograder.assignments import COURSE_ROOT, EXCHANGE_MARKER, PACKAGE_DIR
from autograder.course.studentkit import copy_data, copy_public_engine

STAGE_DIR = COURSE_ROOT / "build" / "exchange"
_NEVER = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*")


def stage(assignment: assignments.Assignment, out: Path = STAGE_DIR) -> Path:
    """Write `out/<id>/` (see the module's docstring); returns it."""
    released = COURSE_ROOT / "assignments" / assignment.id
    if not (released / f"{assignment.id}.ipynb").is_file():
        raise FileNotFoundError(f"{assignment.id}: no released notebook in {released}; "
                                "run `make release` first")
    folder = out / assignment.id
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(released, folder, ignore=shutil.ignore_patterns(*_NEVER))
    if assignment.uses_data and (COURSE_ROOT / "data").is_dir():
        copy_data(COURSE_ROOT / "data", folder / "data")
    engine = folder / PACKAGE_DIR.name
    copy_public_engine(engine, only=assignment.id)
    (engine / EXCHANGE_MARKER.name).write_text(assignment.id + "\n")
    return folder


def release(course: str, exchange: Path | None, ids: list[str], force: bool = False,
            out: Path = STAGE_DIR) -> int:
    """Stage each assignment and release it with nbgrader; returns the exit status."""
    status = 0
    for assignment_id in ids:
        folder = stage(assignments.get(assignment_id), out)
        command = [sys.executable, "-m", "nbgrader", "release_assignment", assignment_id,
                   f"--course={course}", f"--CourseDirectory.release_directory={out}"]
        if exchange is not None:
            command.append(f"--Exchange.root={exchange}")
        if force:
            command.append("--force")
        print(f"release {assignment_id}: {folder.relative_to(COURSE_ROOT)} -> exchange "
              f"{exchange or '(nbgrader default)'}, course {course}", flush=True)
        done = subprocess.run(command, cwd=COURSE_ROOT)
        if done.returncode != 0:
            print(f"release {assignment_id}: nbgrader release_assignment failed "
                  f"(exit {done.returncode}); `FORCE=1` replaces an earlier release",
                  file=sys.stderr)
            status = done.returncode
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.course.exchange",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("release", help="stage and release assignments to nbgrader's exchange")
    add.add_argument("--course", required=True, help="the course id learners fetch from")
    add.add_argument("--exchange", type=Path, help="the exchange root (nbgrader's default: "
                     "/srv/nbgrader/exchange)")
    add.add_argument("--assignment", action="append", choices=assignments.ids(),
                     help="release this one (repeatable; default: every assignment)")
    add.add_argument("--force", action="store_true", help="replace an earlier release")
    add.add_argument("--stage", type=Path, default=STAGE_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        return release(args.course, args.exchange, args.assignment or list(assignments.ids()),
                       args.force, args.stage)
    except FileNotFoundError as error:
        print(f"release-exchange: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
