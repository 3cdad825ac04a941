"""Where each assignment's parts live, and which assignment a submission belongs to."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.course.translation import every_language

PACKAGE_DIR = Path(__file__).resolve().parent
# The course root: the folder that holds assignments/, solutions/, data/ (also in the learner's kit).
COURSE_ROOT = PACKAGE_DIR.parent
GRADERS_DIR = PACKAGE_DIR / "graders"
ASSIGNMENT_IDS = ("parameters", "freeze", "linear")
GRADER_FILES = ("public.py", "hidden.py")


class UnknownAssignment(ValueError):
    """The submission's assignment cannot be told, or is not one of ASSIGNMENT_IDS."""


@dataclass(frozen=True)
class Assignment:
    id: str

    @property
    def grader_dir(self) -> Path:
        return GRADERS_DIR / self.id

    @property
    def grader_files(self) -> list[Path]:
        """The pytest grader files present (the learner's kit ships `public.py` only)."""
        return [self.grader_dir / name for name in GRADER_FILES if (self.grader_dir / name).exists()]

    @property
    def released_dir(self) -> Path:
        return COURSE_ROOT / "assignments" / self.id

    @property
    def source_dir(self) -> Path:
        return COURSE_ROOT / "solutions" / self.id

    def hidden_source_lines(self) -> set[str]:
        """Distinctive lines of the hidden graders, which must never appear in a result."""
        path = self.grader_dir / "hidden.py"
        if not path.exists():
            return set()
        return {line.strip() for line in path.read_text().splitlines() if len(line.strip()) >= 24}

    @property
    def helper_dir(self) -> Path:
        """The folder holding the assignment's helper modules (e.g. `yolo.py`): the released
        one, as nbgrader releases them; the source folder when nothing is released yet."""
        return self.released_dir if self.released_dir.is_dir() else self.source_dir

    def released_cells(self) -> set[str]:
        """The sources of the released notebook's code cells, stripped, in every language of
        the course (none if unreleased)."""
        notebook = self.released_dir / f"{self.id}.ipynb"
        if not notebook.is_file():
            return set()
        cells = json.loads(notebook.read_text()).get("cells", [])
        return every_language(self.id, ["".join(c.get("source", "")) for c in cells
                                        if c.get("cell_type") == "code"])

    def helper_files(self) -> list[Path]:
        """Files a submission's working folder holds besides the notebook (e.g. `yolo.py`)."""
        folder = self.helper_dir
        if not folder.is_dir():
            return []
        return sorted(
            p for p in folder.iterdir()
            if p.is_file() and p.suffix != ".ipynb" and not p.name.startswith(".")
        )


def get(assignment_id: str) -> Assignment:
    if assignment_id not in ASSIGNMENT_IDS:
        raise UnknownAssignment(
            f"unknown assignment {assignment_id!r}; the assignments are {', '.join(ASSIGNMENT_IDS)}"
        )
    return Assignment(assignment_id)


def for_submission(path: Path, override: str | None = None) -> Assignment:
    """The assignment named by `override`, else by the file's name, else by its folder's name."""
    if override:
        return get(override)
    for candidate in (path.stem, path.parent.name):
        if candidate in ASSIGNMENT_IDS:
            return Assignment(candidate)
    raise UnknownAssignment(
        f"cannot tell which assignment {path.name} belongs to: name the file or its folder after "
        f"one of {', '.join(ASSIGNMENT_IDS)}, or pass --assignment ID"
    )
