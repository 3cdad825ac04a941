"""The course's assignments: which there are, where each one's parts live, and which assignment a
submission belongs to.

The one list of assignments is discovered: every folder `autograder/graders/<id>/` that holds an
`assignment.toml` is the assignment `<id>`, and nothing else in the kit names assignments (the
Makefile asks `python -m autograder.assignments list`). The file reads, e.g.

    order = 2                  # its place in the course: ids() lists the assignments in this order
    helpers = ["yolo.py"]      # files released beside the notebook (single source: solutions/<id>/)
    uses_data = true           # its helpers read data/ (a Gradescope bundle then ships data/)

    [title]                    # in the course's languages (autograder.i18n.LANGUAGES); en required
    en = "Freeze the backbone, then unfreeze it"
    zh = "先冻结主干网络，再解冻"

Points are not here: they are the graders' (`points=` of each check). Adding an assignment: its
source notebook `solutions/<id>/<id>.ipynb`, its graders `autograder/graders/<id>/` (`__init__.py`,
`public.py`, `hidden.py`, this file), then `make release` and `make translations`
(tests/test_registry.py checks that the parts agree).

A grader folder without `assignment.toml` is not an assignment; `ignored()` says why, as do `get`
and `python -m autograder.assignments list` (on stderr). Nothing here imports torch, and only the
standard library (plus `tomli` on Python 3.10) is needed, so the Makefile can list the
assignments before `.venv` exists.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package (see pyproject.toml)
    import tomli as tomllib

from autograder.course.translation import every_language
from autograder.i18n import LANGUAGES

PACKAGE_DIR = Path(__file__).resolve().parent
# The course root: the folder that holds assignments/, solutions/, data/ (also in the learner's kit).
COURSE_ROOT = PACKAGE_DIR.parent
GRADERS_DIR = PACKAGE_DIR / "graders"
# In a folder released through nbgrader's exchange (autograder.course.exchange) the engine sits
# beside the notebook: this file names the assignment released there, whose notebook and
# helper modules are then the engine's parent folder rather than `assignments/<id>/`.
EXCHANGE_MARKER = PACKAGE_DIR / "released-beside.txt"
GRADER_FILES = ("public.py", "hidden.py")
METADATA_FILE = "assignment.toml"
# Every title needs the default language; the others fall back to it.
TITLE_LANGUAGE = "en"
_KEYS = {"order", "title", "helpers", "uses_data"}


class UnknownAssignment(ValueError):
    """The submission's assignment cannot be told, or is not one of ids()."""


class RegistryError(ValueError):
    """An `assignment.toml` that cannot be read, or that two assignments contradict."""


@dataclass(frozen=True)
class Metadata:
    """What `autograder/graders/<id>/assignment.toml` says."""

    order: int
    title: Mapping[str, str] = field(compare=False, hash=False)
    helpers: tuple[str, ...] = ()
    uses_data: bool = False


@dataclass(frozen=True)
class _Registry:
    found: Mapping[str, Metadata]       # id -> metadata, in course order
    ignored: Mapping[str, str]          # folder name -> why it is not an assignment


_CACHE: dict[Path, _Registry] = {}


def _metadata(path: Path) -> Metadata:
    """The metadata in `path`, checked; a RegistryError says what is wrong and where."""
    where = _shown(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{where}: cannot be read: {exc}") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are "
                            f"{', '.join(sorted(_KEYS))}")
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        raise RegistryError(f"{where}: `order` must be an integer (the assignment's place in the "
                            f"course), got {order!r}")
    title = data.get("title")
    strangers = sorted(set(title) - set(LANGUAGES)) if isinstance(title, dict) else []
    if strangers:
        raise RegistryError(f"{where}: `[title]` has {', '.join(strangers)}, not a language of the "
                            f"course ({', '.join(LANGUAGES)}); a key of the whole file goes above "
                            f"`[title]`")
    if not isinstance(title, dict) or not all(isinstance(v, str) and v.strip()
                                              for v in title.values()):
        raise RegistryError(f"{where}: `[title]` must map languages to non-empty texts, e.g. "
                            f"{TITLE_LANGUAGE} = \"...\"; got {title!r}")
    if TITLE_LANGUAGE not in title:
        raise RegistryError(f"{where}: `[title]` has no `{TITLE_LANGUAGE}` entry")
    helpers = data.get("helpers", [])
    if not isinstance(helpers, list) or not all(
            isinstance(h, str) and h and Path(h).name == h and not h.startswith(".")
            for h in helpers):
        raise RegistryError(f"{where}: `helpers` must list file names (no folders), e.g. "
                            f"[\"helper.py\"]; got {helpers!r}")
    uses_data = data.get("uses_data", False)
    if not isinstance(uses_data, bool):
        raise RegistryError(f"{where}: `uses_data` must be true or false, got {uses_data!r}")
    return Metadata(order=order, title=MappingProxyType(dict(title)), helpers=tuple(helpers),
                    uses_data=uses_data)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(COURSE_ROOT))
    except ValueError:
        return str(path)


