"""Read a submission into the code cells that will run, in order.

A notebook gives its code cells; a `.py` file gives one cell, or one per `# %%` marker when it
is written in the percent format that editors use for notebook-like scripts.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from autograder.i18n import _, notebook_language
from autograder.course.translation import versions
from autograder.wire.cells import Cell
from autograder.config import MAX_SUBMISSION_MB

SUPPORTED_SUFFIXES = (".ipynb", ".py")
_PERCENT_MARKER = re.compile(r"^# ?%%.*$", re.MULTILINE)


class UnreadableSubmission(Exception):
    """The file cannot be read as a submission; the message says why, for the learner."""


def load_cells(path: Path, released: Path | None = None) -> list[Cell]:
    """The cells to run. With `released` (the assignment's released notebook), a notebook's
    code cells after its last answer or graded cell are left out when they are exactly the
    released ones (in any of the course's languages): the instructor's closing
    demonstrations, which no check depends on. If the learner changed any of them, they all
    run."""
    cells = _load_cells(path)
    if released is None or path.suffix != ".ipynb":
        return cells
    try:
        theirs = trailing_sources(json.loads(path.read_text(encoding="utf-8")))
        ours = trailing_sources(json.loads(released.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError, TypeError, RecursionError):
        return cells
    if theirs is None or ours is None or len(theirs) != len(ours):
        return cells
    same = versions(released.stem)
    if any(t.strip() not in same.get(o.strip(), {o.strip()}) for t, o in zip(theirs, ours)):
        return cells
    return cells[:len(cells) - len(theirs)] if theirs else cells


def trailing_sources(notebook: dict) -> list[str] | None:
    """The sources of the code cells after the last answer or graded cell (None if there is no
    such cell, or the notebook is not in the format nbgrader writes)."""
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4 or \
            not isinstance(notebook.get("cells"), list):
        return None
    code = [c for c in notebook["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    marked = [i for i, c in enumerate(code)
              if isinstance(c.get("metadata", {}).get("nbgrader"), dict)
              and (c["metadata"]["nbgrader"].get("grade") or c["metadata"]["nbgrader"].get("solution"))]
    if not marked:
        return None
    trailing = code[marked[-1] + 1:]
    if any(isinstance(c.get("metadata", {}).get("nbgrader"), dict) for c in trailing):
        return None
    sources = ["".join(c.get("source", "")) if isinstance(c.get("source"), list)
               else c.get("source", "") for c in trailing]
    return sources if all(isinstance(s, str) for s in sources) else None


def language_of(path: Path) -> str | None:
    """The language a notebook was released in (its metadata says), if the kit speaks it."""
    if path.suffix != ".ipynb":
        return None
    try:
        return notebook_language(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _load_cells(path: Path) -> list[Cell]:
    if not path.exists():
        raise UnreadableSubmission(_("{path} does not exist").format(path=path))
    if not path.is_file():
        raise UnreadableSubmission(_("{path} is not a file").format(path=path))
    if path.suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableSubmission(_("{name}: only .ipynb notebooks and .py files can be "
                                     "graded").format(name=path.name))
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_MB << 20:
            raise UnreadableSubmission(_(
                "{name} is {size:.1f} MB; the limit is {limit} MB. Remove large outputs or "
                "data pasted into cells (Edit > Clear Outputs of All Cells in JupyterLab, then "
                "save) and submit again.").format(name=path.name, size=size / (1 << 20),
                                                  limit=MAX_SUBMISSION_MB))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableSubmission(_("{name} could not be read: {error}").format(
            name=path.name, error=exc)) from None
    if not text.strip():
        raise UnreadableSubmission(_("{name} is empty").format(name=path.name))
    if path.suffix == ".py":
        return py_cells(text)
    try:
        return _notebook_cells(path.name, text)
    except (AttributeError, TypeError):   # a list where Jupyter writes an object, and so on
        raise UnreadableSubmission(_("{name} is JSON but not laid out as a Jupyter notebook "
                                     "(a cell or its metadata is not what Jupyter writes). "
                                     "Re-download it from JupyterLab (File > Save) and submit "
                                     "again.").format(name=path.name)) from None


def py_cells(text: str) -> list[Cell]:
    parts = _PERCENT_MARKER.split(text) if _PERCENT_MARKER.search(text) else [text]
    sources = [p for p in parts if p.strip()]
    return [Cell(i, src, ipython=False) for i, src in enumerate(sources, start=1)]


def is_test_cell(cell: dict) -> bool:
    """An nbgrader graded test cell: the engine runs the graders itself, so it skips these."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return bool(isinstance(meta, dict) and meta.get("grade") and not meta.get("solution"))


def _notebook_cells(name: str, text: str) -> list[Cell]:
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableSubmission(_(
            "{name} is not valid notebook JSON ({error} at line {line}); the file may be "
            "truncated or was edited outside Jupyter. Re-download it from JupyterLab (File > "
            "Save) and submit again.").format(name=name, error=exc.msg, line=exc.lineno)
        ) from None
    except RecursionError:
        raise UnreadableSubmission(_(
            "{name} is nested too deeply to read (lists or objects inside one another, "
            "thousands of levels deep); Jupyter never saves a notebook like that. Re-download "
            "it from JupyterLab (File > Save) and submit again.").format(name=name)) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise UnreadableSubmission(_("{name} is JSON but not a Jupyter notebook (no list of "
                                     "cells)").format(name=name))
    major = nb.get("nbformat")
    if major == 3 or "worksheets" in nb:
        cells = [c for ws in nb.get("worksheets", []) for c in ws.get("cells", [])]
        sources = [c.get("input", "") for c in cells if c.get("cell_type") == "code"]
        skip = [False] * len(sources)
        labels = [_("code cell {number}").format(number=i) for i in range(1, len(sources) + 1)]
    elif major == 4:
        every = [c for c in nb["cells"] if isinstance(c, dict)]
        code = [(position, c) for position, c in enumerate(every, start=1)
                if c.get("cell_type") == "code"]
        sources = [c.get("source", "") for _position, c in code]
        skip = [is_test_cell(c) for _position, c in code]
        labels = [_("cell {number}").format(number=position)
                  + (f" [{c['execution_count']}]" if type(c.get("execution_count")) is int else "")
                  for position, c in code]
    else:
        raise UnreadableSubmission(_(
            "{name} has notebook format version {version}; this kit reads versions 3 and "
            "4").format(name=name, version=repr(major)))
    cells = []
    for index, (source, skipped, label) in enumerate(zip(sources, skip, labels), start=1):
        if isinstance(source, list):
            source = "".join(source) if all(isinstance(s, str) for s in source) else None
        if not isinstance(source, str):
            raise UnreadableSubmission(_("{name} has a code cell whose source is not "
                                         "text").format(name=name))
        if not skipped:
            cells.append(Cell(index, source, ipython=True, label=label))
    return cells
