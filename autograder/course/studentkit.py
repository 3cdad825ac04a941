"""Build the learner's kit: the folder (and zip) an instructor hands out at the start of term.

    dist/student-kit/
        README.md, Makefile, pyproject.toml   from kit/student/ (the learner's setup, lab, grade)
        constraints/                          torch pins per architecture, as in the course
        assignments/<id>/                     the released notebooks and their helper modules
        data/                                 the data files (not the scripts that made them)
        autograder/                           the engine and the public checks only
    dist/student-kit.zip                      the same, under one top folder `student-kit/`

What never goes in: `solutions/`, the tests and bug zoo, and every grader file that is not
public (`hidden.py`), nor their messages: the kit's translation catalogue holds only the
messages of the files it ships. The notebooks come from `assignments/`, which `make release`
generates with nbgrader, so they hold stubs, not solutions.

The kit speaks the language the notebooks were released in: README and `make help` from
`kit/student/<lang>/` where it has them.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from autograder import i18n
from autograder.i18n import catalogue
from autograder.assignments import COURSE_ROOT, GRADERS_DIR, PACKAGE_DIR
from autograder.course.packaging import add_to_zip, engine_files
from autograder.course.translation import released_language

KIT_NAME = "student-kit"
TEMPLATE_DIR = COURSE_ROOT / "kit" / "student"
# Grader files learners get; every other file under a grader folder stays with the instructor.
# assignment.toml makes the folder an assignment (autograder.assignments) in the kit too. What
# public.py and hidden.py share is `common.py`, or a `common/` folder (one module per exercise).
PUBLIC_GRADER_FILES = ("__init__.py", "public.py", "common.py", "assignment.toml")
PUBLIC_GRADER_FOLDER = "common"
_NEVER = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*")


def _is_instructor_only(path: Path) -> bool:
    """A file of the engine that reveals hidden graders: anything in a grader folder not public."""
    relative = path.relative_to(PACKAGE_DIR)
    in_grader_folder = relative.parts[0] == GRADERS_DIR.name and len(relative.parts) > 2
    if in_grader_folder and len(relative.parts) > 3 and relative.parts[2] == PUBLIC_GRADER_FOLDER:
        return relative.suffix != ".py"   # the shared helpers' modules, nothing else
    return in_grader_folder and relative.name not in PUBLIC_GRADER_FILES


def _of_another_assignment(relative: Path, only: str | None) -> bool:
    return (only is not None and relative.parts[0] == GRADERS_DIR.name
            and len(relative.parts) > 2 and relative.parts[1] != only)


def copy_public_engine(target: Path, only: str | None = None) -> None:
    """The engine and the public checks into `target` (a folder named `autograder`), with the
    translations of the shipped files' messages; with `only`, the graders of that assignment
    alone (nbgrader's exchange releases one assignment per folder)."""
    shipped = []
    locale = i18n.LOCALE.relative_to(PACKAGE_DIR)   # i18n/locale: catalogues, not shipped
    for relative, path in engine_files().items():
        if _is_instructor_only(path) or relative.parts[:len(locale.parts)] == locale.parts \
                or _of_another_assignment(relative, only):
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
        if path.suffix == ".py":
            shipped.append(path)
    # Translations of the shipped files' messages only: hidden checks' texts stay behind.
    for language in i18n.LANGUAGES:
        if language == i18n.DEFAULT:
            continue
        mo = target / locale / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        mo.write_bytes(catalogue.compile_for(language, shipped))


def copy_data(source: Path, target: Path) -> None:
    """The data files; the generator scripts (which import the solutions) stay behind."""
    ignore = shutil.ignore_patterns(*_NEVER, "*.py")
    shutil.copytree(source, target, ignore=ignore)


def build(out: Path, course: Path = COURSE_ROOT, language: str | None = None) -> Path:
    """Write `out/student-kit/` and `out/student-kit.zip`; returns the kit folder. `language`
    must be the one the notebooks were released in (default: that one)."""
    released = course / "assignments"
    if not any(released.glob("*/*.ipynb")):
        raise FileNotFoundError(f"no released notebooks under {released}; run `make release` first")
    notebooks_language = released_language(course)
    language = language or notebooks_language
    if language != notebooks_language:
        raise ValueError(f"the notebooks in {released} are released in {notebooks_language!r}, "
                         f"not {language!r}: run `make release LANG={language}` first")
    kit = out / KIT_NAME
    if kit.exists():
        shutil.rmtree(kit)
    kit.mkdir(parents=True)
    for template in sorted(TEMPLATE_DIR.iterdir()):
        if template.is_file():
            translated = TEMPLATE_DIR / language / template.name
            shutil.copy2(translated if translated.is_file() else template, kit / template.name)
    makefile = kit / "Makefile"
    makefile.write_text(makefile.read_text().replace("KIT_LANG := en", f"KIT_LANG := {language}"))
    shutil.copytree(course / "constraints", kit / "constraints",
                    ignore=shutil.ignore_patterns(*_NEVER))
    shutil.copytree(released, kit / "assignments", ignore=shutil.ignore_patterns(*_NEVER))
    if (course / "data").is_dir():
        copy_data(course / "data", kit / "data")
    copy_public_engine(kit / "autograder")
    _zip(kit, out / f"{KIT_NAME}.zip")
    return kit


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                add_to_zip(archive, f"{folder.name}/{path.relative_to(folder).as_posix()}",
                           path.read_bytes())
