"""Gradescope: build one autograder bundle per assignment, and grade a submission inside one.

    dist/gradescope/<id>.zip
        setup.sh, run_autograder   from kit/gradescope/ (`@ASSIGNMENT@` replaced by the id)
        autograder/                the engine and every grader, hidden ones included
        solutions/<id>/<id>.ipynb  the reference solution: each run grades it first, and
                                   grades nobody if it does not get full marks (`selfcheck`)
        assignments/<id>/          the assignment's helper files (e.g. `yolo.py`), no notebook
        data/                      only for the assignments that read it
        pyproject.toml, constraints/

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once, then `run_autograder`
per submission, which calls `python -m autograder.course.gradescope` (`main` below): find the notebook
in /autograder/submission, grade it with the engine, write /autograder/results/results.json.
The zip is for instructors only: it holds the hidden graders and the reference solution (out of
the learner process's reach while it runs, like the course's own).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

from autograder import assignments, config
from autograder.assignments import COURSE_ROOT
from autograder.course.packaging import add_to_zip, engine_files, is_build_litter

TEMPLATE_DIR = COURSE_ROOT / "kit" / "gradescope"
SCRIPTS = ("setup.sh", "run_autograder")


# -- building bundles --------------------------------------------------------------------------

def bundle_files(assignment: assignments.Assignment) -> dict[str, Path]:
    """Every file of the bundle but the two scripts: name inside the zip -> file on disk."""
    files = {f"autograder/{relative.as_posix()}": path
             for relative, path in engine_files().items()}
    for helper in assignment.helper_files():
        files[f"assignments/{assignment.id}/{helper.name}"] = helper
    data = COURSE_ROOT / "data"
    if assignment.uses_data and data.is_dir():   # its assignment.toml says uses_data
        for path in sorted(data.rglob("*")):
            relative = path.relative_to(data)
            # The scripts that made the data import the solutions: they stay behind.
            if path.is_file() and not is_build_litter(relative) and path.suffix != ".py":
                files[f"data/{relative.as_posix()}"] = path
    # The reference solution, graded first in every run to prove the set-up (`selfcheck`);
    # at solutions/<id>/, which the learner's sandbox hides like the course's own.
    source = assignment.source_dir / f"{assignment.id}.ipynb"
    if source.is_file():
        files[f"solutions/{assignment.id}/{source.name}"] = source
    files["pyproject.toml"] = COURSE_ROOT / "pyproject.toml"
    for path in sorted((COURSE_ROOT / "constraints").glob("*")):
        if path.is_file():
            files[f"constraints/{path.name}"] = path
    return files


def build_bundle(assignment: assignments.Assignment, out: Path) -> Path:
    """Write `out/<id>.zip`, the Gradescope autograder for `assignment`; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{assignment.id}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for script in SCRIPTS:
            text = (TEMPLATE_DIR / script).read_text().replace("@ASSIGNMENT@", assignment.id)
            add_to_zip(archive, script, text.encode(), 0o755)
        for name, path in bundle_files(assignment).items():
            add_to_zip(archive, name, path.read_bytes())
    return target


def buildable() -> tuple[list[assignments.Assignment], dict[str, str]]:
    """The assignments a bundle can be built for, and why each other one cannot."""
    ready, skipped = [], {}
    for assignment in assignments.every():
        assignment_id = assignment.id
        if not (assignment.source_dir / f"{assignment_id}.ipynb").exists():
            skipped[assignment_id] = (f"no source notebook "
                                      f"solutions/{assignment_id}/{assignment_id}.ipynb")
        elif not assignment.grader_files:
            skipped[assignment_id] = f"no graders in autograder/graders/{assignment_id}/"
        else:
            ready.append(assignment)
    return ready, skipped


def build(out: Path) -> tuple[list[Path], dict[str, str]]:
    """One bundle per buildable assignment under `out`; returns the zips and what was skipped."""
    ready, skipped = buildable()
    return [build_bundle(a, out) for a in ready], skipped


# -- grading inside a bundle -------------------------------------------------------------------

class NoSubmission(Exception):
    """Nothing gradable in the submission folder; the message tells the learner what to upload."""


