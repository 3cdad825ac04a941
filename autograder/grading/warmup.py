"""Pay one-off costs once, in the parent, before it forks a child per submission.

The first optimizer step, the first gradcheck and the first convolution each import or build
something lazily (0.3-0.7 s apiece on the course machines), and so do the libraries the
assignments use (torchvision and matplotlib: about 1.5 s together). Done here, every forked
child inherits them for free. What to import is read from the kit's own files only (the
assignment's helper modules and its released notebook), never from a submission.

Values the checks compute from the judge's own inputs alone (reference models, states, data
items: `judge_side.references`) are computed by `warm_references`, once per assignment, after the
zygote's fork (so no learner process holds them) and before that assignment's first judge forks.

The parent runs on one intra-op thread: a parent that had started an OpenMP thread pool could
hang a forked child, so the pool is only ever created in the children.
"""
from __future__ import annotations

import ast
import gc
import importlib
import json
import os

from autograder.assignments import Assignment

_torch_ready = False
_attempted: set[str] = set()


def _warm_torch() -> None:
    import IPython.core.interactiveshell  # noqa: F401 - the notebook cells' shell
    import pytest  # noqa: F401
    import torch
    from torch import nn

    torch.set_num_threads(1)
    with torch.random.fork_rng():
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.SiLU(),
                              nn.Flatten(), nn.Linear(4 * 4 * 4, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        model(torch.randn(2, 3, 4, 4)).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
        x = torch.randn(3, dtype=torch.float64, requires_grad=True)
        torch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    from autograder.learner_side.instruments import OpWatch   # the profiler's first start: about 0.9 s

    saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)   # the profiler's own start and stop lines (C++ logging, on fd 2)
    try:
        with OpWatch():
            torch.ones(1).add(1)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


def _imports_of(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython syntax
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def library_imports(assignment: Assignment) -> set[str]:
    """Modules that the assignment's helper files and released notebook import at top level,
    less the helper modules themselves (those are imported from each child's scratch folder)."""
    helpers = assignment.helper_files()
    sources = [path.read_text() for path in helpers if path.suffix == ".py"]
    notebook = assignment.released_dir / f"{assignment.id}.ipynb"
    if notebook.exists():
        cells = json.loads(notebook.read_text()).get("cells", [])
        sources += ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    local = {path.stem for path in helpers}
    return {name for source in sources for name in _imports_of(source)
            if name.split(".")[0] not in local and not name.startswith("autograder")}


def warm_up(assignments: list[Assignment] = ()) -> None:
    """Warm torch (once), then import what `assignments` will need; safe to call repeatedly."""
    global _torch_ready
    if not _torch_ready:
        _warm_torch()
        _torch_ready = True
    os.environ.setdefault("MPLBACKEND", "Agg")  # as in the children: no GUI backend
    for assignment in assignments:
        for name in sorted(library_imports(assignment) - _attempted):
            _attempted.add(name)
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a warm-up is an optimisation, never a failure
                pass
    # Everything alive now is shared with the forked children: keep the garbage collector
    # from walking it (and from touching its pages, which copy-on-write would then copy).
    gc.collect()
    gc.freeze()


_references_warmed: set[str] = set()


def warm_references(assignment: Assignment) -> None:
    """The references `assignment`'s checks compute from the judge's own inputs alone, computed
    once in the grading process (`judge_side.references`), so that every judge forked afterwards
    inherits them. Call it only after the zygote's fork: no learner process may hold them.
    Once per assignment; safe to call repeatedly."""
    if assignment.id in _references_warmed:
        return
    _references_warmed.add(assignment.id)
    from autograder.judge_side import references

    references.warm([assignment])
    gc.collect()
    gc.freeze()
