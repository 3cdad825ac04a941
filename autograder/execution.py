"""Run a submission's cells in order, as JupyterLab would, recording each cell that raises.

Notebook cells go through IPython's input transformer, so `%matplotlib inline` and other magics
behave as in a kernel; `!shell` commands are not run while grading. A cell that raises is
recorded and the next cells still run, as under nbgrader's autograde.
"""
from __future__ import annotations

import linecache
import traceback
from dataclasses import dataclass

from autograder.submission import Cell


@dataclass(frozen=True)
class CellError:
    cell: int
    error: str          # "ValueError: shapes do not match"
    where: str          # "code cell 4, line 7 (in forward)"


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:60]
    return ""


class _Shell:
    """A lazily created IPython shell: magics, `get_ipython()`, no real shell commands."""

    def __init__(self, namespace: dict):
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance(user_ns=namespace)
        self.shell.system = self._no_system
        self.shell.getoutput = lambda cmd, **kw: []
        # No GUI event loop while grading: `%matplotlib inline`/`%gui` become harmless, and
        # figures render off-screen (the engine sets MPLBACKEND=Agg).
        self.shell.enable_gui = lambda gui=None: None
        self.shell.enable_matplotlib = lambda gui=None: (gui, None)

    @staticmethod
    def _no_system(cmd, *args, **kwargs):
        print(f"(shell command not run while grading: !{cmd})")

    def transform(self, source: str) -> str:
        return self.shell.transform_cell(source)


def new_namespace() -> dict:
    """A fresh `__main__`-like namespace for the submission's code."""
    return {"__name__": "__main__", "__builtins__": __builtins__}


def run_cells(cells: list[Cell], namespace: dict, on_cell=None) -> list[CellError]:
    """Run `cells` in `namespace`; `on_cell(cell)` is called before each (progress, time limits)."""
    errors: list[CellError] = []
    shell = _Shell(namespace) if any(c.ipython for c in cells) else None
    for cell in cells:
        if on_cell is not None:
            on_cell(cell)
        source = cell.source
        try:
            if cell.ipython:
                source = shell.transform(source)
            lines = source.splitlines(keepends=True)
            linecache.cache[cell.filename] = (len(source), None, lines, cell.filename)
            code = compile(source, cell.filename, "exec")
            exec(code, namespace)
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
            errors.append(describe_cell_error(cell, exc))
    return errors


def describe_cell_error(cell: Cell, exc: BaseException) -> CellError:
    where = f"code cell {cell.index}"
    head = first_line(cell.source)
    if head:
        where += f" (`{head}`)"
    frames = traceback.extract_tb(exc.__traceback__)
    cell_frames = [f for f in frames if f.filename.startswith("<cell ")]
    if cell_frames:
        last = cell_frames[-1]
        origin = last.filename[1:-1].replace("cell", "code cell")
        if origin == f"code cell {cell.index}":
            where = where + f", line {last.lineno}"
        else:
            where += f", raised at {origin}, line {last.lineno}"
        if last.name != "<module>":
            where += f" in {last.name}"
    elif isinstance(exc, SyntaxError) and exc.lineno:
        where += f", line {exc.lineno}"
    if isinstance(exc, SyntaxError):
        error = f"SyntaxError: {exc.msg}" + (f": {exc.text.strip()}" if exc.text else "")
    elif isinstance(exc, SystemExit):
        error = f"SystemExit({exc.code!r}): the cell called sys.exit() or exit()"
    else:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return CellError(cell.index, error[:500], where)