def find_submission(folder: Path, assignment: assignments.Assignment) -> Path:
    """The file to grade: `<id>.ipynb` (anywhere in `folder`, the shallowest), else the only
    notebook; failing that the same for `.py` files other than the assignment's helpers."""
    expected = f"{assignment.id}.ipynb"
    if not folder.is_dir():
        raise NoSubmission(f"No files were submitted. Upload your notebook, {expected}.")
    helpers = {p.name for p in assignment.helper_files()}
    files = [p for p in sorted(folder.rglob("*"))
             if p.is_file() and not is_build_litter(p.relative_to(folder))
             and "__MACOSX" not in p.relative_to(folder).parts]
    for suffix in (".ipynb", ".py"):
        candidates = [p for p in files if p.suffix == suffix and p.name not in helpers]
        named = sorted((p for p in candidates if p.name == f"{assignment.id}{suffix}"),
                       key=lambda p: len(p.parts))
        if named:
            return named[0]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            listed = ", ".join(str(p.relative_to(folder)) for p in candidates[:10])
            raise NoSubmission(f"Several {suffix} files were submitted ({listed}) and none is "
                               f"named {assignment.id}{suffix}, so it is unclear which to grade. "
                               f"Submit again with your notebook named {expected}.")
    found = ", ".join(str(p.relative_to(folder)) for p in files[:10]) or "no files at all"
    raise NoSubmission(f"No notebook was found in the submission ({found}). Upload the notebook "
                       f"you worked in, named {expected}.")


def grade_submission(root: Path, assignment: assignments.Assignment, *,
                     time_limit_s: float | None = None, memory_limit_mb: int | None = None) -> dict:
    """Grade the submission under `root/submission`; always returns a result."""
    from autograder.grading.api import grade_file
    from autograder.grading.result import build_result
    from autograder.judge_side.runner import manifest
    from autograder.config import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S

    start = time.monotonic()
    try:
        path = find_submission(root / "submission", assignment)
    except NoSubmission as exc:
        result = build_result(manifest(assignment), None, unreadable=str(exc))
        result["execution_time"] = round(time.monotonic() - start, 3)
        return result
    memory = DEFAULT_MEMORY_LIMIT_MB if memory_limit_mb is None else (memory_limit_mb or None)
    return grade_file(path, assignment, memory_limit_mb=memory,
                      time_limit_s=time_limit_s or DEFAULT_TIME_LIMIT_S)


def _write(result: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(result, indent=2) + "\n")
    partial.replace(target)  # Gradescope never sees a half-written file


def main(argv: list[str] | None = None) -> int:
    """What `run_autograder` calls: grade root/submission, write root/results/results.json."""
    parser = argparse.ArgumentParser(prog="python -m autograder.course.gradescope",
                                     description="Grade one Gradescope submission.")
    parser.add_argument("--root", type=Path,
                        default=config.gradescope_root(),
                        help="holds submission/ and results/ "
                             "(default: $AUTOGRADER_ROOT, else /autograder)")
    parser.add_argument("--assignment", required=True, choices=assignments.ids())
    args = parser.parse_args(argv)
    target = args.root / "results" / "results.json"
    assignment = assignments.get(args.assignment)
    try:
        result = grade_submission(args.root, assignment,
                                  time_limit_s=config.gradescope_time_limit(),
                                  memory_limit_mb=config.gradescope_memory_limit())
    except Exception as exc:  # noqa: BLE001 - never a learner's 0 for the engine's failure
        # The set-up failed its reference solution, or the engine broke: no score (Gradescope
        # shows the autograder as failed, and the instructor can run it again).
        print(f"autograder: not graded: {type(exc).__name__}: {exc}", file=sys.stderr)
        result = {"score": None, "max_score": 0.0, "status": "error", "execution_time": 0.0,
                  "tests": [], "extra_data": {"status": "error", "outcomes": {}},
                  "output": "Not graded: the autograder failed before it could grade your "
                            "submission. This is a problem with the grading set-up, not with "
                            "your notebook; your instructor can run it again."}
    _write(result, target)
    from autograder.reports.report import format_report

    # Gradescope shows this output to instructors only, unless they choose otherwise.
    print(format_report(result, f"{assignment.id} (Gradescope submission)"), flush=True)
    return 1 if result.get("status") == "error" else 0


if __name__ == "__main__":
    sys.exit(main())
