"""Run a submission's cells in order, as JupyterLab would, recording each cell that raises.

Notebook cells go through IPython's input transformer, so `%matplotlib inline` and other magics
behave as in a kernel; `!shell` commands are not run while grading. A cell that raises is
recorded and the next cells still run, as under nbgrader's autograde.
"""
from __future__ import annotations

import linecache

from autograder.wire.cells import Cell


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


def run_cells(cells: list[Cell], namespace: dict, on_cell=None) -> list[tuple[Cell, BaseException]]:
    """Run `cells` in `namespace`; `on_cell(cell)` is called before each (progress, time limits).

    Returns the cells that raised, each with its exception.
    """
    errors: list[tuple[Cell, BaseException]] = []
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
            errors.append((cell, exc))
    return errors