def _discover(graders: Path) -> _Registry:
    found: dict[str, Metadata] = {}
    ignored: dict[str, str] = {}
    folders = sorted(p for p in graders.iterdir() if p.is_dir()) if graders.is_dir() else []
    for folder in folders:
        if folder.name.startswith((".", "_")):       # __pycache__, editor and VCS folders
            continue
        if not (folder / METADATA_FILE).is_file():
            if any(folder.glob("*.py")):
                ignored[folder.name] = (
                    f"{_shown(folder)}/ has graders but no {METADATA_FILE}, so it is not an "
                    f"assignment: add {METADATA_FILE} there (its order in the course and its "
                    f"title; see autograder/assignments.py)")
            continue
        if not folder.name.isidentifier():
            raise RegistryError(f"{_shown(folder)}/: an assignment id must be a Python identifier "
                                f"(its graders are the package autograder.graders.<id>)")
        found[folder.name] = _metadata(folder / METADATA_FILE)
    by_order: dict[int, str] = {}
    for assignment_id, metadata in found.items():
        if metadata.order in by_order:
            raise RegistryError(f"{assignment_id} and {by_order[metadata.order]} both have "
                                f"order = {metadata.order} in their {METADATA_FILE}: each "
                                f"assignment needs its own place in the course")
        by_order[metadata.order] = assignment_id
    ordered = sorted(found, key=lambda a: found[a].order)
    return _Registry(MappingProxyType({a: found[a] for a in ordered}), MappingProxyType(ignored))


def _registry() -> _Registry:
    """Discovered once per GRADERS_DIR (a test that points it elsewhere gets that folder's)."""
    graders = Path(GRADERS_DIR)
    if graders not in _CACHE:
        _CACHE[graders] = _discover(graders)
    return _CACHE[graders]


def ids() -> tuple[str, ...]:
    """Every assignment's id, in course order."""
    return tuple(_registry().found)


def every() -> list[Assignment]:
    """Every assignment, in course order."""
    return [Assignment(a) for a in ids()]


def ignored() -> dict[str, str]:
    """Grader folders that are not assignments -> why (they lack `assignment.toml`)."""
    return dict(_registry().ignored)


def __getattr__(name: str):
    if name == "ASSIGNMENT_IDS":    # the name this list had before it was discovered
        return ids()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Assignment:
    id: str

    @property
    def metadata(self) -> Metadata:
        return _registry().found[self.id]

    @property
    def order(self) -> int:
        return self.metadata.order

    def title(self, language: str = TITLE_LANGUAGE) -> str:
        """The assignment's title in `language`, else in English."""
        titles = self.metadata.title
        return titles.get(language) or titles[TITLE_LANGUAGE]

    @property
    def helpers(self) -> tuple[str, ...]:
        """The helper files its metadata declares (those present are `helper_files()`)."""
        return self.metadata.helpers

    @property
    def uses_data(self) -> bool:
        """Whether its helpers read the course's `data/`."""
        return self.metadata.uses_data

    @property
    def grader_dir(self) -> Path:
        return GRADERS_DIR / self.id

    @property
    def grader_files(self) -> list[Path]:
        """The pytest grader files present (the learner's kit ships `public.py` only)."""
        return [self.grader_dir / name for name in GRADER_FILES if (self.grader_dir / name).exists()]

    @property
    def released_dir(self) -> Path:
        if released_beside() == self.id:
            return COURSE_ROOT
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


def released_beside() -> str | None:
    """The assignment whose released folder holds this engine (see EXCHANGE_MARKER), if any."""
    try:
        return EXCHANGE_MARKER.read_text().strip() or None
    except OSError:
        return None


def get(assignment_id: str) -> Assignment:
    known = ids()
    if assignment_id not in known:
        why = ignored().get(assignment_id)
        raise UnknownAssignment(
            f"unknown assignment {assignment_id!r}; the assignments are {', '.join(known)}"
            + (f" ({why})" if why else "")
        )
    return Assignment(assignment_id)


def for_submission(path: Path, override: str | None = None) -> Assignment:
    """The assignment named by `override`, else by the file's name, else by its folder's name."""
    if override:
        return get(override)
    known = ids()
    for candidate in (path.stem, path.parent.name):
        if candidate in known:
            return Assignment(candidate)
    raise UnknownAssignment(
        f"cannot tell which assignment {path.name} belongs to: name the file or its folder after "
        f"one of {', '.join(known)}, or pass --assignment ID"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.assignments",
        description="The course's assignments, from autograder/graders/<id>/assignment.toml.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", help="the assignment ids in course order, one a line")
    listing.add_argument("--titles", metavar="LANG", nargs="?", const=TITLE_LANGUAGE,
                         help="each id followed by a tab and its title (in LANG, default en)")
    verbs.add_parser("show", help="every assignment's metadata, as JSON")
    args = parser.parse_args(argv)
    try:
        every_assignment = every()
        skipped = ignored()
    except RegistryError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 1
    for why in skipped.values():
        print(f"autograder: {why}", file=sys.stderr)
    if args.verb == "show":
        print(json.dumps({a.id: {"order": a.order, "title": dict(a.metadata.title),
                                 "helpers": list(a.helpers), "uses_data": a.uses_data}
                          for a in every_assignment}, indent=2, ensure_ascii=False))
    else:
        for a in every_assignment:
            print(a.id if args.titles is None else f"{a.id}\t{a.title(args.titles)}")
    if not every_assignment:
        print(f"autograder: no assignments: no folder under {_shown(GRADERS_DIR)}/ has "
              f"{METADATA_FILE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
